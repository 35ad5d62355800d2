-- Who each opportunity would credit if it were won, for EVERY opportunity of
-- the CRM (open, lost or won), per credited CRM user and their payee: the
-- forecasts credit open pipeline (docs/forecasts.md). The rules are the
-- engine's, for deals that are not creditable yet:
-- * SPEC §3.3 as int_opportunities_creditable and int_opportunity_credit_shares
--   apply them: splits summing to 100 (± var split_total_tolerance) credit each
--   split owner their percentage (a user's split rows summed, a 0% owner gets
--   nothing); without splits the owner gets 100%; a deal whose splits do not
--   add up credits nobody (the engine would quarantine it when won);
-- * SPEC §3.6 as int_credit_shares_mapped_to_payees: User.EmployeeNumber =
--   workers.employee_id, employee_id null when the user has no HR worker.
-- tests/forecasts/assert_pipeline_shares_match_the_engines_credit_shares.sql
-- checks every won deal against the engine's own shares.
with

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

splits as (

    select * from {{ ref('stg_salesforce__opportunity_splits') }}

),

split_totals as (

    select
        opportunity_id,
        sum(split_percentage) as split_percentage_total
    from splits
    group by opportunity_id

),

-- A user holding two split rows on one deal gets one share.
split_owner_percentages as (

    select
        opportunity_id,
        split_owner_user_id,
        sum(split_percentage) as split_percentage
    from splits
    group by opportunity_id, split_owner_user_id

),

deals as (

    select
        opportunities.opportunity_id,
        opportunities.owner_user_id,
        opportunities.currency_code as deal_currency,
        case
            when split_totals.opportunity_id is null then 'none'
            when abs(split_totals.split_percentage_total - 100) <= {{ var('split_total_tolerance') }} then 'valid'
            else 'invalid'
        end as split_status
    from opportunities
    left join split_totals
        on opportunities.opportunity_id = split_totals.opportunity_id

),

shares as (

    select
        opportunity_id,
        owner_user_id as credited_user_id,
        'owner' as credit_type,
        {{ money('100') }} as split_percentage
    from deals
    where split_status = 'none'

    union all

    select
        deals.opportunity_id,
        split_owner_percentages.split_owner_user_id as credited_user_id,
        'split' as credit_type,
        {{ money('split_owner_percentages.split_percentage') }} as split_percentage
    from deals
    inner join split_owner_percentages
        on deals.opportunity_id = split_owner_percentages.opportunity_id
    where deals.split_status = 'valid'
        and split_owner_percentages.split_percentage <> 0

),

users as (

    select * from {{ ref('stg_salesforce__users') }}

),

workers as (

    select * from {{ ref('stg_workday__workers') }}

),

final as (

    select
        ----------  ids
        shares.opportunity_id,
        shares.credited_user_id,
        workers.employee_id,

        ----------  share
        shares.credit_type,
        shares.split_percentage,
        {{ divide_money('shares.split_percentage', '100') }} as credit_share,

        ----------  currencies
        deals.deal_currency,
        workers.currency as payee_currency

    from shares
    inner join deals
        on shares.opportunity_id = deals.opportunity_id
    left join users
        on shares.credited_user_id = users.user_id
    left join workers
        on users.employee_number = workers.employee_id

)

select * from final
