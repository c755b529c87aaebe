-- Per agent and period (of the ticket's creation): the tickets the agent handled (the
-- assignee on the ticket's last solve, else its last assignee), their one-touch and reopen
-- rates, median first reply, and CSAT of the post-ticket surveys about those tickets.
-- Ranks: 1 is best; the overall rank orders agents by the mean of their ranks on one-touch
-- rate, reopen rate, median first reply and CSAT top-2 share (the ranks they have).
-- Incremental by period like the KPI models: a run recomputes the periods from the tickets'
-- recompute date on, or earlier when a survey delivered in the run rates an older ticket
-- (any version of the response: a re-delivery may have moved it to another ticket).
{%- set since -%}
least({{ recompute_since('tickets') }}, coalesce((
    select cast(date_trunc('week', date_trunc('month', min(t.created_date))) as date)
    from {{ ref('int_tickets') }} t
    where t.ticket_id in (
        select r.ticket_id from {{ source('raw', 'survey_responses') }} r
        where r.response_id in ({{ keys_delivered_in_window(ref('stg_survey_responses'),
            'response_id', 'surveys', 'delivered_partition') }}))), date '9999-12-31'))
{%- endset %}
with tickets as (
    select * from {{ ref('int_tickets') }}
    where has_created_event and handling_agent_id is not null
    {% if is_incremental() %} and created_date >= {{ since }} {% endif %}
),

ticket_csat as (
    -- Post-ticket surveys, the latest answer per ticket.
    select ticket_id, arg_max(csat, row(submitted_at, response_id)) as csat  -- ties: by id
    from {{ ref('int_survey_scores') }}
    where ticket_id is not null and csat is not null
    group by ticket_id
),

rated as (
    select t.*, c.csat from tickets t left join ticket_csat c using (ticket_id)
),

periods as ({{ periods_of('rated', 'created_date') }}),

per_agent as (
    select
        grain,
        period_start,
        handling_agent_id as agent_id,
        count(*) as tickets_handled,
        count(*) filter (where is_solved) as tickets_solved,
        count(*) filter (where is_one_touch) as one_touch,
        count(*) filter (where is_solved and is_reopened) as reopened,
        count(first_reply_minutes) as first_reply_n,
        count(csat) as csat_responses,
        count(*) filter (where csat >= 4) as csat_top2,
        avg(csat) as csat_mean
    from periods
    group by all
),

{%- set keys = ['grain', 'period_start', 'handling_agent_id'] %}

-- Exact medians that spill to disk (macros/quantiles.sql); quantile_cont's state cannot.
first_reply as ({{ sorted_quantiles('periods', keys, 'first_reply_minutes',
    {'first_reply_minutes_median': 0.5}) }}),
first_reply_business as ({{ sorted_quantiles('periods', keys, 'first_reply_business_minutes',
    {'first_reply_business_minutes_median': 0.5}) }}),

per_agent_times as (
    select a.*, f.first_reply_minutes_median, fb.first_reply_business_minutes_median
    from per_agent a
    left join first_reply f
        on a.grain = f.grain and a.period_start = f.period_start
        and a.agent_id = f.handling_agent_id
    left join first_reply_business fb
        on a.grain = fb.grain and a.period_start = fb.period_start
        and a.agent_id = fb.handling_agent_id
),

rates as (
    select
        *,
        one_touch::double / nullif(tickets_solved, 0) as one_touch_rate,
        reopened::double / nullif(tickets_solved, 0) as reopen_rate,
        csat_top2::double / nullif(csat_responses, 0) as csat_top2_share
    from per_agent_times
),

ranked as (
    select
        *,
        case when one_touch_rate is not null then rank() over (
            partition by grain, period_start order by one_touch_rate desc nulls last) end
            as rank_one_touch,
        case when reopen_rate is not null then rank() over (
            partition by grain, period_start order by reopen_rate asc nulls last) end
            as rank_reopen,
        case when first_reply_minutes_median is not null then rank() over (
            partition by grain, period_start order by first_reply_minutes_median asc nulls last) end
            as rank_first_reply,
        case when csat_top2_share is not null then rank() over (
            partition by grain, period_start order by csat_top2_share desc nulls last) end
            as rank_csat
    from rates
),

scored as (
    select
        *,
        (coalesce(rank_one_touch, 0) + coalesce(rank_reopen, 0) + coalesce(rank_first_reply, 0)
         + coalesce(rank_csat, 0))::double
            / nullif((rank_one_touch is not null)::int + (rank_reopen is not null)::int
                     + (rank_first_reply is not null)::int + (rank_csat is not null)::int, 0)
            as mean_rank
    from ranked
)

select
    grain,
    period_start,
    agent_id,
    tickets_handled,
    tickets_solved,
    one_touch_rate,
    reopen_rate,
    first_reply_n,
    first_reply_minutes_median,
    first_reply_business_minutes_median,
    csat_responses,
    csat_top2_share,
    csat_mean,
    cast(rank_one_touch as integer) as rank_one_touch,
    cast(rank_reopen as integer) as rank_reopen,
    cast(rank_first_reply as integer) as rank_first_reply,
    cast(rank_csat as integer) as rank_csat,
    mean_rank,
    cast(rank() over (partition by grain, period_start
                      order by mean_rank asc nulls last, tickets_handled desc) as integer) as rank,
    tickets_solved < {{ var('cx_low_sample_min_n') }} as low_sample,
    {{ coverage_columns('cov') }}
from scored
left join {{ coverage_of('tickets') }} cov using (grain, period_start)
-- A month starting before `since` saw only part of its days: it keeps its stored rows.
{% if is_incremental() %} where period_start >= {{ since }} {% endif %}
