-- Every published KPI (docs/methodology.md) as one long table, computed from the additive counts of the
-- int_kpi_* models, so that week and month rows come from counts. Besides the published
-- columns it keeps each estimate's standard error, its kind (which significance test fits
-- it) and whether higher is better, for mart_benchmarks. Formulas: docs/methodology.md.
with survey as (
    select
        *,
        promoters::double / nullif(nps_n, 0) as p,
        detractors::double / nullif(nps_n, 0) as d,
        csat_sum / nullif(csat_n, 0) as csat_avg,
        {{ sd_from_sums('csat_n', 'csat_sum', 'csat_sum_sq') }} as csat_sd,
        ces_sum / nullif(ces_n, 0) as ces_avg,
        {{ sd_from_sums('ces_n', 'ces_sum', 'ces_sum_sq') }} as ces_sd
    from {{ ref('int_kpi_survey_counts') }}
),

reviews as (
    select
        *,
        rating_sum / reviews as rating_avg,
        {{ sd_from_sums('reviews', 'rating_sum', 'rating_sum_sq') }} as rating_sd
    from {{ ref('int_kpi_review_counts') }}
),

tickets as (select * from {{ ref('int_kpi_ticket_counts') }}),

durations as (select * from {{ ref('int_kpi_ticket_durations') }}),

backlog as (select * from {{ ref('int_kpi_backlog') }}),

-- Shapes of a KPI row: (kind, value, numerator, denominator, n, se, higher_is_better), one
-- CTE per source so that each row knows whose days and maturity it carries.
survey_kpis as (
    -- NPS: the mean of a +1/0/-1 score times 100; its standard error from that score's variance.
    select grain, period_start, slice_name, slice_value, 'nps' as kpi, 'nps' as estimate_kind,
        100.0 * (p - d) as value, (promoters - detractors)::double as numerator,
        nps_n::double as denominator, nps_n as n,
        100.0 * sqrt(greatest(p + d - (p - d) ^ 2, 0) / nps_n) as std_error,
        true as higher_is_better
    from survey where nps_n > 0
    union all
    -- The three NPS categories as counts; their shares are numerator / denominator.
    select grain, period_start, slice_name, slice_value, 'nps_promoters', 'count',
        promoters, promoters, nps_n, nps_n, null, true
    from survey where nps_n > 0
    union all
    select grain, period_start, slice_name, slice_value, 'nps_passives', 'count',
        passives, passives, nps_n, nps_n, null, null
    from survey where nps_n > 0
    union all
    select grain, period_start, slice_name, slice_value, 'nps_detractors', 'count',
        detractors, detractors, nps_n, nps_n, null, false
    from survey where nps_n > 0
    union all
    select grain, period_start, slice_name, slice_value, 'csat_top2_share', 'proportion',
        csat_top2::double / csat_n, csat_top2, csat_n, csat_n, null, true
    from survey where csat_n > 0
    union all
    select grain, period_start, slice_name, slice_value, 'csat_mean', 'mean',
        csat_avg, csat_sum, csat_n, csat_n, csat_sd / sqrt(csat_n), true
    from survey where csat_n > 0
    union all
    select grain, period_start, slice_name, slice_value, 'ces_mean', 'mean',
        ces_avg, ces_sum, ces_n, ces_n, ces_sd / sqrt(ces_n), true
    from survey where ces_n > 0
    union all
    select grain, period_start, slice_name, slice_value, 'survey_responses', 'count',
        responses, responses, null, responses, null, null
    from survey
),

ticket_kpis as (
    select grain, period_start, slice_name, slice_value, 'tickets_created' as kpi,
        'count' as estimate_kind,
        tickets_created as value, tickets_created as numerator, null as denominator,
        tickets_created as n, null as std_error, null as higher_is_better
    from tickets
    union all
    -- n is the population counted over, as for the NPS categories: the tickets created.
    select grain, period_start, slice_name, slice_value, 'tickets_solved', 'count',
        tickets_solved, tickets_solved, tickets_created, tickets_created, null, null
    from tickets
    union all
    select grain, period_start, slice_name, slice_value, 'one_touch_rate', 'proportion',
        one_touch::double / tickets_solved, one_touch, tickets_solved, tickets_solved, null, true
    from tickets where tickets_solved > 0
    union all
    select grain, period_start, slice_name, slice_value, 'reopen_rate', 'proportion',
        reopened::double / tickets_solved, reopened, tickets_solved, tickets_solved, null, false
    from tickets where tickets_solved > 0
    union all
    select grain, period_start, slice_name, slice_value, 'sla_first_reply_attainment', 'proportion',
        first_reply_sla_met::double / first_reply_sla_n, first_reply_sla_met, first_reply_sla_n,
        first_reply_sla_n, null, true
    from tickets where first_reply_sla_n > 0
    union all
    select grain, period_start, slice_name, slice_value, 'sla_resolution_attainment', 'proportion',
        resolution_sla_met::double / resolution_sla_n, resolution_sla_met, resolution_sla_n,
        resolution_sla_n, null, true
    from tickets where resolution_sla_n > 0
    union all
    select grain, period_start, slice_name, slice_value, 'first_reply_minutes_median', 'quantile',
        first_reply_minutes_median, null, null, first_reply_n, null, false
    from durations where first_reply_n > 0
    union all
    select grain, period_start, slice_name, slice_value, 'first_reply_minutes_p90', 'quantile',
        first_reply_minutes_p90, null, null, first_reply_n, null, false
    from durations where first_reply_n > 0
    union all
    select grain, period_start, slice_name, slice_value, 'first_reply_business_minutes_median',
        'quantile', first_reply_business_minutes_median, null, null, first_reply_business_n, null,
        false
    from durations where first_reply_business_n > 0
    union all
    select grain, period_start, slice_name, slice_value, 'resolution_hours_median', 'quantile',
        resolution_hours_median, null, null, resolution_n, null, false
    from durations where resolution_n > 0
    union all
    select grain, period_start, slice_name, slice_value, 'resolution_hours_p90', 'quantile',
        resolution_hours_p90, null, null, resolution_n, null, false
    from durations where resolution_n > 0
    union all
    -- Open tickets count as censored (macros/survival.sql): n is every ticket of the period.
    select grain, period_start, slice_name, slice_value, 'resolution_hours_median_km', 'quantile',
        resolution_hours_median_km, null, null, resolution_km_n, null, false
    from durations where resolution_hours_median_km is not null
    union all
    select grain, period_start, slice_name, slice_value, 'resolution_business_hours_median',
        'quantile', resolution_business_hours_median, null, null, resolution_business_n, null, false
    from durations where resolution_business_n > 0
    union all
    -- A stock at an instant, not a count of events: no Poisson test fits it.
    select grain, period_start, slice_name, slice_value, 'backlog_open', 'level',
        backlog_open, backlog_open, null, backlog_open, null, false
    from backlog
),

review_kpis as (
    select grain, period_start, slice_name, slice_value, 'reviews' as kpi,
        'count' as estimate_kind, reviews as value, reviews as numerator, null as denominator,
        reviews as n, null as std_error, null as higher_is_better
    from reviews
    union all
    select grain, period_start, slice_name, slice_value, 'rating_mean', 'mean',
        rating_avg, rating_sum, reviews, reviews, rating_sd / sqrt(reviews), true
    from reviews
    union all
    select grain, period_start, slice_name, slice_value, 'negative_review_share', 'proportion',
        negative_reviews::double / reviews, negative_reviews, reviews, reviews, null, false
    from reviews
    union all
    select grain, period_start, slice_name, slice_value, 'review_reply_rate', 'proportion',
        replied::double / reviews, replied, reviews, reviews, null, true
    from reviews
    union all
    select grain, period_start, slice_name, slice_value, 'review_reply_hours_median', 'quantile',
        reply_hours_median, null, null, reply_time_n, null, false
    from reviews where reply_time_n > 0
),

kpis as (
    select 'surveys' as source, * from survey_kpis
    union all by name select 'tickets' as source, * from ticket_kpis
    union all by name select 'reviews' as source, * from review_kpis
),

-- Maturity of a creation period's ticket KPIs (docs/methodology.md, "Completeness and
-- maturity"): its share of tickets still open, and whether it is small enough or every
-- ticket of the period is older than the usual resolution p90. Computed here, not in the
-- incremental counts: age grows with the data's latest time even when no ticket changes.
maturity as (
    select
        t.grain, t.period_start, t.slice_name, t.slice_value,
        t.tickets_open::double / t.tickets_created as open_share,
        -- Before any ticket is resolved there is no usual p90 and only the share decides.
        t.tickets_open::double / t.tickets_created <= {{ var('cx_mature_max_open_share') }}
            or coalesce((epoch(h.latest_at)
                         - epoch({{ period_end_at('t.grain', 't.period_start') }})) / 3600
                        >= h.usual_resolution_hours_p90, false) as is_mature
    from tickets t
    cross join {{ ref('int_ticket_horizon') }} h
    where t.tickets_created > 0
),

flagged as (
    select
        k.*,
        -- A period without a dated record of the source (a backlog day after the last
        -- creation, a month of month-precise responses only) observed no day.
        coalesce(c.days_observed, 0) as days_observed,
        {{ period_days('k.grain', 'k.period_start') }} as period_days,
        coalesce(c.is_complete_period, false) as is_complete_period,
        -- Creation-dated ticket KPIs only; the backlog is a stock at the period's end.
        case when k.source = 'tickets' and k.kpi <> 'backlog_open' then m.open_share end
            as open_share,
        case when k.source = 'tickets' and k.kpi <> 'backlog_open' then m.is_mature end
            as is_mature
    from kpis k
    left join {{ ref('int_period_coverage') }} c
        on c.source = k.source and c.grain = k.grain and c.period_start = k.period_start
    left join maturity m
        on m.grain = k.grain and m.period_start = k.period_start
        and m.slice_name = k.slice_name and m.slice_value = k.slice_value
),

-- NPS interval: adjusted Wald (Rocks 2016): three pseudo-answers, 3/4 promoter, 3/4
-- detractor and 3/2 passive, then the Wald interval of the difference of the two shares.
nps_adjusted as (
    select grain, period_start, slice_name, slice_value,
        (promoters + 0.75) / (nps_n + 3) as p, (detractors + 0.75) / (nps_n + 3) as d,
        nps_n + 3 as n
    from survey where nps_n > 0
),

nps_intervals as (
    select grain, period_start, slice_name, slice_value,
        100 * ((p - d) - 1.96 * sqrt((p + d - (p - d) ^ 2) / n)) as ci_low,
        100 * ((p - d) + 1.96 * sqrt((p + d - (p - d) ^ 2) / n)) as ci_high
    from nps_adjusted
),

-- Every interval is clipped to the KPI's range: a scale's ends, NPS +-100, shares 0..1.
kpi_ranges (kpi, range_low, range_high) as (
    values ('nps', -100, 100), ('csat_mean', 1, 5), ('ces_mean', 1, 7), ('rating_mean', 1, 5)
),

intervals as (
    -- Proportions: Wilson; means: t quantile on n - 1 df times s/sqrt(n); NPS: adjusted
    -- Wald; counts, levels and quantiles: none.
    select
        k.*,
        case k.estimate_kind
            when 'proportion' then {{ wilson_low('k.numerator', 'k.denominator') }}
            when 'mean' then k.value - {{ t_quantile('0.975', 'k.n - 1') }} * k.std_error
            when 'nps' then i.ci_low
        end as raw_low,
        case k.estimate_kind
            when 'proportion' then {{ wilson_high('k.numerator', 'k.denominator') }}
            when 'mean' then k.value + {{ t_quantile('0.975', 'k.n - 1') }} * k.std_error
            when 'nps' then i.ci_high
        end as raw_high,
        case when k.estimate_kind = 'proportion' then 0 else r.range_low end as range_low,
        case when k.estimate_kind = 'proportion' then 1 else r.range_high end as range_high
    from flagged k
    left join kpi_ranges r on r.kpi = k.kpi
    left join nps_intervals i
        on k.kpi = 'nps' and i.grain = k.grain and i.period_start = k.period_start
        and i.slice_name = k.slice_name and i.slice_value = k.slice_value
)

select
    cast(grain as varchar) as grain,
    cast(period_start as date) as period_start,
    cast(kpi as varchar) as kpi,
    cast(slice_name as varchar) as slice_name,
    cast(slice_value as varchar) as slice_value,
    cast(value as double) as value,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(n as bigint) as n,
    cast({{ clipped('raw_low', 'range_low', 'range_high') }} as double) as ci_low,
    cast({{ clipped('raw_high', 'range_low', 'range_high') }} as double) as ci_high,
    cast(case when estimate_kind = 'proportion'
              then sqrt(value * (1 - value) / denominator) else std_error end as double)
        as std_error,
    cast(estimate_kind as varchar) as estimate_kind,
    cast(higher_is_better as boolean) as higher_is_better,
    cast(source as varchar) as source,
    cast(days_observed as integer) as days_observed,
    cast(period_days as integer) as period_days,
    cast(is_complete_period as boolean) as is_complete_period,
    cast(open_share as double) as open_share,
    cast(is_mature as boolean) as is_mature
from intervals
