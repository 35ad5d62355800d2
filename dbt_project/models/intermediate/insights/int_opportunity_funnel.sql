-- Every closed current deal (int_planning_opportunities, IsClosed) with the
-- funnel it went through (OpportunityHistory, SPEC §2), what the coaching marts
-- count conversions and time in stage from (docs/insights.md):
--   stage order: 0 Prospecting, 1 Qualification, 2 Proposal, 3 Negotiation,
--   4 the win; furthest_stage = 4 for a won deal, else the highest open stage
--   any history row of the deal names (null without history: such a deal is in
--   the win rate, not in the stage funnel)
--   entered_at_<s> = the first history row of stage s (null: never there)
-- The deal's quarter is its CloseDate's; its segment (the account's industry),
-- list value and discount (int_line_items_priced) come with it (one row per
-- deal here; the families are joined where they are counted).
with

deals as (

    select * from {{ ref('int_planning_opportunities') }}
    where is_closed and owner_employee_id is not null

),

history as (

    select
        opportunity_id,
        created_at,
        case stage_name
            when 'Prospecting' then 0
            when 'Qualification' then 1
            when 'Proposal' then 2
            when 'Negotiation' then 3
            when 'Closed Won' then 4
        end as stage_order
    from {{ ref('stg_salesforce__opportunity_history') }}

),

stages_reached as (

    select
        opportunity_id,
        max(case when stage_order < 4 then stage_order end) as furthest_open_stage,
        min(case when stage_order = 0 then created_at end) as entered_at_0,
        min(case when stage_order = 1 then created_at end) as entered_at_1,
        min(case when stage_order = 2 then created_at end) as entered_at_2,
        min(case when stage_order = 3 then created_at end) as entered_at_3,
        min(case when stage_order = 4 then created_at end) as entered_at_4,
        count(*) as history_rows
    from history
    group by opportunity_id

),

accounts as (

    select account_id, industry from {{ ref('stg_salesforce__accounts') }}

),

discounts as (

    select
        opportunity_id,
        sum(list_value_corporate) as list_value,
        sum(discount_amount_corporate) as discount_amount
    from {{ ref('int_line_items_priced') }}
    where is_closed
    group by opportunity_id

)

select
    deals.opportunity_id,
    deals.owner_employee_id as employee_id,
    deals.close_date,
    {{ quarter_of('deals.close_date') }} as quarter,
    {{ plan_year_of('deals.close_date') }} as plan_year,
    {{ period_of(dbt.last_day('deals.close_date', 'quarter')) }} as quarter_end_period,
    deals.is_won,
    deals.amount_corporate,
    accounts.industry as segment,
    discounts.list_value,
    discounts.discount_amount,
    case
        when stages_reached.opportunity_id is null then null
        when deals.is_won then 4
        else stages_reached.furthest_open_stage
    end as furthest_stage,
    stages_reached.entered_at_0,
    stages_reached.entered_at_1,
    stages_reached.entered_at_2,
    stages_reached.entered_at_3,
    stages_reached.entered_at_4
from deals
left join stages_reached
    on deals.opportunity_id = stages_reached.opportunity_id
left join accounts
    on deals.account_id = accounts.account_id
left join discounts
    on deals.opportunity_id = discounts.opportunity_id
