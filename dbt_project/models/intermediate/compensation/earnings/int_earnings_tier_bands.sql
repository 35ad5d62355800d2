-- The tier bands of tiered components, to date on the basis (SPEC §5), one row
-- per payee, plan, component, period and band (upper bound null = open).
-- Bands on attainment (tiers_on attainment, the default), [lo, hi) of C/Q:
--   marginal_tiers    : amount in band = max(0, min(C, hi*Q) - lo*Q)
--   retroactive_tiers : amount in band = C for the band holding C/Q, else 0
--   band earnings     = money(BCR * m) * amount in band
-- Bands on amount (tiers_on amount), [from, to) of the credit C itself, no quota:
--   marginal_tiers    : amount in band = max(0, min(C, to) - from)
--   retroactive_tiers : amount in band = C for the band holding C, else 0
--   band earnings     = rate * amount in band
-- e.g. 5% to 100,000, 7% to 250,000, 9% above, marginal, C = 300,000:
-- 0.05 x 100,000 + 0.07 x 150,000 + 0.09 x 50,000 = 5,000 + 10,500 + 4,500 = 20,000;
-- retroactive: 0.09 x 300,000 = 27,000.
-- Each band is rounded at the 10th decimal, so the bands re-add exactly to
-- earned(C, Q). C is the commission measure (credit_to_date); the band holding
-- attainment is found on attainment_to_date (booked credit / Q: the same unless a
-- commission-only clawback took a deal out of the measure, int_earnings_measured).
with

measured as (

    select * from {{ ref('int_earnings_measured') }}
    where rule_type in ('marginal_tiers', 'retroactive_tiers')

),

components as (

    select * from {{ ref('stg_config__plan_components') }}

),

tiers as (

    select * from {{ ref('stg_config__plan_component_tiers') }}

),

banded as (

    select
        measured.employee_id,
        measured.plan_id,
        measured.component_id,
        measured.period,
        measured.rule_type,
        components.tiers_on,
        tiers.tier_index,
        tiers.attainment_from,
        tiers.attainment_to,
        tiers.multiplier,
        tiers.amount_from,
        tiers.amount_to,
        tiers.rate,
        measured.bcr,
        measured.credit_to_date,
        measured.quota_to_date,
        measured.attainment_to_date,
        {{ money(
            "case"
            ~ " when components.tiers_on = 'amount' and measured.rule_type = 'marginal_tiers' then greatest(0,"
            ~ " least(measured.credit_to_date, coalesce(tiers.amount_to, measured.credit_to_date)) - tiers.amount_from)"
            ~ " when components.tiers_on = 'amount' then"
            ~ " case when measured.credit_to_date >= tiers.amount_from"
            ~ " and (tiers.amount_to is null or measured.credit_to_date < tiers.amount_to)"
            ~ " then measured.credit_to_date else 0 end"
            ~ " when measured.rule_type = 'marginal_tiers' then greatest(0, least(measured.credit_to_date,"
            ~ " coalesce(tiers.attainment_to * measured.quota_to_date, measured.credit_to_date))"
            ~ " - tiers.attainment_from * measured.quota_to_date)"
            ~ " when measured.attainment_to_date >= tiers.attainment_from"
            ~ " and (tiers.attainment_to is null or measured.attainment_to_date < tiers.attainment_to)"
            ~ " then measured.credit_to_date"
            ~ " else 0 end"
        ) }} as amount_in_band
    from measured
    inner join components
        on measured.plan_id = components.plan_id
        and measured.component_id = components.component_id
    inner join tiers
        on measured.plan_id = tiers.plan_id
        and measured.component_id = tiers.component_id

),

final as (

    select
        *,
        {{ money(
            "case when tiers_on = 'amount' then " ~ money('coalesce(rate, 0)') ~ " * amount_in_band"
            ~ " else " ~ money('coalesce(bcr, 0) * multiplier') ~ " * amount_in_band end"
        ) }} as band_earnings
    from banded

)

select * from final
