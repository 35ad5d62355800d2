{#
  The payout ledger (assets/payouts, docs/ledger.md) is a folder of Parquet
  files outside the warehouse (SPM_EXPORT_DIR/payouts/ledger/<table>/), written
  by the publish job: the warehouse is rebuilt on every run, a publication is
  forever. It is the declared source `ledger` (models/staging/ledger/), read by
  the ledger's staging models only.

  ledger_relation(table, columns) selects the typed columns from the source
  table when its folder holds a file, else a typed empty relation (DuckDB's
  read_parquet fails on a glob that matches nothing), so every model reading
  the ledger builds on a fresh project. columns: list of [name, type] pairs.
  The staging models are views: on Spark, the table is registered when the
  view is built (spark__ledger_relation), the view reads it when queried.
#}
{% macro ledger_glob(table) -%}
    {#- the source's own files (its meta.files), read when the node runs -#}
    {%- if execute -%}
        {{ graph.sources['source.spm.ledger.' ~ table].meta.files }}
    {%- endif -%}
{%- endmacro %}

{% macro ledger_relation(table, columns) -%}
    {{ return(adapter.dispatch('ledger_relation', 'spm')(table, columns)) }}
{%- endmacro %}

{% macro duckdb__ledger_relation(table, columns) -%}
    {%- set relation = source('ledger', table) -%}
    {%- set file_glob = spm.ledger_glob(table) -%}
    {%- set has_files = false -%}
    {%- if execute -%}
        {%- set found = run_query("select count(*) from glob('" ~ file_glob ~ "')") -%}
        {%- set has_files = found.columns[0].values()[0] > 0 -%}
    {%- endif -%}
    select
        {%- for column in columns %}
        cast({{ column[0] if has_files else 'null' }} as {{ column[1] }}) as {{ column[0] }}{{ "," if not loop.last }}
        {%- endfor %}
    {%- if has_files %}
    from {{ relation }}
    {%- else %}
    where 1 = 0
    {%- endif -%}
{%- endmacro %}

{#
  Spark: the table's folder as an external table with the columns' types
  (integers as bigint, as the ledger writes them), read whatever files it holds:
  empty while the folder is missing or empty.
#}
{% macro spark__ledger_relation(table, columns) -%}
    {%- if execute -%}
        {%- set folder = spm.ledger_glob(table).strip().rsplit('/', 1)[0] -%}
        {%- set file_columns = [] -%}
        {%- for column in columns -%}
            {%- do file_columns.append(column[0] ~ ' ' ~ ('bigint' if column[1] | lower in ('int', 'integer') else column[1])) -%}
        {%- endfor -%}
        {%- do spm.spark_register_folder('ledger', table, folder, file_columns | join(', ')) -%}
    {%- endif -%}
    select
        {%- for column in columns %}
        cast({{ column[0] }} as {{ column[1] }}) as {{ column[0] }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ source('ledger', table) }}
{%- endmacro %}
