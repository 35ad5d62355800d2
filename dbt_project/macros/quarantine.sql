{#
  Warehouse quarantine rows have the columns of the ingest quarantine
  (assets/ingest/raw_layout.py QUARANTINE_SCHEMA): system, dataset, batch,
  source_file, source_row, rule, column_name, value, message, record_json.
  A row is located by batch, file and row, not by the ingest clock (the raw
  layer's _loaded_at): fct_quarantine is a pure function of the inputs.
#}

{# A JSON object text from a list of [key, sql expression] pairs. #}
{% macro json_record(pairs) -%}
    {{ return(adapter.dispatch('json_record', 'spm')(pairs)) }}
{%- endmacro %}

{% macro default__json_record(pairs) -%}
    cast(json_object(
        {%- for key, expression in pairs %}
        '{{ key }}', {{ expression }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro postgres__json_record(pairs) -%}
    cast(json_build_object(
        {%- for key, expression in pairs %}
        '{{ key }}', {{ expression }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{# Spark: to_json of a struct, keys in the order given and null values kept (as json_object's). #}
{% macro spark__json_record(pairs) -%}
    to_json(named_struct(
        {%- for key, expression in pairs %}
        '{{ key }}', {{ expression }}{{ ',' if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}

{# Cast the columns of a quarantine select to the shared types, in order. #}
{% macro quarantine_columns(system, dataset, batch, source_file, source_row, rule, column_name, value, message, record_json) -%}
        cast({{ system }} as {{ dbt.type_string() }}) as system,
        cast({{ dataset }} as {{ dbt.type_string() }}) as dataset,
        cast({{ batch }} as {{ dbt.type_string() }}) as batch,
        cast({{ source_file }} as {{ dbt.type_string() }}) as source_file,
        cast({{ source_row }} as {{ dbt.type_bigint() }}) as source_row,
        cast({{ rule }} as {{ dbt.type_string() }}) as rule,
        cast({{ column_name }} as {{ dbt.type_string() }}) as column_name,
        cast({{ value }} as {{ dbt.type_string() }}) as value,
        cast({{ message }} as {{ dbt.type_string() }}) as message,
        cast({{ record_json }} as {{ dbt.type_string() }}) as record_json
{%- endmacro %}

{# A quarantine message as the ingest writes it: '<file> row <n>: <text>'. #}
{% macro row_message(source_file, source_row, text) -%}
    {{ source_file }} || ' row ' || cast({{ source_row }} as {{ dbt.type_string() }}) || ': ' || {{ text }}
{%- endmacro %}
