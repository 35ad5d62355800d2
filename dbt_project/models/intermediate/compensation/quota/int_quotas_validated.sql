-- Each configured quota with the payee it belongs to. A quota is usable when
-- its payee is an HR worker and it is in the payee's currency (credit is in
-- the payee's currency, so attainment compares like with like); otherwise
-- quarantine_rule says why it is held back.
with

quotas as (

    select * from {{ ref('stg_config__quotas') }}

),

workers as (

    select * from {{ ref('stg_workday__workers') }}

),

final as (

    select
        quotas.*,
        workers.currency as payee_currency,
        case
            when workers.employee_id is null then 'quota_without_hr_worker'
            when quotas.currency <> workers.currency then 'quota_currency_mismatch'
        end as quarantine_rule
    from quotas
    left join workers
        on quotas.employee_id = workers.employee_id

)

select * from final
