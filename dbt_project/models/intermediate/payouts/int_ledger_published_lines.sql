-- The lines of every recorded publication: `amount` as paid (rounded to the
-- currency's minor unit), `exact_amount`, the unrounded amount the line was
-- rounded from, and the cost center the file put the line under. Lines whose
-- publication record does not exist (a crash between the files and the record)
-- are left out: the record is what makes them paid.
with

lines as (

    {{ ledger_relation('lines', [
        ['period', dbt.type_string()],
        ['version', dbt.type_int()],
        ['employee_id', dbt.type_string()],
        ['cost_center', dbt.type_string()],
        ['earning_code', dbt.type_string()],
        ['currency', dbt.type_string()],
        ['plan_id', dbt.type_string()],
        ['amount', spm.type_money()],
        ['exact_amount', spm.type_money()],
        ['reason', dbt.type_string()],
        ['deal_ids', dbt.type_string()],
    ]) }}

),

publications as (

    select * from {{ ref('int_ledger_publications') }}

),

final as (

    select
        lines.*,
        publications.publication_seq,
        publications.is_latest_version
    from lines
    inner join publications
        on lines.period = publications.period
        and lines.version = publications.version

)

select * from final
