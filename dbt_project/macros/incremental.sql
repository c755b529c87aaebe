{#- The run's partition window, [first day, last day] as 'YYYY-MM-DD' strings, or nones
    without one (a hand-run `dbt build` then recomputes everything). The pipeline passes it as
    environment variables (a changed var would make dbt re-parse the whole project); the vars
    remain for a hand-run `dbt build --vars ...`. Read only when executing: a value read at
    parse time is recorded, and a new window would then re-parse every file that read it. -#}
{% macro partition_window() -%}
    {%- if not execute -%}{{ return([none, none]) }}{%- endif -%}
    {%- set start = env_var('CX_PARTITION_START', '') or var('cx_partition_start') -%}
    {%- set end = env_var('CX_PARTITION_END', '') or var('cx_partition_end') or start -%}
    {{ return([start or none, end or none]) }}
{%- endmacro %}

{%- macro date_literal(day) -%}
    cast({{ "'" ~ day ~ "'" if day else 'null' }} as date)
{%- endmacro %}

{#- Incremental models recompute whole periods: every period starting on or after the date
    int_incremental_window gives for the source (the window start less the lookback, or the
    oldest date a record delivered in the window belongs to, moved back to a week and month
    start). Without a partition window (a hand-run `dbt build`) everything is recomputed.
    Call it outside `is_incremental()` (e.g. `set since = recompute_since(...)`), so that dbt
    sees the ref when it parses the model and orders the model after the window. -#}
{% macro recompute_since(source) -%}
    coalesce(
        (select recompute_from from {{ ref('int_incremental_window') }} where source = '{{ source }}'),
        date '0001-01-01')
{%- endmacro %}

{#- The keys of `relation` with a row delivered in this run's partition window (every key
    when the run has no window, so a hand-run build recomputes everything). Staging and the
    per-record models rebuild only these keys: a daily run's cost follows the day, not the
    history. `partition_column` is the landing date the rows carry. -#}
{% macro keys_delivered_in_window(relation, key, source, partition_column) -%}
    {%- set window = partition_window() -%}
    {%- set in_window -%}
        between coalesce({{ date_literal(window[0]) }}, date '0001-01-01')
        and coalesce({{ date_literal(window[1]) }}, date '9999-12-31')
    {%- endset -%}
    select distinct {{ key }} from {{ relation }}
    where {{ partition_column }} {{ in_window }}
    union
    {#- Records a re-run of a day no longer delivers (a file removed, a profile corrected to
        other keys; written by the loader): their rows are deleted and not rebuilt. #}
    select {{ 'ticket_id' if key == 'ticket_id' else 'record_key' }}
    from audit.removed_records
    where source = '{{ source }}' and partition_date {{ in_window }}
{%- endmacro %}
