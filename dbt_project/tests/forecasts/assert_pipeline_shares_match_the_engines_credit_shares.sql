-- One rule, two uses: for every deal the engine credits now (won, splits
-- valid or none, an amount), fct_pipeline_credit_share's payee shares are the
-- engine's (int_credit_shares_mapped_to_payees: split percentage / 100 per
-- payee). Returns the (deal, payee) pairs where they differ or one side is
-- missing.

-- Dagster shows this test as an asset check of fct_pipeline_credit_share.
{{ config(meta={'dagster': {'ref': {'name': 'fct_pipeline_credit_share'}}}) }}

with

credited_deals as (

    select opportunity_id
    from {{ ref('int_opportunities_creditable') }}
    where credit_status = 'current'
        and deal_amount >= 0

),

engine as (

    select
        opportunity_id,
        employee_id,
        {{ divide_money('sum(split_percentage)', '100') }} as credit_share
    from {{ ref('int_credit_shares_mapped_to_payees') }}
    where credit_status = 'current'
        and employee_id is not null
    group by opportunity_id, employee_id

),

forecast as (

    select opportunity_id, entity_id as employee_id, credit_share
    from {{ ref('fct_pipeline_credit_share') }}
    where level = 'payee'
        and opportunity_id in (select opportunity_id from credited_deals)

)

select
    coalesce(engine.opportunity_id, forecast.opportunity_id) as opportunity_id,
    coalesce(engine.employee_id, forecast.employee_id) as employee_id,
    engine.credit_share as engine_share,
    forecast.credit_share as forecast_share
from engine
full outer join forecast
    on engine.opportunity_id = forecast.opportunity_id
    and engine.employee_id = forecast.employee_id
where engine.credit_share is distinct from forecast.credit_share
