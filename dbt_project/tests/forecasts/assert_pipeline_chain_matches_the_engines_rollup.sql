-- One rule, two uses (SPEC §3.4): the engine's roll-up (int_credits_rolled_up)
-- and the forecasts' team rows (fct_pipeline_credit_share) both read the chain
-- of int_manager_chain_intervals. For every current own credit of the engine,
-- the team rows of its deal and payee valid on the credit date are, level by
-- level, the managers int_credits_rolled_up credits. Returns the (credit,
-- manager, level) rows on one side only.

-- Dagster shows this test as an asset check of fct_pipeline_credit_share.
{{ config(meta={'dagster': {'ref': {'name': 'fct_pipeline_credit_share'}}}) }}

with

own_credits as (

    select opportunity_id, employee_id, credit_date
    from {{ ref('int_credits_own') }}
    where credit_status = 'current'

),

team_on_credit_date as (

    select
        own_credits.opportunity_id,
        own_credits.employee_id as credited_from_employee_id,
        pipeline.entity_id as employee_id,
        pipeline.rollup_level
    from own_credits
    inner join {{ ref('fct_pipeline_credit_share') }} as pipeline
        on own_credits.opportunity_id = pipeline.opportunity_id
        and own_credits.employee_id = pipeline.credited_employee_id
        and pipeline.level = 'team'
        and pipeline.valid_from <= own_credits.credit_date
        and own_credits.credit_date < pipeline.valid_to

),

rolled_up as (

    select opportunity_id, credited_from_employee_id, employee_id, rollup_level
    from {{ ref('int_credits_rolled_up') }}
    where credit_status = 'current'

)

select
    coalesce(rolled_up.opportunity_id, team_on_credit_date.opportunity_id) as opportunity_id,
    coalesce(rolled_up.credited_from_employee_id, team_on_credit_date.credited_from_employee_id)
        as credited_from_employee_id,
    rolled_up.employee_id as engine_manager,
    team_on_credit_date.employee_id as pipeline_manager,
    coalesce(rolled_up.rollup_level, team_on_credit_date.rollup_level) as rollup_level
from rolled_up
full outer join team_on_credit_date
    on rolled_up.opportunity_id = team_on_credit_date.opportunity_id
    and rolled_up.credited_from_employee_id = team_on_credit_date.credited_from_employee_id
    and rolled_up.employee_id = team_on_credit_date.employee_id
    and rolled_up.rollup_level = team_on_credit_date.rollup_level
where rolled_up.opportunity_id is null
    or team_on_credit_date.opportunity_id is null
