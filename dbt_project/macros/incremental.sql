{#- Incremental models recompute whole periods: every period starting on or after the date
    int_incremental_window gives for the source (the window start less the lookback, or the
    oldest date a record delivered in the window belongs to, moved back to a week and month
    start). Without a partition window (a hand-run `dbt build`) everything is recomputed.
    A model using this must declare `-- depends_on: {{ ref('int_incremental_window') }}`. -#}
{% macro recompute_since(source) -%}
    coalesce(
        (select recompute_from from {{ ref('int_incremental_window') }} where source = '{{ source }}'),
        date '0001-01-01')
{%- endmacro %}

{#- The keys of `relation` with a row delivered in this run's partition window (every key
    when the run has no window, so a hand-run build recomputes everything). Staging and the
    per-ticket models rebuild only these keys: a daily run's cost follows the day, not the
    history. `partition_column` is the landing date the rows carry. A model using this must
    declare `-- depends_on: {{ ref('int_incremental_window') }}`. -#}
{% macro keys_delivered_in_window(relation, key, source, partition_column) -%}
    select distinct {{ key }} from {{ relation }}
    where {{ partition_column }} between
        coalesce((select partition_start from {{ ref('int_incremental_window') }}
                  where source = '{{ source }}'), date '0001-01-01')
        and coalesce((select partition_end from {{ ref('int_incremental_window') }}
                      where source = '{{ source }}'), date '9999-12-31')
    union
    {#- Records a re-run of a day no longer delivers (a file removed, a profile corrected to
        other keys; written by the loader): their rows are deleted and not rebuilt. #}
    select {{ 'ticket_id' if key == 'ticket_id' else 'record_key' }}
    from audit.removed_records
    where source = '{{ source }}' and partition_date between
        coalesce((select partition_start from {{ ref('int_incremental_window') }}
                  where source = '{{ source }}'), date '0001-01-01')
        and coalesce((select partition_end from {{ ref('int_incremental_window') }}
                      where source = '{{ source }}'), date '9999-12-31')
{%- endmacro %}

{#- Pre-hook of the models incremental by key: delete the rows of every key this run rebuilds
    (see keys_delivered_in_window), so that a key which now yields no row (a review matching
    no theme any more, a ticket without an unresolved spell) does not keep its old rows; the
    model then appends what it computes for those keys. -#}
{% macro delete_keys_delivered_in_window(key, relation, source, partition_column) -%}
    {%- if is_incremental() -%}
    delete from {{ this }} where {{ key }} in (
        {{ keys_delivered_in_window(relation, key, source, partition_column) }})
    {%- endif -%}
{%- endmacro %}
