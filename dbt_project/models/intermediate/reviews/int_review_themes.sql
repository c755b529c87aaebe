-- Which themes (product, price, channel, service, competition) each review mentions, from the
-- theme_keywords seed of the review's language: a keyword matches as a whole word or phrase
-- (a trailing * in the seed matches any ending), case-insensitively, in the title and text.
-- A review whose language has no keywords is matched against every language's. Mentioning
-- another brand by name (case-sensitive) is a competition mention too. Matching is a plain
-- substring search in the text reduced to space-separated words, so it scales.
with reviews as (
    select
        review_id,
        brand,
        language,
        coalesce(title, '') || ' ' || coalesce(text, '') as body
    from {{ ref('int_reviews') }}
    {% if is_incremental() %}
    where review_id in (
        {{ rebuilt_keys() }})
    {% endif %}
),

words as (
    select
        review_id,
        brand,
        language,
        {{ spaced_words('lower(body)') }} as words_lower,
        {{ spaced_words('body') }} as words
    from reviews
),

keywords as (
    select distinct lower(language) as language, lower(theme) as theme,
        {{ keyword_needle('keyword') }} as needle
    from {{ ref('theme_keywords') }}
    where trim(keyword) not in ('', '*')
),

keyword_hits as (
    select w.review_id, k.theme, 'keyword' as matched_by
    from words w
    join keywords k on k.language = w.language and contains(w.words_lower, k.needle)
    union all
    select w.review_id, k.theme, 'keyword'
    from words w
    join keywords k on contains(w.words_lower, k.needle)
    where w.language not in (select language from keywords)
),

brand_needles as (
    select distinct brand, {{ spaced_words('brand') }} as needle from {{ ref('int_brands') }}
),

brand_mentions as (
    select w.review_id, 'competition' as theme, 'brand_mention' as matched_by
    from words w
    join brand_needles b on b.brand <> w.brand and contains(w.words, b.needle)
)

select review_id, theme, min(matched_by) as matched_by
from (select * from keyword_hits union all by name select * from brand_mentions)
group by review_id, theme
