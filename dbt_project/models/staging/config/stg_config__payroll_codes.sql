-- The earning-code map (config payroll_codes.csv, docs/payroll.md): per payroll
-- adapter, the payroll's code of an internal earning code; the newest row per
-- adapter and earning code.
with

source as (

    select * from {{ source('payroll_config', 'payroll_codes') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['lower(trim(adapter))', 'upper(trim(earning_code))']) }} as version_rank
    from source

),

renamed as (

    select
        ----------  ids
        lower(trim(adapter)) as adapter,
        upper(trim(earning_code)) as earning_code,

        ----------  the payroll's code
        trim(payroll_code) as payroll_code,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
