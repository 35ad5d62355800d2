-- The measure C and quota Q of every earning component (SPEC §5), per payee,
-- plan, component and period, on the component's basis:
--   period  : the month's credit and monthly quota;
--   quarter : quarter-to-date sums (reset at each quarter start);
--   ytd     : plan-year-to-date sums (reset at each plan-year start).
-- Grid: every month of every eligible segment of a usable plan assignment of
-- the payee (int_plan_assignment_segments: the job family may be paid under
-- the plan), within dim_period, so to-date sums also move in months without
-- credit.
-- A payee changing plan mid-month has a row under each plan: credits count
-- under the plan of their credit date (int_credits_assigned_to_plans), and the
-- quota of each plan's row is the plan's share of the month's quota by its
-- eligible days (int_quota_months_by_plan: full monthly quota x ramp x the
-- plan's eligible days / days in month), so the plans of a month share the
-- payee's monthly quota by days.
-- Measures: own_credit = fct_credit rows other than credit_type 'rollup';
-- rollup_credit = credit_type 'rollup'. Filters: opportunity_type restricts to
-- the listed deal Types; product_family by line-item share (see
-- int_earnings_qualifying_credits). product_amount = own credit of the
-- filtered product families; product_units = their line-item units (period_credit
-- then holds units: flat_rate pays rate x units, tiers compare units with a
-- quota that must be in units).
-- Components whose rule lacks its parameters (no rate, no tiers, no bonus
-- amount or threshold, no SPIF amount per deal) earn nothing and have no rows.
-- spif components count only deals whose credit date is inside the SPIF window.
-- Clawback policy commission_only: period_credit / credit_to_date are the
-- commission measure (without the clawed deals), booked_credit_to_date keeps
-- them as booked, and attainment_to_date = booked credit / quota: the clawed
-- deal still sets the band, the gate and the bonus threshold, and is not paid.
-- E.g. retroactive tiers, Q 10,000, booked 12,000 of which 6,000 lost inside the
-- window: attainment 1.2 (band x1.5), commission 0.1 x 1.5 x 6,000 = 900.
with

assignments as (

    select * from {{ spm.per_scenario(ref('int_plan_assignment_segments')) }}
    where is_eligible

),

periods as (

    select * from {{ ref('int_periods') }}

),

components as (

    select * from {{ ref('int_earnings_components') }}

),

quotas as (

    select * from {{ spm.per_scenario(ref('int_quota_months')) }}

),

plan_quotas as (

    select * from {{ spm.per_scenario(ref('int_quota_months_by_plan')) }}

),

payees as (

    select * from {{ spm.per_scenario(ref('int_payees')) }}

),

grid as (

    select distinct
        assignments.employee_id,
        assignments.plan_id,
        components.component_id,
        periods.period,
        periods.quarter,
        periods.plan_year
    from assignments
    inner join components
        on assignments.plan_id = components.plan_id
    inner join periods
        on periods.period_start <= assignments.segment_end_or_open
        and periods.period_end >= assignments.segment_start

),

qualifying_credits as (

    select * from {{ spm.per_scenario(ref('int_earnings_qualifying_credits'), deals=true) }}

),

credit_per_period as (

    select
        employee_id,
        plan_id,
        component_id,
        period,
        sum(credit_amount) as credit_amount,
        sum(booked_credit_amount) as booked_credit_amount,
        count(distinct case when credit_amount > 0 then opportunity_id end) as deal_count,
        sum(units) as units
    from qualifying_credits
    group by employee_id, plan_id, component_id, period

),

measured as (

    select
        grid.*,
        components.earning_code,
        components.rule_type,
        components.basis,
        coalesce(components.weight, 1) as component_weight,
        case components.basis
            when 'quarter' then grid.quarter
            when 'ytd' then 'Y' || cast(grid.plan_year as {{ dbt.type_string() }})
            else grid.period
        end as basis_window,
        payees.currency,
        payees.annual_target_incentive,
        quotas.annual_quota,
        {{ money('coalesce(plan_quotas.plan_quota, 0)') }} as period_quota,
        {{ money('coalesce(credit_per_period.credit_amount, 0)') }} as period_credit,
        {{ money('coalesce(credit_per_period.booked_credit_amount, 0)') }} as period_booked_credit,
        cast(coalesce(credit_per_period.deal_count, 0) as {{ dbt.type_int() }}) as deal_count,
        {{ money('coalesce(credit_per_period.units, 0)') }} as period_units
    from grid
    inner join components
        on grid.plan_id = components.plan_id
        and grid.component_id = components.component_id
    inner join payees
        on grid.employee_id = payees.employee_id
    left join quotas
        on grid.employee_id = quotas.employee_id
        and grid.period = quotas.period
    left join plan_quotas
        on grid.employee_id = plan_quotas.employee_id
        and grid.period = plan_quotas.period
        and grid.plan_id = plan_quotas.plan_id
    left join credit_per_period
        on grid.employee_id = credit_per_period.employee_id
        and grid.plan_id = credit_per_period.plan_id
        and grid.component_id = credit_per_period.component_id
        and grid.period = credit_per_period.period

),

final as (

    select
        ----------  ids
        employee_id,
        plan_id,
        component_id,
        period,
        quarter,
        plan_year,
        earning_code,
        rule_type,
        basis,
        basis_window,
        currency,

        ----------  amounts of the month
        period_credit,
        period_booked_credit,
        period_quota,
        deal_count,
        period_units,

        ----------  amounts to date on the basis
        {{ money('sum(period_credit) over (partition by employee_id, plan_id, component_id, basis_window order by period rows between unbounded preceding and current row)') }}
            as credit_to_date,
        {{ money('sum(period_booked_credit) over (partition by employee_id, plan_id, component_id, basis_window order by period rows between unbounded preceding and current row)') }}
            as booked_credit_to_date,
        {{ money('sum(period_quota) over (partition by employee_id, plan_id, component_id, basis_window order by period rows between unbounded preceding and current row)') }}
            as quota_to_date,
        cast(sum(deal_count) over (partition by employee_id, plan_id, component_id, basis_window order by period rows between unbounded preceding and current row) as {{ dbt.type_int() }})
            as deals_to_date,
        {{ money('sum(period_units) over (partition by employee_id, plan_id, component_id, basis_window order by period rows between unbounded preceding and current row)') }}
            as units_to_date,
        row_number() over (partition by employee_id, plan_id, component_id, basis_window order by period)
            as month_in_window,

        ----------  BCR inputs
        component_weight,
        annual_target_incentive,
        annual_quota

    from measured

),

with_ratios as (

    select
        final.*,
        -- BCR = weight (default 1) * annual TI / annual quota (before proration)
        {{ divide_money('component_weight * annual_target_incentive', 'annual_quota') }} as bcr,
        {{ divide_money('booked_credit_to_date', 'quota_to_date') }} as attainment_to_date
    from final

)

select * from with_ratios
