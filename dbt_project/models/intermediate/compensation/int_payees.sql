-- One row per HR worker (a potential payee), with the CRM user that maps to
-- them (User.EmployeeNumber = employee_id). When several CRM users carry one
-- employee number, crm_user_id is the active one, then the smallest id; all of
-- them still credit the worker.
with

workers as (

    select * from {{ ref('stg_workday__workers') }}

),

users as (

    select * from {{ ref('stg_salesforce__users') }}

),

users_ranked as (

    select
        employee_number,
        user_id,
        row_number() over (
            partition by employee_number
            order by case when is_active then 0 else 1 end, user_id
        ) as user_rank
    from users
    where employee_number is not null

),

final as (

    select
        ----------  ids
        workers.employee_id,
        users_ranked.user_id as crm_user_id,
        workers.manager_employee_id,

        ----------  person
        workers.full_name,
        workers.email,
        workers.country,

        ----------  employment
        workers.hire_date,
        workers.termination_date,
        workers.job_family,
        workers.job_title,
        workers.cost_center,

        ----------  pay
        workers.currency,
        workers.annual_target_incentive

    from workers
    left join users_ranked
        on workers.employee_id = users_ranked.employee_number
        and users_ranked.user_rank = 1

)

select * from final
