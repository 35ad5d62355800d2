-- Earnings per payee, period, plan and plan component (SPEC §5). The amount is
-- the change of the rounded plan-year cumulative (int_earnings_periodized), so
-- the rounding telescopes; the unrounded change is exact_commission_amount.
-- The rules (flat rate, marginal and retroactive tiers, quarter/ytd true-ups,
-- gate, cap, quota bonus, SPIF per deal) are in intermediate/compensation/earnings:
-- int_earnings_measured -> int_earnings_to_date -> int_earnings_periodized.
-- A row exists for a month with qualifying credit or a non-zero earning (a
-- true-up can be negative). Credits with no plan are quarantined
-- (no_plan_assignment).
with

earnings as (

    select * from {{ ref('int_earnings_periodized') }}

),

final as (

    select
        ----------  ids
        employee_id,
        period,
        plan_id,
        component_id,
        earning_code,

        ----------  amounts
        currency,
        period_credit as credit_amount,
        rate,
        earnings_amount as commission_amount,
        exact_earnings_amount as exact_commission_amount,
        deal_count,

        ----------  how it was computed
        rule_type,
        basis,
        credit_to_date,
        quota_to_date,
        attainment_to_date,
        bcr,
        earned_to_date,
        uncapped_earnings,
        cap_amount

    from earnings
    where deal_count > 0
        or period_credit <> 0
        or earnings_amount <> 0

)

select * from final
