{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key=['grain', 'period_start']) }}
-- Review counts per period and slice. The 'all' slice is the own brand's; the brand
-- slice holds every brand, competitors included.
{%- set floor = incremental_floor() %}

with obs as (
    select * from {{ ref('stg_reviews') }}
    {% if is_incremental() %} where published_date >= coalesce({{ floor }}, published_date) {% endif %}
),

periods as ({{ periods_and_slices('obs', 'published_date', ['brand', 'product']) }})

select
    grain,
    period_start,
    slice_name,
    slice_value,
    count(*) as reviews,
    sum(rating_5) as rating_sum,
    sum(rating_5 * rating_5) as rating_sum_sq
from periods
where slice_name = 'brand' or is_own_brand
group by all
