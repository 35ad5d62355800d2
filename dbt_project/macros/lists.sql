{#
  One row per element of a list (array) column: `select key, {{ unnest_list('col') }} as item`.
  DuckDB and Postgres expand `unnest(list)` in the select list; an adapter
  without it gets its own `<adapter>__unnest_list` (e.g. Snowflake: lateral flatten).
#}
{% macro unnest_list(column) -%}
    {{ return(adapter.dispatch('unnest_list', 'spm')(column)) }}
{%- endmacro %}

{% macro default__unnest_list(column) -%}
    unnest({{ column }})
{%- endmacro %}
