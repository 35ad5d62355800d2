-- Roll-up reconciliation (SPEC §3.4): every rollup row of fct_credit repeats an
-- own (owner or split) credit of credited_from_employee_id on the same deal:
-- the same amount in the deal currency, the same credit date, converted to the
-- manager's currency with the dated rates (amount * rate_manager / rate_deal,
-- one rounding at the 10th decimal, no conversion in the same currency).
-- Returns the rollup rows that do not.

-- Dagster shows this test as an asset check of fct_credit.
{{ config(meta={'dagster': {'ref': {'name': 'fct_credit'}}}) }}

with

credits as (

    select * from {{ ref('fct_credit') }}

),

rollups as (

    select * from credits
    where credit_type = 'rollup'

),

own as (

    select * from credits
    where credit_type in ('owner', 'split')

)

select
    rollups.opportunity_id,
    rollups.employee_id,
    rollups.credited_from_employee_id,
    rollups.credit_amount,
    own.credit_amount_deal_currency as source_amount_deal_currency
from rollups
left join own
    on rollups.opportunity_id = own.opportunity_id
    and rollups.credited_from_employee_id = own.employee_id
    and rollups.credit_status = own.credit_status
where own.opportunity_id is null
    or rollups.credit_amount_deal_currency <> own.credit_amount_deal_currency
    or rollups.credit_date <> own.credit_date
    or rollups.credit_amount <> case
        when rollups.deal_currency = rollups.payee_currency then rollups.credit_amount_deal_currency
        else {{ divide_money('rollups.credit_amount_deal_currency * rollups.fx_rate_payee', 'rollups.fx_rate_deal') }}
    end
