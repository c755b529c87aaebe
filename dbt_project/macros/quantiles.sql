{#- Exact continuous quantiles (DuckDB's quantile_cont) of `value` per group, computed by
    sorting. The quantile_cont aggregate keeps every value of every group in memory and cannot
    spill to disk: a year at scale 10 did not fit in 4 GiB. A window sort spills (it is about
    8 times slower than the aggregate on data that fits). The definition is quantile_cont's:
    h = (n - 1) * q, value = x[floor h] + (h - floor h) * (x[ceil h] - x[floor h]) over the
    group's non-null values x sorted ascending, 0-based; the result can differ from
    quantile_cont's in the last binary digit (DuckDB's own rounding order), about 1e-16
    relative. A group without any non-null value yields no row (join it with a left join:
    the quantile is then null).
    `quantiles` maps output column names to q. -#}
{% macro sorted_quantiles(relation, group_by, value, quantiles) -%}
    {%- set keys = group_by | join(', ') %}
    select {{ keys }}
        {%- for name, q in quantiles.items() %}
        {%- set h = '(_n - 1) * cast(' ~ q ~ ' as double)' %},
        max(_x) filter (where _rn = floor({{ h }}))
            + ({{ h }} - floor({{ h }}))
            * (max(_x) filter (where _rn = ceil({{ h }}))
               - max(_x) filter (where _rn = floor({{ h }}))) as {{ name }}
        {%- endfor %}
    from (
        select {{ keys }}, cast({{ value }} as double) as _x,
            row_number() over _w - 1 as _rn,
            count(*) over (_w rows between unbounded preceding and unbounded following) as _n
        from {{ relation }}
        where {{ value }} is not null
        window _w as (partition by {{ keys }} order by cast({{ value }} as double))
    )
    where
        {%- for q in quantiles.values() %}
        {%- set h = '(_n - 1) * cast(' ~ q ~ ' as double)' %}
        {% if not loop.first %}or {% endif %}_rn = floor({{ h }}) or _rn = ceil({{ h }})
        {%- endfor %}
    group by {{ keys }}, _n
{%- endmacro %}

{#- Join condition of two relations on the same group (null keys match null keys). -#}
{% macro same_group(left, right, group_by) -%}
    {%- for c in group_by %}{% if not loop.first %} and {% endif -%}
    {{ left }}.{{ c }} is not distinct from {{ right }}.{{ c }}
    {%- endfor %}
{%- endmacro %}
