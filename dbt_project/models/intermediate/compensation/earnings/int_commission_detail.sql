-- The arithmetic behind every fct_commission amount (SPEC §5), for statements
-- and reviewers: re-adding earnings_contribution over a payee, period, plan and
-- component gives fct_commission.commission_amount exactly.
--   detail_type credit         : each qualifying deal of the period (deal id, credit); contributes 0
--   detail_type band           : a tier band of earned(C, Q) to date: lo, hi, multiplier,
--                                amount in band, BCR; band earnings = money(BCR * m) * amount in band;
--                                a band on amount (tiers_on amount): amount_from, amount_to and its
--                                rate; band earnings = rate * amount in band
--   detail_type rule           : flat rate (C * rate), quota bonus, SPIF (deals * amount per deal)
--   detail_type gate           : minus the ungated earnings while attainment is below the gate
--   detail_type cap            : the clip of the plan-year cumulative at the cap
--   detail_type rounding       : the rounding of the period's line (SPEC §5: the change of the
--                                plan-year cumulative rounded to the currency's minor unit)
-- to_date_of = 'current' rows add earned_to_date of the period; 'previous' rows
-- (the prior month in the same basis window) subtract it: the true-up.
with

commission as (

    select * from {{ ref('int_commission') }}

),

earned as (

    select * from {{ ref('int_earnings_periodized') }}

),

bands as (

    select * from {{ ref('int_earnings_tier_bands') }}

),

-- per scenario in a forecast scenario build, as int_earnings_measured reads them (the
-- deal shares of macro commission_allocated_to_deals feed the holds of fct_payable)
credits as (

    select * from {{ spm.per_scenario(ref('int_earnings_qualifying_credits'), deals=true) }}

),

-- the to-date rows each commission row draws on: its own month (+1) and the
-- previous month of the same basis window (-1)
to_date_rows as (

    select
        earned.employee_id, earned.plan_id, earned.component_id, earned.period as commission_period,
        earned.period as to_date_period, 'current' as to_date_of, 1 as sign
    from earned

    union all

    select
        earned.employee_id, earned.plan_id, earned.component_id, earned.period as commission_period,
        previous.period as to_date_period, 'previous' as to_date_of, -1 as sign
    from earned
    inner join earned as previous
        on earned.employee_id = previous.employee_id
        and earned.plan_id = previous.plan_id
        and earned.component_id = previous.component_id
        and earned.basis_window = previous.basis_window
        and previous.month_in_window = earned.month_in_window - 1

),

lines as (

    -- tier bands
    select
        to_date_rows.employee_id, to_date_rows.plan_id, to_date_rows.component_id, to_date_rows.commission_period,
        to_date_rows.to_date_of, 'band' as detail_type, cast(null as {{ dbt.type_string() }}) as opportunity_id,
        bands.tier_index, bands.attainment_from, bands.attainment_to, bands.multiplier, bands.bcr,
        case when bands.tiers_on = 'amount' then bands.rate end as rate,
        bands.credit_to_date, bands.quota_to_date, bands.attainment_to_date,
        bands.amount_in_band,
        bands.amount_from, bands.amount_to,
        {{ money('to_date_rows.sign * bands.band_earnings') }} as earnings_contribution
    from to_date_rows
    inner join bands
        on to_date_rows.employee_id = bands.employee_id
        and to_date_rows.plan_id = bands.plan_id
        and to_date_rows.component_id = bands.component_id
        and to_date_rows.to_date_period = bands.period

    union all

    -- single-amount rules, and the gate
    select
        to_date_rows.employee_id, to_date_rows.plan_id, to_date_rows.component_id, to_date_rows.commission_period,
        to_date_rows.to_date_of, rule_lines.detail_type, cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_int() }}), cast(null as {{ spm.type_money() }}), cast(null as {{ spm.type_money() }}),
        cast(null as {{ spm.type_money() }}), earned.bcr, earned.rate,
        earned.credit_to_date, earned.quota_to_date, earned.attainment_to_date,
        cast(null as {{ spm.type_money() }}),
        cast(null as {{ spm.type_money() }}), cast(null as {{ spm.type_money() }}),
        {{ money('to_date_rows.sign * rule_lines.amount') }}
    from to_date_rows
    inner join earned
        on to_date_rows.employee_id = earned.employee_id
        and to_date_rows.plan_id = earned.plan_id
        and to_date_rows.component_id = earned.component_id
        and to_date_rows.to_date_period = earned.period
    inner join (
        select employee_id, plan_id, component_id, period, 'rule' as detail_type, ungated_to_date as amount
        from earned
        where rule_type in ('flat_rate', 'quota_bonus', 'spif')
        union all
        select employee_id, plan_id, component_id, period, 'gate' as detail_type, earned_to_date - ungated_to_date
        from earned
        where earned_to_date <> ungated_to_date
    ) as rule_lines
        on earned.employee_id = rule_lines.employee_id
        and earned.plan_id = rule_lines.plan_id
        and earned.component_id = rule_lines.component_id
        and earned.period = rule_lines.period

    union all

    -- the cap
    select
        employee_id, plan_id, component_id, period, 'current', 'cap', cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_int() }}), cast(null as {{ spm.type_money() }}), cast(null as {{ spm.type_money() }}),
        cast(null as {{ spm.type_money() }}), bcr, rate,
        credit_to_date, quota_to_date, attainment_to_date,
        cap_amount,
        cast(null as {{ spm.type_money() }}), cast(null as {{ spm.type_money() }}),
        {{ money('exact_earnings_amount - uncapped_earnings') }}
    from earned
    where exact_earnings_amount <> uncapped_earnings

    union all

    -- the rounding to the minor unit
    select
        employee_id, plan_id, component_id, period, 'current', 'rounding', cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_int() }}), cast(null as {{ spm.type_money() }}), cast(null as {{ spm.type_money() }}),
        cast(null as {{ spm.type_money() }}), bcr, rate,
        credit_to_date, quota_to_date, attainment_to_date,
        cast(null as {{ spm.type_money() }}),
        cast(null as {{ spm.type_money() }}), cast(null as {{ spm.type_money() }}),
        {{ money('earnings_amount - exact_earnings_amount') }}
    from earned
    where earnings_amount <> exact_earnings_amount

    union all

    -- the deals of the period
    select
        employee_id, plan_id, component_id, period, 'current', 'credit', opportunity_id,
        cast(null as {{ dbt.type_int() }}), cast(null as {{ spm.type_money() }}), cast(null as {{ spm.type_money() }}),
        cast(null as {{ spm.type_money() }}), cast(null as {{ spm.type_money() }}), cast(null as {{ spm.type_money() }}),
        cast(null as {{ spm.type_money() }}), cast(null as {{ spm.type_money() }}), cast(null as {{ spm.type_money() }}),
        credit_amount,
        cast(null as {{ spm.type_money() }}), cast(null as {{ spm.type_money() }}),
        {{ money('0') }}
    from credits

),

final as (

    select
        ----------  ids
        lines.employee_id,
        lines.commission_period as period,
        lines.plan_id,
        lines.component_id,
        lines.to_date_of,
        lines.detail_type,
        lines.opportunity_id,
        lines.tier_index,

        ----------  the arithmetic
        lines.attainment_from,
        lines.attainment_to,
        lines.multiplier,
        {{ money('lines.bcr') }} as bcr,
        {{ money('lines.rate') }} as rate,
        {{ money('lines.credit_to_date') }} as credit_to_date,
        {{ money('lines.quota_to_date') }} as quota_to_date,
        {{ money('lines.attainment_to_date') }} as attainment_to_date,
        {{ money('lines.amount_in_band') }} as amount,
        {{ money('lines.amount_from') }} as amount_from,
        {{ money('lines.amount_to') }} as amount_to,
        lines.earnings_contribution

    from lines
    inner join commission
        on lines.employee_id = commission.employee_id
        and lines.commission_period = commission.period
        and lines.plan_id = commission.plan_id
        and lines.component_id = commission.component_id

)

select * from final
