-- New-hire quota ramp (SPEC §4): quota_factor for the employment_month-th
-- month of employment (1 = the month of the hire date); later months are 1.0.
with

source as (

    select * from {{ source('config', 'plan_ramp') }}

),

renamed as (

    select
        ----------  ids
        plan_id,
        cast(employment_month as {{ dbt.type_int() }}) as employment_month,

        ----------  numerics
        {{ money('quota_factor') }} as quota_factor

    from source

)

select * from renamed
