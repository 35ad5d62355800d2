{#
  The Spark engine (SPM_ENGINE=spark, docs/scale_out.md): what the project
  needs of a Spark warehouse that DuckDB gives by itself. Every model is the
  same SQL on both; where the dialects differ, a macro dispatches
  (adapter.dispatch: `spark__<macro>` beside the macro's other
  implementations). This file holds what only Spark needs:

  * the raw layer and the payout ledger as tables: DuckDB reads a source as
    read_parquet(...) (the sources' meta.external_location); Spark reads it
    from an external table over the same folder, created when the run starts
    (engine_setup) in the schema `spm_raw`, named <source>__<table>; source()
    resolves to that table on Spark;
  * money at 10 decimals: Spark narrows the scale of a DECIMAL product or
    quotient to 6 when its precision passes 38 unless
    spark.sql.decimalOperations.allowPrecisionLoss is false; the run refuses
    to start without it (profiles.yml sets it; a cluster must too);
  * NOT NULL contract constraints on Parquet tables, which Spark cannot alter:
    checked by a query after the table is built.
#}

{# The schema of the source tables on Spark. #}
{% macro spark_source_schema() -%}spm_raw{%- endmacro %}


{#
  source() on Spark: the external table engine_setup registers for it. The
  built-in source() is still called, so dbt records the lineage.
#}
{% macro source(source_name, table_name) %}
    {%- set relation = builtins.source(source_name, table_name) -%}
    {%- if target.type != 'spark' -%}
        {{ return(relation) }}
    {%- endif -%}
    {{ return(api.Relation.create(schema=spm.spark_source_schema(), identifier=spm.spark_source_identifier(source_name, table_name))) }}
{% endmacro %}

{# The name of a source's table on Spark, in spark_source_schema(): <source>__<table>. #}
{% macro spark_source_identifier(source_name, table_name) -%}
    {{ return(source_name ~ '__' ~ table_name) }}
{%- endmacro %}


{# on-run-start of every command: its work is done while it renders (no SQL left to run); nothing on DuckDB. #}
{% macro engine_setup() -%}
    {{ return(adapter.dispatch('engine_setup', 'spm')()) }}
{%- endmacro %}

{% macro default__engine_setup() -%}
{%- endmacro %}

{% macro spark__engine_setup() -%}
    {%- if execute -%}
        {%- set precision_loss = run_query('set spark.sql.decimalOperations.allowPrecisionLoss').columns[1].values()[0] -%}
        {%- if precision_loss | string | lower != 'false' -%}
            {{ exceptions.raise_compiler_error(
                "Spark would cut money to 6 decimals: set spark.sql.decimalOperations.allowPrecisionLoss=false"
                ~ " in the spark target's server_side_parameters (profiles.yml; docs/scale_out.md).") }}
        {%- endif -%}
        {%- for node in graph.sources.values() if node.source_name != 'ledger' -%}
            {%- do spm.spark_register_folder(node.source_name, node.name, spm.spark_source_folder(node)) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#
  The folder of a raw source: its external_location's glob without the file
  pattern (<raw>/crm/opportunity). Spark reads every Parquet file under it
  (recursiveFileLookup), merging the batches' schemas as union_by_name does.
#}
{% macro spark_source_folder(node) -%}
    {%- set location = node.meta.get('external_location', '') -%}
    {%- if "'" not in location -%}
        {{ exceptions.raise_compiler_error("source " ~ node.source_name ~ "." ~ node.name ~ " has no read_parquet external_location") }}
    {%- endif -%}
    {%- set glob = location.split("'")[1].replace('{name}', node.name) -%}
    {{ return(glob.split('/*')[0]) }}
{%- endmacro %}

{#
  (Re)registers a folder as the external table of a source (source() on Spark),
  creating the schema first: a command that skips the on-run-start hook (the
  ledger's relation is registered while a model renders) still finds it.
#}
{% macro spark_register_folder(source_name, table_name, folder, columns=none) -%}
    {%- set name = spm.spark_source_schema() ~ '.' ~ spm.spark_source_identifier(source_name, table_name) -%}
    {%- do run_query('create database if not exists ' ~ spm.spark_source_schema()) -%}
    {%- do run_query('drop table if exists ' ~ name) -%}
    {%- if columns is none -%}
        {%- do run_query("create table " ~ name ~ " using parquet options (path '" ~ folder
                         ~ "', recursiveFileLookup 'true', mergeSchema 'true')") -%}
    {%- else -%}
        {%- do run_query("create table " ~ name ~ " (" ~ columns ~ ") using parquet options (path '" ~ folder ~ "')") -%}
    {%- endif -%}
{%- endmacro %}


{#
  Contract constraints on Spark: NOT NULL, checked once the table is built
  (Spark alters only Delta tables). A table holding a null there is dropped and
  the model fails, naming the columns, as DuckDB refuses to build it.
#}
{% macro spark__persist_constraints(relation, model) %}
    {%- if not config.get('contract').enforced -%}
        {{ return('') }}
    {%- endif -%}
    {%- set not_null = [] -%}
    {%- for name, column in model.columns.items() -%}
        {%- for constraint in column.get('constraints', []) if constraint.get('type') == 'not_null' -%}
            {%- do not_null.append(name) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not not_null -%}
        {{ return('') }}
    {%- endif -%}
    {%- set counts -%}
        select
        {%- for name in not_null %}
            sum(case when {{ adapter.quote(name) }} is null then 1 else 0 end) as {{ adapter.quote(name) }}{{ ',' if not loop.last }}
        {%- endfor %}
        from {{ relation }}
    {%- endset -%}
    {%- set table = run_query(counts) -%}
    {%- set violated = [] -%}
    {%- for name in not_null -%}
        {%- set nulls = table.columns[loop.index0].values()[0] -%}
        {%- if nulls is not none and nulls > 0 -%}
            {%- do violated.append(name ~ ' (' ~ nulls ~ ' rows)') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if violated -%}
        {%- do run_query('drop table if exists ' ~ relation) -%}
        {{ exceptions.raise_compiler_error("NOT NULL constraint failed on " ~ relation ~ ": null in " ~ violated | join(', ')) }}
    {%- endif -%}
{% endmacro %}
