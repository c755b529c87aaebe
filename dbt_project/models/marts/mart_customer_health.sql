-- One row per customer (keyed hash): latest NPS, dissatisfaction streak, complaints and
-- unresolved tickets as of the latest data, and the churn-risk rule with its reasons.
-- A response is dissatisfied when it holds a detractor NPS (0-6), a CSAT of 1-2 or an
-- overall satisfaction of 1-5; a period (var cx_health_period) is dissatisfied when the
-- customer's latest scored response in it is. Rule: docs/methodology.md, "Customer health".
{%- set period = var('cx_health_period') %}
-- Incremental by customer: the customers a run can have changed (macros/customer_health.sql).
-- Rendered here, outside is_incremental(), so that dbt sees the refs when it parses the model.
{%- set rebuilt = customer_health_rebuilt_keys() %}

-- "Latest" breaks ties of the timestamp by the record's id: otherwise two responses
-- submitted in the same second could pick either, and a rebuild could differ.
with responses as (
    select
        respondent_key as customer_key,
        response_id,
        submitted_at,
        submitted_date,
        segment,
        nps,
        nps_category,
        csat,
        {{ is_dissatisfied() }} as is_dissatisfied
    from {{ ref('int_survey_scores') }}
    where respondent_key is not null
    {% if is_incremental() %} and respondent_key in ({{ rebuilt }}) {% endif %}
),

tickets as (
    select * from {{ ref('int_tickets') }} where customer_key is not null
    {% if is_incremental() %} and customer_key in ({{ rebuilt }}) {% endif %}
),

as_of as ({{ customer_health_as_of() }}),

period_states as (
    select
        customer_key,
        cast(date_trunc('{{ period }}', submitted_date) as date) as period_start,
        arg_max(is_dissatisfied, row(submitted_at, response_id)) as is_dissatisfied
    from responses
    where is_dissatisfied is not null
    group by all
),

numbered as (
    select
        *,
        -- Consecutive periods have consecutive numbers (weeks counted from a Monday).
        datediff('{{ period }}', date '2000-01-03', period_start) as period_number,
        max(period_start) over (partition by customer_key) as latest_period
    from period_states
),

islands as (
    select
        *,
        period_number - row_number() over (partition by customer_key order by period_number)
            as island
    from numbered
    where is_dissatisfied
),

streaks as (
    -- The run of dissatisfied periods that ends in the customer's latest scored period (none
    -- when that period was not dissatisfied).
    select i.customer_key, count(*) as consecutive_dissatisfied_periods
    from islands i
    join islands latest
        on latest.customer_key = i.customer_key
        and latest.period_start = latest.latest_period
        and latest.island = i.island
    group by i.customer_key
),

survey_facts as (
    select
        customer_key,
        count(*) as responses,
        arg_max(nps, row(submitted_at, response_id)) filter (where nps is not null) as latest_nps,
        arg_max(nps_category, row(submitted_at, response_id)) filter (where nps is not null) as latest_nps_category,
        max(submitted_date) filter (where nps is not null) as latest_nps_date,
        arg_max(csat, row(submitted_at, response_id)) filter (where csat is not null) as latest_csat,
        min(submitted_date) as first_response_date,
        max(submitted_date) as last_response_date,
        arg_max(segment, row(submitted_at, response_id)) as segment,
        max(submitted_at) as last_response_at
    from responses
    group by customer_key
),

dissatisfied_periods as (
    select customer_key, count(*) filter (where is_dissatisfied) as dissatisfied_periods,
        max(period_start) filter (where is_dissatisfied) as last_dissatisfied_period_start
    from period_states group by customer_key
),

ticket_facts as (
    select
        t.customer_key,
        count(*) as tickets,
        count(*) filter (where not t.is_resolved_now) as unresolved_tickets,
        -- A complaint: a ticket reopened or rated bad; open while unresolved, or while its
        -- latest rating is bad. Only tickets of the complaint window count.
        count(*) filter (where (t.is_reopened or t.latest_satisfaction = 'bad')
                         and t.created_date > a.as_of_date - {{ var('cx_complaint_window_days') }})
            as complaints,
        count(*) filter (where ((t.is_reopened and not t.is_resolved_now)
                                or t.latest_satisfaction = 'bad')
                         and t.created_date > a.as_of_date - {{ var('cx_complaint_window_days') }})
            as open_complaints,
        min(t.created_date) as first_ticket_date,
        max({{ reporting_date('t.last_event_at') }}) as last_ticket_date,
        arg_max(t.segment, row(t.created_at, t.ticket_id)) as segment,
        max(t.created_at) as last_ticket_at
    from tickets t
    cross join as_of a
    group by t.customer_key
),

customers as (
    select
        coalesce(s.customer_key, t.customer_key) as customer_key,
        -- The most recent segment seen, from a response or a ticket.
        case when t.last_ticket_at is null or s.last_response_at >= t.last_ticket_at
             then s.segment else t.segment end as segment,
        least(s.first_response_date, t.first_ticket_date) as first_seen_date,
        greatest(s.last_response_date, t.last_ticket_date) as last_seen_date,
        coalesce(s.responses, 0) as responses,
        s.latest_nps,
        s.latest_nps_category,
        s.latest_nps_date,
        s.latest_csat,
        coalesce(d.dissatisfied_periods, 0) as dissatisfied_periods,
        coalesce(k.consecutive_dissatisfied_periods, 0) as consecutive_dissatisfied_periods,
        d.last_dissatisfied_period_start,
        coalesce(t.tickets, 0) as tickets,
        coalesce(t.unresolved_tickets, 0) as unresolved_tickets,
        coalesce(t.complaints, 0) as complaints,
        coalesce(t.open_complaints, 0) as open_complaints
    from survey_facts s
    full outer join ticket_facts t using (customer_key)
    left join dissatisfied_periods d on d.customer_key = coalesce(s.customer_key, t.customer_key)
    left join streaks k on k.customer_key = coalesce(s.customer_key, t.customer_key)
),

rules as (
    select
        *,
        consecutive_dissatisfied_periods >= {{ var('cx_churn_consecutive_periods') }}
            as rule_dissatisfied_streak,
        coalesce(latest_nps_category = 'detractor', false)
            and (unresolved_tickets > 0 or open_complaints > 0) as rule_detractor_open_issue,
        open_complaints >= 2 as rule_repeated_complaints
    from customers
)

select
    customer_key,
    segment,
    coalesce(segment = 'vip', false) as is_vip,
    first_seen_date,
    last_seen_date,
    responses,
    latest_nps,
    latest_nps_category,
    latest_nps_date,
    latest_csat,
    dissatisfied_periods,
    consecutive_dissatisfied_periods,
    last_dissatisfied_period_start,
    tickets,
    unresolved_tickets,
    complaints,
    open_complaints,
    rule_dissatisfied_streak or rule_detractor_open_issue or rule_repeated_complaints
        as churn_risk,
    cast(nullif(concat_ws('; ',
        case when rule_dissatisfied_streak then 'dissatisfied in '
            || consecutive_dissatisfied_periods || ' consecutive {{ period }}s' end,
        case when rule_detractor_open_issue then 'detractor with '
            || unresolved_tickets || ' unresolved ticket(s) and '
            || open_complaints || ' open complaint(s)' end,
        case when rule_repeated_complaints then open_complaints || ' open complaints' end
    ), '') as varchar) as churn_risk_reason,
    cast('{{ period }}' as varchar) as health_period,
    cast((select as_of_date from as_of) as date) as as_of_date
from rules
