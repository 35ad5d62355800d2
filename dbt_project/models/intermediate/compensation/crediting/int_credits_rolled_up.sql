-- Manager roll-up credit (SPEC §3.4): for each owner or split credit of a payee,
-- every manager above them in the HR manager chain as of the credit date
-- (int_manager_intervals) receives the same amount as credit_type 'rollup':
-- rollup_level 1 = the direct manager, 2 = the manager's manager, ...;
-- credited_from_employee_id = the payee whose own credit rolls up. Each
-- level's manager is also taken as of the credit date.
-- The amount is the source credit in the deal currency converted to the
-- MANAGER's currency with the dated rule of SPEC §3.2 (one exact division
-- (amount * rate_manager) / rate_deal; same currency: no conversion). A
-- missing rate leaves credit_amount null (quarantined, never 1.0).
-- Cycles in the HR data are cut: a manager already on the path is not visited
-- again, and the chain stops at level {{ var('rollup_max_depth', 10) }}.
with recursive

own_credits as (

    select * from {{ ref('int_credits_own') }}

),

manager_intervals as (

    select * from {{ ref('int_manager_intervals') }}
    where manager_employee_id is not null

),

chain (opportunity_id, credited_from_employee_id, credit_date, manager_employee_id, rollup_level, visited) as (

    select
        own_credits.opportunity_id,
        own_credits.employee_id,
        own_credits.credit_date,
        manager_intervals.manager_employee_id,
        1,
        '|' || own_credits.employee_id || '|' || manager_intervals.manager_employee_id || '|'
    from own_credits
    inner join manager_intervals
        on own_credits.employee_id = manager_intervals.employee_id
        and manager_intervals.valid_from <= own_credits.credit_date
        and own_credits.credit_date < manager_intervals.valid_to
    where manager_intervals.manager_employee_id <> own_credits.employee_id

    union all

    select
        chain.opportunity_id,
        chain.credited_from_employee_id,
        chain.credit_date,
        manager_intervals.manager_employee_id,
        chain.rollup_level + 1,
        chain.visited || manager_intervals.manager_employee_id || '|'
    from chain
    inner join manager_intervals
        on chain.manager_employee_id = manager_intervals.employee_id
        and manager_intervals.valid_from <= chain.credit_date
        and chain.credit_date < manager_intervals.valid_to
    where chain.rollup_level < {{ var('rollup_max_depth', 10) }}
        and {{ dbt.position("'|' || manager_intervals.manager_employee_id || '|'", 'chain.visited') }} = 0

),

workers as (

    select * from {{ ref('stg_workday__workers') }}

),

rolled_up as (

    select
        own_credits.opportunity_id,
        chain.manager_employee_id as employee_id,
        own_credits.credited_user_id,
        chain.credited_from_employee_id,
        cast(chain.rollup_level as {{ dbt.type_int() }}) as rollup_level,
        own_credits.credit_date,
        own_credits.period,
        own_credits.split_percentage,
        own_credits.deal_amount,
        own_credits.deal_currency,
        own_credits.opportunity_type,
        own_credits.credit_status,
        own_credits.credit_amount_deal_currency,
        workers.currency as payee_currency,
        own_credits.source_batch,
        own_credits.source_file,
        own_credits.source_row,
        own_credits.loaded_at
    from chain
    inner join own_credits
        on chain.opportunity_id = own_credits.opportunity_id
        and chain.credited_from_employee_id = own_credits.employee_id
    inner join workers
        on chain.manager_employee_id = workers.employee_id

),

with_rates as (

    {{ with_fx_rates('rolled_up', ['opportunity_id', 'employee_id', 'credited_from_employee_id'], 'credit_date') }}

),

final as (

    select
        ----------  ids
        opportunity_id,
        employee_id,
        credited_user_id,
        credited_from_employee_id,

        ----------  credit
        credit_date,
        period,
        'rollup' as credit_type,
        rollup_level,
        credit_status,
        split_percentage,

        ----------  deal
        deal_amount,
        deal_currency,
        opportunity_type,
        credit_amount_deal_currency,

        ----------  conversion
        fx_rate_deal,
        fx_rate_payee,
        {{ convert_money('credit_amount_deal_currency', 'deal_currency', 'payee_currency', 'fx_rate_deal', 'fx_rate_payee') }}
            as credit_amount,
        payee_currency,

        ----------  load metadata of the deal
        source_batch,
        source_file,
        source_row,
        loaded_at

    from with_rates

)

select * from final
