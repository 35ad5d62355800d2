{#
  The incremental engine (docs/incremental.md): the deal-level models of the
  crediting chain keep their rows between runs and recompute only the deals a
  new landing load can change, the engine scope
  (int_engine_touched_opportunities, one row per deal to recompute). Every
  other model is rebuilt whole from them, so the payee-period arithmetic
  (year-to-date bases, tiers, true-ups, balances, retro adjustments) is the
  same as in a full build.

  A deal-level model starts with {{ spm.engine_incremental() }} and reads each
  of its deal-keyed inputs through engine_scope(ref(...)). Inputs that are not
  keyed by deal (payees, FX rates, plans) are read whole.
#}

{#
  The config of a deal-level model: incremental by deal, replaced scope by
  scope. On Spark a table rebuilt whole (the strategy deletes rows, which
  Parquet tables cannot: docs/scale_out.md).
#}
{% macro engine_incremental() -%}
    {{ config(
        materialized=('table' if target.type == 'spark' else 'incremental'),
        incremental_strategy='engine_scope',
        unique_key='opportunity_id',
        on_schema_change='fail',
    ) }}
    -- depends_on: {{ ref('int_engine_touched_opportunities') }}
{%- endmacro %}


{#
  `relation` in a full build; in an incremental build only its rows of the
  deals in the engine scope (a subquery, so it can be aliased like a table).
#}
{% macro engine_scope(relation, key='opportunity_id') -%}
    {%- if spm.engine_is_incremental() -%}
    (select * from {{ relation }} where {{ key }} in (select opportunity_id from {{ ref('int_engine_touched_opportunities') }}))
    {%- else -%}
    {{ relation }}
    {%- endif -%}
{%- endmacro %}


{# True in an incremental build of a deal-level model (its table exists, no --full-refresh). #}
{% macro engine_is_incremental() -%}
    {{ return(this is not none and is_incremental()) }}
{%- endmacro %}


{#
  A condition on `column` (a deal id): true in a full build; in an incremental
  build, true for the deals in the engine scope.
#}
{% macro engine_in_scope(column='opportunity_id') -%}
    {%- if spm.engine_is_incremental() -%}
    {{ column }} in (select opportunity_id from {{ ref('int_engine_touched_opportunities') }})
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}


{#
  The raw versions of a record that can move between deals (a line item, split
  or history row: every version names its deal): `relation` in a full build;
  in an incremental build every version of each record any version of which is
  on a deal in the scope, so the newest version of those records is ranked
  over all their versions. A model reading it keeps the newest versions whose
  deal is in the scope (engine_in_scope): a record that moved to a deal out of
  the scope has a new version, whose load put that deal in the scope too
  (int_engine_touched_opportunities).
#}
{% macro engine_scope_records(relation, record_key='Id', deal_key='OpportunityId') -%}
    {%- if spm.engine_is_incremental() -%}
    (select * from {{ relation }}
     where {{ record_key }} in (
        select {{ record_key }} from {{ relation }}
        where {{ deal_key }} in (select opportunity_id from {{ ref('int_engine_touched_opportunities') }})))
    {%- else -%}
    {{ relation }}
    {%- endif -%}
{%- endmacro %}


{#
  The incremental strategy `engine_scope`: the target's rows of the deals in
  the scope are deleted (all rows, when the scope says full_rebuild), and the
  rows of any other deal the model's new rows are of (a model may recompute
  more deals than the scope: int_line_items_priced also recomputes the deals
  whose list price changed), and the new rows inserted, in one transaction.
  Unlike delete+insert it also removes the rows of a deal that has none any
  more (lost, deleted, no longer creditable).
#}
{% macro get_incremental_engine_scope_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set scope = ref('int_engine_touched_opportunities') -%}
    delete from {{ target }}
    where (select coalesce(bool_or(full_rebuild), false) from {{ scope }})
        or opportunity_id in (select opportunity_id from {{ scope }})
        or opportunity_id in (select opportunity_id from {{ source }});
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{%- endmacro %}


{#
  A fingerprint of a relation's rows, whatever their order (md5 of the sorted
  rows as text), without the load clock column `_loaded_at`: configuration is
  re-read on every run, so only a change of its content counts.
#}
{% macro rows_fingerprint(relation) -%}
    {{ return(adapter.dispatch('rows_fingerprint', 'spm')(relation)) }}
{%- endmacro %}

{# Spark: each row as JSON text (to_json of a struct of its columns but _loaded_at). #}
{% macro spark__rows_fingerprint(relation) -%}
    {%- set columns = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) if column.name | lower != '_loaded_at' -%}
            {%- do columns.append(adapter.quote(column.name)) -%}
        {%- endfor -%}
    {%- endif -%}
    (select md5(coalesce({{ dbt.listagg('row_text', "'|'", 'order by row_text') }}, ''))
     from (select to_json(struct({{ columns | join(', ') if columns else 'null' }})) as row_text from {{ relation }}) as rows_as_text)
{%- endmacro %}

{% macro default__rows_fingerprint(relation) -%}
    (select md5(coalesce(string_agg(row_text, '|' order by row_text), ''))
     from (select cast(r as {{ dbt.type_string() }}) as row_text
           from (select columns(lambda c: c <> '_loaded_at') from {{ relation }}) as r) as rows_as_text)
{%- endmacro %}


{#
  The existing relation `name` of this schema, or none: the previous run's
  state, read without a ref (a ref to a downstream model would be a cycle).
#}
{% macro previous_relation(name) -%}
    {{ return(adapter.get_relation(database=this.database, schema=this.schema, identifier=name)) }}
{%- endmacro %}
