{#- Kaplan-Meier median of a duration per group, with right-censored observations.
    `relation` has the group columns, `time` (the duration, or the time observed so far for a
    censored one) and `is_event` (true: the duration ended then; false: censored then).
    S(t) = product over event times t_j <= t of (1 - d_j / n_j): d_j durations ending at t_j,
    n_j observations with a time >= t_j (a censored time tied with an event time is at risk
    at it, the usual convention). The median is the smallest event time with S <= 1/2; when
    S equals 1/2 there (within 1e-9, the product's rounding), the midpoint between it and the
    next event time, so that without censoring it equals the ordinary median (linear
    interpolation); no row when S stays above 1/2, or equals it at the last event time (the
    median is not reached). Method: docs/methodology.md, "resolution_hours_median_km". -#}
{% macro km_median(relation, group_by, time, is_event) -%}
    {%- set keys = group_by | join(', ') %}
    with _steps as (
        select {{ keys }}, {{ time }} as _t,
            count(*) filter (where {{ is_event }}) as _d,
            count(*) as _leaving
        from {{ relation }}
        where {{ time }} is not null
        group by all
    ),
    _at_risk as (
        select *,
            sum(_leaving) over (partition by {{ keys }} order by _t desc
                                rows between unbounded preceding and current row) as _n
        from _steps
    ),
    _curve as (
        select {{ keys }}, _t,
            product(1 - _d::double / _n) over (partition by {{ keys }} order by _t
                rows between unbounded preceding and current row) as _s,
            lead(_t) over (partition by {{ keys }} order by _t) as _next_t
        from _at_risk
        where _d > 0
    ),
    _halfway as (
        select *, row_number() over (partition by {{ keys }} order by _t) as _rank
        from _curve
        where _s <= 0.5 + 1e-9
    )
    select {{ keys }},
        case when abs(_s - 0.5) <= 1e-9 then (_t + _next_t) / 2 else _t end as median
    from _halfway
    where _rank = 1 and not (abs(_s - 0.5) <= 1e-9 and _next_t is null)
{%- endmacro %}
