-- earned(C, Q) of every component on its basis, to date (SPEC §5):
--   BCR                = weight (default 1) * annual TI / annual quota (before proration)
--   flat_rate          : C * rate
--   marginal_tiers     : sum_k BCR * m_k * max(0, min(C, hi_k*Q) - lo_k*Q)  (last band open)
--   retroactive_tiers  : BCR * m * C with m the band [lo, hi) holding C/Q
--   quota_bonus        : bonus_amount when C/Q >= bonus_threshold, else 0
--   spif               : spif_amount_per_unit * qualifying units to date (line-item
--                        Quantity of the filtered families x credit share), else
--                        spif_amount_per_deal * qualifying deals to date
-- Gate: when gate_attainment is set and C/Q < gate (or Q is 0), nothing is
-- earned; at or above it the full earned(C, Q) is (the gate is a condition,
-- not a deduction). Attainment is divide_money(C, Q), null when Q is 0.
-- int_earnings_periodized turns these to-date amounts into period earnings.
with

measured as (

    select * from {{ ref('int_earnings_measured') }}

),

components as (

    select * from {{ ref('stg_config__plan_components') }}

),

tiers as (

    select * from {{ ref('stg_config__plan_component_tiers') }}

),

with_rates as (

    select
        measured.*,
        components.rate,
        components.gate_attainment,
        components.cap_multiple_of_ti,
        components.bonus_threshold,
        components.bonus_amount,
        components.spif_amount_per_deal,
        components.spif_amount_per_unit
    from measured
    inner join components
        on measured.plan_id = components.plan_id
        and measured.component_id = components.component_id

),

tier_amounts as (

    select
        employee_id,
        plan_id,
        component_id,
        period,
        sum(band_earnings) as tiered_to_date
    from {{ ref('int_earnings_tier_bands') }}
    group by employee_id, plan_id, component_id, period

),

earned as (

    select
        with_rates.*,
        {{ money("case
            when with_rates.rule_type = 'flat_rate' then with_rates.credit_to_date * with_rates.rate
            when with_rates.rule_type in ('marginal_tiers', 'retroactive_tiers') then coalesce(tier_amounts.tiered_to_date, 0)
            when with_rates.rule_type = 'quota_bonus' then
                case when with_rates.attainment_to_date >= with_rates.bonus_threshold then with_rates.bonus_amount else 0 end
            when with_rates.rule_type = 'spif' and with_rates.spif_amount_per_unit is not null then with_rates.spif_amount_per_unit * with_rates.units_to_date
            when with_rates.rule_type = 'spif' then coalesce(with_rates.spif_amount_per_deal, 0) * with_rates.deals_to_date
        end") }} as ungated_to_date
    from with_rates
    left join tier_amounts
        on with_rates.employee_id = tier_amounts.employee_id
        and with_rates.plan_id = tier_amounts.plan_id
        and with_rates.component_id = tier_amounts.component_id
        and with_rates.period = tier_amounts.period

),

final as (

    select
        *,
        {{ money(
            "case when gate_attainment is not null and coalesce(attainment_to_date < gate_attainment, true) then 0"
            ~ " else coalesce(ungated_to_date, 0) end"
        ) }} as earned_to_date
    from earned

)

select * from final
