-- A few example reviews per month, brand, language and theme, for readers of the HTML report
-- who want to see what customers wrote: up to three, the latest negative ones (2 or less of
-- 5) first, then the latest others. Title and text are the staging models' (e-mail addresses
-- and phone numbers redacted), the text cut to 280 characters; authors are left out.
with reviews as (select * from {{ ref('int_reviews') }}),

themed as (
    select
        cast(date_trunc('month', r.published_date) as date) as period_start,
        r.brand, r.is_own_brand, r.language, t.theme,
        r.review_id, r.published_date, r.published_at, r.rating_5, r.is_negative,
        r.title, r.text
    from reviews r
    join {{ ref('int_review_themes') }} t using (review_id)
    where nullif(trim(r.text), '') is not null
),

ranked as (
    select *,
        row_number() over (
            partition by period_start, brand, language, theme
            order by is_negative desc, published_at desc, review_id
        ) as example_rank
    from themed
)

select
    cast('month' as varchar) as grain,
    cast(period_start as date) as period_start,
    cast(brand as varchar) as brand,
    cast(is_own_brand as boolean) as is_own_brand,
    cast(language as varchar) as language,
    cast(theme as varchar) as theme,
    cast(example_rank as integer) as example_rank,
    cast(review_id as varchar) as review_id,
    cast(published_date as date) as published_date,
    cast(rating_5 as double) as rating_5,
    cast(is_negative as boolean) as is_negative,
    cast(title as varchar) as title,
    cast(case when length(text) > 280 then left(text, 279) || '…' else text end as varchar)
        as text
from ranked
where example_rank <= 3
