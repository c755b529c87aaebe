{#- The calendar date of a timestamp in the reporting time zone. -#}
{% macro reporting_date(ts) -%}
    cast(timezone('{{ var("cx_reporting_timezone") }}', {{ ts }}) as date)
{%- endmacro %}

{#- The instant a period ends (exclusive): midnight after its last day, in the reporting
    time zone. Backlog is counted at this instant. -#}
{% macro period_end_at(grain, period_start) -%}
    timezone('{{ var("cx_reporting_timezone") }}', cast(
        {{ period_start }} + case {{ grain }}
            when 'day' then interval 1 day
            when 'week' then interval 7 day
            else interval 1 month end as timestamp))
{%- endmacro %}

{#- The start of the period before: the previous day, week or month. -#}
{% macro previous_period_start(grain, period_start) -%}
    cast({{ period_start }} - case {{ grain }}
            when 'day' then interval 1 day
            when 'week' then interval 7 day
            else interval 1 month end as date)
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
    {{ periods_of('sliced', date_column) }}
{%- endmacro %}

{#- Fan each row out to its day, week (ISO, Monday) and month. -#}
{% macro periods_of(relation, date_column) -%}
    select 'day' as grain, {{ date_column }} as period_start, * from {{ relation }}
    union all
    select 'week', cast(date_trunc('week', {{ date_column }}) as date), * from {{ relation }}
    union all
    select 'month', cast(date_trunc('month', {{ date_column }}) as date), * from {{ relation }}
{%- endmacro %}

{#- A keyword of the theme_keywords seed as a regular-expression alternative: the keyword is
    matched literally; a trailing * matches any further letters (a stem). -#}
{% macro keyword_regex(keyword) -%}
    case when {{ keyword }} like '%*'
         then regexp_replace(rtrim({{ keyword }}, '*'), '([.^$|()\[\]{}*+?\\])', '\\\1', 'g') || '[\pL\pN]*'
         else regexp_replace({{ keyword }}, '([.^$|()\[\]{}*+?\\])', '\\\1', 'g') end
{%- endmacro %}
