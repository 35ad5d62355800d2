-- Each credit with the plan its payee was on at the credit date: the plan
-- paying that day (int_payee_days.plan_id, the rule quota and planning read
-- too): the usable assignment with an eligible segment
-- (int_plan_assignment_segments: the payee's job family on that day may be
-- paid under the plan) with segment_start <= credit_date <= segment_end
-- (inclusive; open when null). Should assignments overlap (a configuration
-- error, tested), the one that started last wins. plan_id is null when no
-- eligible assignment covers the date (reported as no_plan_assignment).
-- Every credit type is assigned: own credit (owner, split) feeds own_credit
-- components, a manager's roll-up credit feeds rollup_credit components
-- (int_earnings_qualifying_credits picks by credit_type). One row per
-- fct_credit row: deal x payee x credit_type x credited_from_employee_id.
{{ spm.engine_incremental() }}
with

credits as (

    select * from {{ spm.engine_scope(ref('int_credits')) }}

),

days as (

    select * from {{ ref('int_payee_days') }}

),

final as (

    select
        credits.*,
        days.plan_id
    from credits
    left join days
        on credits.employee_id = days.employee_id
        and credits.credit_date = days.day

)

select * from final
