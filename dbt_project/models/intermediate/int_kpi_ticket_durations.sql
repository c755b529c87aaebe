{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key=['grain', 'period_start'], on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('int_incremental_window') }}
-- Medians and 90th percentiles of reply and resolution times per creation period and slice.
-- Quantiles do not add up, so every period (week and month included) is computed from its
-- own tickets, never from daily medians. Linear interpolation between order statistics.
{%- set since = recompute_since('tickets') %}

with obs as (
    select * from {{ ref('int_tickets') }}
    where has_created_event
    {% if is_incremental() %} and created_date >= {{ since }} {% endif %}
),

periods as ({{ periods_and_slices('obs', 'created_date', ['channel', 'segment', 'product']) }})

select
    grain,
    period_start,
    slice_name,
    slice_value,
    count(first_reply_minutes) as first_reply_n,
    quantile_cont(first_reply_minutes, 0.5) as first_reply_minutes_median,
    quantile_cont(first_reply_minutes, 0.9) as first_reply_minutes_p90,
    count(first_reply_business_minutes) as first_reply_business_n,
    quantile_cont(first_reply_business_minutes, 0.5) as first_reply_business_minutes_median,
    count(resolution_hours) as resolution_n,
    quantile_cont(resolution_hours, 0.5) as resolution_hours_median,
    quantile_cont(resolution_hours, 0.9) as resolution_hours_p90,
    count(resolution_business_hours) as resolution_business_n,
    quantile_cont(resolution_business_hours, 0.5) as resolution_business_hours_median
from periods
{% if is_incremental() %} where period_start >= {{ since }} {% endif %}
group by all
