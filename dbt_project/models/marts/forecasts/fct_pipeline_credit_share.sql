-- How one unit of an opportunity's amount (deal currency) would credit each
-- level's entity if the deal were won, for every opportunity of the CRM (the
-- forecasts credit open pipeline, docs/forecasts.md), with the engine's rules,
-- read from the engine's own models:
-- * payee: each payee the deal credits (int_opportunity_split_shares of the
--   newest deal version: split owners by percentage, else the owner, SPEC §3.3;
--   mapped to payees by int_crm_user_payees, SPEC §3.6: users without an HR
--   worker credit nobody, at any level), credit_share = their percentage / 100;
-- * team: every manager above that payee in the HR chain valid on a date
--   (int_manager_chain_intervals, the chain int_credits_rolled_up reads): the
--   row holds for valid_from <= d < valid_to, the same share as the payee's
--   (roll-up credit repeats the credit, SPEC §3.4);
-- * company: the same shares, to the entity 'company' in the corporate
--   currency (var corporate_currency).
-- Payee and company rows hold on every date (0001-01-01 .. 9999-12-31). The
-- share is in the deal currency: converting it to entity_currency on a date d
-- multiplies by rate(entity_currency, d) / rate(deal_currency, d)
-- (dim_dated_conversion_rate, SPEC §3.2).
-- Incremental by deal (docs/incremental.md): a deal is in the engine scope
-- when one of its shares changes, or the CRM user or HR worker of a payee of
-- it, or of anyone above one in the manager chain.
{{ spm.engine_incremental() }}
with

split_shares as (

    select
        split_shares.opportunity_id,
        user_payees.employee_id,
        {{ divide_money('split_shares.split_percentage', '100') }} as credit_share,
        split_shares.deal_currency,
        user_payees.payee_currency
    from {{ spm.engine_scope(ref('int_opportunity_split_shares')) }} as split_shares
    inner join {{ ref('int_crm_user_payees') }} as user_payees
        on split_shares.credited_user_id = user_payees.user_id
    where split_shares.deal_version = 'newest'
        and user_payees.employee_id is not null

),

payee_shares as (

    select
        opportunity_id,
        employee_id,
        sum(credit_share) as credit_share,
        min(deal_currency) as deal_currency,
        min(payee_currency) as payee_currency
    from split_shares
    group by opportunity_id, employee_id

),

chain as (

    select * from {{ ref('int_manager_chain_intervals') }}

),

levels as (

    select
        opportunity_id,
        'payee' as level,
        employee_id as entity_id,
        payee_currency as entity_currency,
        employee_id as credited_employee_id,
        0 as rollup_level,
        credit_share,
        deal_currency,
        cast('0001-01-01' as date) as valid_from,
        {{ open_end_date() }} as valid_to
    from payee_shares

    union all

    select
        payee_shares.opportunity_id,
        'team' as level,
        chain.manager_employee_id as entity_id,
        chain.manager_currency as entity_currency,
        payee_shares.employee_id as credited_employee_id,
        chain.rollup_level,
        payee_shares.credit_share,
        payee_shares.deal_currency,
        chain.valid_from,
        chain.valid_to
    from payee_shares
    inner join chain
        on payee_shares.employee_id = chain.employee_id

    union all

    select
        opportunity_id,
        'company' as level,
        'company' as entity_id,
        '{{ var("corporate_currency") }}' as entity_currency,
        employee_id as credited_employee_id,
        cast(null as {{ dbt.type_int() }}) as rollup_level,
        credit_share,
        deal_currency,
        cast('0001-01-01' as date) as valid_from,
        {{ open_end_date() }} as valid_to
    from payee_shares

),

final as (

    select
        ----------  ids
        opportunity_id,
        level,
        entity_id,
        credited_employee_id,

        ----------  share
        cast(rollup_level as {{ dbt.type_int() }}) as rollup_level,
        {{ money('credit_share') }} as credit_share,
        deal_currency,
        entity_currency,

        ----------  validity
        valid_from,
        valid_to

    from levels

)

select * from final
