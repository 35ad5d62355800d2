-- The payroll each HR country is paid through (config payrolls.csv, docs/payroll.md):
-- the newest row per country, adapter in lower case.
with

source as (

    select * from {{ source('payroll_config', 'payrolls') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['upper(trim(country))']) }} as version_rank
    from source

),

renamed as (

    select
        ----------  ids
        upper(trim(country)) as country,

        ----------  the payroll
        lower(trim(adapter)) as adapter,
        trim(company_code) as company_code,
        trim(batch_id) as batch_id,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
