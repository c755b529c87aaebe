-- Which themes (product, price, channel, service, competition) each review mentions, in its
-- title and text (macro theme_mentions: the theme_keywords seed of the review's language,
-- whole words, a trailing * a stem). Mentioning another brand by name (case-sensitive) is a
-- competition mention too. Matching is a plain substring search in the text reduced to
-- space-separated words, so it scales.
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

{{ theme_mentions('reviews', ['review_id'], 'b.brand <> w.brand') }}
