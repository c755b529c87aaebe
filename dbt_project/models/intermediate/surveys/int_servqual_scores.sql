-- One row per SERVQUAL response and dimension: the mean of the respondent's expectation
-- (desired), perception and adequate items for that dimension (1-7), and the importance
-- points they gave it. Items are found by name, exp_/per_/adq_<dimension>_<n>, points by
-- importance_<dimension>, so any number of items per dimension works; unanswered items are
-- left out of the respondent's means (DuckDB's unpivot drops NULLs).
with responses as (
    select response_id, submitted_date, submitted_at_precision, respondent_role, segment,
           respondent_key,
           columns('^(exp|per|adq|importance)_')
    from {{ ref('stg_survey_responses') }}
    {% if is_incremental() %}
    where response_id in (
        {{ rebuilt_keys() }})
    {% endif %}
),

answers as (
    unpivot responses on columns('^(exp|per|adq|importance)_') into name item value score
),

items as (
    select
        *,
        case when item like 'importance\_%' escape '\'
             then regexp_extract(item, '^importance_(.+)$', 1)
             else regexp_extract(item, '^(exp|per|adq)_(.+)_[0-9]+$', 2) end as dimension,
        regexp_extract(item, '^(exp|per|adq|importance)_', 1) as kind
    from answers
    where regexp_matches(item, '^((exp|per|adq)_.+_[0-9]+|importance_.+)$')
)

select
    response_id,
    any_value(submitted_date) as submitted_date,
    any_value(submitted_at_precision) as submitted_at_precision,
    any_value(respondent_role) as respondent_role,
    any_value(segment) as segment,
    any_value(respondent_key) as respondent_key,
    dimension,
    avg(score) filter (where kind = 'exp') as expectation,
    count(score) filter (where kind = 'exp') as expectation_items,
    avg(score) filter (where kind = 'per') as perception,
    count(score) filter (where kind = 'per') as perception_items,
    avg(score) filter (where kind = 'adq') as adequate,
    count(score) filter (where kind = 'adq') as adequate_items,
    any_value(score) filter (where kind = 'importance') as importance_points
from items
group by response_id, dimension
