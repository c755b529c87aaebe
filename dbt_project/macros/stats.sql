{#- Wilson score interval for a proportion at 95%. -#}
{% macro wilson_low(k, n) -%}
    case when {{ n }} > 0 then
        ((({{ k }})::double / {{ n }}) + 1.96^2 / (2 * {{ n }})
         - 1.96 * sqrt((({{ k }})::double / {{ n }}) * (1 - ({{ k }})::double / {{ n }}) / {{ n }}
                       + 1.96^2 / (4 * {{ n }}^2)))
        / (1 + 1.96^2 / {{ n }}) end
{%- endmacro %}

{% macro wilson_high(k, n) -%}
    case when {{ n }} > 0 then
        ((({{ k }})::double / {{ n }}) + 1.96^2 / (2 * {{ n }})
         + 1.96 * sqrt((({{ k }})::double / {{ n }}) * (1 - ({{ k }})::double / {{ n }}) / {{ n }}
                       + 1.96^2 / (4 * {{ n }}^2)))
        / (1 + 1.96^2 / {{ n }}) end
{%- endmacro %}

{#- Sample standard deviation from a count, a sum and a sum of squares (additive pieces). -#}
{% macro sd_from_sums(n, s, ss) -%}
    sqrt(greatest(({{ ss }}) - ({{ s }}) * ({{ s }}) / nullif({{ n }}, 0), 0) / nullif(({{ n }}) - 1, 0))
{%- endmacro %}

{#- Exact distribution functions. DuckDB has none, so the cx_* functions come from
    cx_pipeline/warehouse/sql_functions.py (scipy), registered on dbt's connections by the
    plugin in profiles.yml; these macros are the only callers. Each returns NULL where its
    arguments are NULL or the value is undefined. -#}

{#- Two-sided p-value of a standard normal statistic. -#}
{% macro normal_two_sided_p(z) -%}
    cx_z_two_sided_p(({{ z }})::double)
{%- endmacro %}

{#- Two-sided p-value of a Student t statistic on df (real, > 0) degrees of freedom. -#}
{% macro t_two_sided_p(t, df) -%}
    cx_t_two_sided_p(({{ t }})::double, ({{ df }})::double)
{%- endmacro %}

{#- The p-quantile of Student's t on df degrees of freedom (0.975: the 95% interval's). -#}
{% macro t_quantile(p, df) -%}
    cx_t_quantile(({{ p }})::double, ({{ df }})::double)
{%- endmacro %}

{#- Exact binomial test of k successes in n trials against the share p0 (two-sided). -#}
{% macro binomial_two_sided_p(k, n, p0) -%}
    cx_binomial_two_sided_p(({{ k }})::double, ({{ n }})::double, ({{ p0 }})::double)
{%- endmacro %}

{#- Fisher's exact test of k1 of n1 against k2 of n2 (two-sided). -#}
{% macro fisher_two_sided_p(k1, n1, k2, n2) -%}
    cx_fisher_two_sided_p(({{ k1 }})::double, ({{ n1 }})::double, ({{ k2 }})::double,
                          ({{ n2 }})::double)
{%- endmacro %}

{#- An interval bound clipped to the KPI's range [low, high]. DuckDB's least and greatest
    skip NULLs, so a missing bound is kept missing explicitly. -#}
{% macro clipped(bound, low, high) -%}
    case when {{ bound }} is not null then least(greatest({{ bound }}, {{ low }}), {{ high }}) end
{%- endmacro %}

{#- Half-width of a 95% Student t interval: the t quantile on df degrees of freedom times the
    standard error. 0 without spread, where df may be undefined (0 / 0); NULL when se is. -#}
{% macro t_half_width(se, df) -%}
    case when ({{ se }}) = 0 then 0.0 else {{ t_quantile('0.975', df) }} * ({{ se }}) end
{%- endmacro %}

{#- Welch-Satterthwaite degrees of freedom of a difference of two means, from each mean's
    squared standard error v = s^2 / n and its n. -#}
{% macro welch_df(v1, n1, v2, n2) -%}
    (({{ v1 }}) + ({{ v2 }})) ^ 2
    / nullif(({{ v1 }}) ^ 2 / nullif(({{ n1 }}) - 1, 0) + ({{ v2 }}) ^ 2 / nullif(({{ n2 }}) - 1, 0), 0)
{%- endmacro %}
