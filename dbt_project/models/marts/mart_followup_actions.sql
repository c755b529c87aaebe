-- The VIP and churn-risk customers whose latest dissatisfied response has no follow-up
-- (none within the window, or none yet while it is open): the list to act on, most
-- urgent first. Rule: docs/methodology.md, "closed_loop_followup_and_recovery".
with latest as (
    select * from {{ ref('int_closed_loop') }}
    qualify row_number() over (
        partition by customer_key order by submitted_at desc, response_id desc) = 1
)

select
    cast(l.customer_key as varchar) as customer_key,
    cast(l.response_id as varchar) as response_id,
    l.submitted_date,
    cast(h.segment as varchar) as segment,
    h.is_vip,
    h.churn_risk,
    cast(h.churn_risk_reason as varchar) as churn_risk_reason,
    l.nps,
    cast(l.nps_category as varchar) as nps_category,
    l.csat,
    cast(l.followup_status as varchar) as followup_status,
    cast(l.submitted_date + {{ var('cx_followup_window_days') }} as date) as followup_due_date,
    cast(datediff('day', l.submitted_date, h.as_of_date) as integer) as days_since_response,
    cast(s.comment as varchar) as comment,
    cast(row_number() over (
        order by h.churn_risk desc, h.is_vip desc, l.submitted_at, l.response_id
    ) as integer) as action_rank
from latest l
join {{ ref('mart_customer_health') }} h using (customer_key)
join {{ ref('stg_survey_responses') }} s using (response_id)
where l.followup_status <> 'followed_up' and l.is_recovered is not true
    and (h.is_vip or h.churn_risk)
