-- Pipeline coverage per payee with a quota in the as-of month, for the rest of
-- the quarter and of the plan year (SPEC §8). as_of_date = the newest CRM
-- Opportunity batch date (no clock is read); as_of_period its month.
--   open_pipeline      = Σ Amount of the payee's open deals (owner; IsClosed
--                        false) with CloseDate in the horizon (quarter or plan
--                        year of the as-of month, past-due dates inside it too),
--                        in the payee's currency at the as_of_date rates
--   weighted_pipeline  = Σ same amounts * Probability / 100
--   horizon_quota      = quota_quarter (quarter) or Σ monthly_quota of the plan
--                        year (plan_year), fct_quota
--   credit_to_date     = credit_qtd / credit_ytd of the as-of month (fct_attainment)
--   remaining_quota    = max(0, horizon_quota - credit_to_date)
--   pipeline_coverage  = open_pipeline / remaining_quota (null when nothing remains)
-- A deal without a rate for its or the payee's currency counts in open_deals only.
-- An open deal without Amount (legal in Salesforce, SPEC §2) counts in open_deals
-- and in open_deals_without_amount and adds nothing to the pipeline sums: its
-- value is unknown, not 0, so open_pipeline is then a lower bound.
with

as_of as (

    select
        max(source_batch_date) as as_of_date
    from {{ ref('stg_salesforce__opportunities') }}

),

periods as (

    select * from {{ ref('int_periods') }}

),

as_of_period as (

    select
        as_of.as_of_date,
        periods.period,
        periods.quarter,
        periods.plan_year
    from as_of
    inner join periods
        on periods.period_start <= as_of.as_of_date
        and as_of.as_of_date <= periods.period_end

),

horizons as (

    select
        as_of_period.as_of_date,
        as_of_period.period as as_of_period,
        as_of_period.plan_year,
        'quarter' as horizon,
        min(periods.period_start) as horizon_start,
        max(periods.period_end) as horizon_end
    from as_of_period
    inner join periods
        on periods.quarter = as_of_period.quarter
    group by as_of_period.as_of_date, as_of_period.period, as_of_period.plan_year
    union all
    select
        as_of_period.as_of_date,
        as_of_period.period as as_of_period,
        as_of_period.plan_year,
        'plan_year' as horizon,
        min(periods.period_start) as horizon_start,
        max(periods.period_end) as horizon_end
    from as_of_period
    inner join periods
        on periods.plan_year = as_of_period.plan_year
    group by as_of_period.as_of_date, as_of_period.period, as_of_period.plan_year

),

quotas as (

    select
        fct_quota.employee_id,
        fct_quota.plan_year,
        fct_quota.quota_quarter,
        sum(fct_quota.monthly_quota) over (partition by fct_quota.employee_id, fct_quota.plan_year) as quota_year,
        fct_quota.period,
        fct_quota.currency
    from {{ ref('int_quota_months') }} as fct_quota

),

attainment as (

    select * from {{ ref('int_attainment') }}

),

payee_horizons as (

    select
        horizons.*,
        quotas.employee_id,
        quotas.currency,
        case when horizons.horizon = 'quarter' then quotas.quota_quarter else quotas.quota_year end as horizon_quota,
        coalesce(
            case when horizons.horizon = 'quarter' then attainment.credit_qtd else attainment.credit_ytd end,
            0
        ) as credit_to_date
    from horizons
    inner join quotas
        on quotas.period = horizons.as_of_period
    left join attainment
        on quotas.employee_id = attainment.employee_id
        and attainment.period = horizons.as_of_period

),

open_deals as (

    select
        deals.opportunity_id,
        deals.owner_employee_id,
        deals.close_date,
        deals.amount,
        deals.probability,
        deals.deal_currency,
        workers.currency as payee_currency,
        as_of.as_of_date
    from {{ ref('int_planning_opportunities') }} as deals
    cross join as_of
    inner join {{ ref('stg_workday__workers') }} as workers
        on deals.owner_employee_id = workers.employee_id
    where not deals.is_closed

),

open_rates as (

    {{ with_fx_rates('open_deals', ['opportunity_id'], 'as_of_date') }}

),

open_converted as (

    select
        open_rates.*,
        {{ convert_money('open_rates.amount', 'open_rates.deal_currency', 'open_rates.payee_currency',
                         'open_rates.fx_rate_deal', 'open_rates.fx_rate_payee') }} as amount_payee_currency
    from open_rates

),

pipeline as (

    select
        payee_horizons.employee_id,
        payee_horizons.horizon,
        count(*) as open_deals,
        sum(case when open_converted.amount is null then 1 else 0 end) as open_deals_without_amount,
        sum(open_converted.amount_payee_currency) as open_pipeline,
        sum({{ divide_money('open_converted.amount_payee_currency * coalesce(open_converted.probability, 0)', '100') }})
            as weighted_pipeline
    from payee_horizons
    inner join open_converted
        on payee_horizons.employee_id = open_converted.owner_employee_id
        and open_converted.close_date >= payee_horizons.horizon_start
        and open_converted.close_date <= payee_horizons.horizon_end
    group by payee_horizons.employee_id, payee_horizons.horizon

),

final as (

    select
        cast(payee_horizons.employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(payee_horizons.as_of_date as date) as as_of_date,
        cast(payee_horizons.as_of_period as {{ dbt.type_string() }}) as as_of_period,
        cast(payee_horizons.plan_year as {{ dbt.type_int() }}) as plan_year,
        cast(payee_horizons.horizon as {{ dbt.type_string() }}) as horizon,
        cast(payee_horizons.horizon_start as date) as horizon_start,
        cast(payee_horizons.horizon_end as date) as horizon_end,
        cast(teams.team_manager_employee_id as {{ dbt.type_string() }}) as team_manager_employee_id,
        cast(coalesce(pipeline.open_deals, 0) as {{ dbt.type_bigint() }}) as open_deals,
        cast(coalesce(pipeline.open_deals_without_amount, 0) as {{ dbt.type_bigint() }}) as open_deals_without_amount,
        {{ money('coalesce(pipeline.open_pipeline, 0)') }} as open_pipeline,
        {{ money('coalesce(pipeline.weighted_pipeline, 0)') }} as weighted_pipeline,
        {{ money('payee_horizons.horizon_quota') }} as horizon_quota,
        {{ money('payee_horizons.credit_to_date') }} as credit_to_date,
        {{ money('case when payee_horizons.horizon_quota > payee_horizons.credit_to_date
            then payee_horizons.horizon_quota - payee_horizons.credit_to_date else 0 end') }} as remaining_quota,
        {{ divide_money('coalesce(pipeline.open_pipeline, 0)',
            'case when payee_horizons.horizon_quota > payee_horizons.credit_to_date
                then payee_horizons.horizon_quota - payee_horizons.credit_to_date else 0 end') }} as pipeline_coverage,
        cast(payee_horizons.currency as {{ dbt.type_string() }}) as currency
    from payee_horizons
    left join pipeline
        on payee_horizons.employee_id = pipeline.employee_id
        and payee_horizons.horizon = pipeline.horizon
    left join {{ ref('int_payee_period_teams') }} as teams
        on payee_horizons.employee_id = teams.employee_id
        and payee_horizons.as_of_period = teams.period

)

select * from final
