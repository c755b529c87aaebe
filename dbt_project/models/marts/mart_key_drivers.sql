-- Importance-performance analysis per period and segment. Importance: Pearson correlation of
-- the attribute's rating with overall satisfaction over the period's customers (from additive
-- sums, so weeks and months pool their respondents). Performance: the attribute's mean
-- rescaled from 1-7 to 0-100. Quadrants split at the mean importance and the mean performance
-- of the period's attributes. Method: docs/methodology.md, "Key drivers".
with ratings as (
    select 'all' as segment, * exclude (segment) from {{ ref('int_driver_ratings') }}
    union all
    select segment, * exclude (segment) from {{ ref('int_driver_ratings') }}
),

periods as ({{ periods_of('ratings', 'submitted_date', 'submitted_at_precision') }}),

sums as (
    select
        grain, period_start, segment, attribute,
        count(*) as n,
        sum(rating) as sx,
        sum(overall_satisfaction) as sy,
        sum(rating * rating) as sxx,
        sum(overall_satisfaction * overall_satisfaction) as syy,
        sum(rating * overall_satisfaction) as sxy
    from periods
    group by all
),

scored as (
    select
        *,
        (n * sxy - sx * sy)
            / nullif(sqrt((n * sxx - sx * sx)::double * (n * syy - sy * sy)), 0) as importance,
        sx::double / n as performance_mean
    from sums
),

with_thresholds as (
    select
        *,
        100.0 * (performance_mean - 1) / 6 as performance,
        avg(importance) over (partition by grain, period_start, segment) as importance_threshold,
        avg(100.0 * (performance_mean - 1) / 6) over (partition by grain, period_start, segment)
            as performance_threshold
    from scored
)

select
    grain,
    period_start,
    segment,
    attribute,
    n,
    importance,
    -- Fisher z interval of the correlation (needs n > 3).
    cast(case when n > 3 and abs(importance) < 1
              then tanh(atanh(importance) - 1.96 / sqrt(n - 3)) end as double) as importance_ci_low,
    cast(case when n > 3 and abs(importance) < 1
              then tanh(atanh(importance) + 1.96 / sqrt(n - 3)) end as double) as importance_ci_high,
    cast(rank() over (partition by grain, period_start, segment order by importance desc nulls last)
         as integer) as importance_rank,
    performance_mean,
    performance,
    importance_threshold,
    performance_threshold,
    cast(case
        when importance is null then null
        when importance >= importance_threshold and performance < performance_threshold
            then 'concentrate here'
        when importance >= importance_threshold then 'keep up the good work'
        when performance < performance_threshold then 'low priority'
        else 'possible overkill'
    end as varchar) as quadrant,
    cast('pearson_correlation_with_overall_satisfaction' as varchar) as importance_method,
    n < {{ var('cx_low_sample_min_n') }} as low_sample,
    {{ coverage_columns('cov') }}
from with_thresholds
left join {{ coverage_of('surveys') }} cov using (grain, period_start)
