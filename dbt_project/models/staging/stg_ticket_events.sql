-- Latest delivery of each event wins; the customer id is hashed.
with ranked as (
    select
        *,
        row_number() over (
            partition by event_id
            order by _partition_date desc, _source_file desc, _record_number desc
        ) as _version_rank
    from {{ source('raw', 'ticket_events') }}
    {% if is_incremental() %}
    -- Only keys delivered in this run: their versions are re-ranked, the rest stays.
    where event_id in (
        {{ rebuilt_keys() }})
    {% endif %}
)

select
    event_id,
    ticket_id,
    event_at,
    {{ reporting_date('event_at') }} as event_date,
    event_type,
    event_seq,
    status,
    actor_role,
    agent_id,
    channel,
    priority,
    category,
    product,
    {{ pii_hash('customer_id') }} as customer_key,
    coalesce(segment, 'standard') as segment,
    satisfaction,
    _partition_date as delivered_partition
from ranked
where _version_rank = 1
