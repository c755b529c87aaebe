{#- Keyed hash of a personal identifier. The key comes from CX_PII_SALT so that ids cannot
    be recovered by hashing guesses; the demo default is not a secret. -#}
{% macro pii_hash(column) -%}
    case when {{ column }} is null then null
         else sha256('{{ env_var("CX_PII_SALT", "cx-warehouse-demo-salt-not-secret") }}' || {{ column }}) end
{%- endmacro %}

{#- E-mail addresses and phone numbers inside free text are replaced before staging. -#}
{% macro redact_pii(column) -%}
    regexp_replace(
        regexp_replace({{ column }}, '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}', '[email]', 'g'),
        '\+?\d[\d\s().-]{7,}\d', '[phone]', 'g')
{%- endmacro %}
