-- Coaching areas per payee and close quarter (docs/insights.md#coaching-needs):
-- each stage of the funnel, each product family and each segment (the
-- account's industry) of the payee's closed deals (int_opportunity_funnel),
-- against the payee's peers.
--   stage s:   deals_entered = deals that reached s; deals_converted = of them,
--              deals that reached the next stage (the win after Negotiation);
--              pipeline_value = Σ amount of the deals that reached s;
--              days in stage = first entry of s -> first entry of a later stage
--              (converted deals with both in the history)
--   overall (area 'all deals'), family f / segment g: deals_entered = closed deals holding f / in g,
--              deals_converted = of them won; pipeline_value = Σ TotalPrice of
--              the f lines / Σ amount of the deals; won_amount, average won
--              deal size and discount rate (Σ discount / Σ list value of won
--              deals or lines) beside it
--   conversion_rate = deals_converted / deals_entered
--   peers: the payees of the same job family and team in the quarter (the HR
--          state at the quarter's last month), else (fewer than
--          var coaching_min_peer_payees of them) the same job family; the
--          peers' counts pooled (the payee's own deals taken out)
--   conversion_low/high = Wilson score interval of the payee's rate, z = var
--          coaching_interval_z (computed in DOUBLE for the square root, kept as
--          DECIMAL(38,10) like every ratio of the marts):
--          centre = (p + z²/2n) / (1 + z²/n), half = z √(p(1-p)/n + z²/4n²) / (1 + z²/n)
--   has_enough_data = deals_entered >= var coaching_min_deals and peers exist
--   is_significant  = has_enough_data and conversion_high < peer_conversion_rate
--   credit_cost     = max(0, peer rate - payee rate) × pipeline_value (DECIMAL)
-- Amounts in the corporate currency at the CloseDate rate (int_planning_opportunities).
{%- set z = var('coaching_interval_z') %}
with

funnel as (

    select * from {{ ref('int_opportunity_funnel') }}

),

stage_list as (

    select 0 as area_order, 'Prospecting' as area
    union all select 1, 'Qualification'
    union all select 2, 'Proposal'
    union all select 3, 'Negotiation'

),

stage_rows as (

    select
        funnel.employee_id,
        funnel.quarter,
        funnel.plan_year,
        funnel.quarter_end_period,
        'stage' as area_type,
        stage_list.area,
        stage_list.area_order,
        case when funnel.furthest_stage > stage_list.area_order then 1 else 0 end as converted,
        funnel.amount_corporate as pipeline_value,
        cast(null as {{ spm.type_money() }}) as won_amount,
        0 as won_with_amount,
        cast(null as {{ spm.type_money() }}) as won_list_value,
        cast(null as {{ spm.type_money() }}) as won_discount,
        case when funnel.furthest_stage > stage_list.area_order then
            {{ dbt.datediff(
                'cast(case stage_list.area_order when 0 then funnel.entered_at_0 when 1 then funnel.entered_at_1 when 2 then funnel.entered_at_2 else funnel.entered_at_3 end as date)',
                'cast(case stage_list.area_order
                    when 0 then coalesce(funnel.entered_at_1, funnel.entered_at_2, funnel.entered_at_3, funnel.entered_at_4)
                    when 1 then coalesce(funnel.entered_at_2, funnel.entered_at_3, funnel.entered_at_4)
                    when 2 then coalesce(funnel.entered_at_3, funnel.entered_at_4)
                    else funnel.entered_at_4 end as date)',
                'day') }}
        end as days_in_stage
    from funnel
    inner join stage_list
        on funnel.furthest_stage >= stage_list.area_order

),

family_lines as (

    select
        opportunity_id,
        coalesce(product_family, '(none)') as product_family,
        sum(total_price_corporate) as family_value,
        sum(list_value_corporate) as family_list_value,
        sum(discount_amount_corporate) as family_discount
    from {{ ref('int_line_items_priced') }}
    where is_closed
    group by opportunity_id, coalesce(product_family, '(none)')

),

family_rows as (

    select
        funnel.employee_id,
        funnel.quarter,
        funnel.plan_year,
        funnel.quarter_end_period,
        'product_family' as area_type,
        family_lines.product_family as area,
        cast(null as {{ dbt.type_int() }}) as area_order,
        case when funnel.is_won then 1 else 0 end as converted,
        family_lines.family_value as pipeline_value,
        case when funnel.is_won then family_lines.family_value end as won_amount,
        case when funnel.is_won and family_lines.family_value is not null then 1 else 0 end as won_with_amount,
        case when funnel.is_won then family_lines.family_list_value end as won_list_value,
        case when funnel.is_won then family_lines.family_discount end as won_discount,
        cast(null as {{ dbt.type_int() }}) as days_in_stage
    from funnel
    inner join family_lines
        on funnel.opportunity_id = family_lines.opportunity_id

),

{%- for area_type, area in [('overall', "'all deals'"), ('segment', "coalesce(segment, '(none)')")] %}
{{ area_type }}_rows as (

    select
        employee_id,
        quarter,
        plan_year,
        quarter_end_period,
        '{{ area_type }}' as area_type,
        {{ area }} as area,
        cast(null as {{ dbt.type_int() }}) as area_order,
        case when is_won then 1 else 0 end as converted,
        amount_corporate as pipeline_value,
        case when is_won then amount_corporate end as won_amount,
        case when is_won and amount_corporate is not null then 1 else 0 end as won_with_amount,
        case when is_won then list_value end as won_list_value,
        case when is_won then discount_amount end as won_discount,
        cast(null as {{ dbt.type_int() }}) as days_in_stage
    from funnel

),
{% endfor %}

area_rows as (

    select * from overall_rows
    union all
    select * from stage_rows
    union all
    select * from family_rows
    union all
    select * from segment_rows

),

payee_areas as (

    select
        area_rows.employee_id,
        area_rows.quarter,
        area_rows.plan_year,
        area_rows.area_type,
        area_rows.area,
        area_rows.area_order,
        hr.job_family,
        hr.manager_employee_id as team_manager_employee_id,
        count(*) as deals_entered,
        sum(area_rows.converted) as deals_converted,
        sum(area_rows.pipeline_value) as pipeline_value,
        sum(area_rows.won_amount) as won_amount,
        sum(area_rows.won_with_amount) as won_with_amount,
        sum(area_rows.won_list_value) as won_list_value,
        sum(area_rows.won_discount) as won_discount,
        sum(area_rows.days_in_stage) as total_days_in_stage,
        sum(case when area_rows.days_in_stage is not null then 1 else 0 end) as deals_timed
    from area_rows
    left join {{ ref('int_payee_period_hr') }} as hr
        on area_rows.employee_id = hr.employee_id
        and area_rows.quarter_end_period = hr.period
    group by
        area_rows.employee_id, area_rows.quarter, area_rows.plan_year, area_rows.area_type, area_rows.area,
        area_rows.area_order, hr.job_family, hr.manager_employee_id

),

with_groups as (

    select
        payee_areas.*,
        (count(*) over team_group) - 1 as team_peer_payees,
        (sum(deals_entered) over team_group) - deals_entered as team_peer_entered,
        (sum(deals_converted) over team_group) - deals_converted as team_peer_converted,
        (sum(total_days_in_stage) over team_group) - coalesce(total_days_in_stage, 0) as team_peer_days,
        (sum(deals_timed) over team_group) - deals_timed as team_peer_timed,
        (count(*) over family_group) - 1 as family_peer_payees,
        (sum(deals_entered) over family_group) - deals_entered as family_peer_entered,
        (sum(deals_converted) over family_group) - deals_converted as family_peer_converted,
        (sum(total_days_in_stage) over family_group) - coalesce(total_days_in_stage, 0) as family_peer_days,
        (sum(deals_timed) over family_group) - deals_timed as family_peer_timed,
        coalesce(sum(won_amount) over team_group, 0) - coalesce(won_amount, 0) as team_peer_won_amount,
        coalesce(sum(won_with_amount) over team_group, 0) - coalesce(won_with_amount, 0) as team_peer_won_with_amount,
        coalesce(sum(won_list_value) over team_group, 0) - coalesce(won_list_value, 0) as team_peer_won_list_value,
        coalesce(sum(won_discount) over team_group, 0) - coalesce(won_discount, 0) as team_peer_won_discount,
        coalesce(sum(won_amount) over family_group, 0) - coalesce(won_amount, 0) as family_peer_won_amount,
        coalesce(sum(won_with_amount) over family_group, 0) - coalesce(won_with_amount, 0) as family_peer_won_with_amount,
        coalesce(sum(won_list_value) over family_group, 0) - coalesce(won_list_value, 0) as family_peer_won_list_value,
        coalesce(sum(won_discount) over family_group, 0) - coalesce(won_discount, 0) as family_peer_won_discount
    from payee_areas
    window
        team_group as (partition by quarter, area_type, area, job_family, team_manager_employee_id),
        family_group as (partition by quarter, area_type, area, job_family)

),

peered as (

    select
        with_groups.*,
        case
            when job_family is null then null
            when team_manager_employee_id is not null
                and team_peer_payees >= {{ var('coaching_min_peer_payees') }} then 'team'
            when family_peer_payees >= 1 then 'job_family'
        end as peer_group
    from with_groups

),

compared as (

    select
        peered.*,
        case peer_group when 'team' then team_peer_payees when 'job_family' then family_peer_payees else 0 end
            as peer_payees,
        case peer_group when 'team' then team_peer_entered when 'job_family' then family_peer_entered end
            as peer_deals_entered,
        case peer_group when 'team' then team_peer_converted when 'job_family' then family_peer_converted end
            as peer_deals_converted,
        case peer_group when 'team' then team_peer_days when 'job_family' then family_peer_days end
            as peer_total_days_in_stage,
        case peer_group when 'team' then team_peer_timed when 'job_family' then family_peer_timed end
            as peer_deals_timed,
        case peer_group when 'team' then team_peer_won_amount when 'job_family' then family_peer_won_amount end
            as peer_won_amount,
        case peer_group when 'team' then team_peer_won_with_amount when 'job_family' then family_peer_won_with_amount end
            as peer_won_with_amount,
        case peer_group when 'team' then team_peer_won_list_value when 'job_family' then family_peer_won_list_value end
            as peer_won_list_value,
        case peer_group when 'team' then team_peer_won_discount when 'job_family' then family_peer_won_discount end
            as peer_won_discount,
        cast(deals_converted as double) / deals_entered as p,
        cast({{ z }} as double) * {{ z }} / deals_entered as z2_n
    from peered

),

rated as (

    select
        compared.*,
        {{ divide_money('deals_converted', 'deals_entered') }} as conversion_rate,
        {{ divide_money('peer_deals_converted', 'peer_deals_entered') }} as peer_conversion_rate,
        (p + z2_n / 2) / (1 + z2_n) as wilson_centre,
        cast({{ z }} as double) * sqrt(p * (1 - p) / deals_entered + z2_n / (4 * deals_entered)) / (1 + z2_n)
            as wilson_half
    from compared

),

final as (

    select
        rated.*,
        peer_conversion_rate - conversion_rate as conversion_gap,
        wilson_centre - wilson_half as conversion_low,
        wilson_centre + wilson_half as conversion_high,
        deals_entered >= {{ var('coaching_min_deals') }} and peer_conversion_rate is not null as has_enough_data
    from rated

)

select
    ----------  ids
    cast(employee_id as {{ dbt.type_string() }}) as employee_id,
    cast(quarter as {{ dbt.type_string() }}) as quarter,
    cast(plan_year as {{ dbt.type_int() }}) as plan_year,
    cast(job_family as {{ dbt.type_string() }}) as job_family,
    cast(team_manager_employee_id as {{ dbt.type_string() }}) as team_manager_employee_id,
    cast(area_type as {{ dbt.type_string() }}) as area_type,
    cast(area as {{ dbt.type_string() }}) as area,
    cast(area_order as {{ dbt.type_int() }}) as area_order,

    ----------  the payee
    cast(deals_entered as {{ dbt.type_bigint() }}) as deals_entered,
    cast(deals_converted as {{ dbt.type_bigint() }}) as deals_converted,
    conversion_rate,
    {{ money('conversion_low') }} as conversion_low,
    {{ money('conversion_high') }} as conversion_high,
    {{ money('coalesce(pipeline_value, 0)') }} as pipeline_value,
    cast(deals_timed as {{ dbt.type_bigint() }}) as deals_timed,
    {{ divide_money('total_days_in_stage', 'deals_timed') }} as average_days_in_stage,
    {{ money('coalesce(won_amount, 0)') }} as won_amount,
    {{ divide_money('won_amount', 'won_with_amount') }} as average_won_deal_size,
    {{ divide_money('won_discount', 'won_list_value') }} as discount_rate,

    ----------  the peers
    cast(peer_group as {{ dbt.type_string() }}) as peer_group,
    cast(peer_payees as {{ dbt.type_bigint() }}) as peer_payees,
    cast(peer_deals_entered as {{ dbt.type_bigint() }}) as peer_deals_entered,
    cast(peer_deals_converted as {{ dbt.type_bigint() }}) as peer_deals_converted,
    peer_conversion_rate,
    {{ divide_money('peer_total_days_in_stage', 'peer_deals_timed') }} as peer_average_days_in_stage,
    {{ divide_money('peer_won_amount', 'peer_won_with_amount') }} as peer_average_won_deal_size,
    {{ divide_money('peer_won_discount', 'peer_won_list_value') }} as peer_discount_rate,

    ----------  the gap
    conversion_gap,
    has_enough_data,
    coalesce(has_enough_data and {{ money('conversion_high') }} < peer_conversion_rate, false) as is_significant,
    {{ money('case when has_enough_data and conversion_gap > 0 then conversion_gap * coalesce(pipeline_value, 0) else 0 end') }}
        as credit_cost
from final
