-- One row per review with the brand resolved (int_brands), the rating on 1-5, whether it is
-- negative (2 or less of 5) and how fast the brand replied (calendar hours).
select
    r.review_id,
    b.brand,
    r.brand as exported_brand,
    b.is_own_brand,
    b.industry,
    r.platform,
    r.published_at,
    r.published_at_precision,
    r.published_date,
    r.rating_5,
    r.rating_5 <= 2 as is_negative,
    coalesce(lower(r.language), 'unknown') as language,
    r.product,
    r.reply_at is not null as has_reply,
    case when r.reply_at >= r.published_at
         then (epoch(r.reply_at) - epoch(r.published_at)) / 3600 end as reply_hours,
    r.title,
    r.text,
    r.delivered_partition
from {{ ref('stg_reviews') }} r
join {{ ref('int_brands') }} b on b.exported_brand = r.brand
{% if is_incremental() %}
    where r.review_id in (
        {{ rebuilt_keys() }})
    {% endif %}
