-- Attainment on the measure each payee's plan pays on (issue #16, docs/insights.md):
-- int_attainment's quota (period, quarter to date, plan year to date), against the credit
-- the plan measures: own credit (owner and split credit, int_attainment's), or team
-- credit (credit_type 'rollup': the deals of everyone below the manager) when the plan's
-- roll-up components carry more of its weight than its own-credit ones.
--   measure  per payee and month: among the payee's components of the month
--            (int_earnings_measured, every plan of the month) measured on own_credit or
--            rollup_credit, the measure with the larger total weight (default weight 1);
--            a tie, or no such component (no plan, a units-only plan), is own_credit.
-- To-date credit sums each month's credit on that month's measure (a payee promoted to
-- manager mid-year counts own credit before, team credit after), as int_attainment sums
-- own credit. The insight marts (fct_payee_attainment_flag, fct_attainment_distribution)
-- read this, so a manager is flagged on team attainment, not on the own credit a
-- manager rarely has.
with

attainment as (

    select * from {{ ref('int_attainment') }}

),

measured as (

    select * from {{ ref('int_earnings_measured') }}

),

components as (

    select * from {{ ref('int_earnings_components') }}
    where measure in ('own_credit', 'rollup_credit')

),

measure_weights as (

    select
        measured.employee_id,
        measured.period,
        components.measure,
        sum(measured.component_weight) as measure_weight
    from measured
    inner join components
        on measured.plan_id = components.plan_id
        and measured.component_id = components.component_id
    group by measured.employee_id, measured.period, components.measure

),

plan_measures as (

    select
        employee_id,
        period,
        measure,
        row_number() over (
            partition by employee_id, period
            order by measure_weight desc, case when measure = 'own_credit' then 0 else 1 end
        ) as measure_rank
    from measure_weights

),

team_credit as (

    select
        employee_id,
        period,
        sum(credit_amount) as credit_amount
    from {{ ref('int_credits') }}
    where credit_type = 'rollup'
    group by employee_id, period

),

per_period as (

    select
        attainment.employee_id,
        attainment.period,
        attainment.plan_year,
        attainment.quarter,
        attainment.currency,
        coalesce(plan_measures.measure, 'own_credit') as measure,
        case
            when plan_measures.measure = 'rollup_credit' then {{ money('coalesce(team_credit.credit_amount, 0)') }}
            else attainment.credit_period
        end as credit_period,
        attainment.quota_period,
        attainment.quota_qtd,
        attainment.quota_ytd
    from attainment
    left join plan_measures
        on attainment.employee_id = plan_measures.employee_id
        and attainment.period = plan_measures.period
        and plan_measures.measure_rank = 1
    left join team_credit
        on attainment.employee_id = team_credit.employee_id
        and attainment.period = team_credit.period

)

{{ attainment_to_date('per_period', ['measure']) }}
