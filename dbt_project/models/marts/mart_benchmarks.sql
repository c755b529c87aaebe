-- The own brand against each competitor, the competitor median and the industry reference
-- (industry_benchmarks seed), per period and KPI, and each own KPI against the previous
-- period. Competitors are the other brands of the own brand's industry (brands seed); their
-- KPIs are the review KPIs (the brand slice of int_kpi_values), the only ones observable for
-- a competitor. Tests (two-sided, level var cx_significance_level): docs/methodology.md,
-- "Benchmarks and significance".
with kpis as (select * from {{ ref('int_kpi_values') }}),

brands as (
    select distinct brand, is_own_brand, industry from {{ ref('int_brands') }}
),

own_brands as (
    select string_agg(distinct brand, ', ' order by brand) as own_brand,
        min(industry) as industry
    from brands where is_own_brand
),

brand_kpis as (
    select k.*, b.brand, b.is_own_brand, b.industry
    from kpis k
    join brands b on k.slice_name = 'brand' and k.slice_value = b.brand
),

competitor_pairs as (
    select
        o.grain, o.period_start, o.kpi, o.brand as own_brand, o.industry,
        'competitor' as comparison, c.brand as benchmark, 'two_sample' as mode,
        o.estimate_kind, o.higher_is_better,
        o.value as own_value, o.numerator as own_k, o.denominator as own_d, o.n as own_n,
        o.std_error as own_se,
        c.value as benchmark_value, c.numerator as benchmark_k, c.denominator as benchmark_d,
        c.n as benchmark_n, c.std_error as benchmark_se, null::boolean as is_illustrative,
        o.days_observed as own_days, c.days_observed as benchmark_days,
        o.period_days, o.is_complete_period, o.is_mature,
        c.is_mature as benchmark_is_mature
    from brand_kpis o
    join brand_kpis c
        on c.grain = o.grain and c.period_start = o.period_start and c.kpi = o.kpi
        and c.industry = o.industry and not c.is_own_brand
    where o.is_own_brand
),

ranks as (
    -- Rank 1 is best; volumes (no direction) rank by size. Percentile: share of competitors
    -- the own brand beats, ties counting half.
    select
        grain, period_start, kpi, own_brand,
        1 + count(*) filter (where case when coalesce(higher_is_better, true)
                                        then benchmark_value > own_value
                                        else benchmark_value < own_value end) as rank_among_peers,
        count(*) + 1 as peers,
        100.0 * (count(*) filter (where case when coalesce(higher_is_better, true)
                                             then benchmark_value < own_value
                                             else benchmark_value > own_value end)
                 + 0.5 * count(*) filter (where benchmark_value = own_value)) / count(*)
            as percentile,
        quantile_cont(benchmark_value, 0.5) as competitor_median,
        count(*) as competitors
    from competitor_pairs
    group by all
),

median_pairs as (
    select
        p.grain, p.period_start, p.kpi, p.own_brand, p.industry,
        'competitor_median' as comparison, 'median of ' || r.competitors || ' competitors'
            as benchmark,
        'one_sample' as mode, p.estimate_kind, p.higher_is_better,
        p.own_value, p.own_k, p.own_d, p.own_n, p.own_se,
        r.competitor_median as benchmark_value, null::double as benchmark_k,
        null::double as benchmark_d, null::bigint as benchmark_n, null::double as benchmark_se,
        null::boolean as is_illustrative,
        p.own_days, p.own_days as benchmark_days,
        p.period_days, p.is_complete_period, p.is_mature,
        p.is_mature as benchmark_is_mature
    from (select distinct grain, period_start, kpi, own_brand, industry, estimate_kind,
                 higher_is_better, own_value, own_k, own_d, own_n, own_se, own_days,
                 period_days, is_complete_period, is_mature
          from competitor_pairs) p
    join ranks r using (grain, period_start, kpi, own_brand)
),

own_company as (
    -- The company's own KPIs: the 'all' slice (for review KPIs the own brand's reviews).
    select k.*, o.own_brand, o.industry from kpis k cross join own_brands o
    where k.slice_name = 'all'
),

industry_pairs as (
    select
        k.grain, k.period_start, k.kpi, k.own_brand, k.industry,
        'industry_reference' as comparison, 'industry reference: ' || b.source as benchmark,
        'one_sample' as mode, k.estimate_kind, k.higher_is_better,
        k.value as own_value, k.numerator as own_k, k.denominator as own_d, k.n as own_n,
        k.std_error as own_se,
        b.value as benchmark_value, null::double as benchmark_k, null::double as benchmark_d,
        null::bigint as benchmark_n, null::double as benchmark_se, b.is_illustrative,
        k.days_observed as own_days, k.days_observed as benchmark_days,
        k.period_days, k.is_complete_period, k.is_mature,
        -- A reference stands for a settled value: a mature period.
        case when k.is_mature is not null then true end as benchmark_is_mature
    from own_company k
    join {{ ref('industry_benchmarks') }} b on b.industry = k.industry and b.kpi = k.kpi
),

previous_pairs as (
    select
        k.grain, k.period_start, k.kpi, k.own_brand, k.industry,
        'previous_period' as comparison,
        'previous ' || k.grain || ' (' || p.period_start || ')' as benchmark,
        'two_sample' as mode, k.estimate_kind, k.higher_is_better,
        k.value as own_value, k.numerator as own_k, k.denominator as own_d, k.n as own_n,
        k.std_error as own_se,
        p.value as benchmark_value, p.numerator as benchmark_k, p.denominator as benchmark_d,
        p.n as benchmark_n, p.std_error as benchmark_se, null::boolean as is_illustrative,
        k.days_observed as own_days, p.days_observed as benchmark_days,
        k.period_days, k.is_complete_period, k.is_mature,
        p.is_complete_period as benchmark_is_complete_period, p.is_mature as benchmark_is_mature
    from own_company k
    join own_company p
        on p.grain = k.grain and p.kpi = k.kpi
        and p.period_start = {{ previous_period_start('k.grain', 'k.period_start') }}
),

pairs_all as (
    select * from competitor_pairs
    union all by name select * from median_pairs
    union all by name select * from industry_pairs
    union all by name select * from previous_pairs
),

-- Which pairs may be tested at all (docs/methodology.md, "Completeness and maturity"): an
-- incomplete period is never the latest of a previous-period comparison; an incomplete
-- previous one only when it observed 28 days or more (four of every weekday, as in any
-- month; fewer would compare another mix of weekdays), volumes per day observed; neither
-- side may be immature (its fast tickets are resolved, its slow ones still open); an own
-- ticket KPI is compared with the industry reference only when mature. Competitor pairs
-- share their period, days and maturity, so they stay comparable.
pairs as (
    select
        *,
        case
            when comparison = 'previous_period' and not is_complete_period
                then 'incomplete period: ' || own_days || ' of ' || period_days || ' days with data'
            when comparison = 'previous_period' and not benchmark_is_complete_period
                    and benchmark_days < 28
                then 'previous period incomplete: ' || benchmark_days || ' days with data'
            when comparison in ('previous_period', 'industry_reference') and not is_mature
                then 'immature period: tickets still open'
            when comparison = 'previous_period' and not benchmark_is_mature
                then 'previous period immature: tickets still open'
        end as edge_reason
    from pairs_all
),

-- The tests (docs/methodology.md, "Benchmarks and significance"): which pairs get none and
-- why, the test that fits the rest, its statistic and exact p-value, then Benjamini-Hochberg
-- q-values per family. A pair is either tested (test .. is_significant) or has a reason.
gated as (
    select
        * exclude (edge_reason),
        case
            when edge_reason is not null then edge_reason
            when estimate_kind = 'quantile' then 'quantile_not_tested'
            when estimate_kind = 'level' then 'level_not_tested'
            when own_n < {{ var('cx_low_sample_min_n') }}
                or benchmark_n < {{ var('cx_low_sample_min_n') }} then 'low_sample'
            when estimate_kind in ('mean', 'nps')
                and (coalesce(own_se, 0) = 0
                     or (mode = 'two_sample' and coalesce(benchmark_se, 0) = 0))
                then 'zero_variance'
            when estimate_kind = 'proportion' and mode = 'two_sample'
                and own_k + benchmark_k in (0, own_d + benchmark_d) then 'both_shares_0_or_100'
        end as no_test_reason,
        -- Cochran's rule: the normal approximation of a share needs an expected count of at
        -- least 5 in every cell under the null hypothesis; below it the test is exact.
        estimate_kind = 'proportion' and case
            when mode = 'two_sample' then least(own_d, benchmark_d)
                * least(own_k + benchmark_k, own_d + benchmark_d - own_k - benchmark_k)
                / (own_d + benchmark_d) < 5
            else own_d * least(benchmark_value, 1 - benchmark_value) < 5
        end as tiny_counts
    from pairs
),

tested as (
    select
        *,
        case when mode = 'two_sample' then case estimate_kind
                when 'proportion' then
                    case when tiny_counts then 'fisher_exact' else 'two_proportion_z' end
                when 'mean' then 'welch_t'
                when 'nps' then 'nps_difference_z'
                when 'count' then 'poisson_rate_z' end
            else case estimate_kind
                when 'proportion' then case when tiny_counts then 'one_sample_binomial_exact'
                                            else 'one_sample_proportion_z' end
                when 'mean' then 'one_sample_t'
                when 'nps' then 'one_sample_nps_z'
                when 'count' then 'poisson_count_vs_reference_z' end
        end as test_kind,
        case
            when mode = 'two_sample' and estimate_kind = 'proportion' then
                (own_value - benchmark_value) / nullif(sqrt(
                    ((own_k + benchmark_k) / (own_d + benchmark_d))
                    * (1 - (own_k + benchmark_k) / (own_d + benchmark_d))
                    * (1 / own_d + 1 / benchmark_d)), 0)
            when mode = 'two_sample' and estimate_kind in ('mean', 'nps') then
                (own_value - benchmark_value) / nullif(sqrt(own_se ^ 2 + benchmark_se ^ 2), 0)
            -- Counts as Poisson rates per day observed, so that a 31-day month compares with a
            -- 28-day one and a month with days missing compares fairly.
            when mode = 'two_sample' and estimate_kind = 'count' then
                (own_value / own_days - benchmark_value / benchmark_days)
                / nullif(sqrt(own_value / own_days ^ 2 + benchmark_value / benchmark_days ^ 2), 0)
            when estimate_kind = 'proportion' then
                (own_value - benchmark_value)
                / nullif(sqrt(benchmark_value * (1 - benchmark_value) / own_d), 0)
            when estimate_kind in ('mean', 'nps') then
                (own_value - benchmark_value) / nullif(own_se, 0)
            when estimate_kind = 'count' then
                (own_value - benchmark_value) / nullif(sqrt(benchmark_value), 0)
        end as z_or_t,
        -- Degrees of freedom of the t tests (Welch-Satterthwaite; n - 1 against a fixed value).
        case
            when estimate_kind <> 'mean' then null
            when mode = 'two_sample' then
                (own_se ^ 2 + benchmark_se ^ 2) ^ 2
                / nullif(own_se ^ 4 / nullif(own_n - 1, 0)
                         + benchmark_se ^ 4 / nullif(benchmark_n - 1, 0), 0)
            else own_n - 1
        end as degrees_of_freedom
    from gated
),

with_p as (
    select
        *,
        case
            when no_test_reason is not null then null
            when test_kind = 'fisher_exact' then
                {{ fisher_two_sided_p('own_k', 'own_d', 'benchmark_k', 'benchmark_d') }}
            when test_kind = 'one_sample_binomial_exact' then
                {{ binomial_two_sided_p('own_k', 'own_d', 'benchmark_value') }}
            when estimate_kind = 'mean' then {{ t_two_sided_p('z_or_t', 'degrees_of_freedom') }}
            else {{ normal_two_sided_p('z_or_t') }}
        end as p_value
    from tested
),

with_reason as (
    -- A statistic left undefined (a zero variance, e.g. a fixed reference of 0 for a count)
    -- is a pair without a test too.
    select
        * exclude (no_test_reason),
        coalesce(no_test_reason, case when p_value is null then 'zero_variance' end)
            as no_test_reason
    from with_p
),

ranked_p as (
    -- Family of a multiple-testing correction: the tests of one period, grain and kind of
    -- comparison (every KPI and benchmark of it), the set a reader scans at once.
    select
        *,
        count(p_value) over family as family_tests,
        row_number() over (family order by p_value nulls last, kpi, benchmark) as p_rank
    from with_reason
    window family as (partition by grain, period_start, own_brand, comparison)
),

adjusted as (
    -- Benjamini-Hochberg: q of the i-th smallest of m p-values = min over j >= i of m p(j) / j
    -- (least() skips NULLs, hence the case for untested rows).
    select
        *,
        case when p_value is not null then least(1, min(p_value * family_tests / p_rank) over (
            partition by grain, period_start, own_brand, comparison
            order by p_rank desc rows between unbounded preceding and current row)) end
            as q_value
    from ranked_p
)

select
    cast(w.grain as varchar) as grain,
    cast(w.period_start as date) as period_start,
    cast(w.kpi as varchar) as kpi,
    cast(w.own_brand as varchar) as own_brand,
    cast(w.industry as varchar) as industry,
    cast(w.comparison as varchar) as comparison,
    cast(w.benchmark as varchar) as benchmark,
    cast(w.own_value as double) as own_value,
    cast(w.own_n as bigint) as own_n,
    cast(w.benchmark_value as double) as benchmark_value,
    cast(w.benchmark_n as bigint) as benchmark_n,
    cast(w.own_value - w.benchmark_value as double) as difference,
    cast(w.higher_is_better as boolean) as higher_is_better,
    cast(case when w.higher_is_better then w.own_value > w.benchmark_value
              when not w.higher_is_better then w.own_value < w.benchmark_value end as boolean)
        as is_better,
    cast(case when w.no_test_reason is null then w.test_kind end as varchar) as test,
    cast(case when w.no_test_reason is null then w.z_or_t end as double) as statistic,
    cast(case when w.no_test_reason is null then w.degrees_of_freedom end as double)
        as degrees_of_freedom,
    cast(w.p_value as double) as p_value,
    cast(w.q_value as double) as q_value,
    cast(w.q_value < {{ var('cx_significance_level') }} as boolean) as is_significant,
    cast(w.no_test_reason as varchar) as no_test_reason,
    cast(case when w.comparison in ('competitor', 'competitor_median') then r.rank_among_peers end
         as integer) as rank_among_peers,
    cast(case when w.comparison in ('competitor', 'competitor_median') then r.peers end as integer)
        as peers,
    cast(case when w.comparison in ('competitor', 'competitor_median') then r.percentile end
         as double) as percentile,
    cast(coalesce(w.is_illustrative, false) as boolean) as is_illustrative,
    coalesce(w.own_n < {{ var('cx_low_sample_min_n') }}, false)
        or coalesce(w.benchmark_n < {{ var('cx_low_sample_min_n') }}, false) as low_sample,
    cast(w.own_days as integer) as days_observed,
    cast(w.period_days as integer) as period_days,
    cast(w.is_complete_period as boolean) as is_complete_period,
    cast(w.is_mature as boolean) as is_mature
from adjusted w
left join ranks r
    on r.grain = w.grain and r.period_start = w.period_start and r.kpi = w.kpi
    and r.own_brand = w.own_brand
