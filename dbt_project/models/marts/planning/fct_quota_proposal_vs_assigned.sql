-- Proposed against assigned quota per plan year (with a company target) and
-- payee: every payee with a proposal or an assigned quota in the year.
--   proposed_quota               Σ fct_quota_proposal.proposed_quota (target currency)
--   proposed_quota_payee_currency  proposed_quota * rate_payee / rate_target, rates of
--                                the plan year's first day (convert_money / fx_rate_or_one:
--                                same currency unchanged, the corporate currency 1 without
--                                a CRM row, any other missing rate null)
--   proposed_full_year_quota     proposed_quota_payee_currency * 12 / capacity_months,
--                                comparable with assigned_annual_quota
--   assigned_annual_quota        fct_quota.annual_quota (quotas.csv, before ramp/proration)
--   assigned_quota               Σ fct_quota.monthly_quota of the year (after ramp and
--                                proration), comparable with proposed_quota_payee_currency
--   quota_difference             assigned_quota - proposed_quota_payee_currency
--   assigned_to_proposed_ratio   assigned_quota / proposed_quota_payee_currency
with

years as (

    select * from {{ ref('int_planning_years') }}

),

proposals as (

    select
        plan_year,
        employee_id,
        count(*) as territories,
        sum(capacity_months) as capacity_months,
        sum(proposed_quota) as proposed_quota
    from {{ ref('fct_quota_proposal') }}
    group by plan_year, employee_id

),

primary_territory as (

    select
        plan_year,
        employee_id,
        territory_id,
        row_number() over (
            partition by plan_year, employee_id order by capacity_months desc, territory_id
        ) as territory_rank
    from {{ ref('fct_quota_proposal') }}

),

assigned as (

    select
        fct_quota.plan_year,
        fct_quota.employee_id,
        max(fct_quota.annual_quota) as assigned_annual_quota,
        sum(fct_quota.monthly_quota) as assigned_quota,
        max(fct_quota.currency) as quota_currency
    from {{ ref('int_quota_months') }} as fct_quota
    inner join years
        on fct_quota.plan_year = years.plan_year
    group by fct_quota.plan_year, fct_quota.employee_id

),

payees as (

    select plan_year, employee_id from proposals
    union
    select plan_year, employee_id from assigned

),

payee_years as (

    select
        payees.plan_year,
        payees.employee_id,
        years.plan_year_start,
        years.currency as proposal_currency,
        years.fx_rate_target,
        dim_payee.currency as payee_currency
    from payees
    inner join years
        on payees.plan_year = years.plan_year
    left join {{ ref('int_payees') }} as dim_payee
        on payees.employee_id = dim_payee.employee_id

),

payee_rates as (

    {{ dated_rate('payee_years', ['plan_year', 'employee_id'], 'payee_currency', 'plan_year_start') }}

),

converted as (

    select
        payee_years.*,
        {{ fx_rate_or_one('payee_years.payee_currency', 'payee_years.proposal_currency', 'payee_rates.conversion_rate') }}
            as fx_rate_payee,
        {{ fx_rate_or_one('payee_years.proposal_currency', 'payee_years.payee_currency', 'payee_years.fx_rate_target') }}
            as fx_rate_proposal,
        primary_territory.territory_id as primary_territory_id,
        coalesce(proposals.territories, 0) as territories,
        {{ money('coalesce(proposals.capacity_months, 0)') }} as capacity_months,
        {{ money('coalesce(proposals.proposed_quota, 0)') }} as proposed_quota,
        assigned.assigned_annual_quota,
        assigned.assigned_quota,
        assigned.quota_currency
    from payee_years
    left join payee_rates
        on payee_years.plan_year = payee_rates.plan_year
        and payee_years.employee_id = payee_rates.employee_id
        and payee_rates.rate_rank = 1
    left join proposals
        on payee_years.plan_year = proposals.plan_year
        and payee_years.employee_id = proposals.employee_id
    left join primary_territory
        on payee_years.plan_year = primary_territory.plan_year
        and payee_years.employee_id = primary_territory.employee_id
        and primary_territory.territory_rank = 1
    left join assigned
        on payee_years.plan_year = assigned.plan_year
        and payee_years.employee_id = assigned.employee_id

),

in_payee_currency as (

    select
        converted.*,
        {{ convert_money('proposed_quota', 'proposal_currency', 'payee_currency', 'fx_rate_proposal', 'fx_rate_payee') }}
            as proposed_quota_payee_currency
    from converted

),

final as (

    select
        cast(plan_year as {{ dbt.type_int() }}) as plan_year,
        cast(employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(primary_territory_id as {{ dbt.type_string() }}) as primary_territory_id,
        cast(territories as {{ dbt.type_int() }}) as territories,
        {{ money('capacity_months') }} as capacity_months,
        {{ money('proposed_quota') }} as proposed_quota,
        cast(proposal_currency as {{ dbt.type_string() }}) as proposal_currency,
        {{ money('fx_rate_proposal') }} as fx_rate_proposal,
        {{ money('fx_rate_payee') }} as fx_rate_payee,
        {{ money('proposed_quota_payee_currency') }} as proposed_quota_payee_currency,
        {{ divide_money('proposed_quota_payee_currency * 12', 'capacity_months') }} as proposed_full_year_quota,
        cast(payee_currency as {{ dbt.type_string() }}) as payee_currency,
        {{ money('assigned_annual_quota') }} as assigned_annual_quota,
        {{ money('assigned_quota') }} as assigned_quota,
        cast(quota_currency as {{ dbt.type_string() }}) as quota_currency,
        {{ money('assigned_quota - proposed_quota_payee_currency') }} as quota_difference,
        {{ divide_money('assigned_quota', 'proposed_quota_payee_currency') }} as assigned_to_proposed_ratio
    from in_payee_currency

)

select * from final
