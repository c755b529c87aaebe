-- The support desk's open intervals as UTC instants, one row per open interval of a working
-- day, built from the business_hours and holidays seeds. Local opening times are converted
-- with the schedule's time zone on each date, so a DST change moves the UTC interval.
-- business_seconds_before accumulates the open time of all earlier intervals: the business
-- time between two instants is the difference of their positions on this running clock
-- (found with an ASOF join), never a per-minute expansion.
with days as (
    select cast(unnest(generate_series(
        date '{{ var("cx_calendar_start") }}', date '{{ var("cx_calendar_end") }}', interval 1 day))
        as date) as local_date
),

hours as (
    select * from {{ ref('business_hours') }}
    where schedule = '{{ var("cx_business_schedule") }}'
),

holidays as (
    select holiday_date from {{ ref('holidays') }}
    where schedule = '{{ var("cx_business_schedule") }}'
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
    where d.local_date not in (select holiday_date from holidays)
)

select
    schedule,
    timezone,
    local_date,
    open_at,
    close_at,
    epoch(close_at) - epoch(open_at) as open_seconds,
    coalesce(sum(epoch(close_at) - epoch(open_at)) over (
        order by open_at rows between unbounded preceding and 1 preceding), 0)
        as business_seconds_before
from intervals
