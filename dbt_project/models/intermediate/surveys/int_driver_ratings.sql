-- One row per customer's response and driver attribute: the attribute rating (attr_<name>,
-- 1-7) next to the response's overall satisfaction (1-10), the outcome the key-driver
-- analysis explains. Attributes are found by name, so new attr_ columns need no change.
with responses as (
    select response_id, submitted_date, submitted_at_precision, segment, overall_satisfaction,
        columns('^attr_')
    from {{ ref('stg_survey_responses') }}
    where respondent_role = 'customer' and overall_satisfaction is not null
    {% if is_incremental() %}
    and response_id in (
        {{ rebuilt_keys() }})
    {% endif %}
),

ratings as (
    unpivot responses on columns('^attr_') into name attribute_column value rating
)

select
    response_id,
    submitted_date,
    submitted_at_precision,
    segment,
    substr(attribute_column, 6) as attribute,
    rating,
    overall_satisfaction
from ratings
