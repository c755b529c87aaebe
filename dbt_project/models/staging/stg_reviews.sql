-- Latest delivery of each review wins (a re-delivery that adds the brand's reply
-- supersedes the first one). Ratings are put on a 1-5 scale so platforms compare.
with ranked as (
    select
        *,
        row_number() over (
            partition by review_id
            order by _partition_date desc, _source_file desc, _record_number desc
        ) as _version_rank
    from {{ source('raw', 'reviews') }}
    {% if is_incremental() %}
    -- Only keys delivered in this run: their versions are re-ranked, the rest stays.
    where review_id in (
        {{ rebuilt_keys() }})
    {% endif %}
)

select
    review_id,
    platform,
    brand,
    coalesce(is_own_brand, false) as is_own_brand,
    published_at,
    published_at_precision,
    {{ record_date('published_at', 'published_at_precision') }} as published_date,
    rating,
    coalesce(rating_scale_max, 5) as rating_scale_max,
    case
        when coalesce(rating_scale_max, 5) = 5 then rating
        else 1 + (rating - 1) * 4.0 / (coalesce(rating_scale_max, 5) - 1)
    end as rating_5,
    {{ redact_pii('title') }} as title,
    {{ redact_pii('text') }} as text,
    language,
    {{ pii_hash('author') }} as author_key,
    product,
    location,
    reply_at,
    {{ redact_pii('reply_text') }} as reply_text,
    _partition_date as delivered_partition
from ranked
where _version_rank = 1
