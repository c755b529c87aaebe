{#- dbt's own noop_statement, except that a seed's SQL is not written to target/run.

dbt writes a node's runtime SQL to target/run/<project>/<the node's file path>; a seed's
file path is absolute when its folder is (the effective reference folder under the data
directory), and the join then resolves to the seed's CSV itself: each build replaced the
reference files with the SQL that had loaded them, and the next run wrote them again and
parsed the project again (github.com/dbt-labs/dbt-core/issues/7373 and 10886). -#}
{% macro noop_statement(name=None, message=None, code=None, rows_affected=None, res=None) -%}
  {%- set sql = caller() -%}

  {%- if name == 'main' and model.resource_type != 'seed' -%}
    {{ log('Writing runtime SQL for node "{}"'.format(model['unique_id'])) }}
    {{ write(sql) }}
  {%- endif -%}

  {%- if name is not none -%}
    {{ store_raw_result(name, message=message, code=code, rows_affected=rows_affected, agate_table=res) }}
  {%- endif -%}

{%- endmacro %}
