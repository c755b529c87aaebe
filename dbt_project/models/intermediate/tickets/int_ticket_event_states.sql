-- Every ticket event in order with the ticket's resolved state after it. The state comes
-- from the event's status (solved or closed = resolved), else from its type (solved and
-- closed resolve, created and reopened unresolve), else it carries over from the event
-- before. Transitions give solves (unresolved -> resolved) and reopens (the way back).
-- Events sharing a timestamp keep the export's order (event_seq: its update counter, else
-- the file's order); ids only break what is left, never as text before the counter, which
-- would put update 10 before update 9 (docs/sources.md, "Event order").
with ordered as (
    select
        *,
        row_number() over (
            partition by ticket_id order by event_at, event_seq nulls last, event_id)
            as event_position,
        case
            when status is not null then status in ('solved', 'closed')
            when event_type in ('solved', 'closed') then true
            when event_type in ('created', 'reopened') then false
        end as _stated_resolved
    from {{ ref('stg_ticket_events') }}
    {% if is_incremental() %}
    -- Only tickets with an event delivered in this run are rebuilt, whole.
    where ticket_id in (
        {{ rebuilt_keys() }})
    {% endif %}
),

carried as (
    select
        *,
        coalesce(last_value(_stated_resolved ignore nulls) over (
            partition by ticket_id order by event_position
            rows between unbounded preceding and current row), false) as is_resolved
    from ordered
)

select
    ticket_id,
    event_id,
    event_position,
    event_at,
    event_date,
    event_type,
    status,
    actor_role,
    agent_id,
    satisfaction,
    is_resolved,
    is_resolved and not coalesce(lag(is_resolved) over w, false) as is_resolution,
    not is_resolved and coalesce(lag(is_resolved) over w, false) as is_reopen
from carried
window w as (partition by ticket_id order by event_position)
