-- depends_on: {{ ref('stg_ticket_events') }}
-- (this run's tickets are read from stg_ticket_events, inside is_incremental() only)
-- Unresolved spells of each ticket: from its first event (or a reopen) to the next solve
-- (null while still unresolved). A ticket is in the backlog at an instant that falls in one
-- of its spells, whatever its status in between (new, open, pending, hold).
with transitions as (
    select
        ticket_id,
        event_at,
        (event_position = 1 and not is_resolved) or is_reopen as opens_spell,
        lead(event_at) over (partition by ticket_id order by event_position) as next_transition_at
    from {{ ref('int_ticket_event_states') }}
    where ((event_position = 1 and not is_resolved) or is_reopen or is_resolution)
    {% if is_incremental() %}
    -- Only tickets with an event delivered in this run are rebuilt, whole.
    and ticket_id in (
        {{ rebuilt_keys() }})
    {% endif %}
)

select
    ticket_id,
    event_at as unresolved_from,
    next_transition_at as unresolved_until
from transitions
where opens_spell
