{#- Our own versions of the two dbt_utils tests we need (the package hub is unreachable). -#}

{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{% test expression_holds(model, expression, column_name=none) %}
select * from {{ model }} where not ({{ expression }})
{% endtest %}
