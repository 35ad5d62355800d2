-- Every recorded publication of a pay period (docs/ledger.md): one row per
-- period and version, with the global publication sequence (the order the
-- publications happened in) and whether the version is the period's newest.
with

publications as (

    {{ ledger_relation('publications', [
        ['period', dbt.type_string()],
        ['version', dbt.type_int()],
        ['publication_seq', dbt.type_int()],
        ['calculation_id', dbt.type_string()],
        ['run_id', dbt.type_string()],
        ['pay_date', 'date'],
        ['content_sha256', dbt.type_string()],
        ['row_count', dbt.type_int()],
        ['directory', dbt.type_string()],
    ]) }}

),

final as (

    select
        *,
        row_number() over (partition by period order by version desc) = 1 as is_latest_version
    from publications

)

select * from final
