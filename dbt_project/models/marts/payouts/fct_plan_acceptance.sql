-- Payees' acceptances of their plan documents (docs/payment_workflow.md, "Plan
-- documents and acceptance"): one row per payee, plan, plan year and accepted
-- document SHA-256, with the time of the acceptance. An acceptance counts only
-- while its SHA-256 is the current document's (plan_documents.json, written by
-- the plan_documents asset); publishing compares the two.
with

acceptances as (

    select * from {{ ref('stg_config__plan_acceptances') }}

),

final as (

    select
        ----------  ids
        employee_id,
        plan_id,
        plan_year,
        document_sha256,

        ----------  when
        accepted_at

    from acceptances

)

select * from final
