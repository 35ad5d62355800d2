-- ASC 340-40 schedule (fct_contract_cost_amortization): every capitalized
-- contract cost has exactly benefit_months schedule rows, numbered 1..N, whose
-- amortization adds up to the capitalized amount exactly, each month's opening
-- balance is the previous closing balance, no month is negative and the last
-- closing balance is 0. Returns the contract costs that break a rule.

-- Dagster shows this test as an asset check of fct_contract_cost_amortization.
{{ config(meta={'dagster': {'ref': {'name': 'fct_contract_cost_amortization'}}}) }}

with

capitalized as (

    select * from {{ ref('fct_contract_cost') }}
    where treatment = 'capitalized'

),

schedule as (

    select * from {{ ref('fct_contract_cost_amortization') }}

),

per_cost as (

    select
        contract_cost_id,
        count(*) as month_count,
        min(month_number) as first_month,
        max(month_number) as last_month,
        sum(amortization_amount) as amortized,
        sum(case when amortization_amount < 0 then 1 else 0 end) as negative_months,
        sum(case when month_number = 1 and opening_balance <> capitalized_amount then 1 else 0 end) as bad_opening,
        sum(case when opening_balance - amortization_amount <> closing_balance then 1 else 0 end) as bad_closing,
        min(case when month_number = (select max(s2.month_number) from schedule as s2
            where s2.contract_cost_id = schedule.contract_cost_id) then closing_balance end) as last_closing
    from schedule
    group by contract_cost_id

),

chained as (

    select schedule.contract_cost_id
    from schedule
    inner join schedule as previous
        on schedule.contract_cost_id = previous.contract_cost_id
        and schedule.month_number = previous.month_number + 1
    where schedule.opening_balance <> previous.closing_balance

)

select capitalized.contract_cost_id, 'schedule' as failed_check
from capitalized
left join per_cost
    on capitalized.contract_cost_id = per_cost.contract_cost_id
where per_cost.contract_cost_id is null
    or per_cost.month_count <> capitalized.benefit_months
    or per_cost.first_month <> 1
    or per_cost.last_month <> capitalized.benefit_months
    or per_cost.amortized <> capitalized.capitalized_amount
    or per_cost.negative_months > 0
    or per_cost.bad_opening > 0
    or per_cost.bad_closing > 0
    or per_cost.last_closing <> 0

union all

select contract_cost_id, 'opening_is_previous_closing'
from chained

union all

select per_cost.contract_cost_id, 'schedule_without_capitalization'
from per_cost
left join capitalized
    on per_cost.contract_cost_id = capitalized.contract_cost_id
where capitalized.contract_cost_id is null
