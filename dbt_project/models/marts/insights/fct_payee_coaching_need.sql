-- Coaching need per payee and close quarter (docs/insights.md#coaching-needs):
-- the payee's win rate (Wilson interval), deal size and discount against the
-- peers (fct_payee_coaching_area's 'overall' row), and the weakest stage or
-- product family: among the areas with enough data and a positive credit
-- cost, a significant gap first, then the largest credit cost
-- ((peer conversion - payee conversion) × the payee's pipeline value there).
--   coaching_status: 'not enough data' (fewer than var coaching_min_deals
--   closed deals, or no peers; never flagged), 'coaching need' (the weakest
--   area's gap is significant: is_flagged), else 'no significant gap'.
with

areas as (

    select * from {{ ref('int_payee_coaching_areas') }}

),

overall as (

    select * from areas
    where area_type = 'overall'

),

ranked as (

    select
        areas.*,
        row_number() over (
            partition by employee_id, quarter
            order by
                case when is_significant then 0 else 1 end,
                credit_cost desc,
                area_type,
                area
        ) as weakness_rank
    from areas
    where area_type in ('stage', 'product_family')
        and has_enough_data
        and credit_cost > 0

),

weakest as (

    select * from ranked
    where weakness_rank = 1

),

final as (

    select
        overall.employee_id,
        overall.quarter,
        overall.plan_year,
        overall.job_family,
        overall.team_manager_employee_id,
        overall.peer_group,
        overall.peer_payees,
        overall.deals_entered as closed_deals,
        overall.deals_converted as won_deals,
        overall.conversion_rate as win_rate,
        overall.conversion_low as win_rate_low,
        overall.conversion_high as win_rate_high,
        overall.peer_conversion_rate as peer_win_rate,
        overall.won_amount,
        overall.average_won_deal_size,
        overall.peer_average_won_deal_size,
        overall.discount_rate,
        overall.peer_discount_rate,
        overall.has_enough_data,
        case when overall.has_enough_data then weakest.area_type end as weakest_area_type,
        case when overall.has_enough_data then weakest.area end as weakest_area,
        case when overall.has_enough_data then weakest.deals_entered end as weakest_area_deals,
        case when overall.has_enough_data then weakest.conversion_rate end as weakest_area_conversion_rate,
        case when overall.has_enough_data then weakest.conversion_high end as weakest_area_conversion_high,
        case when overall.has_enough_data then weakest.peer_conversion_rate end as weakest_area_peer_conversion_rate,
        case when overall.has_enough_data then weakest.conversion_gap end as weakest_area_conversion_gap,
        case when overall.has_enough_data then weakest.average_days_in_stage end as weakest_area_average_days_in_stage,
        case when overall.has_enough_data then weakest.peer_average_days_in_stage end
            as weakest_area_peer_average_days_in_stage,
        case when overall.has_enough_data then weakest.pipeline_value end as weakest_area_pipeline_value,
        case when overall.has_enough_data then coalesce(weakest.credit_cost, 0) else 0 end as credit_cost,
        coalesce(overall.has_enough_data and weakest.is_significant, false) as is_flagged
    from overall
    left join weakest
        on overall.employee_id = weakest.employee_id
        and overall.quarter = weakest.quarter

)

select
    ----------  ids
    cast(employee_id as {{ dbt.type_string() }}) as employee_id,
    cast(quarter as {{ dbt.type_string() }}) as quarter,
    cast(plan_year as {{ dbt.type_int() }}) as plan_year,
    cast(job_family as {{ dbt.type_string() }}) as job_family,
    cast(team_manager_employee_id as {{ dbt.type_string() }}) as team_manager_employee_id,
    cast(peer_group as {{ dbt.type_string() }}) as peer_group,
    cast(peer_payees as {{ dbt.type_bigint() }}) as peer_payees,

    ----------  the payee's deals against the peers
    cast(closed_deals as {{ dbt.type_bigint() }}) as closed_deals,
    cast(won_deals as {{ dbt.type_bigint() }}) as won_deals,
    win_rate,
    win_rate_low,
    win_rate_high,
    peer_win_rate,
    {{ money('won_amount') }} as won_amount,
    average_won_deal_size,
    peer_average_won_deal_size,
    discount_rate,
    peer_discount_rate,

    ----------  the weakest stage or product family
    cast(weakest_area_type as {{ dbt.type_string() }}) as weakest_area_type,
    cast(weakest_area as {{ dbt.type_string() }}) as weakest_area,
    cast(weakest_area_deals as {{ dbt.type_bigint() }}) as weakest_area_deals,
    weakest_area_conversion_rate,
    weakest_area_conversion_high,
    weakest_area_peer_conversion_rate,
    weakest_area_conversion_gap,
    weakest_area_average_days_in_stage,
    weakest_area_peer_average_days_in_stage,
    weakest_area_pipeline_value,
    {{ money('credit_cost') }} as credit_cost,

    ----------  the verdict
    cast(case
        when not has_enough_data then 'not enough data'
        when is_flagged then 'coaching need'
        else 'no significant gap'
    end as {{ dbt.type_string() }}) as coaching_status,
    is_flagged,
    cast('{{ var("corporate_currency") }}' as {{ dbt.type_string() }}) as currency
from final
