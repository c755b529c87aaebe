-- Medians and 90th percentiles of reply and resolution times per creation period and slice.
-- Quantiles do not add up, so every period (week and month included) is computed from its
-- own tickets, never from daily medians. Linear interpolation between order statistics.
-- Beside the median of resolved tickets, the Kaplan-Meier median counts the tickets still
-- open as censored at the data's latest time (docs/methodology.md,
-- "resolution_hours_median_km").
{%- set since = recompute_since('tickets') %}

with obs as (
    select * from {{ ref('int_tickets') }}
    where has_created_event
    {% if is_incremental() %} and created_date >= {{ since }} {% endif %}
),

periods as ({{ periods_and_slices('obs', 'created_date', ['channel', 'segment', 'product']) }}),

in_scope as (
    select * from periods
    {% if is_incremental() %} where period_start >= {{ since }} {% endif %}
),

{%- set keys = ['grain', 'period_start', 'slice_name', 'slice_value'] %}

-- Resolved tickets end at their resolution time; open ones are censored at their age at the
-- data's latest time (int_ticket_horizon).
survival as (
    select grain, period_start, slice_name, slice_value,
        case when is_resolved_now then resolution_hours
             else (epoch(l.latest_at) - epoch(created_at)) / 3600 end as hours,
        is_resolved_now as is_event
    from in_scope
    cross join {{ ref('int_ticket_horizon') }} l
    where is_resolved_now is not null
),

censored_groups as (
    select distinct grain, period_start, slice_name, slice_value
    from survival where not is_event
),

-- Without censoring the Kaplan-Meier median is the ordinary median (macros/survival.sql):
-- only groups with an open ticket go through the sort.
resolution_km as ({{ km_median(
    '(select * from survival semi join censored_groups using (grain, period_start, slice_name, slice_value))',
    keys, 'hours', 'is_event') }}),

survival_counts as (
    select grain, period_start, slice_name, slice_value,
        count(hours) as resolution_km_n,
        bool_or(not is_event) as has_censored
    from survival
    group by all
),

counts as (
    select
        grain,
        period_start,
        slice_name,
        slice_value,
        count(first_reply_minutes) as first_reply_n,
        count(first_reply_business_minutes) as first_reply_business_n,
        count(resolution_hours) as resolution_n,
        count(resolution_business_hours) as resolution_business_n
    from in_scope
    group by all
),

-- Exact quantiles that spill to disk (macros/quantiles.sql); quantile_cont's state cannot.
first_reply as ({{ sorted_quantiles('in_scope', keys, 'first_reply_minutes',
    {'first_reply_minutes_median': 0.5, 'first_reply_minutes_p90': 0.9}) }}),
first_reply_business as ({{ sorted_quantiles('in_scope', keys, 'first_reply_business_minutes',
    {'first_reply_business_minutes_median': 0.5}) }}),
resolution as ({{ sorted_quantiles('in_scope', keys, 'resolution_hours',
    {'resolution_hours_median': 0.5, 'resolution_hours_p90': 0.9}) }}),
resolution_business as ({{ sorted_quantiles('in_scope', keys, 'resolution_business_hours',
    {'resolution_business_hours_median': 0.5}) }})

select
    c.grain,
    c.period_start,
    c.slice_name,
    c.slice_value,
    c.first_reply_n,
    f.first_reply_minutes_median,
    f.first_reply_minutes_p90,
    c.first_reply_business_n,
    fb.first_reply_business_minutes_median,
    c.resolution_n,
    r.resolution_hours_median,
    r.resolution_hours_p90,
    c.resolution_business_n,
    rb.resolution_business_hours_median,
    coalesce(sc.resolution_km_n, 0) as resolution_km_n,
    case when sc.has_censored then km.median else r.resolution_hours_median end
        as resolution_hours_median_km
from counts c
left join first_reply f on {{ same_group('c', 'f', keys) }}
left join first_reply_business fb on {{ same_group('c', 'fb', keys) }}
left join resolution r on {{ same_group('c', 'r', keys) }}
left join resolution_business rb on {{ same_group('c', 'rb', keys) }}
left join survival_counts sc on {{ same_group('c', 'sc', keys) }}
left join resolution_km km on {{ same_group('c', 'km', keys) }}
