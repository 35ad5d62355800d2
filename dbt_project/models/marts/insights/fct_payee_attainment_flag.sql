-- Every payee and period with a quota on the flag basis (var
-- attainment_flag_basis: period, qtd or ytd; ytd by default), flagged when the
-- attainment on that basis is below var attainment_flag_threshold (0.5 =
-- 50% of quota by default): is_below_threshold. The attainment is on the
-- measure the payee's plan pays on (int_attainment_on_plan_measure): own credit,
-- or team credit for a manager whose plan pays on roll-up credit. Team = the
-- manager as of the month's last day.
{%- set basis = var('attainment_flag_basis') %}
{%- if basis not in ('period', 'qtd', 'ytd') %}
    {{ exceptions.raise_compiler_error("var attainment_flag_basis must be period, qtd or ytd, not " ~ basis) }}
{%- endif %}
with

attainment as (

    select * from {{ ref('int_attainment_on_plan_measure') }}
    where quota_{{ basis }} > 0

),

teams as (

    select * from {{ ref('int_payee_period_teams') }}

)

select
    cast(attainment.employee_id as {{ dbt.type_string() }}) as employee_id,
    cast(attainment.period as {{ dbt.type_string() }}) as period,
    cast(attainment.plan_year as {{ dbt.type_int() }}) as plan_year,
    cast(teams.team_manager_employee_id as {{ dbt.type_string() }}) as team_manager_employee_id,
    cast('{{ basis }}' as {{ dbt.type_string() }}) as flag_basis,
    cast(attainment.measure as {{ dbt.type_string() }}) as measure,
    {{ money('attainment.credit_' ~ basis) }} as credit,
    {{ money('attainment.quota_' ~ basis) }} as quota,
    {{ money('attainment.attainment_' ~ basis) }} as attainment,
    cast(attainment.currency as {{ dbt.type_string() }}) as currency,
    {{ money(var('attainment_flag_threshold')) }} as attainment_threshold,
    cast(attainment.attainment_{{ basis }} < {{ var('attainment_flag_threshold') }} as {{ dbt.type_boolean() }})
        as is_below_threshold
from attainment
left join teams
    on attainment.employee_id = teams.employee_id
    and attainment.period = teams.period
