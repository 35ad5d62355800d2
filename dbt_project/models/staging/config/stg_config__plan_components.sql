-- Plan components flattened from the plan YAML files. measure: what is
-- counted (own_credit, rollup_credit, ...); basis: period, quarter or ytd;
-- rule_type: how it pays (flat_rate, marginal_tiers, retroactive_tiers,
-- quota_bonus, spif); the other columns are the rule's parameters (null when
-- the rule has none). Options a component does not name take today's
-- behaviour: bonus_pay_when basis_end for quota_bonus, tiers_on attainment for
-- tiered rules (null for the other rules), release on_booking (paid when the
-- deal closes; on_invoice_paid: held until the invoice is paid,
-- docs/payment_workflow.md).
with

source as (

    select * from {{ source('config', 'plan_component') }}

),

renamed as (

    select
        ----------  ids
        plan_id,
        component_id,

        ----------  text
        component_name,
        earning_code,
        measure,
        basis,
        rule_type,
        case when rule_type = 'quota_bonus' then coalesce(bonus_pay_when, 'basis_end') end as bonus_pay_when,
        case
            when rule_type in ('marginal_tiers', 'retroactive_tiers') then coalesce(tiers_on, 'attainment')
        end as tiers_on,
        coalesce(release, 'on_booking') as release,
        case when release = 'on_invoice_paid' then release_partial end as release_partial,
        case
            when release = 'on_invoice_paid' then cast(release_expire_after_days as {{ dbt.type_int() }})
        end as release_expire_after_days,

        ----------  dates
        spif_window_start,
        spif_window_end,

        ----------  numerics
        {{ money('rate') }} as rate,
        {{ money('weight') }} as weight,
        {{ money('gate_attainment') }} as gate_attainment,
        {{ money('cap_multiple_of_ti') }} as cap_multiple_of_ti,
        {{ money('bonus_threshold') }} as bonus_threshold,
        {{ money('bonus_amount') }} as bonus_amount,
        {{ money('spif_amount_per_unit') }} as spif_amount_per_unit,
        {{ money('spif_amount_per_deal') }} as spif_amount_per_deal

    from source

)

select * from renamed
