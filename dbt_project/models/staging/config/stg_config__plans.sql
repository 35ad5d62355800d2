-- Plan definitions flattened from the plan YAML files (one current version),
-- with the plan-level rules: currency of fixed amounts, clawback window and
-- policy, draw, ramp start. Options a plan does not name take today's
-- behaviour: clawback_policy reverse_credit; ramp_start_after_day null (the
-- hire month is ramp month 1).
with

source as (

    select * from {{ source('config', 'plan') }}

),

renamed as (

    select
        ----------  ids
        plan_id,

        ----------  text
        plan_name,
        source_file,
        currency as plan_currency,
        draw_type,
        coalesce(clawback_policy, 'reverse_credit') as clawback_policy,

        ----------  dates
        effective_start,
        effective_end,

        ----------  numerics
        cast(clawback_window_days as {{ dbt.type_int() }}) as clawback_window_days,
        {{ money('draw_monthly_amount') }} as draw_monthly_amount,
        cast(draw_months as {{ dbt.type_int() }}) as draw_months,
        cast(ramp_start_after_day as {{ dbt.type_int() }}) as ramp_start_after_day

    from source

)

select * from renamed
