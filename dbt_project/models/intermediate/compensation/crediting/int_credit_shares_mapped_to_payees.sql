-- Each credited CRM user mapped to their payee (SPEC §3.6:
-- User.EmployeeNumber = workers.employee_id). employee_id is null when the user
-- has no HR worker record; such shares are quarantined, not credited.
with

shares as (

    select * from {{ ref('int_opportunity_credit_shares') }}

),

users as (

    select * from {{ ref('stg_salesforce__users') }}

),

workers as (

    select * from {{ ref('stg_workday__workers') }}

),

final as (

    select
        shares.*,
        users.user_id is not null as credited_user_in_crm,  -- false: the user is not in User at all
        users.employee_number as credited_user_employee_number,
        workers.employee_id,
        workers.currency as payee_currency
    from shares
    left join users
        on shares.credited_user_id = users.user_id
    left join workers
        on users.employee_number = workers.employee_id

)

select * from final
