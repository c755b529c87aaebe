-- Every published KPI (docs/methodology.md) as one long table: the published columns of
-- int_kpi_values, where the formulas live, plus the low-sample flag. Completeness and
-- maturity: docs/methodology.md, "Completeness and maturity".
select
    grain,
    period_start,
    kpi,
    slice_name,
    slice_value,
    value,
    numerator,
    denominator,
    n,
    ci_low,
    ci_high,
    n < {{ var('cx_low_sample_min_n') }} as low_sample,
    days_observed,
    period_days,
    is_complete_period,
    open_share,
    is_mature
from {{ ref('int_kpi_values') }}
