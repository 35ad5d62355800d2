-- fct_pipeline_credit_share (SPEC §3.3): a deal whose credited users all have
-- an HR worker credits its payees exactly one unit per unit of amount in all
-- (within the split tolerance), and the company the same; a deal with a user
-- without an HR worker credits less. Returns the deals that break it.

-- Dagster shows this test as an asset check of fct_pipeline_credit_share.
{{ config(meta={'dagster': {'ref': {'name': 'fct_pipeline_credit_share'}}}) }}

with

users_mapped as (

    select
        split_shares.opportunity_id,
        bool_and(user_payees.employee_id is not null) as all_users_have_hr
    from {{ ref('int_opportunity_split_shares') }} as split_shares
    left join {{ ref('int_crm_user_payees') }} as user_payees
        on split_shares.credited_user_id = user_payees.user_id
    where split_shares.deal_version = 'newest'
    group by split_shares.opportunity_id

),

totals as (

    select
        opportunity_id,
        sum(case when level = 'payee' then credit_share end) as payee_total,
        sum(case when level = 'company' then credit_share end) as company_total
    from {{ ref('fct_pipeline_credit_share') }}
    where level in ('payee', 'company')
    group by opportunity_id

)

select
    users_mapped.opportunity_id,
    users_mapped.all_users_have_hr,
    totals.payee_total,
    totals.company_total
from users_mapped
left join totals
    on users_mapped.opportunity_id = totals.opportunity_id
where totals.company_total is distinct from totals.payee_total
    or (users_mapped.all_users_have_hr
        and abs(coalesce(totals.payee_total, 0) - 1) > {{ var('split_total_tolerance') }} / 100)
    or (not users_mapped.all_users_have_hr and coalesce(totals.payee_total, 0) >= 1)
