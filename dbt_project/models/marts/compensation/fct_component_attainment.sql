-- Attainment on the measure each plan component pays on (SPEC §1, §5), per payee,
-- period, plan and component, for the period, the quarter to date and the plan
-- year to date: a manager's roll-up component on team (roll-up) credit, a
-- product component on its families' credit, a unit SPIF on units. The
-- component's own measure and quota (int_earnings_measured: the plan's share of
-- the month's quota), so the statement shows the attainment the component pays on,
-- not the payee's own-credit attainment of fct_attainment.
-- Attainment is booked credit / quota (as the engine's attainment_to_date: a
-- clawback under policy commission_only leaves the booked credit), null when the
-- quota is 0. A measure in units (product_units) has no money quota: its
-- attainment is null and units_* carry the count.
with

measured as (

    select * from {{ ref('int_earnings_measured') }}

),

components as (

    select * from {{ ref('stg_config__plan_components') }}

),

windows as (

    select
        measured.employee_id,
        measured.plan_id,
        measured.component_id,
        measured.period,
        measured.quarter,
        measured.plan_year,
        components.measure,
        measured.basis,
        measured.rule_type,
        measured.currency,
        measured.period_credit,
        measured.period_booked_credit,
        measured.period_quota,
        measured.period_units,
        measured.deal_count,
        {{ money('sum(measured.period_booked_credit) over (partition by measured.employee_id, measured.plan_id, measured.component_id, measured.quarter order by measured.period rows between unbounded preceding and current row)') }}
            as booked_credit_qtd,
        {{ money('sum(measured.period_quota) over (partition by measured.employee_id, measured.plan_id, measured.component_id, measured.quarter order by measured.period rows between unbounded preceding and current row)') }}
            as quota_qtd,
        {{ money('sum(measured.period_units) over (partition by measured.employee_id, measured.plan_id, measured.component_id, measured.quarter order by measured.period rows between unbounded preceding and current row)') }}
            as units_qtd,
        {{ money('sum(measured.period_booked_credit) over (partition by measured.employee_id, measured.plan_id, measured.component_id, measured.plan_year order by measured.period rows between unbounded preceding and current row)') }}
            as booked_credit_ytd,
        {{ money('sum(measured.period_quota) over (partition by measured.employee_id, measured.plan_id, measured.component_id, measured.plan_year order by measured.period rows between unbounded preceding and current row)') }}
            as quota_ytd,
        {{ money('sum(measured.period_units) over (partition by measured.employee_id, measured.plan_id, measured.component_id, measured.plan_year order by measured.period rows between unbounded preceding and current row)') }}
            as units_ytd,
        measured.annual_target_incentive,
        measured.annual_quota,
        measured.bcr
    from measured
    inner join components
        on measured.plan_id = components.plan_id
        and measured.component_id = components.component_id

),

final as (

    select
        ----------  ids
        employee_id,
        period,
        plan_id,
        component_id,
        quarter,
        plan_year,

        ----------  what is measured
        measure,
        basis,
        rule_type,
        currency,

        ----------  the period
        period_credit as credit_period,
        period_booked_credit as booked_credit_period,
        period_quota as quota_period,
        {{ divide_money('period_booked_credit', 'period_quota') }} as attainment_period,
        period_units as units_period,
        deal_count,

        ----------  quarter to date
        booked_credit_qtd as credit_qtd,
        quota_qtd,
        {{ divide_money('booked_credit_qtd', 'quota_qtd') }} as attainment_qtd,
        units_qtd,

        ----------  plan year to date
        booked_credit_ytd as credit_ytd,
        quota_ytd,
        {{ divide_money('booked_credit_ytd', 'quota_ytd') }} as attainment_ytd,
        units_ytd,

        ----------  plan summary
        annual_target_incentive,
        annual_quota,
        bcr

    from windows

)

select * from final
