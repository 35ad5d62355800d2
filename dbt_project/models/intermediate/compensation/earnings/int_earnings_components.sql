-- The plan components the earnings engine pays (SPEC §5): a known measure and
-- a rule with its parameters present (a flat rate, a bonus amount and
-- threshold, a SPIF amount, or a tier table). A component missing them earns
-- nothing rather than failing the build; the plan schema rejects such files
-- upstream, so this only guards hand-made raw tables.
with

plan_components as (

    select * from {{ ref('stg_config__plan_components') }}

),

tiers as (

    select * from {{ ref('stg_config__plan_component_tiers') }}

),

payable_components as (

    select * from plan_components
    where measure in ('own_credit', 'rollup_credit', 'product_amount', 'product_units')
        and (
            (rule_type = 'flat_rate' and rate is not null)
            or (rule_type = 'quota_bonus' and bonus_amount is not null and bonus_threshold is not null)
            or (rule_type = 'spif' and (spif_amount_per_deal is not null or spif_amount_per_unit is not null))
            or (
                rule_type in ('marginal_tiers', 'retroactive_tiers')
                and exists (
                    select 1 from tiers
                    where tiers.plan_id = plan_components.plan_id
                        and tiers.component_id = plan_components.component_id
                )
            )
        )

)

select * from payable_components
