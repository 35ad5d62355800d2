-- earned(C, Q) of every component on its basis, to date (SPEC §5):
--   BCR                = weight (default 1) * annual TI / annual quota (before proration)
--   flat_rate          : C * rate
--   marginal_tiers     : sum_k BCR * m_k * max(0, min(C, hi_k*Q) - lo_k*Q)  (last band open)
--   retroactive_tiers  : BCR * m * C with m the band [lo, hi) holding C/Q
--                        (tiers_on amount: rates of bands of C, int_earnings_tier_bands)
--   quota_bonus        : bonus_amount when C/Q >= bonus_threshold, else 0, to date
--                        as of the month it is paid in (bonus_pay_when):
--     basis_end          (default, SPEC §5: "paid in the quarter's last month, on
--                        the quarter's attainment then") 0 before the pay month;
--                        from it on, the bonus on the attainment to date of the
--                        pay month. The pay month is the last month of the basis
--                        window (the quarter's last month for basis quarter, the
--                        plan year's for ytd) in which the payee is employed and
--                        paid by the plan on at least one day (int_payee_days):
--                        a payee who leaves the plan or the company in February
--                        is paid Q1's bonus in February, on the attainment to
--                        date then. A window without such a month pays in its
--                        last month.
--     threshold_reached  the bonus to date each month: paid in the first month
--                        the to-date attainment reaches the threshold, reversed
--                        (by the true-up) should it fall back within the window.
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

-- the months in which the payee is employed and paid by the plan on a day
plan_months as (

    select distinct employee_id, plan_id, period
    from {{ spm.per_scenario(ref('int_payee_days')) }}
    where is_employed and plan_id is not null

),

with_rates as (

    select
        measured.*,
        components.rate,
        components.gate_attainment,
        components.cap_multiple_of_ti,
        components.bonus_threshold,
        components.bonus_amount,
        components.bonus_pay_when,
        components.spif_amount_per_deal,
        components.spif_amount_per_unit
    from measured
    inner join components
        on measured.plan_id = components.plan_id
        and measured.component_id = components.component_id

),

-- quota_bonus paid at the end of the basis window: the month it is paid in
with_pay_period as (

    select
        with_rates.*,
        case when with_rates.rule_type = 'quota_bonus' and with_rates.bonus_pay_when = 'basis_end' then
            coalesce(
                max(case when plan_months.period is not null then with_rates.period end) over (
                    partition by with_rates.employee_id, with_rates.plan_id, with_rates.component_id, with_rates.basis_window
                ),
                max(with_rates.period) over (
                    partition by with_rates.employee_id, with_rates.plan_id, with_rates.component_id, with_rates.basis_window
                )
            )
        end as bonus_pay_period,
        case when with_rates.attainment_to_date >= with_rates.bonus_threshold then with_rates.bonus_amount else 0 end
            as bonus_reached_to_date
    from with_rates
    left join plan_months
        on with_rates.employee_id = plan_months.employee_id
        and with_rates.plan_id = plan_months.plan_id
        and with_rates.period = plan_months.period

),

with_bonus as (

    select
        *,
        case
            when rule_type <> 'quota_bonus' then null
            when bonus_pay_period is null then bonus_reached_to_date
            when period < bonus_pay_period then 0
            else max(case when period = bonus_pay_period then bonus_reached_to_date end) over (
                partition by employee_id, plan_id, component_id, basis_window
            )
        end as bonus_to_date
    from with_pay_period

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
        with_bonus.*,
        {{ money("case
            when with_bonus.rule_type = 'flat_rate' then with_bonus.credit_to_date * with_bonus.rate
            when with_bonus.rule_type in ('marginal_tiers', 'retroactive_tiers') then coalesce(tier_amounts.tiered_to_date, 0)
            when with_bonus.rule_type = 'quota_bonus' then with_bonus.bonus_to_date
            when with_bonus.rule_type = 'spif' and with_bonus.spif_amount_per_unit is not null then with_bonus.spif_amount_per_unit * with_bonus.units_to_date
            when with_bonus.rule_type = 'spif' then coalesce(with_bonus.spif_amount_per_deal, 0) * with_bonus.deals_to_date
        end") }} as ungated_to_date
    from with_bonus
    left join tier_amounts
        on with_bonus.employee_id = tier_amounts.employee_id
        and with_bonus.plan_id = tier_amounts.plan_id
        and with_bonus.component_id = tier_amounts.component_id
        and with_bonus.period = tier_amounts.period

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
