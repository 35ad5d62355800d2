-- One rule, two uses (SPEC §3.4): for every own credit of the engine, the
-- managers above its payee in int_forecast_manager_chain_intervals valid on
-- the credit date, level by level, are the managers int_credits_rolled_up
-- credits. Returns the (credit, manager, level) rows on one side only.

-- Dagster shows this test as an asset check of fct_pipeline_credit_share.
{{ config(meta={'dagster': {'ref': {'name': 'fct_pipeline_credit_share'}}}) }}

with

own_credits as (

    select opportunity_id, employee_id, credit_date
    from {{ ref('int_credits_own') }}

),

chain_on_credit_date as (

    select
        own_credits.opportunity_id,
        own_credits.employee_id as credited_from_employee_id,
        chain.manager_employee_id as employee_id,
        chain.rollup_level
    from own_credits
    inner join {{ ref('int_forecast_manager_chain_intervals') }} as chain
        on own_credits.employee_id = chain.employee_id
        and chain.valid_from <= own_credits.credit_date
        and own_credits.credit_date < chain.valid_to

),

rolled_up as (

    select opportunity_id, credited_from_employee_id, employee_id, rollup_level
    from {{ ref('int_credits_rolled_up') }}

)

select
    coalesce(rolled_up.opportunity_id, chain_on_credit_date.opportunity_id) as opportunity_id,
    coalesce(rolled_up.credited_from_employee_id, chain_on_credit_date.credited_from_employee_id)
        as credited_from_employee_id,
    rolled_up.employee_id as engine_manager,
    chain_on_credit_date.employee_id as chain_manager,
    coalesce(rolled_up.rollup_level, chain_on_credit_date.rollup_level) as rollup_level
from rolled_up
full outer join chain_on_credit_date
    on rolled_up.opportunity_id = chain_on_credit_date.opportunity_id
    and rolled_up.credited_from_employee_id = chain_on_credit_date.credited_from_employee_id
    and rolled_up.employee_id = chain_on_credit_date.employee_id
    and rolled_up.rollup_level = chain_on_credit_date.rollup_level
where rolled_up.opportunity_id is null
    or chain_on_credit_date.opportunity_id is null
