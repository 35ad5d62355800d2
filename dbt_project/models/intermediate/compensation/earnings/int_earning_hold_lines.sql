-- What holds and releases (int_earning_holds, docs/payment_workflow.md) change
-- in a payee's month, as earnings lines of the balance roll and fct_payable:
--   the month a deal's earning is held, minus the held amount under the
--   component's earning code (the COMMISSION line pays what is not held);
--   the month a payment releases some of it, the released amount as a
--   COMMISSION_RELEASE line, under the plan that earned it.
-- Written-off and expired amounts are never paid: they stay out. Amounts are
-- in the currency's minor unit already (int_earning_holds rounds them).
with

holds as (

    select * from {{ ref('int_earning_holds') }}

),

lines as (

    select employee_id, period, earning_code, currency, plan_id, -earned_amount as amount
    from holds
    where earned_amount <> 0

    union all

    select employee_id, period, 'COMMISSION_RELEASE', currency, plan_id, released_amount
    from holds
    where released_amount <> 0

),

final as (

    select
        employee_id,
        period,
        earning_code,
        currency,
        plan_id,
        {{ money('sum(amount)') }} as amount
    from lines
    group by employee_id, period, earning_code, currency, plan_id

)

select * from final
