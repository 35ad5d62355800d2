{#
  The payout forecast's scenarios in one engine build (docs/forecasts.md, §7).

  The payout forecast (assets/forecasts/scenarios.py) adds each scenario's
  deals to a scratch raw layer as deals of their own, named
  'FCST~<scenario>~<deal id>': a pipeline deal the scenario wins (a clone of
  its newest version, Closed Won on the simulated date, with clones of its
  splits and line items) and the scenario's new business. It then builds the
  engine once, on a copy of the warehouse, with SPM_FORECAST_SCENARIOS naming
  the scenarios (e.g. 'P10,P50,P90'). The deal-level chain credits the clones
  like any new deal. The payee-period models read their payee-keyed inputs
  through per_scenario(): one copy of every payee per scenario, employee_id
  '<scenario>~<employee_id>', and, for the qualifying credits, in each
  scenario the credits of the pipeline's own deals (but not of a deal the
  scenario wins: its clone replaces it) and of that scenario's deals. Every
  rule downstream is unchanged: it only sees more payees. fct_payable of the
  copy then holds every scenario's payable, employee_id qualified.

  In every other build SPM_FORECAST_SCENARIOS is unset and per_scenario()
  returns the relation itself: the pipeline's SQL is the same as without it.
  The variable is read only when a node runs (`execute`), never while dbt
  parses, so the saved parse of the project serves a scenario build too.
#}

{% macro forecast_scenario_prefix() -%}FCST~{%- endmacro %}


{# The scenario names of this build (SPM_FORECAST_SCENARIOS, comma-separated), or [] #}
{% macro forecast_scenarios() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for name in env_var('SPM_FORECAST_SCENARIOS', '').split(',') -%}
        {%- set name = name | trim -%}
        {%- if name -%}
            {%- if not modules.re.fullmatch('[A-Za-z0-9_]+', name) -%}
                {{ exceptions.raise_compiler_error("SPM_FORECAST_SCENARIOS: scenario name " ~ name ~ " is not [A-Za-z0-9_]+") }}
            {%- endif -%}
            {%- do names.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}


{#
  `relation` (a payee-keyed input of the payee-period arithmetic) as is, or in
  a scenario build one copy of its rows per scenario, employee_id
  '<scenario>~<employee_id>'. With `deals=true` (credits, keyed by deal too) a
  scenario's copy keeps the rows of the pipeline's deals except those the
  scenario wins, and the rows of its own deals ('FCST~<scenario>~...').
#}
{% macro per_scenario(relation, deals=false) -%}
    {%- if deals -%}
        {#- the deals of the build: a dependency in every build, read only in a scenario build -#}
        {%- set opportunities = ref('stg_salesforce__opportunities') -%}
    {%- endif -%}
    {%- set scenarios = spm.forecast_scenarios() -%}
    {%- if not scenarios -%}
        {{ relation }}
    {%- else -%}
        {%- set prefix = spm.forecast_scenario_prefix() -%}
        {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
        (select
            {%- for column in columns %}
            {% if column | lower == 'employee_id' -%}
            {{ dbt.concat(['scenarios.scenario', "'~'", 'per_payee.employee_id']) }} as employee_id
            {%- else -%}
            per_payee.{{ adapter.quote(column) }}
            {%- endif %}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ relation }} as per_payee
        cross join (
            {%- for name in scenarios %}
            select '{{ name }}' as scenario{{ ' union all' if not loop.last }}
            {%- endfor %}
        ) as scenarios
        {%- if deals %}
        left join (
            select distinct
                {{ dbt.split_part('opportunity_id', "'~'", 2) }} as scenario,
                {{ dbt.split_part('opportunity_id', "'~'", 3) }} as won_opportunity_id
            from {{ opportunities }}
            where opportunity_id like '{{ prefix }}%'
        ) as won_in_scenario
            on won_in_scenario.scenario = scenarios.scenario
            and won_in_scenario.won_opportunity_id = per_payee.opportunity_id
        where won_in_scenario.won_opportunity_id is null
            and (per_payee.opportunity_id not like '{{ prefix }}%'
                 or per_payee.opportunity_id like {{ dbt.concat(["'" ~ prefix ~ "'", 'scenarios.scenario', "'~%'"]) }})
        {%- endif %}
        ) as per_scenario
    {%- endif -%}
{%- endmacro %}
