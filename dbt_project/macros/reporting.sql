{#- The calendar date of a timestamp in the reporting time zone. -#}
{% macro reporting_date(ts) -%}
    cast(timezone('{{ var("cx_reporting_timezone") }}', {{ ts }}) as date)
{%- endmacro %}

{#- The KPI date of a record whose time may be known only to the month: such a record is
    stored at the first instant of its month in the export's time zone, which in the
    reporting time zone can be the evening before (the previous month). A day's shift is
    larger than any zone offset and smaller than any month, so the first day of the month
    after shifting is the exported month, whatever the two zones. -#}
{% macro record_date(ts, precision) -%}
    case when {{ precision }} = 'month'
         then cast(date_trunc('month', {{ reporting_date(ts) }} + interval 1 day) as date)
         else {{ reporting_date(ts) }} end
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

{#- Length of a period in days (a month's actual length). -#}
{% macro period_days(grain, period_start) -%}
    (case {{ grain }} when 'day' then 1 when 'week' then 7
        else datediff('day', {{ period_start }}, {{ period_start }} + interval 1 month) end)
{%- endmacro %}

{#- Fan each observation out to day, week and month periods and to every slice, so that
    week and month figures are aggregated from counts, never averaged from days.
    `precision_column`: see periods_of. -#}
{% macro periods_and_slices(relation, date_column, slices, precision_column=none) -%}
    with sliced as (
        select 'all' as slice_name, 'all' as slice_value, o.* from {{ relation }} o
        {%- for s in slices %}
        union all
        select '{{ s }}', coalesce(cast(o.{{ s }} as varchar), 'unknown'), o.* from {{ relation }} o
        {%- endfor %}
    )
    {{ periods_of('sliced', date_column, precision_column) }}
{%- endmacro %}

{#- Fan each row out to its day, week (ISO, Monday) and month. A row whose
    `precision_column` is 'month' is known only to its month: it is left out of day and
    week rows rather than piled onto the month's first day (and first week). -#}
{% macro periods_of(relation, date_column, precision_column=none) -%}
    {%- set finer = "where " ~ precision_column ~ " is distinct from 'month'"
        if precision_column else "" %}
    select 'day' as grain, {{ date_column }} as period_start, * from {{ relation }} {{ finer }}
    union all
    select 'week', cast(date_trunc('week', {{ date_column }}) as date), * from {{ relation }}
    {{ finer }}
    union all
    select 'month', cast(date_trunc('month', {{ date_column }}) as date), * from {{ relation }}
{%- endmacro %}

{#- Text as its words separated by single spaces, with a space at each end: punctuation and
    runs of spaces are dropped, so that a word or phrase can be found with a plain substring
    search (no regular expression per row). -#}
{% macro spaced_words(text) -%}
    (' ' || array_to_string(regexp_split_to_array({{ text }}, '[^\pL\pN]+'), ' ') || ' ')
{%- endmacro %}

{#- A theme_keywords seed entry as the substring to look for in spaced_words(lower(text)):
    a whole word or phrase is bounded by spaces on both sides; a trailing * makes it a stem,
    open at the end. -#}
{% macro keyword_needle(keyword) -%}
    case when {{ keyword }} like '%*'
         then rtrim({{ spaced_words("rtrim(lower(" ~ keyword ~ "), '*')") }})
         else {{ spaced_words("lower(" ~ keyword ~ ")") }} end
{%- endmacro %}
