-- Every KPI of CONTRACT section 7 as one long table, computed from the additive counts
-- of the intermediate layer so that week and month rows come from counts.
with survey_counts as (
    select
        *,
        csat_sum / nullif(csat_n, 0) as csat_avg,
        sqrt(greatest(csat_sum_sq - csat_sum * csat_sum / nullif(csat_n, 0), 0)
             / nullif(csat_n - 1, 0)) as csat_sd
    from {{ ref('int_kpi_survey_counts') }}
),

ticket_counts as (
    select *, tickets_created as created from {{ ref('int_kpi_ticket_counts') }}
),

review_counts as (
    select
        *,
        rating_sum / reviews as rating_avg,
        sqrt(greatest(rating_sum_sq - rating_sum * rating_sum / reviews, 0)
             / nullif(reviews - 1, 0)) as rating_sd
    from {{ ref('int_kpi_review_counts') }}
),

kpis as (
    -- NPS: mean of the +1/0/-1 score, times 100. Its interval uses that score's variance.
    select grain, period_start, 'nps' as kpi, slice_name, slice_value,
        100.0 * (promoters - detractors) / nps_n as value,
        (promoters - detractors)::double as numerator, nps_n::double as denominator, nps_n as n,
        100.0 * ((promoters - detractors)::double / nps_n - 1.96 * sqrt(
            ((promoters + detractors)::double / nps_n
             - ((promoters - detractors)::double / nps_n) ^ 2) / nps_n)) as ci_low,
        100.0 * ((promoters - detractors)::double / nps_n + 1.96 * sqrt(
            ((promoters + detractors)::double / nps_n
             - ((promoters - detractors)::double / nps_n) ^ 2) / nps_n)) as ci_high
    from survey_counts where nps_n > 0
    union all
    -- The three NPS categories as counts; their shares are numerator / denominator.
    select grain, period_start, 'nps_promoters', slice_name, slice_value,
        promoters, promoters, nps_n, nps_n,
        null, null
    from survey_counts where nps_n > 0
    union all
    select grain, period_start, 'nps_passives', slice_name, slice_value,
        passives, passives, nps_n, nps_n,
        null, null
    from survey_counts where nps_n > 0
    union all
    select grain, period_start, 'nps_detractors', slice_name, slice_value,
        detractors, detractors, nps_n, nps_n,
        null, null
    from survey_counts where nps_n > 0
    union all
    select grain, period_start, 'csat_top2_share', slice_name, slice_value,
        csat_top2::double / csat_n, csat_top2, csat_n, csat_n,
        {{ wilson_low('csat_top2', 'csat_n') }}, {{ wilson_high('csat_top2', 'csat_n') }}
    from survey_counts where csat_n > 0
    union all
    select grain, period_start, 'csat_mean', slice_name, slice_value,
        csat_avg, csat_avg * csat_n, csat_n, csat_n,
        csat_avg - 1.96 * csat_sd / sqrt(csat_n), csat_avg + 1.96 * csat_sd / sqrt(csat_n)
    from survey_counts where csat_n > 0
    union all
    select grain, period_start, 'survey_responses', slice_name, slice_value,
        responses, responses, null, responses, null, null
    from survey_counts
    union all
    select grain, period_start, 'tickets_created', slice_name, slice_value,
        created, created, null, created, null, null
    from ticket_counts
    union all
    select grain, period_start, 'reviews', slice_name, slice_value,
        reviews, reviews, null, reviews, null, null
    from review_counts
    union all
    select grain, period_start, 'rating_mean', slice_name, slice_value,
        rating_avg, rating_avg * reviews, reviews, reviews,
        rating_avg - 1.96 * rating_sd / sqrt(reviews), rating_avg + 1.96 * rating_sd / sqrt(reviews)
    from review_counts
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
    cast(ci_low as double) as ci_low,
    cast(ci_high as double) as ci_high,
    n < {{ var('cx_low_sample_min_n') }} as low_sample
from kpis
