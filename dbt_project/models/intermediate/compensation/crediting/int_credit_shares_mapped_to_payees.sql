-- Each credited CRM user mapped to their payee (SPEC §3.6:
-- User.EmployeeNumber = workers.employee_id, int_crm_user_payees). employee_id
-- is null when the user has no HR worker record; such shares are quarantined,
-- not credited.
{{ spm.engine_incremental() }}
with

shares as (

    select * from {{ spm.engine_scope(ref('int_opportunity_credit_shares')) }}

),

user_payees as (

    select * from {{ ref('int_crm_user_payees') }}

),

final as (

    select
        shares.*,
        user_payees.user_id is not null as credited_user_in_crm,  -- false: the user is not in User at all
        user_payees.employee_number as credited_user_employee_number,
        user_payees.employee_id,
        user_payees.payee_currency
    from shares
    left join user_payees
        on shares.credited_user_id = user_payees.user_id

)

select * from final
