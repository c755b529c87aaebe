-- The open intervals of every schedule of the business_hours seed as UTC instants, one row
-- per open interval of a working day; holidays remove a schedule's days. Local opening
-- times are converted with the schedule's time zone on each date, so a DST change moves the
-- UTC interval (and desks in different zones move on different dates).
-- business_seconds_before accumulates the open time of the schedule's earlier intervals:
-- the business time between two instants is the difference of their positions on their
-- schedule's running clock (found with an ASOF join), never a per-minute expansion. Each
-- schedule has its own clock: a ticket is measured against one (int_tickets).
with days as (
    select cast(unnest(generate_series(
        date '{{ var("cx_calendar_start") }}', date '{{ var("cx_calendar_end") }}', interval 1 day))
        as date) as local_date
),

hours as (
    select * from {{ ref('business_hours') }}
),

holidays as (
    select distinct schedule, holiday_date from {{ ref('holidays') }}
),

intervals as (
    select
        h.schedule,
        h.timezone,
        d.local_date,
        timezone(h.timezone, d.local_date + h.open_time) as open_at,
        timezone(h.timezone, d.local_date + h.close_time) as close_at
    from days d
    join hours h on isodow(d.local_date) = h.iso_weekday
    anti join holidays x on x.schedule = h.schedule and x.holiday_date = d.local_date
)

select
    schedule,
    timezone,
    local_date,
    open_at,
    close_at,
    epoch(close_at) - epoch(open_at) as open_seconds,
    coalesce(sum(epoch(close_at) - epoch(open_at)) over (
        partition by schedule order by open_at rows between unbounded preceding and 1 preceding), 0)
        as business_seconds_before
from intervals
