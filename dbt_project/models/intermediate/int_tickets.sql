-- One row per ticket: when and how it was opened. The attributes come from the
-- ticket's earliest event so that later reassignments do not move its slice.
with ordered as (
    select
        *,
        row_number() over (partition by ticket_id order by event_at, event_id) as _seq
    from {{ ref('stg_ticket_events') }}
)

select
    ticket_id,
    event_at as created_at,
    event_date as created_date,
    event_type = 'created' as has_created_event,
    actor_role as opened_by_role,
    channel,
    priority,
    category,
    product,
    customer_key,
    segment
from ordered
where _seq = 1
