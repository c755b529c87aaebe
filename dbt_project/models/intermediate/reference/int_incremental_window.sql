-- Where this run's incremental models start recomputing, per source. Two reasons to go back:
-- the lookback (records dated up to cx_lookback_days before the window), and the records
-- delivered in the window themselves: every version of a re-delivered response or review,
-- and every event of a ticket that received an event, may belong to an older period, which
-- must be recomputed whole. The result is moved back to a week start on or before the month
-- start, so that each week and month row rewritten sees all of its days.
-- The window itself comes from macro partition_window (environment, else vars).
{%- set window = partition_window() %}

with window_bounds as (
    select
        {{ date_literal(window[0]) }} as partition_start,
        {{ date_literal(window[1]) }} as partition_end
),

removed as (
    -- records a re-run of a day in the window no longer delivers: their periods change too
    select source, min({{ reporting_date('record_at') }}) as removed_from
    from audit.removed_records, window_bounds w
    where partition_date between w.partition_start and w.partition_end
    group by 1
),

changed as (
    select 'surveys' as source, min({{ reporting_date('r.submitted_at') }}) as changed_from
    from {{ source('raw', 'survey_responses') }} r
    where r.response_id in (
        select response_id from {{ source('raw', 'survey_responses') }}, window_bounds w
        where _partition_date between w.partition_start and w.partition_end)
    union all
    select 'tickets', min({{ reporting_date('e.event_at') }})
    from {{ source('raw', 'ticket_events') }} e
    where e.ticket_id in (
        select ticket_id from {{ source('raw', 'ticket_events') }}, window_bounds w
        where _partition_date between w.partition_start and w.partition_end)
    union all
    select 'reviews', min({{ reporting_date('r.published_at') }})
    from {{ source('raw', 'reviews') }} r
    where r.review_id in (
        select review_id from {{ source('raw', 'reviews') }}, window_bounds w
        where _partition_date between w.partition_start and w.partition_end)
)

select
    c.source,
    w.partition_start,
    w.partition_end,
    cast(w.partition_start - {{ var('cx_lookback_days') }} as date) as lookback_from,
    least(c.changed_from, r.removed_from) as changed_from,
    cast(date_trunc('week', date_trunc('month',
        least(w.partition_start - {{ var('cx_lookback_days') }}, c.changed_from, r.removed_from)))
        as date) as recompute_from
from changed c
cross join window_bounds w
left join removed r on r.source = c.source
