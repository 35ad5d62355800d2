-- The tier bands of tiered components, to date on the basis (SPEC §5), one row
-- per payee, plan, component, period and band [lo, hi) (hi null = open):
--   marginal_tiers    : amount in band = max(0, min(C, hi*Q) - lo*Q)
--   retroactive_tiers : amount in band = C for the band holding C/Q, else 0
--   band earnings     = money(BCR * m) * amount in band (each rounded at the
--                       10th decimal, so the bands re-add exactly to earned(C, Q))
with

measured as (

    select * from {{ ref('int_earnings_measured') }}
    where rule_type in ('marginal_tiers', 'retroactive_tiers')

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
        tiers.tier_index,
        tiers.attainment_from,
        tiers.attainment_to,
        tiers.multiplier,
        measured.bcr,
        measured.credit_to_date,
        measured.quota_to_date,
        measured.attainment_to_date,
        {{ money(
            "case"
            ~ " when measured.rule_type = 'marginal_tiers' then greatest(0, least(measured.credit_to_date,"
            ~ " coalesce(tiers.attainment_to * measured.quota_to_date, measured.credit_to_date))"
            ~ " - tiers.attainment_from * measured.quota_to_date)"
            ~ " when measured.attainment_to_date >= tiers.attainment_from"
            ~ " and (tiers.attainment_to is null or measured.attainment_to_date < tiers.attainment_to)"
            ~ " then measured.credit_to_date"
            ~ " else 0 end"
        ) }} as amount_in_band
    from measured
    inner join tiers
        on measured.plan_id = tiers.plan_id
        and measured.component_id = tiers.component_id

),

final as (

    select
        *,
        {{ money(money('coalesce(bcr, 0) * multiplier') ~ ' * amount_in_band') }} as band_earnings
    from banded

)

select * from final
