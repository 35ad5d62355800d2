-- The deal credits each recorded publication saw (fct_credit per payee, credit
-- period and deal, for every credit period up to the published one): what the
-- ledger knew when it paid. Comparing them with today's fct_credit tells late
-- deals, corrected amounts and clawbacks apart (fct_payout_adjustment).
with

credits as (

    select * from {{ ref('stg_ledger__published_credits') }}

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
