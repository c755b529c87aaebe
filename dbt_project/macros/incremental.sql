{#- Incremental models recompute whole periods: every period starting on or after the date
    int_incremental_window gives for the source (the window start less the lookback, or the
    oldest date a record delivered in the window belongs to, moved back to a week and month
    start). Without a partition window (a hand-run `dbt build`) everything is recomputed.
    A model using this must declare `-- depends_on: {{ ref('int_incremental_window') }}`. -#}
{% macro recompute_since(source) -%}
    coalesce(
        (select recompute_from from {{ ref('int_incremental_window') }} where source = '{{ source }}'),
        date '0001-01-01')
{%- endmacro %}
