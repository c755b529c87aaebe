{#- The calendar date of a timestamp in the reporting time zone. -#}
{% macro reporting_date(ts) -%}
    cast(timezone('{{ var("cx_reporting_timezone") }}', {{ ts }}) as date)
{%- endmacro %}

{#- First day an incremental run must recompute: the window start less the lookback,
    moved back to the start of its week and month so that every week and month row it
    rewrites is computed from all of that period's records. Null means "everything". -#}
{% macro incremental_floor() -%}
    {%- if var("cx_partition_start") -%}
    date_trunc('week', date_trunc('month',
        cast('{{ var("cx_partition_start") }}' as date) - {{ var("cx_lookback_days") }}))::date
    {%- else -%}
    cast(null as date)
    {%- endif -%}
{%- endmacro %}

{#- Fan each observation out to day, week and month periods and to every slice, so that
    week and month figures are aggregated from counts, never averaged from days. -#}
{% macro periods_and_slices(relation, date_column, slices) -%}
    with sliced as (
        select 'all' as slice_name, 'all' as slice_value, o.* from {{ relation }} o
        {%- for s in slices %}
        union all
        select '{{ s }}', coalesce(cast(o.{{ s }} as varchar), 'unknown'), o.* from {{ relation }} o
        {%- endfor %}
    )
    select 'day' as grain, {{ date_column }} as period_start, * from sliced
    union all
    select 'week', cast(date_trunc('week', {{ date_column }}) as date), * from sliced
    union all
    select 'month', cast(date_trunc('month', {{ date_column }}) as date), * from sliced
{%- endmacro %}

{#- Wilson score interval for a proportion at 95%. -#}
{% macro wilson_low(k, n) -%}
    case when {{ n }} > 0 then
        ((({{ k }})::double / {{ n }}) + 1.96^2 / (2 * {{ n }})
         - 1.96 * sqrt((({{ k }})::double / {{ n }}) * (1 - ({{ k }})::double / {{ n }}) / {{ n }}
                       + 1.96^2 / (4 * {{ n }}^2)))
        / (1 + 1.96^2 / {{ n }}) end
{%- endmacro %}

{% macro wilson_high(k, n) -%}
    case when {{ n }} > 0 then
        ((({{ k }})::double / {{ n }}) + 1.96^2 / (2 * {{ n }})
         + 1.96 * sqrt((({{ k }})::double / {{ n }}) * (1 - ({{ k }})::double / {{ n }}) / {{ n }}
                       + 1.96^2 / (4 * {{ n }}^2)))
        / (1 + 1.96^2 / {{ n }}) end
{%- endmacro %}
