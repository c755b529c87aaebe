{#- A test's `where` config is rendered when dbt parses the .yml, where neither ref() nor
    macros exist (dbt's documented workaround: placeholders replaced here, as the test runs):
    - `__partition_start__`: the first day of this run's partition window (0001-01-01
      without one), so a test looks only at the rows the run rewrote;
    - `ref('<model>')`: that model's relation (read for a filter only, so it needs no
      dependency of its own: the tested model already runs after it). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if not where -%}{{ return(relation) }}{%- endif -%}
    {%- if execute and '__partition_start__' in where -%}
        {%- set start = "coalesce(" ~ date_literal(partition_window()[0]) ~ ", date '0001-01-01')" -%}
        {%- set where = where | replace('__partition_start__', start) -%}
    {%- endif -%}
    {%- set resolved = namespace(where=where) -%}
    {%- if execute and "ref('" in where -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
            {%- set named = api.Relation.create(
                database=node.database, schema=node.schema, identifier=node.alias) -%}
            {%- set resolved.where = resolved.where
                | replace("ref('" ~ node.name ~ "')", named | string) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('(select * from ' ~ relation ~ ' where ' ~ resolved.where ~ ') dbt_subquery') }}
{%- endmacro %}
