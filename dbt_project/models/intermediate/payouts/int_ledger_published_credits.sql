-- The deal credits each recorded publication saw (fct_credit per payee, credit
-- period and deal, for every credit period up to the published one): what the
-- ledger knew when it paid. Comparing them with today's fct_credit tells late
-- deals, corrected amounts and clawbacks apart (fct_payout_adjustment).
with

credits as (

    {{ ledger_relation('credits', [
        ['period', dbt.type_string()],
        ['version', dbt.type_int()],
        ['credit_period', dbt.type_string()],
        ['employee_id', dbt.type_string()],
        ['opportunity_id', dbt.type_string()],
        ['currency', dbt.type_string()],
        ['credit_amount', spm.type_money()],
    ]) }}

),

publications as (

    select * from {{ ref('int_ledger_publications') }}

),

final as (

    select
        credits.*,
        publications.publication_seq,
        publications.is_latest_version
    from credits
    inner join publications
        on credits.period = publications.period
        and credits.version = publications.version

)

select * from final
