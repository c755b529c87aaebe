-- Survey counts per period and slice: the additive pieces every survey KPI is computed from
-- (counts, sums and sums of squares), so that weeks and months come from counts. A response
-- known only to its month counts in its month, not in any day or week.
{%- set since = recompute_since('surveys') %}

with obs as (
    select * from {{ ref('int_survey_scores') }}
    {% if is_incremental() %} where submitted_date >= {{ since }} {% endif %}
),

periods as ({{ periods_and_slices('obs', 'submitted_date', ['channel', 'segment', 'product'],
    'submitted_at_precision') }})

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
    coalesce(sum(csat * csat), 0) as csat_sum_sq,
    count(ces) as ces_n,
    coalesce(sum(ces), 0) as ces_sum,
    coalesce(sum(ces * ces), 0) as ces_sum_sq
from periods
-- A week or month starting before the recompute date would be rebuilt from part of its days.
{% if is_incremental() %} where period_start >= {{ since }} {% endif %}
group by all
