{#- Incremental strategy `rebuild_keys`, for the models incremental by record key (staging
    and the per-record intermediate models): this run's keys (rebuilt_keys) are deleted, then
    the rows the model computed for them are appended. Deleting by key, not by the rows
    computed, means a key that now yields no row (a review matching no theme any more, a
    ticket without an unresolved spell) does not keep its old rows. -#}
{% macro get_incremental_rebuild_keys_sql(arg_dict) -%}
    delete from {{ arg_dict['target_relation'] }}
    where {{ rebuild_config('rebuild_key') }} in ({{ rebuilt_keys() }});
    {{ get_incremental_append_sql(arg_dict) }}
{%- endmacro %}

{#- The keys this run rebuilds, as a subquery, from the model's meta (set per folder in
    dbt_project.yml, per model in its .yml): `rebuild_key` (the key column), `rebuild_keys_of`
    (the relation whose delivered rows name the keys: a model, or `raw.<table>` for a
    source; the model must depend on it), `rebuild_source` (surveys, tickets or reviews) and
    `delivered_column` (the landing date the relation's rows carry). The model's SQL selects
    only these keys in its `is_incremental()` branch; the strategy deletes the same.
    A model whose keys are not simply those delivered (mart_customer_health) names instead,
    in meta `rebuild_keys_macro`, the macro that selects them. -#}
{% macro rebuilt_keys() -%}
    {%- set keys_macro = (config.get('meta') or {}).get('rebuild_keys_macro') -%}
    {%- if keys_macro -%}
        {{ return(context[keys_macro]()) }}
    {%- endif -%}
    {%- set keys_of = rebuild_config('rebuild_keys_of') -%}
    {%- set relation = source(*keys_of.split('.')) if '.' in keys_of else ref(keys_of) -%}
    {{ keys_delivered_in_window(relation, rebuild_config('rebuild_key'),
        rebuild_config('rebuild_source'), rebuild_config('delivered_column')) }}
{%- endmacro %}

{% macro rebuild_config(name) -%}
    {%- set value = (config.get('meta') or {}).get(name) -%}
    {%- if not value -%}
        {{ exceptions.raise_compiler_error(
            "model " ~ model.name ~ ": meta `" ~ name ~ "` is not set (see macros/rebuild_keys.sql)") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
