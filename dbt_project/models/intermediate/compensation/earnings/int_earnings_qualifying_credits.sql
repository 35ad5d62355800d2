-- The credits each earning component counts (SPEC §5, §3.5), per deal:
-- measure own_credit = fct_credit rows other than credit_type 'rollup';
-- rollup_credit = credit_type 'rollup'; an opportunity_type filter keeps the
-- listed deal Types; a product_family filter counts the credit of the listed
-- families from fct_credit_by_product_family (the credit times their share of
-- the deal's line-item TotalPrice; deals without line items, or none of those
-- families, do not count); spif components count only credits dated inside the
-- SPIF window. measure product_amount = own credit (credit_type other than
-- 'rollup') times the share of the product_family filter's families (all
-- families without a filter); product_units = the units of those families on
-- the own-credit rows of fct_credit_by_product_family (line-item Quantity x
-- the payee's credit share), carried in credit_amount so a flat_rate pays
-- rate x units and tiers compare units with quota (the quota must then be in
-- units too). units: the same filtered families' units on the row, for spif
-- amount_per_unit components (0 for deals without line items). Components are those of int_earnings_measured's rules.
-- Clawback policy commission_only (fct_credit.commission_credit_amount): a credit
-- clawed back inside the window stays booked; booked_credit_amount is the credit
-- as above (attainment is measured on it), credit_amount is what the commission
-- counts: booked x commission_credit_amount / credit of the fct_credit row (the
-- current credit: 0 for a lost deal, the reduced share for a reduced one; for
-- product_units the units, 0 once the deal is lost); units likewise. Without
-- such a clawback the two are the same.
{{ spm.engine_incremental() }}
with

components as (

    select * from {{ ref('int_earnings_components') }}

),

filters as (

    select * from {{ ref('stg_config__plan_component_filters') }}

),

credits as (

    select * from {{ spm.engine_scope(ref('int_credits_assigned_to_plans')) }}
    where plan_id is not null

),

component_type_filters as (

    select plan_id, component_id, count(*) as type_filter_count
    from filters
    where filter_type = 'opportunity_type'
    group by plan_id, component_id

),

component_family_filters as (

    select plan_id, component_id, count(*) as family_filter_count
    from filters
    where filter_type = 'product_family'
    group by plan_id, component_id

),

-- product_family filter: the credit of the listed families on each fct_credit
-- row, from fct_credit_by_product_family (its cumulative rounding keeps the
-- families' credits summing to the credit); a deal without line items (or
-- whose line items total 0) has no row here and does not count
family_credits as (

    select
        component_family_filters.plan_id,
        component_family_filters.component_id,
        by_family.opportunity_id,
        by_family.employee_id,
        by_family.credit_type,
        by_family.credited_from_employee_id,
        sum(case when listed.filter_value is not null then by_family.credit_amount else 0 end) as family_credit,
        sum(case when listed.filter_value is not null then by_family.family_total_price else 0 end) as family_total
    from component_family_filters
    cross join {{ spm.engine_scope(ref('int_credits_by_product_family')) }} as by_family
    left join filters as listed
        on listed.plan_id = component_family_filters.plan_id
        and listed.component_id = component_family_filters.component_id
        and listed.filter_type = 'product_family'
        and listed.filter_value = by_family.product_family
    where by_family.deal_total_price is not null
    group by
        component_family_filters.plan_id, component_family_filters.component_id, by_family.opportunity_id,
        by_family.employee_id, by_family.credit_type, by_family.credited_from_employee_id

),

-- product_units: units per fct_credit row of the component's families
credit_units as (

    select
        components.plan_id,
        components.component_id,
        by_family.opportunity_id,
        by_family.employee_id,
        by_family.credit_type,
        by_family.credited_from_employee_id,
        sum(by_family.units) as units
    from components
    inner join {{ spm.engine_scope(ref('int_credits_by_product_family')) }} as by_family
        on by_family.units is not null
    left join component_family_filters
        on components.plan_id = component_family_filters.plan_id
        and components.component_id = component_family_filters.component_id
    where (components.measure = 'product_units' or (components.rule_type = 'spif' and components.spif_amount_per_unit is not null))
        and (
            component_family_filters.component_id is null
            or exists (
                select 1 from filters
                where filters.plan_id = components.plan_id
                    and filters.component_id = components.component_id
                    and filters.filter_type = 'product_family'
                    and filters.filter_value = by_family.product_family
            )
        )
    group by
        components.plan_id, components.component_id, by_family.opportunity_id,
        by_family.employee_id, by_family.credit_type, by_family.credited_from_employee_id

),

booked_credits as (

    select
        credits.employee_id,
        credits.plan_id,
        components.component_id,
        credits.period,
        credits.opportunity_id,
        case
            when components.measure = 'product_units' then {{ money('credit_units.units') }}
            when component_family_filters.component_id is null then credits.credit_amount
            else family_credits.family_credit
        end as booked_credit_amount,
        {{ money('coalesce(credit_units.units, 0)') }} as booked_units,
        components.measure,
        credits.credit_amount as fct_credit_amount,
        credits.commission_credit_amount,
        credits.credit_date
    from credits
    inner join components
        on credits.plan_id = components.plan_id
    left join component_type_filters
        on components.plan_id = component_type_filters.plan_id
        and components.component_id = component_type_filters.component_id
    left join component_family_filters
        on components.plan_id = component_family_filters.plan_id
        and components.component_id = component_family_filters.component_id
    left join family_credits
        on components.plan_id = family_credits.plan_id
        and components.component_id = family_credits.component_id
        and credits.opportunity_id = family_credits.opportunity_id
        and credits.employee_id = family_credits.employee_id
        and credits.credit_type = family_credits.credit_type
        and credits.credited_from_employee_id is not distinct from family_credits.credited_from_employee_id
    left join credit_units
        on components.plan_id = credit_units.plan_id
        and components.component_id = credit_units.component_id
        and credits.opportunity_id = credit_units.opportunity_id
        and credits.employee_id = credit_units.employee_id
        and credits.credit_type = credit_units.credit_type
        and credits.credited_from_employee_id is not distinct from credit_units.credited_from_employee_id
    where (
            (components.measure in ('own_credit', 'product_amount', 'product_units') and credits.credit_type <> 'rollup')
            or (components.measure = 'rollup_credit' and credits.credit_type = 'rollup')
        )
        and (
            components.measure = 'product_units'
            or component_family_filters.component_id is null
            or family_credits.family_total <> 0
        )
        and (components.measure <> 'product_units' or credit_units.units <> 0)
        and (
            component_type_filters.component_id is null
            or exists (
                select 1 from filters
                where filters.plan_id = components.plan_id
                    and filters.component_id = components.component_id
                    and filters.filter_type = 'opportunity_type'
                    and filters.filter_value = credits.opportunity_type
            )
        )
        and (
            components.rule_type <> 'spif'
            or (
                credits.credit_date >= coalesce(components.spif_window_start, cast('0001-01-01' as date))
                and credits.credit_date <= coalesce(components.spif_window_end, {{ open_end_date() }})
            )
        )

),

qualifying_credits as (

    select
        employee_id,
        plan_id,
        component_id,
        period,
        opportunity_id,
        case
            when commission_credit_amount = fct_credit_amount then booked_credit_amount
            when measure = 'product_units' then case when commission_credit_amount = 0 then {{ money('0') }} else booked_credit_amount end
            else {{ divide_money('booked_credit_amount * commission_credit_amount', 'fct_credit_amount') }}
        end as credit_amount,
        case
            when commission_credit_amount = fct_credit_amount or commission_credit_amount <> 0 then booked_units
            else {{ money('0') }}
        end as units,
        booked_credit_amount,
        credit_date
    from booked_credits

)

select * from qualifying_credits
