{#- Exact continuous quantiles (DuckDB's quantile_cont) of `value` per group, without holding
    the groups' values in memory. The quantile_cont aggregate keeps every value of every group
    in memory and cannot spill to disk: a year at scale 10 did not fit in 4 GiB. Sorting every
    group instead spills, but sorted 44 million rows per measure for minutes. So, in two
    passes of hash aggregates and joins (which spill):
    1. a histogram of each group's values over fine buckets (monotone in the value: about 1.6%
       wide relative to the value), and with it the bucket that holds each wanted rank;
    2. only the values in those buckets are sorted, a few percent of the rows.
    The definition is quantile_cont's: h = (n - 1) * q, value = x[floor h] + (h - floor h) *
    (x[ceil h] - x[floor h]) over the group's non-null values x sorted ascending, 0-based; the
    result can differ from quantile_cont's in the last binary digit (DuckDB's own rounding
    order), about 1e-16 relative. A group without any non-null value yields no row (join it
    with a left join: the quantile is then null). `quantiles` maps output column names to q. -#}
{% macro sorted_quantiles(relation, group_by, value, quantiles) -%}
    {%- set keys = group_by | join(', ') %}
    {%- set ranks = [] %}
    {%- for q in quantiles.values() %}
        {%- do ranks.append('floor((_n - 1) * cast(' ~ q ~ ' as double))') %}
        {%- do ranks.append('ceil((_n - 1) * cast(' ~ q ~ ' as double))') %}
    {%- endfor %}
    with _bucketed as (
        select {{ keys }}, cast({{ value }} as double) as _x,
            sign(cast({{ value }} as double))
                * floor(ln(1 + abs(cast({{ value }} as double))) * 64) as _b
        from {{ relation }}
        where {{ value }} is not null
    ),
    _histogram as (
        select {{ keys }}, _b, count(*) as _c from _bucketed group by all
    ),
    _cumulated as (
        select *,
            sum(_c) over (partition by {{ keys }} order by _b
                          rows between unbounded preceding and current row) - _c as _before,
            sum(_c) over (partition by {{ keys }}) as _n
        from _histogram
    ),
    _wanted as (
        select * from _cumulated
        where
        {%- for r in ranks %}
            {% if not loop.first %}or {% endif %}({{ r }} >= _before and {{ r }} < _before + _c)
        {%- endfor %}
    ),
    _candidates as (
        select w.*, b._x
        from _bucketed b
        join _wanted w on {{ same_group('b', 'w', group_by) }} and b._b = w._b
    ),
    _ordered as (
        select {{ keys }}, _n, _x,
            _before + row_number() over (partition by {{ keys }}, _b order by _x) - 1 as _rn
        from _candidates
    )
    select {{ keys }}
        {%- for name, q in quantiles.items() %}
        {%- set h = '(_n - 1) * cast(' ~ q ~ ' as double)' %},
        max(_x) filter (where _rn = floor({{ h }}))
            + ({{ h }} - floor({{ h }}))
            * (max(_x) filter (where _rn = ceil({{ h }}))
               - max(_x) filter (where _rn = floor({{ h }}))) as {{ name }}
        {%- endfor %}
    from _ordered
    group by {{ keys }}, _n
{%- endmacro %}

{#- Join condition of two relations on the same group (null keys match null keys). -#}
{% macro same_group(left, right, group_by) -%}
    {%- for c in group_by %}{% if not loop.first %} and {% endif -%}
    {{ left }}.{{ c }} is not distinct from {{ right }}.{{ c }}
    {%- endfor %}
{%- endmacro %}
