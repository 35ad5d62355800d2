-- Every row held back from the numbers, with the rule it broke (SPEC §2):
-- stage 'ingest' for landing rows that broke the contract on their own,
-- 'warehouse' for records that break a rule across datasets.
-- A row is located by batch, file and row, never by the ingest clock (the raw
-- layer's _loaded_at): two runs on the same inputs give the same rows.
with

ingest as (

    select 'ingest' as stage, * from {{ ref('stg_ingest__quarantined_rows') }}

),

warehouse as (

    select 'warehouse' as stage, * from {{ ref('int_deals_quarantined') }}
    union all
    select 'warehouse' as stage, * from {{ ref('int_credits_quarantined') }}
    union all
    select 'warehouse' as stage, * from {{ ref('int_config_rows_quarantined') }}

),

unioned as (

    select * from ingest
    union all
    select * from warehouse

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            "stage", "'|'", "system", "'|'", "dataset", "'|'", "coalesce(batch, '')", "'|'",
            "coalesce(source_file, '')", "'|'", "coalesce(cast(source_row as " ~ dbt.type_string() ~ "), '')", "'|'",
            "rule", "'|'", "coalesce(column_name, '')", "'|'", "coalesce(value, '')"
        ])) }} as quarantine_id,
        stage,
        system,
        dataset,
        batch,
        source_file,
        source_row,
        rule,
        column_name,
        value,
        message,
        record_json
    from unioned

)

select * from final
