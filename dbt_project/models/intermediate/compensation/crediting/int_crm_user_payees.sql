-- The payee of each CRM user (SPEC §3.6: User.EmployeeNumber =
-- workers.employee_id). employee_id is null when the user's EmployeeNumber is
-- empty or names no HR worker; credit shares of such a user are quarantined
-- (int_credits_quarantined), not credited. The engine's credit shares
-- (int_credit_shares_mapped_to_payees) and the forecasts' pipeline shares
-- (fct_pipeline_credit_share) map users through it.
with

users as (

    select * from {{ ref('stg_salesforce__users') }}

),

workers as (

    select * from {{ ref('stg_workday__workers') }}

),

final as (

    select
        users.user_id,
        users.employee_number,
        workers.employee_id,
        workers.currency as payee_currency
    from users
    left join workers
        on users.employee_number = workers.employee_id

)

select * from final
