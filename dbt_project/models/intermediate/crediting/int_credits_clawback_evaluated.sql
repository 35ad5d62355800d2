-- Clawback, crediting side (SPEC §5): each payee's credit of a deal that was
-- won and is no longer creditable (credit_status lost_after_win), computed at
-- the deal's last won version, with the clawback window of the plan the payee
-- was on at the credit date (usable assignment covering the CloseDate; the
-- later start wins; stg_config__plans.clawback_window_days):
--   reversed_in_window     change_date <= CloseDate + window days: the credit
--                          is reversed (listed in fct_clawback)
--   standing_after_window  the change came later: the original credit stands
--                          (fct_credit keeps it at the last won amount)
--   reversed_no_window     no plan or no window: the lost deal simply has no
--                          credit (and is not listed as a clawback)
with

credits as (

    select * from {{ ref('int_credits_converted') }}
    where credit_status = 'lost_after_win'
        and credit_amount is not null

),

assignments as (

    select * from {{ ref('int_plan_assignments_validated') }}
    where quarantine_rule is null

),

plans as (

    select * from {{ ref('stg_config__plans') }}

),

assigned as (

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

with_window as (

    select
        credits.*,
        assigned.plan_id,
        plans.clawback_window_days,
        cast({{ dbt.dateadd('day', 'plans.clawback_window_days', 'credits.credit_date') }} as date) as window_end_date
    from credits
    left join assigned
        on credits.opportunity_id = assigned.opportunity_id
        and credits.employee_id = assigned.employee_id
        and assigned.assignment_rank = 1
    left join plans
        on assigned.plan_id = plans.plan_id

),

final as (

    select
        *,
        case
            when clawback_window_days is null then 'reversed_no_window'
            when change_date <= window_end_date then 'reversed_in_window'
            else 'standing_after_window'
        end as clawback_status
    from with_window

)

select * from final
