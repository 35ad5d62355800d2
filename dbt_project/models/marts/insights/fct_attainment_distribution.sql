-- Attainment distribution per period, basis and team (SPEC §8): among the
-- payees with a quota (> 0) on the basis, how many are at or above quota
-- (attainment >= 1), in attainment bands, and below the flag threshold
-- (var attainment_flag_threshold). Bases: period (the month), qtd
-- (quarter-to-date), ytd (plan-year-to-date), from fct_attainment (own
-- credit / quota). Team = the payee's manager as of the month's last day;
-- team_level 'company' rows count every payee (team_manager_employee_id null).
--   share_at_or_above_quota = payees_at_or_above_quota / payees_with_quota
--   average_attainment      = Σ attainment / payees_with_quota
with

attainment as (

    select * from {{ ref('int_attainment_on_plan_measure') }}

),

teams as (

    select * from {{ ref('int_payee_period_teams') }}

),

by_basis as (

    select employee_id, period, plan_year, quarter, 'period' as basis, quota_period as quota, attainment_period as attainment
    from attainment
    union all
    select employee_id, period, plan_year, quarter, 'qtd' as basis, quota_qtd as quota, attainment_qtd as attainment
    from attainment
    union all
    select employee_id, period, plan_year, quarter, 'ytd' as basis, quota_ytd as quota, attainment_ytd as attainment
    from attainment

),

with_quota as (

    select
        by_basis.*,
        teams.team_manager_employee_id
    from by_basis
    left join teams
        on by_basis.employee_id = teams.employee_id
        and by_basis.period = teams.period
    where by_basis.quota > 0

),

levels as (

    select 'team' as team_level, team_manager_employee_id, with_quota.* from with_quota
    union all
    select 'company' as team_level, cast(null as {{ dbt.type_string() }}) as team_manager_employee_id, with_quota.* from with_quota

),

grouped as (

    select
        period,
        plan_year,
        quarter,
        basis,
        team_level,
        levels.team_manager_employee_id,
        count(*) as payees_with_quota,
        sum(case when attainment >= 1 then 1 else 0 end) as payees_at_or_above_quota,
        sum(case when attainment < 0.5 then 1 else 0 end) as payees_under_50_pct,
        sum(case when attainment >= 0.5 and attainment < 1 then 1 else 0 end) as payees_50_to_100_pct,
        sum(case when attainment >= 1 and attainment < 1.5 then 1 else 0 end) as payees_100_to_150_pct,
        sum(case when attainment >= 1.5 then 1 else 0 end) as payees_150_pct_and_over,
        sum(case when attainment < {{ var('attainment_flag_threshold') }} then 1 else 0 end) as payees_below_threshold,
        sum(attainment) as total_attainment
    from levels
    group by period, plan_year, quarter, basis, team_level, levels.team_manager_employee_id

),

final as (

    select
        cast(period as {{ dbt.type_string() }}) as period,
        cast(plan_year as {{ dbt.type_int() }}) as plan_year,
        cast(quarter as {{ dbt.type_string() }}) as quarter,
        cast(basis as {{ dbt.type_string() }}) as basis,
        cast(team_level as {{ dbt.type_string() }}) as team_level,
        cast(team_manager_employee_id as {{ dbt.type_string() }}) as team_manager_employee_id,
        cast(payees_with_quota as {{ dbt.type_bigint() }}) as payees_with_quota,
        cast(payees_at_or_above_quota as {{ dbt.type_bigint() }}) as payees_at_or_above_quota,
        {{ divide_money('payees_at_or_above_quota', 'payees_with_quota') }} as share_at_or_above_quota,
        cast(payees_under_50_pct as {{ dbt.type_bigint() }}) as payees_under_50_pct,
        cast(payees_50_to_100_pct as {{ dbt.type_bigint() }}) as payees_50_to_100_pct,
        cast(payees_100_to_150_pct as {{ dbt.type_bigint() }}) as payees_100_to_150_pct,
        cast(payees_150_pct_and_over as {{ dbt.type_bigint() }}) as payees_150_pct_and_over,
        {{ money(var('attainment_flag_threshold')) }} as attainment_threshold,
        cast(payees_below_threshold as {{ dbt.type_bigint() }}) as payees_below_threshold,
        {{ divide_money('total_attainment', 'payees_with_quota') }} as average_attainment
    from grouped

)

select * from final
