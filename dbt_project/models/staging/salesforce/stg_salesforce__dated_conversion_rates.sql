-- ConversionRate = units of currency_code per one unit of the corporate
-- currency, valid for start_date <= d < next_start_date (SPEC §3.2).
with

source as (

    select * from {{ source('salesforce', 'dated_conversion_rate') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['IsoCode', 'StartDate']) }} as version_rank
    from source

),

renamed as (

    select
        ----------  ids
        IsoCode as currency_code,

        ----------  dates
        StartDate as start_date,
        NextStartDate as next_start_date,

        ----------  numerics
        {{ money('ConversionRate') }} as conversion_rate,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
