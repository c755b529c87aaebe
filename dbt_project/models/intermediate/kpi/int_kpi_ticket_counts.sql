-- Additive ticket counts per period of the ticket's creation and slice: the numerators and
-- denominators of the ticket rates. A ticket's later events (a reopen, a late reply) change
-- its creation period, which int_incremental_window sends back to be recomputed.
{%- set since = recompute_since('tickets') %}

with obs as (
    select * from {{ ref('int_tickets') }}
    where has_created_event
    {% if is_incremental() %} and created_date >= {{ since }} {% endif %}
),

periods as ({{ periods_and_slices('obs', 'created_date', ['channel', 'segment', 'product']) }})

select
    grain,
    period_start,
    slice_name,
    slice_value,
    count(*) as tickets_created,
    count(*) filter (where is_solved) as tickets_solved,
    -- Unresolved at the latest data (never solved, or reopened and not solved again): the
    -- creation period's open share. A ticket's state changes only with an event of its own,
    -- which sends its creation period back to be recomputed, so stored counts stay current.
    count(*) filter (where not is_resolved_now) as tickets_open,
    count(*) filter (where is_one_touch) as one_touch,
    count(*) filter (where is_solved and is_reopened) as reopened,
    count(first_reply_sla_met) as first_reply_sla_n,
    count(*) filter (where first_reply_sla_met) as first_reply_sla_met,
    coalesce(sum(first_reply_sla_target) filter (where first_reply_sla_met is not null), 0)
        as first_reply_sla_target_sum,
    count(resolution_sla_met) as resolution_sla_n,
    count(*) filter (where resolution_sla_met) as resolution_sla_met,
    coalesce(sum(resolution_sla_target) filter (where resolution_sla_met is not null), 0)
        as resolution_sla_target_sum,
    count(latest_satisfaction) as satisfaction_rated,
    count(*) filter (where latest_satisfaction = 'good') as satisfaction_good
from periods
{% if is_incremental() %} where period_start >= {{ since }} {% endif %}
group by all
