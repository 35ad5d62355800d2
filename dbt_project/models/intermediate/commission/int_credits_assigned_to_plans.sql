-- Each credit with the plan its payee was on at the credit date: the usable
-- assignment with an eligible segment (int_plan_assignment_segments: the
-- payee's job family on that day may be paid under the plan) with
-- segment_start <= credit_date <= segment_end (inclusive; open when null).
-- Should assignments overlap (a configuration error, tested), the one that
-- started last wins. plan_id is null when no eligible assignment covers the
-- date (reported as no_plan_assignment).
-- Every credit type is assigned: own credit (owner, split) feeds own_credit
-- components, a manager's roll-up credit feeds rollup_credit components
-- (int_earnings_qualifying_credits picks by credit_type). One row per
-- fct_credit row: deal x payee x credit_type x credited_from_employee_id.
with

credits as (

    select * from {{ ref('fct_credit') }}

),

assignments as (

    select * from {{ ref('int_plan_assignment_segments') }}
    where is_eligible

),

matched as (

    select
        credits.opportunity_id,
        credits.employee_id,
        assignments.plan_id,
        credits.credit_type,
        credits.credited_from_employee_id,
        row_number() over (
            partition by credits.opportunity_id, credits.employee_id, credits.credit_type,
                credits.credited_from_employee_id
            order by assignments.start_date desc
        ) as assignment_rank
    from credits
    inner join assignments
        on credits.employee_id = assignments.employee_id
        and assignments.segment_start <= credits.credit_date
        and credits.credit_date <= assignments.segment_end_or_open

),

final as (

    select
        credits.*,
        matched.plan_id
    from credits
    left join matched
        on credits.opportunity_id = matched.opportunity_id
        and credits.employee_id = matched.employee_id
        and credits.credit_type = matched.credit_type
        and credits.credited_from_employee_id = matched.credited_from_employee_id
        and matched.assignment_rank = 1

)

select * from final
