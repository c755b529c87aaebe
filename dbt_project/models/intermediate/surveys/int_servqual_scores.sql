-- One row per SERVQUAL response and dimension: the mean of the respondent's expectation items
-- and of their perception items for that dimension (1-7). Items are found by name,
-- exp_<dimension>_<n> and per_<dimension>_<n>, so any number of items per dimension works;
-- unanswered items are left out of the respondent's means.
with responses as (
    select response_id, submitted_date, submitted_at_precision, respondent_role, segment,
           respondent_key,
           columns('^(exp|per)_')
    from {{ ref('stg_survey_responses') }}
    {% if is_incremental() %}
    where response_id in (
        {{ rebuilt_keys() }})
    {% endif %}
),

items as (
    unpivot responses on columns('^(exp|per)_') into name item value score
)

select
    response_id,
    any_value(submitted_date) as submitted_date,
    any_value(submitted_at_precision) as submitted_at_precision,
    any_value(respondent_role) as respondent_role,
    any_value(segment) as segment,
    any_value(respondent_key) as respondent_key,
    regexp_extract(item, '^(exp|per)_(.+)_[0-9]+$', 2) as dimension,
    avg(score) filter (where item like 'exp\_%' escape '\') as expectation,
    count(score) filter (where item like 'exp\_%' escape '\') as expectation_items,
    avg(score) filter (where item like 'per\_%' escape '\') as perception,
    count(score) filter (where item like 'per\_%' escape '\') as perception_items
from items
where regexp_matches(item, '^(exp|per)_.+_[0-9]+$')
group by response_id, dimension
