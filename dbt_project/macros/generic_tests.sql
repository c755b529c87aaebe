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

{#- Every listed column of the model is never NULL, in one scan and one dbt node: a node
per column costs dbt and Dagster (one asset check, its events) tens of milliseconds per
run whatever the data, which with two hundred such columns was a quarter of a day's load.
A failing row names its column and how many of its rows are NULL; failures counts those
rows, as the per-column tests did together. -#}
{% test not_null_columns(model, columns) %}
{{ config(fail_calc = 'coalesce(sum(null_rows), 0)') }}
with counts as (
    select
    {%- for column in columns %}
        sum(case when {{ column }} is null then 1 else 0 end) as null_{{ loop.index }}
        {{- "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
{% for column in columns -%}
select '{{ column }}' as null_column, null_{{ loop.index }} as null_rows
from counts where null_{{ loop.index }} > 0
{% if not loop.last %}union all
{% endif -%}
{%- endfor %}
{% endtest %}
