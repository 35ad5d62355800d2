-- Each credit with the plan its payee was on at the credit date: the usable
-- assignment with start_date <= credit_date <= end_date (inclusive; open when
-- null). Should assignments overlap (a configuration error, tested), the one
-- that started last wins. plan_id is null when no assignment covers the date.
with

credits as (

    select * from {{ ref('fct_credit') }}
    -- Own credit only: roll-up rows (credit_type rollup) are a separate measure.
    where credit_type in ('owner', 'split')

),

assignments as (

    select * from {{ ref('int_plan_assignments_validated') }}
    where quarantine_rule is null

),

matched as (

    select
        credits.opportunity_id,
        credits.employee_id,
        assignments.plan_id,
        row_number() over (
            partition by credits.opportunity_id, credits.employee_id
            order by assignments.start_date desc
        ) as assignment_rank
    from credits
    inner join assignments
        on credits.employee_id = assignments.employee_id
        and assignments.start_date <= credits.credit_date
        and credits.credit_date <= coalesce(assignments.end_date, {{ open_end_date() }})

),

final as (

    select
        credits.*,
        matched.plan_id
    from credits
    left join matched
        on credits.opportunity_id = matched.opportunity_id
        and credits.employee_id = matched.employee_id
        and matched.assignment_rank = 1

)

select * from final
