-- One row per ticket with every fact the ticket KPIs need. Attributes (channel, priority,
-- segment...) come from the creation event (else the earliest) so that later changes do not
-- move a ticket between slices or SLA targets. Durations are calendar and business time;
-- business time is measured on the running clock (int_business_calendar) of the desk that
-- serves the ticket: the first business_schedule_assignments row (lowest match_order) whose
-- column holds the ticket's value, else var cx_business_schedule. Tickets carry no region,
-- so a desk is told apart by what the export does record (channel, product, segment...).
with events as (
    select * from {{ ref('int_ticket_event_states') }}
    {% if is_incremental() %}
    -- Only tickets with an event delivered in this run are rebuilt, whole.
    where ticket_id in (
        {{ rebuilt_keys() }})
    {% endif %}
),

attributes as (
    select * exclude (_rank) from (
        select
            ticket_id,
            event_at as created_at,
            event_type = 'created' as has_created_event,
            actor_role as opened_by_role,
            channel,
            priority,
            category,
            product,
            customer_key,
            segment,
            row_number() over (
                partition by ticket_id order by event_type = 'created' desc, event_at, event_id
            ) as _rank
        from {{ ref('stg_ticket_events') }}
        {% if is_incremental() %}
        -- Only tickets with an event delivered in this run are rebuilt, whole.
        where ticket_id in (
            {{ rebuilt_keys() }})
        {% endif %}
    )
    where _rank = 1
),

assignments as (
    select
        match_order,
        lower(trim(match_column)) as match_column,
        lower(trim(match_value)) as match_value,
        schedule
    from {{ ref('business_schedule_assignments') }}
),

-- One row per (ticket, attribute) that has a value, so an assignment is an equi-join.
ticket_values as (
    unpivot (select ticket_id, channel, priority, category, product, segment from attributes)
    on channel, priority, category, product, segment
    into name match_column value match_value
),

assigned as (
    select v.ticket_id, arg_min(s.schedule, s.match_order) as business_schedule
    from ticket_values v
    join assignments s
        on s.match_column = v.match_column and s.match_value = lower(trim(v.match_value))
    group by v.ticket_id
),

facts as (
    select
        e.ticket_id,
        -- A public agent reply at or after creation; internal notes are not replies.
        min(e.event_at) filter (where e.event_type = 'agent_reply' and e.event_at >= a.created_at)
            as first_agent_reply_at,
        count(*) filter (where e.event_type = 'agent_reply') as agent_replies,
        count(*) filter (where e.is_resolution) as solves,
        count(*) filter (where e.is_reopen) as reopens,
        min(e.event_at) filter (where e.is_resolution) as first_solved_at,
        max(e.event_at) filter (where e.is_resolution) as last_solved_at,
        arg_max(e.is_resolved, e.event_position) as is_resolved_now,
        arg_max(e.status, e.event_position) as current_status,
        arg_max(e.satisfaction, e.event_position) filter (where e.event_type = 'satisfaction_rated')
            as latest_satisfaction,
        coalesce(
            arg_max(e.agent_id, e.event_position) filter (where e.is_resolution and e.agent_id is not null),
            arg_max(e.agent_id, e.event_position) filter (where e.agent_id is not null)) as handling_agent_id,
        max(e.event_at) as last_event_at
    from events e
    join attributes a using (ticket_id)
    group by e.ticket_id
),

tickets as (
    select
        a.*,
        {{ reporting_date('a.created_at') }} as created_date,
        coalesce(a.opened_by_role = 'agent', false) as is_agent_opened,
        f.* exclude (ticket_id, first_agent_reply_at),
        -- An agent who opens a ticket (a call logged by the agent) served the customer in that
        -- contact: there was no wait for a first reply, so the ticket has none.
        case when coalesce(a.opened_by_role, '') <> 'agent' then f.first_agent_reply_at end
            as first_reply_at,
        case when f.is_resolved_now then f.last_solved_at end as resolved_at,
        coalesce(s.business_schedule, '{{ var("cx_business_schedule") }}') as business_schedule
    from attributes a
    join facts f using (ticket_id)
    left join assigned s using (ticket_id)
),

standards as (
    select metric, priority, threshold_business_minutes, target
    from {{ ref('operational_standards') }}
    where metric in ('first_reply', 'resolution')
),

timed as (
    select
        t.*,
        (epoch(t.first_reply_at) - epoch(t.created_at)) / 60 as first_reply_minutes,
        ({{ business_clock('t.first_reply_at', 'c_reply') }}
         - {{ business_clock('t.created_at', 'c_created') }}) / 60 as first_reply_business_minutes,
        (epoch(t.resolved_at) - epoch(t.created_at)) / 3600 as resolution_hours,
        ({{ business_clock('t.resolved_at', 'c_resolved') }}
         - {{ business_clock('t.created_at', 'c_created') }}) / 3600 as resolution_business_hours
    from tickets t
    -- Positions on the ticket's own schedule's clock: clocks of different desks do not
    -- compare.
    asof left join {{ ref('int_business_calendar') }} c_created
        on t.business_schedule = c_created.schedule and t.created_at >= c_created.open_at
    asof left join {{ ref('int_business_calendar') }} c_reply
        on t.business_schedule = c_reply.schedule and t.first_reply_at >= c_reply.open_at
    asof left join {{ ref('int_business_calendar') }} c_resolved
        on t.business_schedule = c_resolved.schedule and t.resolved_at >= c_resolved.open_at
)

select
    t.ticket_id,
    t.created_at,
    t.created_date,
    t.has_created_event,
    t.opened_by_role,
    t.is_agent_opened,
    t.channel,
    t.priority,
    t.category,
    t.product,
    t.customer_key,
    t.segment,
    t.business_schedule,
    t.handling_agent_id,
    t.agent_replies,
    t.first_reply_at,
    t.first_reply_minutes,
    t.first_reply_business_minutes,
    t.solves,
    t.reopens,
    t.solves >= 1 as is_solved,
    t.solves >= 1 and t.agent_replies = 1 and t.reopens = 0 as is_one_touch,
    t.reopens >= 1 as is_reopened,
    t.current_status,
    t.is_resolved_now,
    t.first_solved_at,
    t.resolved_at,
    t.resolution_hours,
    t.resolution_business_hours,
    coalesce(fr.threshold_business_minutes, frd.threshold_business_minutes)
        as first_reply_sla_minutes,
    coalesce(fr.target, frd.target) as first_reply_sla_target,
    t.first_reply_business_minutes
        <= coalesce(fr.threshold_business_minutes, frd.threshold_business_minutes)
        as first_reply_sla_met,
    coalesce(rs.threshold_business_minutes, rsd.threshold_business_minutes)
        as resolution_sla_minutes,
    coalesce(rs.target, rsd.target) as resolution_sla_target,
    t.resolution_business_hours * 60
        <= coalesce(rs.threshold_business_minutes, rsd.threshold_business_minutes)
        as resolution_sla_met,
    t.latest_satisfaction,
    t.last_event_at
from timed t
-- A priority the standards do not list is held to their 'default' row.
left join standards fr on fr.metric = 'first_reply' and fr.priority = t.priority
left join standards frd on frd.metric = 'first_reply' and frd.priority = 'default'
left join standards rs on rs.metric = 'resolution' and rs.priority = t.priority
left join standards rsd on rsd.metric = 'resolution' and rsd.priority = 'default'
