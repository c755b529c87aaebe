-- Latest delivery of each event wins; the customer id is hashed.
with ranked as (
    select
        *,
        row_number() over (
            partition by event_id
            order by _partition_date desc, _source_file desc, _record_number desc
        ) as _version_rank
    from {{ source('raw', 'ticket_events') }}
)

select
    event_id,
    ticket_id,
    event_at,
    {{ reporting_date('event_at') }} as event_date,
    event_type,
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
