{#- The days a source observed per (grain, period_start), to join `using (grain,
    period_start)` (int_period_coverage; docs/methodology.md, "Completeness and maturity"). -#}
{% macro coverage_of(source) -%}
    (select grain, period_start, days_observed, is_complete_period
     from {{ ref('int_period_coverage') }} where source = '{{ source }}')
{%- endmacro %}

{#- The completeness columns of a period-grained mart row, from a coverage_of join aliased
    `alias`; a period without a dated record of the source observed no day. -#}
{% macro coverage_columns(alias, grain='grain', period_start='period_start') -%}
    cast(coalesce({{ alias }}.days_observed, 0) as integer) as days_observed,
    cast({{ period_days(grain, period_start) }} as integer) as period_days,
    coalesce({{ alias }}.is_complete_period, false) as is_complete_period
{%- endmacro %}
