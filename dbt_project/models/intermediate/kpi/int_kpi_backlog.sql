-- Open backlog: tickets unresolved at the end of each period (midnight after its last day in
-- the reporting time zone), per slice of the ticket's attributes at creation. Periods run
-- from the first ticket's creation to the latest event delivered.
{%- set since = recompute_since('tickets') %}

with tickets as (
    select ticket_id, channel, segment, product, created_date, last_event_at
    from {{ ref('int_tickets') }}
),

days as (
    select cast(unnest(generate_series(
        (select min(created_date) from tickets),
        (select max({{ reporting_date('last_event_at') }}) from tickets),
        interval 1 day)) as date) as day
),

periods as (
    select distinct grain, period_start, {{ period_end_at('grain', 'period_start') }} as period_end_at
    from ({{ periods_of('days', 'day') }})
    {% if is_incremental() %} where period_start >= {{ since }} {% endif %}
),

spells as (
    select
        s.ticket_id,
        s.unresolved_from,
        -- A spell still open never ends; 'infinity' keeps the join a pure range join.
        coalesce(s.unresolved_until, 'infinity'::timestamptz) as unresolved_until,
        t.channel,
        t.segment,
        t.product
    from {{ ref('int_ticket_spells') }} s
    join tickets t using (ticket_id)
    -- A spell resolved before the first period end this run computes counts in none of them:
    -- an incremental run joins the spells open at its periods, not every spell of history.
    where s.unresolved_until is null
        or s.unresolved_until >= (select min(period_end_at) from periods)
),

sliced as (
    select 'all' as slice_name, 'all' as slice_value, * from spells
    {%- for s in ['channel', 'segment', 'product'] %}
    union all
    select '{{ s }}', coalesce(cast({{ s }} as varchar), 'unknown'), * from spells
    {%- endfor %}
)

select
    p.grain,
    p.period_start,
    s.slice_name,
    s.slice_value,
    count(*) as backlog_open
from periods p
join sliced s
    on s.unresolved_from < p.period_end_at
    and s.unresolved_until >= p.period_end_at
group by all
