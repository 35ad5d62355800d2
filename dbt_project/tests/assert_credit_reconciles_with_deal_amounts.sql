-- Reconciliation (SPEC §3.2, §3.3): for every creditable deal that nothing held
-- back, the credits in the deal currency add up to the won amount times its
-- split shares: Amount * (sum of split percentages) / 100, which is the Amount
-- when the deal has no splits (allowing each share's rounding at the 10th
-- decimal). After FX, per deal and payee currency, the credits add up to the
-- won amount times those payees' split shares converted with the dated rates of
-- the credit date: Amount * shares / 100 * rate_payee / rate_deal (allowing the
-- share's and the conversion's rounding of each row).
-- A deal with invalid splits, no amount or a negative amount has no credit at all.
-- Only owner and split credit count here (roll-up credit repeats them for the
-- managers: assert_rollup_credit_equals_source_credit_converted).
-- Returns the deals that do not reconcile.

-- Dagster shows this test as an asset check of fct_credit.
{{ config(meta={'dagster': {'ref': {'name': 'fct_credit'}}}) }}

with

creditable as (

    select * from {{ ref('int_opportunities_creditable') }}
    where credit_status = 'current'  -- a lost deal's last win is not a finding

),

held_back_shares as (

    select distinct opportunity_id
    from {{ ref('int_credit_shares_mapped_to_payees') }}
    where credit_status = 'current' and employee_id is null

    union

    select distinct opportunity_id
    from {{ ref('int_credits_converted') }}
    where credit_status = 'current' and credit_amount is null

),

credited as (

    select
        opportunity_id,
        count(*) as credit_count,
        sum(credit_amount_deal_currency) as credited_amount
    from {{ ref('fct_credit') }}
    where credit_type in ('owner', 'split')
        and credit_status = 'current'
    group by opportunity_id

),

credited_by_currency as (

    select
        opportunity_id,
        payee_currency,
        count(*) as credit_count,
        min(deal_amount) as deal_amount,
        sum(split_percentage) as split_percentage_total,
        min(fx_rate_deal) as fx_rate_deal,
        max(fx_rate_deal) as fx_rate_deal_max,
        min(fx_rate_payee) as fx_rate_payee,
        max(fx_rate_payee) as fx_rate_payee_max,
        sum(credit_amount) as credited_amount
    from {{ ref('fct_credit') }}
    where credit_type in ('owner', 'split')
        and credit_status = 'current'
    group by opportunity_id, payee_currency

),

compared as (

    select
        creditable.opportunity_id,
        creditable.split_status,
        creditable.deal_amount,
        case
            when creditable.split_status = 'none' then creditable.deal_amount
            else creditable.deal_amount * creditable.split_percentage_total / 100
        end as expected_amount,
        coalesce(credited.credited_amount, 0) as credited_amount,
        coalesce(credited.credit_count, 0) as credit_count
    from creditable
    left join credited
        on creditable.opportunity_id = credited.opportunity_id
    where creditable.opportunity_id not in (select opportunity_id from held_back_shares)
        -- a reduced amount after the clawback window (or inside it, under a
        -- commission-only clawback policy): the original credit stands
        and creditable.opportunity_id not in (
            select opportunity_id from {{ ref('fct_credit') }}
            where credit_status in ('standing_after_window', 'commission_clawed_back')
        )

),

compared_after_fx as (

    select
        credited_by_currency.*,
        {{ divide_money(money('deal_amount * split_percentage_total') ~ ' * fx_rate_payee', '100 * fx_rate_deal') }}
            as expected_amount,
        -- each row rounds its share (<= 0.5e-10, scaled by the rate ratio) and its conversion (<= 0.5e-10)
        credit_count * ({{ divide_money('fx_rate_payee', 'fx_rate_deal') }} + 1) * 0.0000000001 + 0.0000000001
            as tolerance
    from credited_by_currency
    where opportunity_id in (select opportunity_id from compared)

)

select
    opportunity_id,
    cast('deal_currency' as {{ dbt.type_string() }}) as failed_check,
    expected_amount,
    credited_amount
from compared
where
    (split_status = 'invalid' or deal_amount is null or deal_amount < 0) and credit_count > 0
    or split_status <> 'invalid' and deal_amount >= 0
        and abs(credited_amount - expected_amount) > 0.0000000001 * credit_count

union all

select
    opportunity_id,
    'after_fx:' || payee_currency as failed_check,
    expected_amount,
    credited_amount
from compared_after_fx
where fx_rate_deal <> fx_rate_deal_max
    or fx_rate_payee <> fx_rate_payee_max
    or abs(credited_amount - expected_amount) > tolerance
