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

{#- Two-sided p-value of a standard normal statistic. DuckDB has no erf, so the normal tail
    uses Abramowitz & Stegun 26.2.17 (absolute error below 7.5e-8). -#}
{% macro two_sided_p(z) -%}
    (2 * exp(-0.5 * ({{ z }}) ^ 2) / sqrt(2 * pi()) * (
        0.319381530 * (1 / (1 + 0.2316419 * abs({{ z }})))
        - 0.356563782 * (1 / (1 + 0.2316419 * abs({{ z }}))) ^ 2
        + 1.781477937 * (1 / (1 + 0.2316419 * abs({{ z }}))) ^ 3
        - 1.821255978 * (1 / (1 + 0.2316419 * abs({{ z }}))) ^ 4
        + 1.330274429 * (1 / (1 + 0.2316419 * abs({{ z }}))) ^ 5))
{%- endmacro %}

{#- A Student t statistic with df degrees of freedom mapped to a standard normal value with
    about the same tail probability, z = t (1 - 1/(4 df)) / sqrt(1 + t^2 / (2 df)), so that
    two_sided_p serves t tests too: the two-sided p is within 0.01 of the t distribution's
    for df >= 5 and within 0.002 for df >= 10 (checked against scipy; smaller samples are
    flagged low_sample anyway). -#}
{% macro t_as_z(t, df) -%}
    (({{ t }}) * (1 - 1 / (4 * ({{ df }}))) / sqrt(1 + ({{ t }}) ^ 2 / (2 * ({{ df }}))))
{%- endmacro %}
