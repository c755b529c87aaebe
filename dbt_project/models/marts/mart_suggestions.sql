-- One row per customer suggestion, for triage: the redacted text, its language and themes,
-- who made it (hashed key, segment, VIP, latest NPS category and churn risk from
-- mart_customer_health), how many other suggestions of its period share its most frequent
-- theme, and the priority rule of docs/methodology.md, "suggestion_priority".
{%- set period = var('cx_suggestion_period') %}
with suggestions as (
    select
        s.response_id, s.survey_id, s.submitted_at, s.submitted_date, s.respondent_key,
        c.segment, s.channel, s.product, coalesce(lower(s.language), 'unknown') as language,
        s.suggestion, c.nps, c.nps_category,
        cast(date_trunc('{{ period }}', s.submitted_date) as date) as period_start
    from {{ ref('stg_survey_responses') }} s
    join {{ ref('int_survey_scores') }} c using (response_id)
    where s.suggestion is not null and trim(s.suggestion) <> ''
),

themes as (
    select t.response_id, s.period_start, t.theme
    from {{ ref('int_survey_text_themes') }} t
    join suggestions s using (response_id)
    where t.field = 'suggestion'
),

theme_counts as (
    select period_start, theme, count(*) as suggestions
    from themes group by all
),

per_suggestion as (
    select
        t.response_id,
        list(t.theme order by t.theme) as theme_list,
        -- The largest group of the period's suggestions it belongs to, itself left out.
        max(c.suggestions) - 1 as same_theme_suggestions
    from themes t
    join theme_counts c using (period_start, theme)
    group by t.response_id
),

scored as (
    select
        s.*,
        p.theme_list,
        coalesce(p.same_theme_suggestions, 0) as same_theme_suggestions,
        coalesce(h.is_vip, s.segment = 'vip') as is_vip,
        h.latest_nps_category,
        coalesce(h.churn_risk, false) as churn_risk,
        coalesce(h.latest_nps_category = 'detractor', false) as is_detractor,
        coalesce(p.same_theme_suggestions + 1 >= {{ var('cx_frequent_theme_min_suggestions') }},
                 false) as is_frequent_theme
    from suggestions s
    left join per_suggestion p using (response_id)
    left join {{ ref('mart_customer_health') }} h on h.customer_key = s.respondent_key
),

prioritised as (
    select
        *,
        3 * churn_risk::int + 2 * is_vip::int + is_detractor::int + is_frequent_theme::int
            as priority_score
    from scored
)

select
    cast(response_id as varchar) as response_id,
    cast(survey_id as varchar) as survey_id,
    submitted_at,
    submitted_date,
    cast(period_start as date) as period_start,
    cast(respondent_key as varchar) as customer_key,
    cast(segment as varchar) as segment,
    cast(is_vip as boolean) as is_vip,
    cast(channel as varchar) as channel,
    cast(product as varchar) as product,
    cast(language as varchar) as language,
    cast(suggestion as varchar) as suggestion,
    cast(coalesce(array_to_string(theme_list, ', '), '') as varchar) as themes,
    cast(coalesce(len(theme_list), 0) as integer) as theme_count,
    cast(same_theme_suggestions as bigint) as same_theme_suggestions,
    cast(is_frequent_theme as boolean) as is_frequent_theme,
    nps,
    cast(nps_category as varchar) as nps_category,
    cast(latest_nps_category as varchar) as latest_nps_category,
    cast(churn_risk as boolean) as churn_risk,
    cast(priority_score as integer) as priority_score,
    cast(case when priority_score >= 3 then 'high' when priority_score >= 1 then 'medium'
              else 'low' end as varchar) as priority,
    cast(nullif(concat_ws('; ',
        case when churn_risk then 'churn risk' end,
        case when is_vip then 'vip' end,
        case when is_detractor then 'latest nps detractor' end,
        case when is_frequent_theme then 'frequent theme ('
            || (same_theme_suggestions + 1) || ' suggestions)' end), '') as varchar)
        as priority_reason,
    -- Ties: more suggestions on the theme first, then the newest; the key keeps it stable.
    cast(row_number() over (
        order by priority_score desc, same_theme_suggestions desc, submitted_at desc, response_id
    ) as integer) as priority_rank,
    cast('suggestion_priority' as varchar) as formula_name
from prioritised
