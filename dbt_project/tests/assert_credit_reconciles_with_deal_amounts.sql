-- Reconciliation (SPEC §3.3): for every creditable deal that nothing held back,
-- the credits in the deal currency add up to the won amount times its split
-- shares: Amount * (sum of split percentages) / 100, which is the Amount when
-- the deal has no splits (allowing each share's rounding at the 10th decimal).
-- A deal with invalid splits or no amount has no credit at all.
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
        -- a reduced amount after the clawback window: the original credit stands
        and creditable.opportunity_id not in (
            select opportunity_id from {{ ref('fct_credit') }} where credit_status = 'standing_after_window'
        )

)

select *
from compared
where
    (split_status = 'invalid' or deal_amount is null) and credit_count > 0
    or split_status <> 'invalid' and deal_amount is not null
        and abs(credited_amount - expected_amount) > 0.0000000001 * credit_count
