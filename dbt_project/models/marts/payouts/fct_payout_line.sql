-- Everything a pay period's payout file pays, before rounding (SPEC §6): the
-- period's calculated lines (fct_payable: earnings, draws, balance movements)
-- and the retro ADJUSTMENT / CLAWBACK lines against what earlier periods
-- published (fct_payout_adjustment). The payout extract and the publish job
-- read this model; it groups per payee, earning code and currency and rounds
-- each line once.
with

payable as (

    select * from {{ ref('fct_payable') }}

),

adjustments as (

    select * from {{ ref('fct_payout_adjustment') }}

),

final as (

    select
        employee_id,
        period,
        earning_code,
        currency,
        plan_id,
        payable_amount as amount,
        cast(null as {{ dbt.type_string() }}) as reason,
        cast(null as {{ dbt.type_string() }}) as deal_ids,
        'calculated' as line_type
    from payable

    union all

    select
        employee_id,
        period,
        earning_code,
        currency,
        plan_id,
        amount,
        reason,
        deal_ids,
        'adjustment' as line_type
    from adjustments

)

select * from final
