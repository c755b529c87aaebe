-- The five gaps of the service-quality gap model (Parasuraman, Zeithaml & Berry) per period,
-- SERVQUAL dimension and segment. Every gap is measured value minus reference value, oriented
-- so that a negative gap is a shortfall (for lower-is-better measures the sign is turned).
-- Formula names are the headings of docs/methodology.md, "Service-quality gaps".
-- Every gap of a period comes from records dated in it (surveys by submission, tickets by
-- creation), so a run recomputes only the periods from the earlier of the two sources'
-- recompute dates on, like the KPI models; a daily run does not regroup years of history.
{%- set since = 'least(' ~ recompute_since('surveys') ~ ', ' ~ recompute_since('tickets') ~ ')' %}
with servqual as (
    select * from {{ ref('int_servqual_scores') }}
    {% if is_incremental() %} where submitted_date >= {{ since }} {% endif %}
),

sq_periods as ({{ periods_of('servqual', 'submitted_date', 'submitted_at_precision') }}),

-- Customers, in the 'all' segment and their own.
customers as (
    select grain, period_start, 'all' as segment, * exclude (grain, period_start, segment)
    from sq_periods where respondent_role = 'customer'
    union all
    select grain, period_start, segment, * exclude (grain, period_start, segment)
    from sq_periods where respondent_role = 'customer'
),

customer_expectations as (
    select grain, period_start, segment, dimension,
        count(expectation) as n, avg(expectation) as mean, stddev_samp(expectation) as sd
    from customers group by all
),

-- Managers state what they believe customers expect (exp_* items only); not segmented.
management as (
    select grain, period_start, dimension,
        count(expectation) as n, avg(expectation) as mean, stddev_samp(expectation) as sd
    from sq_periods where respondent_role = 'manager' and expectation is not null
    group by all
),

gap1 as (
    select c.grain, c.period_start, 1 as gap_number, 'knowledge' as gap_name, c.dimension,
        c.segment, 'servqual_expectation' as measure,
        'mean expectation management attributes to customers' as measured_as,
        'customers'' mean expectation' as reference_as,
        m.mean as measured_value, c.mean as reference_value, m.mean - c.mean as gap,
        'points_1_7' as unit, true as higher_is_better, m.n as n, c.n as n_reference,
        sqrt(m.sd ^ 2 / m.n + c.sd ^ 2 / c.n) as gap_se,
        {{ welch_df('m.sd ^ 2 / m.n', 'm.n', 'c.sd ^ 2 / c.n', 'c.n') }} as gap_df,
        -6 as gap_range_low, 6 as gap_range_high,
        'gap1_management_minus_customer_expectation' as formula_name
    from customer_expectations c
    join management m using (grain, period_start, dimension)
    where c.n > 0
),

gap2 as (
    select m.grain, m.period_start, 2 as gap_number, 'standards' as gap_name, m.dimension,
        'all' as segment, 'servqual_standard_level' as measure,
        'service standard level (servqual_standards seed)' as measured_as,
        'mean expectation management attributes to customers' as reference_as,
        s.standard_level as measured_value, m.mean as reference_value,
        s.standard_level - m.mean as gap, 'points_1_7' as unit, true as higher_is_better,
        m.n as n, m.n as n_reference,
        m.sd / sqrt(m.n) as gap_se, m.n - 1 as gap_df,
        -- The standard is fixed, the mean within 1..7.
        s.standard_level - 7 as gap_range_low, s.standard_level - 1 as gap_range_high,
        'gap2_standard_minus_management_perception' as formula_name
    from management m
    join {{ ref('servqual_standards') }} s using (dimension)
),

gap5 as (
    select grain, period_start, 5 as gap_number, 'customer' as gap_name, dimension, segment,
        'servqual_perception' as measure,
        'customers'' mean perception' as measured_as,
        'customers'' mean expectation' as reference_as,
        avg(perception) as measured_value, avg(expectation) as reference_value,
        avg(perception - expectation) as gap, 'points_1_7' as unit, true as higher_is_better,
        count(*) as n, count(*) as n_reference,
        stddev_samp(perception - expectation) / sqrt(count(*)) as gap_se,
        count(*) - 1 as gap_df, -6 as gap_range_low, 6 as gap_range_high,
        'gap5_servqual_perception_minus_expectation' as formula_name
    from customers
    where perception is not null and expectation is not null
    group by all
),

-- Zone of tolerance (Parasuraman, Zeithaml & Berry 1994): perception against the adequate
-- and the desired level, over the customers who gave all three for the dimension. Exports
-- without adequate items give no row here, rather than a zero.
zone as (
    select * from customers
    where perception is not null and expectation is not null and adequate is not null
),
{%- set zone_measures = [
    ('adequacy', 'adequate', 'customers'' mean adequate level',
     'gap5_msa_perception_minus_adequate'),
    ('superiority', 'expectation', 'customers'' mean desired level',
     'gap5_mss_perception_minus_desired'),
] %}
{%- for measure, level, reference_as, formula in zone_measures %}

gap5_{{ measure }} as (
    select grain, period_start, 5 as gap_number, 'customer' as gap_name, dimension, segment,
        'servqual_{{ measure }}' as measure,
        'customers'' mean perception' as measured_as,
        '{{ reference_as }}' as reference_as,
        avg(perception) as measured_value, avg({{ level }}) as reference_value,
        avg(perception - {{ level }}) as gap, 'points_1_7' as unit, true as higher_is_better,
        count(*) as n, count(*) as n_reference,
        stddev_samp(perception - {{ level }}) / sqrt(count(*)) as gap_se,
        count(*) - 1 as gap_df, -6 as gap_range_low, 6 as gap_range_high,
        '{{ formula }}' as formula_name
    from zone
    group by all
),
{%- endfor %}

-- Weighted SERVQUAL: each customer's gaps weighted by the points they gave the dimensions.
-- A customer counts only when every dimension has points and every dimension with points
-- has both sides, so no weight falls on a gap that was not measured.
weighted_customers as (
    select grain, period_start, segment, response_id,
        sum(importance_points * perception) / sum(importance_points) as perception,
        sum(importance_points * expectation) / sum(importance_points) as expectation
    from customers
    group by grain, period_start, segment, response_id
    having count(importance_points) = count(*)
        and sum(importance_points) > 0
        and bool_and(importance_points = 0 or (perception is not null and expectation is not null))
),

gap5_weighted as (
    select grain, period_start, 5 as gap_number, 'customer' as gap_name, 'all' as dimension,
        segment, 'servqual_weighted' as measure,
        'customers'' importance-weighted mean perception' as measured_as,
        'customers'' importance-weighted mean expectation' as reference_as,
        avg(perception) as measured_value, avg(expectation) as reference_value,
        avg(perception - expectation) as gap, 'points_1_7' as unit, true as higher_is_better,
        count(*) as n, count(*) as n_reference,
        stddev_samp(perception - expectation) / sqrt(count(*)) as gap_se,
        count(*) - 1 as gap_df, -6 as gap_range_low, 6 as gap_range_high,
        'gap5_weighted_servqual' as formula_name
    from weighted_customers
    group by all
),

-- Gap 3: what the desk delivered against the operational standards, from the ticket counts
-- (creation period; segment slice and all).
ticket_counts as (
    select grain, period_start, case when slice_name = 'all' then 'all' else slice_value end
        as segment, *
    from {{ ref('int_kpi_ticket_counts') }}
    where slice_name in ('all', 'segment')
    {% if is_incremental() %} and period_start >= {{ since }} {% endif %}
),

standards as (
    select metric, any_value(dimension) as dimension, any_value(target) as target
    from {{ ref('operational_standards') }}
    group by metric
),

delivered as (
    select grain, period_start, segment, 'first_reply' as metric,
        first_reply_sla_met::double as met, first_reply_sla_n::double as n,
        first_reply_sla_target_sum / nullif(first_reply_sla_n, 0) as target_mix
    from ticket_counts
    union all
    select grain, period_start, segment, 'resolution', resolution_sla_met, resolution_sla_n,
        resolution_sla_target_sum / nullif(resolution_sla_n, 0)
    from ticket_counts
    union all
    select grain, period_start, segment, 'one_touch_rate', one_touch, tickets_solved, null
    from ticket_counts
    union all
    select grain, period_start, segment, 'not_reopened_rate', tickets_solved - reopened,
        tickets_solved, null
    from ticket_counts
    union all
    select grain, period_start, segment, 'satisfaction_good_rate', satisfaction_good,
        satisfaction_rated, null
    from ticket_counts
),

gap3 as (
    select d.grain, d.period_start, 3 as gap_number, 'delivery' as gap_name, s.dimension,
        d.segment, d.metric as measure,
        case when d.metric in ('first_reply', 'resolution')
             then 'share of tickets within the ' || d.metric || ' standard'
             else d.metric || ' delivered' end as measured_as,
        case when d.metric in ('first_reply', 'resolution')
             then 'target share (operational_standards seed, mixed by priority)'
             else 'target (operational_standards seed)' end as reference_as,
        d.met / d.n as measured_value, coalesce(d.target_mix, s.target) as reference_value,
        d.met / d.n - coalesce(d.target_mix, s.target) as gap,
        'share' as unit, true as higher_is_better, d.n::bigint as n, d.n::bigint as n_reference,
        -- The Wilson interval of the delivered share, less the fixed target.
        {{ wilson_low('d.met', 'd.n') }} - coalesce(d.target_mix, s.target) as gap_ci_low,
        {{ wilson_high('d.met', 'd.n') }} - coalesce(d.target_mix, s.target) as gap_ci_high,
        - coalesce(d.target_mix, s.target) as gap_range_low,
        1 - coalesce(d.target_mix, s.target) as gap_range_high,
        'gap3_delivered_minus_standard' as formula_name
    from delivered d
    join standards s using (metric)
    where d.n > 0
),

-- Gap 4: what the desk delivered against what was promised to customers, per promise.
promises as (select * from {{ ref('service_promises') }}),

promise_tickets as (
    select p.promise_id, t.*
    from promises p
    join {{ ref('int_tickets') }} t on p.channel = 'all' or t.channel = p.channel
    where t.has_created_event
    {% if is_incremental() %} and t.created_date >= {{ since }} {% endif %}
),

promise_periods as (
    select grain, period_start, 'all' as segment, * exclude (grain, period_start, segment)
    from ({{ periods_of('promise_tickets', 'created_date') }})
    union all
    select grain, period_start, segment, * exclude (grain, period_start, segment)
    from ({{ periods_of('promise_tickets', 'created_date') }})
),

{%- set promise_keys = ['grain', 'period_start', 'segment', 'promise_id'] %}

promise_counts as (
    select
        grain, period_start, segment, promise_id,
        count(first_reply_minutes) as n_first_reply,
        count(resolution_hours) as n_resolution,
        count(*) filter (where is_one_touch)::double / nullif(count(*) filter (where is_solved), 0)
            as one_touch_rate,
        count(*) filter (where is_solved and is_reopened)::double
            / nullif(count(*) filter (where is_solved), 0) as reopen_rate,
        count(*) filter (where is_solved) as n_solved
    from promise_periods
    group by all
),

-- Exact quantiles that spill to disk (macros/quantiles.sql); quantile_cont's state cannot.
promise_first_reply as ({{ sorted_quantiles('promise_periods', promise_keys,
    'first_reply_minutes',
    {'first_reply_minutes_median': 0.5, 'first_reply_minutes_p90': 0.9}) }}),
promise_first_reply_business as ({{ sorted_quantiles('promise_periods', promise_keys,
    'first_reply_business_minutes', {'first_reply_business_minutes_median': 0.5}) }}),
promise_resolution as ({{ sorted_quantiles('promise_periods', promise_keys,
    'resolution_hours', {'resolution_hours_median': 0.5, 'resolution_hours_p90': 0.9}) }}),
promise_resolution_business as ({{ sorted_quantiles('promise_periods', promise_keys,
    'resolution_business_hours', {'resolution_business_hours_median': 0.5}) }}),

promise_delivery as (
    select
        c.grain, c.period_start, c.segment, c.promise_id,
        f.first_reply_minutes_median,
        f.first_reply_minutes_p90,
        fb.first_reply_business_minutes_median,
        c.n_first_reply,
        r.resolution_hours_median,
        r.resolution_hours_p90,
        rb.resolution_business_hours_median,
        c.n_resolution,
        c.one_touch_rate,
        c.reopen_rate,
        c.n_solved
    from promise_counts c
    left join promise_first_reply f on {{ same_group('c', 'f', promise_keys) }}
    left join promise_first_reply_business fb on {{ same_group('c', 'fb', promise_keys) }}
    left join promise_resolution r on {{ same_group('c', 'r', promise_keys) }}
    left join promise_resolution_business rb on {{ same_group('c', 'rb', promise_keys) }}
),

promise_values as (
    select
        d.*,
        p.dimension,
        p.metric,
        p.channel,
        p.promised_value,
        p.unit,
        p.promise_text,
        case p.metric
            when 'first_reply_minutes_median' then d.first_reply_minutes_median
            when 'first_reply_minutes_p90' then d.first_reply_minutes_p90
            when 'first_reply_business_minutes_median' then d.first_reply_business_minutes_median
            when 'resolution_hours_median' then d.resolution_hours_median
            when 'resolution_hours_p90' then d.resolution_hours_p90
            when 'resolution_business_hours_median' then d.resolution_business_hours_median
            when 'one_touch_rate' then d.one_touch_rate
            when 'reopen_rate' then d.reopen_rate
        end as delivered,
        case
            when p.metric like 'first_reply%' then d.n_first_reply
            when p.metric like 'resolution%' then d.n_resolution
            else d.n_solved
        end as n,
        -- Times and the reopen rate are better low; the one-touch rate is better high.
        p.metric = 'one_touch_rate' as higher_is_better
    from promise_delivery d
    join promises p using (promise_id)
),

gap4 as (
    select grain, period_start, 4 as gap_number, 'communication' as gap_name, dimension,
        segment, promise_id as measure,
        metric || ' delivered' || case when channel = 'all' then '' else ' on ' || channel end
            as measured_as,
        'promised: ' || promise_text as reference_as,
        delivered as measured_value, promised_value as reference_value,
        case when higher_is_better then delivered - promised_value
             else promised_value - delivered end as gap,
        unit, higher_is_better, n, n as n_reference,
        cast(null as double) as gap_ci_low, cast(null as double) as gap_ci_high,
        'gap4_delivered_vs_promised' as formula_name
    from promise_values
    where delivered is not null
),

gaps as (
    select * from gap1
    union all by name select * from gap2
    union all by name select * from gap3
    union all by name select * from gap4
    union all by name select * from gap5
    union all by name select * from gap5_adequacy
    union all by name select * from gap5_superiority
    union all by name select * from gap5_weighted
)

select
    grain,
    period_start,
    gap_number,
    gap_name,
    dimension,
    segment,
    measure,
    measured_as,
    reference_as,
    measured_value,
    reference_value,
    gap,
    unit,
    higher_is_better,
    n,
    n_reference,
    -- Gap 3 has its Wilson bounds; the mean gaps a Student t interval, gap ± t(0.975, df) ×
    -- se (Welch df for gap 1, n - 1 for the others). Every bound clipped to the gap's range,
    -- and rounded to 12 decimals: the last bit of a standard error follows the order in which
    -- DuckDB's threads add, and a bound should not change from one build of the same rows to
    -- the next.
    cast(round({{ clipped('coalesce(gap_ci_low, gap - ' ~ t_half_width('gap_se', 'gap_df') ~ ')',
                          'gap_range_low', 'gap_range_high') }}, 12) as double) as gap_ci_low,
    cast(round({{ clipped('coalesce(gap_ci_high, gap + ' ~ t_half_width('gap_se', 'gap_df') ~ ')',
                          'gap_range_low', 'gap_range_high') }}, 12) as double) as gap_ci_high,
    formula_name,
    least(n, n_reference) < {{ var('cx_low_sample_min_n') }} as low_sample,
    -- Gaps 3 and 4 come from tickets (by creation), the others from surveys.
    cast(coalesce(case when gap_number in (3, 4) then ct.days_observed else cs.days_observed end, 0)
         as integer) as days_observed,
    cast({{ period_days('grain', 'period_start') }} as integer) as period_days,
    coalesce(case when gap_number in (3, 4) then ct.is_complete_period
                  else cs.is_complete_period end, false) as is_complete_period
from gaps
left join {{ coverage_of('surveys') }} cs using (grain, period_start)
left join {{ coverage_of('tickets') }} ct using (grain, period_start)
-- A month starting before `since` saw only part of its days: it keeps its stored rows.
{% if is_incremental() %} where period_start >= {{ since }} {% endif %}
