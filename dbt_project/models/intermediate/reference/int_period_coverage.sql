-- How many days of each period had data, per source: a day counts when at least one record
-- of the source is dated on it (surveys by submission, any respondent; tickets by creation;
-- reviews by publication, any brand), in the reporting time zone. A record known only to its
-- month observes no particular day. A period is complete when every one of its days was
-- observed. Method: docs/methodology.md, "Completeness and maturity".
with record_days as (
    select distinct 'surveys' as source, submitted_date as day
    from {{ ref('stg_survey_responses') }}
    where submitted_at_precision is distinct from 'month'
    union
    select distinct 'tickets', created_date
    from {{ ref('int_tickets') }}
    where has_created_event
    union
    select distinct 'reviews', published_date
    from {{ ref('stg_reviews') }}
    where published_at_precision is distinct from 'month'
),

periods as ({{ periods_of('record_days', 'day') }}),

counted as (
    select source, grain, period_start, count(distinct day) as days_observed
    from periods
    where day is not null
    group by all
)

select
    source,
    grain,
    period_start,
    cast({{ period_days('grain', 'period_start') }} as integer) as period_days,
    cast(days_observed as integer) as days_observed,
    days_observed = {{ period_days('grain', 'period_start') }} as is_complete_period
from counted
