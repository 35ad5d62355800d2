-- Every current deal (newest version, not deleted; SPEC §2) with its owner's
-- payee and its amount in the corporate currency (var corporate_currency),
-- converted at the DatedConversionRate valid on the CloseDate (SPEC §3.2):
-- amount_corporate = amount / rate_deal(close_date), one exact division. The
-- corporate currency's rate is 1 when the CRM has no row for it; any other
-- missing rate leaves amount_corporate null (the deal counts in deal counts,
-- not in amounts). Read by the territory history, capacity and insight marts.
-- Incremental by deal (docs/incremental.md): a deal is in the engine scope
-- when its owner's CRM user or HR worker, or a rate of its currency from its
-- CloseDate on, changes.
{{ spm.engine_incremental() }}
with

opportunities as (

    select * from {{ spm.engine_scope(ref('stg_salesforce__opportunities')) }}

),

users as (

    select * from {{ ref('stg_salesforce__users') }}

),

workers as (

    select * from {{ ref('stg_workday__workers') }}

),

deal_rates as (

    {{ dated_rate('opportunities', ['opportunity_id'], 'currency_code', 'close_date') }}

),

final as (

    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.owner_user_id,
        workers.employee_id as owner_employee_id,
        opportunities.opportunity_type,
        opportunities.stage_name,
        opportunities.is_closed,
        opportunities.is_won,
        opportunities.close_date,
        cast(opportunities.created_at as date) as created_date,
        opportunities.currency_code as deal_currency,
        opportunities.amount,
        opportunities.probability,
        coalesce(
            deal_rates.conversion_rate,
            case when opportunities.currency_code = '{{ var("corporate_currency") }}' then {{ money('1') }} end
        ) as fx_rate_deal
    from opportunities
    left join deal_rates
        on opportunities.opportunity_id = deal_rates.opportunity_id
        and deal_rates.rate_rank = 1
    left join users
        on opportunities.owner_user_id = users.user_id
    left join workers
        on users.employee_number = workers.employee_id

)

select
    final.*,
    {{ divide_money('amount', 'fx_rate_deal') }} as amount_corporate
from final
