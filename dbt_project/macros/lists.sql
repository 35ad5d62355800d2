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

{# Spark: explode() of the array, in the select list as DuckDB's unnest(). #}
{% macro spark__unnest_list(column) -%}
    explode({{ column }})
{%- endmacro %}


{#
  The parts of a string between the occurrences of a one-character delimiter,
  as a list (array): `{{ unnest_list(string_to_list('plan_id', '+')) }}`.
#}
{% macro string_to_list(expression, delimiter) -%}
    {{ return(adapter.dispatch('string_to_list', 'spm')(expression, delimiter)) }}
{%- endmacro %}

{% macro default__string_to_list(expression, delimiter) -%}
    string_split({{ expression }}, '{{ delimiter }}')
{%- endmacro %}

{# Spark's split() takes a regular expression: the delimiter as a one-character class. #}
{% macro spark__string_to_list(expression, delimiter) -%}
    split({{ expression }}, '[{{ delimiter }}]')
{%- endmacro %}


{#
  dbt.listagg on Spark: dbt-spark's concatenates in no defined order; Spark 4
  has the SQL standard's listagg(...) within group (order by ...), dbt's default.
#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {{ return(dbt.default__listagg(measure, delimiter_text, order_by_clause, limit_num)) }}
{%- endmacro %}


{#
  dbt.generate_series on Spark: 1..upper_bound as BIGINT, as on DuckDB (dbt's
  default builds it from powers of 2, which Spark computes as DOUBLE).
#}
{% macro spark__generate_series(upper_bound) -%}
    select cast(generated_number as bigint) as generated_number
    from (select explode(sequence(1, {{ upper_bound }})) as generated_number) as series
{%- endmacro %}
