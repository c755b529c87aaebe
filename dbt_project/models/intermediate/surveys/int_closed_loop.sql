-- One row per dissatisfied customer response (macro is_dissatisfied, as customer health):
-- whether an agent contacted the customer within var cx_followup_window_days of it (the
-- first agent-opened ticket or public agent reply on any ticket of the same hashed
-- customer, at or after the response), how fast, and the customer's next scored response.
-- A response whose window is still open at the data's latest time and has no contact yet
-- is pending, not unfollowed. Rule: docs/methodology.md, "closed_loop_followup_and_recovery".
-- Rebuilt whole: a ticket delivered today can follow up a response of any age.
with responses as (
    select
        response_id, respondent_key as customer_key, submitted_at, submitted_date,
        submitted_at_precision, segment, channel, nps, nps_category, csat,
        {{ is_dissatisfied() }} as is_dissatisfied
    from {{ ref('int_survey_scores') }}
    where respondent_key is not null
),

-- The data's latest time, over both sources (as customer health's as_of_date).
horizon as (
    select greatest(
        (select max(submitted_at) from responses),
        (select max(event_at) from {{ ref('stg_ticket_events') }})) as latest_at
),

next_responses as (
    select
        response_id,
        lead(response_id) over w as next_response_id,
        lead(submitted_date) over w as next_response_date,
        lead(is_dissatisfied) over w as next_is_dissatisfied
    from responses
    where is_dissatisfied is not null
    window w as (partition by customer_key order by submitted_at, response_id)
),

dissatisfied as (
    -- A response known only to its month cannot be timed against a contact.
    select * from responses
    where is_dissatisfied and submitted_at_precision is distinct from 'month'
),

contacts as (
    select t.customer_key, e.ticket_id, e.event_at
    from {{ ref('stg_ticket_events') }} e
    join {{ ref('int_tickets') }} t using (ticket_id)
    where t.customer_key is not null and e.actor_role = 'agent'
        and e.event_type in ('created', 'agent_reply')
),

first_contacts as (
    select
        d.response_id,
        min(c.event_at) as followup_at,
        arg_min(c.ticket_id, row(c.event_at, c.ticket_id)) as followup_ticket_id
    from dissatisfied d
    join contacts c
        on c.customer_key = d.customer_key
        and c.event_at >= d.submitted_at
        and c.event_at < d.submitted_at + to_days({{ var('cx_followup_window_days') }})
    group by d.response_id
)

select
    d.response_id,
    d.customer_key,
    d.submitted_at,
    d.submitted_date,
    d.submitted_at_precision,
    d.segment,
    d.channel,
    d.nps,
    d.nps_category,
    d.csat,
    f.followup_at,
    f.followup_ticket_id,
    (epoch(f.followup_at) - epoch(d.submitted_at)) / 3600 as hours_to_followup,
    datediff('day', d.submitted_date, {{ reporting_date('f.followup_at') }}) as days_to_followup,
    case when f.followup_at is not null then 'followed_up'
         when d.submitted_at + to_days({{ var('cx_followup_window_days') }}) > h.latest_at
             then 'pending'
         else 'not_followed_up' end as followup_status,
    n.next_response_id,
    n.next_response_date,
    n.next_is_dissatisfied,
    not n.next_is_dissatisfied as is_recovered
from dissatisfied d
cross join horizon h
left join first_contacts f using (response_id)
left join next_responses n using (response_id)
