-- Review counts per period and slice. The 'all' and product slices are the own brand's; the
-- brand slice holds every brand, competitors included. The reply-time median is computed
-- from each period's own reviews (not additive). A review known only to its month counts in
-- its month, not in any day or week.
{%- set since = recompute_since('reviews') %}

with obs as (
    select * from {{ ref('int_reviews') }}
    {% if is_incremental() %} where published_date >= {{ since }} {% endif %}
),

periods as ({{ periods_and_slices('obs', 'published_date', ['brand', 'product'],
    'published_at_precision') }}),

in_scope as (
    select * from periods
    where (slice_name = 'brand' or is_own_brand)
    {% if is_incremental() %} and period_start >= {{ since }} {% endif %}
),

{%- set keys = ['grain', 'period_start', 'slice_name', 'slice_value'] %}

counts as (
    select
        grain,
        period_start,
        slice_name,
        slice_value,
        count(*) as reviews,
        sum(rating_5) as rating_sum,
        sum(rating_5 * rating_5) as rating_sum_sq,
        count(*) filter (where is_negative) as negative_reviews,
        count(*) filter (where has_reply) as replied,
        count(reply_hours) as reply_time_n
    from in_scope
    group by all
),

-- Exact median that spills to disk (macros/quantiles.sql); quantile_cont's state cannot.
reply_time as ({{ sorted_quantiles('in_scope', keys, 'reply_hours',
    {'reply_hours_median': 0.5}) }})

select c.*, q.reply_hours_median
from counts c
left join reply_time q on {{ same_group('c', 'q', keys) }}
