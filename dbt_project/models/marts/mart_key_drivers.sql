-- Importance-performance analysis per period and segment. Importance: Johnson's relative
-- weight of the attribute in the regression of overall satisfaction on all the period's
-- drivers (int_driver_weights, with its bootstrap interval, R², minimum n and collinearity
-- diagnostics); the Pearson correlation stays beside it, from additive sums so weeks and
-- months pool their respondents. Performance: the attribute's mean rescaled from 1-7 to
-- 0-100. Quadrants split at the mean importance and the mean performance of the period's
-- attributes. Method: docs/methodology.md, "Key drivers".
with sums as (
    select
        grain, period_start, segment, attribute,
        count(*) as n,
        sum(rating) as sx,
        sum(overall_satisfaction) as sy,
        sum(rating * rating) as sxx,
        sum(overall_satisfaction * overall_satisfaction) as syy,
        sum(rating * overall_satisfaction) as sxy
    from {{ ref('int_driver_periods') }}
    group by all
),

scored as (
    select
        sums.*,
        (n * sxy - sx * sy)
            / nullif(sqrt((n * sxx - sx * sx)::double * (n * syy - sy * sy)), 0) as correlation,
        sx::double / n as performance_mean,
        weights.* exclude (grain, period_start, segment, attribute)
    from sums
    left join {{ ref('int_driver_weights') }} as weights
        using (grain, period_start, segment, attribute)
),

with_thresholds as (
    select
        *,
        relative_weight as importance,
        100.0 * (performance_mean - 1) / 6 as performance,
        avg(relative_weight) over (partition by grain, period_start, segment)
            as importance_threshold,
        avg(100.0 * (performance_mean - 1) / 6) over (partition by grain, period_start, segment)
            as performance_threshold
    from scored
),

-- A value within 1e-9 of its threshold counts as at the threshold: the threshold is a mean
-- of the same values, and its last bits, which depend on the summation order, would
-- otherwise flip the quadrant of a value equal to it between builds (docs/methodology.md,
-- "Performance, quadrants and the correlation"). 1e-9 is far below any real difference of
-- a weight (0..1) or a performance (0..100).
with_sides as (
    select
        *,
        importance >= importance_threshold - 1e-9 as importance_at_or_above,
        performance < performance_threshold - 1e-9 as performance_below
    from with_thresholds
)

select
    grain,
    period_start,
    segment,
    attribute,
    n,
    importance,
    relative_weight_ci_low as importance_ci_low,
    relative_weight_ci_high as importance_ci_high,
    cast(rank() over (partition by grain, period_start, segment order by importance desc nulls last)
         as integer) as importance_rank,
    performance_mean,
    performance,
    importance_threshold,
    performance_threshold,
    cast(case
        when importance is null then null
        when importance_at_or_above and performance_below then 'concentrate here'
        when importance_at_or_above then 'keep up the good work'
        when performance_below then 'low priority'
        else 'possible overkill'
    end as varchar) as quadrant,
    cast('johnson_relative_weight' as varchar) as importance_method,
    n < {{ var('cx_low_sample_min_n') }} as low_sample,
    correlation,
    -- Fisher z interval of the correlation (needs n > 3).
    cast(case when n > 3 and abs(correlation) < 1
              then tanh(atanh(correlation) - 1.96 / sqrt(n - 3)) end as double) as correlation_ci_low,
    cast(case when n > 3 and abs(correlation) < 1
              then tanh(atanh(correlation) + 1.96 / sqrt(n - 3)) end as double) as correlation_ci_high,
    relative_weight_share,
    shapley_value,
    shapley_ci_low,
    shapley_ci_high,
    model_r2,
    model_r2_ci_low,
    model_r2_ci_high,
    model_n,
    model_drivers,
    min_n,
    vif,
    condition_number,
    bootstrap_resamples,
    weights_reason,
    {{ coverage_columns('cov') }}
from with_sides
left join {{ coverage_of('surveys') }} cov using (grain, period_start)
