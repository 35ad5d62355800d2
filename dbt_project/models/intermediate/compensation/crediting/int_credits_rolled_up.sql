-- Manager roll-up credit (SPEC §3.4): for each owner or split credit of a payee,
-- every manager above them in the HR manager chain as of the credit date
-- receives the same amount as credit_type 'rollup': rollup_level 1 = the
-- direct manager, 2 = the manager's manager, ...; credited_from_employee_id =
-- the payee whose own credit rolls up. The chain (each level's manager taken
-- as of the credit date, cycles cut, at most var rollup_max_depth levels,
-- managers with an HR worker record) is int_manager_chain_intervals: its rows
-- valid on the credit date.
-- The amount is the source credit in the deal currency converted to the
-- MANAGER's currency with the dated rule of SPEC §3.2 (one exact division
-- (amount * rate_manager) / rate_deal; same currency: no conversion). A
-- missing rate leaves credit_amount null (quarantined, never 1.0).
{{ spm.engine_incremental() }}
with

own_credits as (

    select * from {{ spm.engine_scope(ref('int_credits_own')) }}

),

chain as (

    select * from {{ ref('int_manager_chain_intervals') }}

),

rolled_up as (

    select
        own_credits.opportunity_id,
        chain.manager_employee_id as employee_id,
        own_credits.credited_user_id,
        own_credits.employee_id as credited_from_employee_id,
        chain.rollup_level,
        own_credits.credit_date,
        own_credits.period,
        own_credits.split_percentage,
        own_credits.deal_amount,
        own_credits.deal_currency,
        own_credits.opportunity_type,
        own_credits.credit_status,
        own_credits.credit_amount_deal_currency,
        chain.manager_currency as payee_currency,
        own_credits.source_batch,
        own_credits.source_file,
        own_credits.source_row,
        own_credits.loaded_at
    from own_credits
    inner join chain
        on own_credits.employee_id = chain.employee_id
        and chain.valid_from <= own_credits.credit_date
        and own_credits.credit_date < chain.valid_to

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
