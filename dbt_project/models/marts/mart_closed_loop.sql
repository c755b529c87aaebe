-- Closing the loop per period (response dates) and segment: of the dissatisfied customer
-- responses, how many the company followed up within var cx_followup_window_days, how fast
-- (median hours), and how many customers answered better next time (recovery). Rates carry
-- Wilson intervals; a period with responses still inside their window is immature, as a
-- ticket period with tickets still open. Formula: docs/methodology.md,
-- "closed_loop_followup_and_recovery". Rebuilt whole, like int_closed_loop.
with loop as (select * from {{ ref('int_closed_loop') }}),

periods as ({{ periods_of('loop', 'submitted_date', 'submitted_at_precision') }}),

segmented as (
    select 'all' as slice_segment, * from periods
    union all
    select coalesce(segment, 'unknown'), * from periods
),

counted as (
    select
        grain, period_start, slice_segment as segment,
        count(*) as dissatisfied_responses,
        count(*) filter (where followup_status = 'followed_up') as followed_up,
        count(*) filter (where followup_status = 'not_followed_up') as not_followed_up,
        count(*) filter (where followup_status = 'pending') as pending,
        median(hours_to_followup) as followup_hours_median,
        count(is_recovered) as with_next_response,
        count(*) filter (where is_recovered) as recovered,
        count(is_recovered) filter (where followup_status = 'followed_up')
            as followed_up_with_next_response,
        count(*) filter (where is_recovered and followup_status = 'followed_up')
            as followed_up_recovered,
        count(is_recovered) filter (where followup_status = 'not_followed_up')
            as not_followed_up_with_next_response,
        count(*) filter (where is_recovered and followup_status = 'not_followed_up')
            as not_followed_up_recovered
    from segmented
    group by all
),

rated as (
    select *, followed_up + not_followed_up as decided from counted
)

select
    cast(r.grain as varchar) as grain,
    cast(r.period_start as date) as period_start,
    cast(r.segment as varchar) as segment,
    cast({{ var('cx_followup_window_days') }} as integer) as followup_window_days,
    cast(r.dissatisfied_responses as bigint) as dissatisfied_responses,
    cast(r.followed_up as bigint) as followed_up,
    cast(r.not_followed_up as bigint) as not_followed_up,
    cast(r.pending as bigint) as pending,
    cast(r.followed_up::double / nullif(r.decided, 0) as double) as followup_rate,
    cast({{ wilson_low('r.followed_up', 'r.decided') }} as double) as followup_rate_ci_low,
    cast({{ wilson_high('r.followed_up', 'r.decided') }} as double) as followup_rate_ci_high,
    cast(r.followup_hours_median as double) as followup_hours_median,
    cast(r.with_next_response as bigint) as with_next_response,
    cast(r.recovered as bigint) as recovered,
    cast(r.recovered::double / nullif(r.with_next_response, 0) as double) as recovery_rate,
    cast({{ wilson_low('r.recovered', 'r.with_next_response') }} as double) as recovery_rate_ci_low,
    cast({{ wilson_high('r.recovered', 'r.with_next_response') }} as double)
        as recovery_rate_ci_high,
    cast(r.followed_up_recovered::double / nullif(r.followed_up_with_next_response, 0) as double)
        as recovery_rate_followed_up,
    cast(r.followed_up_with_next_response as bigint) as recovery_n_followed_up,
    cast(r.not_followed_up_recovered::double / nullif(r.not_followed_up_with_next_response, 0)
        as double) as recovery_rate_not_followed_up,
    cast(r.not_followed_up_with_next_response as bigint) as recovery_n_not_followed_up,
    cast(r.decided as bigint) as n,
    r.decided < {{ var('cx_low_sample_min_n') }} as low_sample,
    cast(r.pending::double / r.dissatisfied_responses as double) as pending_share,
    r.pending::double / r.dissatisfied_responses <= {{ var('cx_mature_max_open_share') }}
        as is_mature,
    cast('closed_loop_followup_and_recovery' as varchar) as formula_name,
    {{ coverage_columns('cov', 'r.grain', 'r.period_start') }}
from rated r
left join {{ coverage_of('surveys') }} cov
    on cov.grain = r.grain and cov.period_start = r.period_start
