{#
  The payout ledger (assets/ledger) is a folder of Parquet files outside the
  warehouse, written by the publish job: nothing is there before the first
  publication, and DuckDB's read_parquet fails on a glob matching no file.
  ledger_relation(relation, file_glob, columns) selects the typed columns from
  the ledger source when its folder holds a file, else a typed empty relation,
  so every model reading the ledger builds on a fresh project.
  columns: list of [name, type] pairs.
#}
{% macro ledger_relation(relation, file_glob, columns) -%}
    {{ return(adapter.dispatch('ledger_relation', 'spm')(relation, file_glob, columns)) }}
{%- endmacro %}

{% macro default__ledger_relation(relation, file_glob, columns) -%}
    select
        {%- for column in columns %}
        cast({{ column[0] }} as {{ column[1] }}) as {{ column[0] }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
{%- endmacro %}

{% macro duckdb__ledger_relation(relation, file_glob, columns) -%}
    {%- set has_files = false -%}
    {%- if execute -%}
        {%- set found = run_query("select count(*) from glob('" ~ file_glob ~ "')") -%}
        {%- set has_files = found.columns[0].values()[0] > 0 -%}
    {%- endif -%}
    {%- if has_files -%}
    {{ spm.default__ledger_relation(relation, file_glob, columns) }}
    {%- else -%}
    select
        {%- for column in columns %}
        cast(null as {{ column[1] }}) as {{ column[0] }}{{ "," if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- endif -%}
{%- endmacro %}

{# The folder of one ledger table (assets/ledger/store.py LEDGER_TABLES). #}
{% macro ledger_glob(table) -%}
    {{ env_var('SPM_EXPORT_DIR', 'data/exports') }}/payouts/ledger/{{ table }}/*.parquet
{%- endmacro %}
