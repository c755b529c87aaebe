-- Review themes per period, brand, language and theme: how many reviews mention the theme,
-- their share of the brand's reviews in that language, their average rating and negative
-- share. A review mentioning several themes counts in each; one known only to its month counts
-- in month rows only.
-- A period's rows come from reviews published in it: a run recomputes only the periods from
-- the reviews' recompute date on, like mart_feedback_themes.
{%- set since = recompute_since('reviews') %}
with reviews as (
    select * from {{ ref('int_reviews') }}
    {% if is_incremental() %} where published_date >= {{ since }} {% endif %}
),

review_periods as ({{ periods_of('reviews', 'published_date', 'published_at_precision') }}),

totals as (
    select grain, period_start, brand, language, count(*) as reviews_total
    from review_periods
    group by all
),

themed as (
    select p.*, t.theme
    from review_periods p
    join {{ ref('int_review_themes') }} t using (review_id)
),

per_theme as (
    select
        grain, period_start, brand, bool_or(is_own_brand) as is_own_brand, language, theme,
        count(*) as reviews,
        avg(rating_5) as rating_mean,
        count(*) filter (where is_negative) as negative_reviews
    from themed
    group by grain, period_start, brand, language, theme
)

select
    cast(p.grain as varchar) as grain,
    cast(p.period_start as date) as period_start,
    cast(p.brand as varchar) as brand,
    cast(p.is_own_brand as boolean) as is_own_brand,
    cast(p.language as varchar) as language,
    cast(p.theme as varchar) as theme,
    cast(p.reviews as bigint) as reviews,
    cast(t.reviews_total as bigint) as reviews_total,
    cast(p.reviews::double / t.reviews_total as double) as theme_share,
    cast(p.rating_mean as double) as rating_mean,
    cast(p.negative_reviews as bigint) as negative_reviews,
    cast(p.negative_reviews::double / p.reviews as double) as negative_share,
    p.reviews < {{ var('cx_low_sample_min_n') }} as low_sample,
    {{ coverage_columns('cov', 'p.grain', 'p.period_start') }}
from per_theme p
join totals t using (grain, period_start, brand, language)
left join {{ coverage_of('reviews') }} cov
    on cov.grain = p.grain and cov.period_start = p.period_start
{% if is_incremental() %} where p.period_start >= {{ since }} {% endif %}
