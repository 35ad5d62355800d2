{#
  Everything is built in the target schema (`main`): the project sets no custom
  schemas. Should a model set one, use it literally (no `<target>_<custom>`
  prefixing), so names stay predictable for the Python readers of the warehouse.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
