-- Each plan assignment, usable when its plan is defined and its payee is an
-- HR worker; otherwise quarantine_rule says why it is held back.
with

assignments as (

    select * from {{ ref('stg_config__plan_assignments') }}

),

plans as (

    select * from {{ ref('stg_config__plans') }}

),

workers as (

    select * from {{ ref('stg_workday__workers') }}

),

final as (

    select
        assignments.*,
        case
            when plans.plan_id is null then 'unknown_plan_id'
            when workers.employee_id is null then 'plan_assignment_without_hr_worker'
        end as quarantine_rule
    from assignments
    left join plans
        on assignments.plan_id = plans.plan_id
    left join workers
        on assignments.employee_id = workers.employee_id

)

select * from final
