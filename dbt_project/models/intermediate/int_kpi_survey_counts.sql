{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key=['grain', 'period_start']) }}
-- Survey counts per period and slice: the additive pieces every survey KPI is computed from.
{%- set floor = incremental_floor() %}

with obs as (
    select * from {{ ref('int_survey_scores') }}
    {% if is_incremental() %} where submitted_date >= coalesce({{ floor }}, submitted_date) {% endif %}
),

periods as ({{ periods_and_slices('obs', 'submitted_date', ['channel', 'segment', 'product']) }})

select
    grain,
    period_start,
    slice_name,
    slice_value,
    count(*) as responses,
    count(nps_category) as nps_n,
    count(*) filter (where nps_category = 'promoter') as promoters,
    count(*) filter (where nps_category = 'passive') as passives,
    count(*) filter (where nps_category = 'detractor') as detractors,
    count(csat) as csat_n,
    count(*) filter (where csat_top2) as csat_top2,
    coalesce(sum(csat), 0) as csat_sum,
    coalesce(sum(csat * csat), 0) as csat_sum_sq
from periods
group by all
