-- Feedback themes per period, source (survey comments, suggestions, the own brand's
-- reviews), segment, channel, language and theme: mentions, their share of the period's
-- feedback of that source and cell, and the score of those who mention the theme (NPS
-- categories for survey text, rating for reviews). Every combination of segment, channel
-- and language is also given with 'all' in place of any of them (a cube), so a theme's
-- total over languages is a row, not a sum a reader must make. Formula:
-- docs/methodology.md, "feedback_theme_mentions".
-- A period's rows come from feedback dated in it (responses by submission, reviews by
-- publication): a run recomputes only the periods from the earlier recompute date of the
-- two sources on, like mart_service_gaps.
{%- set since = 'least(' ~ recompute_since('surveys') ~ ', ' ~ recompute_since('reviews') ~ ')' %}
with responses as (
    select s.response_id, s.submitted_date, s.submitted_at_precision, c.segment,
        coalesce(s.channel, 'unknown') as channel,
        coalesce(lower(s.language), 'unknown') as language, c.nps_category,
        s.comment, s.suggestion
    from {{ ref('stg_survey_responses') }} s
    -- Customers only (int_survey_scores): staff remarks are not the customers' voice.
    join {{ ref('int_survey_scores') }} c using (response_id)
    {% if is_incremental() %} where s.submitted_date >= {{ since }} {% endif %}
),

survey_items as (
    select 'survey_comment' as source, 'comment' as field, response_id as item_id, *
        exclude (comment, suggestion)
    from responses where comment is not null
    union all by name
    select 'suggestion' as source, 'suggestion' as field, response_id as item_id, *
        exclude (comment, suggestion)
    from responses where suggestion is not null
),

review_items as (
    select 'review' as source, review_id as item_id, published_date as item_date,
        published_at_precision as item_precision, 'unknown' as segment,
        coalesce(platform, 'unknown') as channel, language, rating_5
    from {{ ref('int_reviews') }}
    where is_own_brand and (title is not null or text is not null)
    {% if is_incremental() %} and published_date >= {{ since }} {% endif %}
),

items as (
    select source, item_id, submitted_date as item_date,
        submitted_at_precision as item_precision, segment, channel, language, nps_category,
        cast(null as double) as rating_5
    from survey_items
    union all by name
    select source, item_id, item_date, item_precision, segment, channel, language,
        cast(null as varchar) as nps_category, rating_5
    from review_items
),

item_themes as (
    select i.source, i.item_id, t.theme
    from survey_items i
    join {{ ref('int_survey_text_themes') }} t using (response_id, field)
    union all
    select 'review', r.item_id, t.theme
    from review_items r
    join {{ ref('int_review_themes') }} t on t.review_id = r.item_id
),

item_periods as ({{ periods_of('items', 'item_date', 'item_precision') }}),

totals as (
    select grain, period_start, source,
        case when grouping(segment) = 1 then 'all' else segment end as segment,
        case when grouping(channel) = 1 then 'all' else channel end as channel,
        case when grouping(language) = 1 then 'all' else language end as language,
        count(*) as feedback_items
    from item_periods
    group by grain, period_start, source, cube (segment, channel, language)
),

per_theme as (
    select p.grain, p.period_start, p.source,
        case when grouping(p.segment) = 1 then 'all' else p.segment end as segment,
        case when grouping(p.channel) = 1 then 'all' else p.channel end as channel,
        case when grouping(p.language) = 1 then 'all' else p.language end as language,
        t.theme,
        count(*) as mentions,
        count(p.nps_category) as nps_n,
        count(*) filter (where p.nps_category = 'promoter') as promoters,
        count(*) filter (where p.nps_category = 'passive') as passives,
        count(*) filter (where p.nps_category = 'detractor') as detractors,
        count(p.rating_5) as rating_n,
        sum(p.rating_5) as rating_sum,
        sum(p.rating_5 * p.rating_5) as rating_sum_sq
    from item_periods p
    join item_themes t using (source, item_id)
    group by p.grain, p.period_start, p.source, t.theme, cube (p.segment, p.channel, p.language)
),

measured as (
    select
        t.*,
        f.feedback_items,
        t.rating_sum / nullif(t.rating_n, 0) as rating_mean,
        {{ sd_from_sums('t.rating_n', 't.rating_sum', 't.rating_sum_sq') }} as rating_sd
    from per_theme t
    join totals f using (grain, period_start, source, segment, channel, language)
)

select
    cast(m.grain as varchar) as grain,
    cast(m.period_start as date) as period_start,
    cast(m.source as varchar) as source,
    cast(m.segment as varchar) as segment,
    cast(m.channel as varchar) as channel,
    cast(m.language as varchar) as language,
    cast(m.theme as varchar) as theme,
    cast(m.mentions as bigint) as mentions,
    cast(m.feedback_items as bigint) as feedback_items,
    cast(m.mentions::double / m.feedback_items as double) as theme_share,
    cast({{ wilson_low('m.mentions', 'm.feedback_items') }} as double) as share_ci_low,
    cast({{ wilson_high('m.mentions', 'm.feedback_items') }} as double) as share_ci_high,
    cast(m.nps_n as bigint) as nps_n,
    cast(m.promoters as bigint) as promoters,
    cast(m.passives as bigint) as passives,
    cast(m.detractors as bigint) as detractors,
    cast(case when m.nps_n > 0 then 100.0 * (m.promoters - m.detractors) / m.nps_n end
        as double) as nps,
    cast({{ nps_adjusted_wald('m.promoters', 'm.detractors', 'm.nps_n', -1) }} as double)
        as nps_ci_low,
    cast({{ nps_adjusted_wald('m.promoters', 'm.detractors', 'm.nps_n', 1) }} as double)
        as nps_ci_high,
    cast(m.rating_n as bigint) as rating_n,
    cast(m.rating_mean as double) as rating_mean,
    cast({{ clipped('m.rating_mean - ' ~ t_half_width('m.rating_sd / sqrt(m.rating_n)', 'm.rating_n - 1'), 1, 5) }}
        as double) as rating_ci_low,
    cast({{ clipped('m.rating_mean + ' ~ t_half_width('m.rating_sd / sqrt(m.rating_n)', 'm.rating_n - 1'), 1, 5) }}
        as double) as rating_ci_high,
    cast(m.mentions as bigint) as n,
    m.mentions < {{ var('cx_low_sample_min_n') }} as low_sample,
    cast('feedback_theme_mentions' as varchar) as formula_name,
    {{ coverage_columns('cov', 'm.grain', 'm.period_start') }}
from measured m
left join {{ ref('int_period_coverage') }} cov
    on cov.source = case when m.source = 'review' then 'reviews' else 'surveys' end
    and cov.grain = m.grain and cov.period_start = m.period_start
