{#- A dissatisfied response (docs/methodology.md, "Customer health"): a detractor NPS (0-6),
    a CSAT of 1-2 or an overall satisfaction of 1-5; null when it holds none of the three. -#}
{% macro is_dissatisfied(nps='nps', csat='csat', overall='overall_satisfaction') -%}
    case when {{ nps }} is null and {{ csat }} is null and {{ overall }} is null then null
         else coalesce({{ nps }} <= 6, false) or coalesce({{ csat }} <= 2, false)
              or coalesce({{ overall }} <= 5, false)
    end
{%- endmacro %}

{#- Adjusted-Wald 95% bounds of an NPS (Rocks 2016; docs/methodology.md, "NPS") from its
    promoter and detractor counts of n answers, clipped to -100..100. `side` is -1 or 1. -#}
{% macro nps_adjusted_wald(promoters, detractors, n, side) -%}
    {%- set p = '((' ~ promoters ~ ') + 0.75) / ((' ~ n ~ ') + 3)' -%}
    {%- set d = '((' ~ detractors ~ ') + 0.75) / ((' ~ n ~ ') + 3)' -%}
    case when ({{ n }}) > 0 then least(greatest(
        100 * (({{ p }} - {{ d }}) + ({{ side }}) * 1.96
               * sqrt(({{ p }} + {{ d }} - ({{ p }} - {{ d }}) ^ 2) / (({{ n }}) + 3))),
        -100), 100) end
{%- endmacro %}
