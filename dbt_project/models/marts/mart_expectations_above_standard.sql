-- Expectations above the standard, per period, SERVQUAL dimension and segment: the share
-- of customers whose expectation of the dimension (mean of their exp_ items, 1-7) exceeds
-- the level the servqual_standards seed specifies the service for by more than var
-- cx_expectation_margin. Those are expectations to manage (explain, reset) rather than
-- to meet. Formula: docs/methodology.md, "expectations_above_standard_share". Incremental by
-- period like mart_service_gaps (records dated in the period only).
{%- set since = recompute_since('surveys') %}
with expectations as (
    select submitted_date, submitted_at_precision, segment, dimension, expectation
    from {{ ref('int_servqual_scores') }}
    where respondent_role = 'customer' and expectation is not null
    {% if is_incremental() %} and submitted_date >= {{ since }} {% endif %}
),

periods as ({{ periods_of('expectations', 'submitted_date', 'submitted_at_precision') }}),

segmented as (
    select grain, period_start, 'all' as segment, dimension, expectation from periods
    union all
    select grain, period_start, coalesce(segment, 'unknown'), dimension, expectation from periods
),

counted as (
    select
        p.grain, p.period_start, p.segment, p.dimension,
        any_value(s.standard_level) as standard_level,
        count(*) as customers,
        count(*) filter (where p.expectation - s.standard_level > {{ var('cx_expectation_margin') }})
            as above_standard,
        avg(p.expectation) as expectation_mean
    from segmented p
    -- A dimension without a standard has nothing to exceed.
    join {{ ref('servqual_standards') }} s on s.dimension = p.dimension
    group by all
)

select
    cast(c.grain as varchar) as grain,
    cast(c.period_start as date) as period_start,
    cast(c.dimension as varchar) as dimension,
    cast(c.segment as varchar) as segment,
    cast(c.standard_level as double) as standard_level,
    cast({{ var('cx_expectation_margin') }} as double) as margin,
    cast(c.expectation_mean as double) as expectation_mean,
    cast(c.customers as bigint) as customers,
    cast(c.above_standard as bigint) as above_standard,
    cast(c.above_standard::double / c.customers as double) as above_standard_share,
    cast({{ wilson_low('c.above_standard', 'c.customers') }} as double) as ci_low,
    cast({{ wilson_high('c.above_standard', 'c.customers') }} as double) as ci_high,
    cast(c.customers as bigint) as n,
    c.customers < {{ var('cx_low_sample_min_n') }} as low_sample,
    cast('expectations_above_standard_share' as varchar) as formula_name,
    {{ coverage_columns('cov', 'c.grain', 'c.period_start') }}
from counted c
left join {{ coverage_of('surveys') }} cov
    on cov.grain = c.grain and cov.period_start = c.period_start
