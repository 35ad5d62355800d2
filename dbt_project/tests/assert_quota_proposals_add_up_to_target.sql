-- SPEC §8 smart quotas: for every plan year with a covered territory, the
-- territory targets and the payees' proposed quotas each add up to the company
-- target exactly (cumulative rounding hands the remainder to the last one).
{{ config(meta={'dagster': {'ref': {'name': 'fct_quota_proposal'}}}) }}
with

targets as (

    select plan_year, target_amount from {{ ref('int_planning_years') }}

),

territories as (

    select
        plan_year,
        sum(territory_target) as territory_total,
        max(case when is_covered then 1 else 0 end) as has_coverage
    from {{ ref('fct_territory_potential') }}
    group by plan_year

),

proposals as (

    select plan_year, sum(proposed_quota) as proposal_total
    from {{ ref('fct_quota_proposal') }}
    group by plan_year

)

select
    targets.plan_year,
    targets.target_amount,
    territories.territory_total,
    proposals.proposal_total
from targets
inner join territories
    on targets.plan_year = territories.plan_year
left join proposals
    on targets.plan_year = proposals.plan_year
where territories.has_coverage = 1
    and (
        territories.territory_total <> targets.target_amount
        or proposals.proposal_total is null
        or proposals.proposal_total <> targets.target_amount
    )
