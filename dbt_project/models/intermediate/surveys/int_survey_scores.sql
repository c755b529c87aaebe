-- One row per customer's survey response with each score classified. Management and
-- staff answers (SERVQUAL gap 1 inputs) are not customer KPIs and are left out here.
select
    response_id,
    survey_id,
    submitted_at,
    submitted_at_precision,
    submitted_date,
    respondent_key,
    channel,
    segment,
    product,
    ticket_id,
    nps,
    case
        when nps >= 9 then 'promoter'
        when nps >= 7 then 'passive'
        when nps >= 0 then 'detractor'
    end as nps_category,
    csat,
    csat >= 4 as csat_top2,
    ces,
    overall_satisfaction
from {{ ref('stg_survey_responses') }}
where respondent_role = 'customer'
    {% if is_incremental() %}
    and response_id in (
        {{ rebuilt_keys() }})
    {% endif %}
