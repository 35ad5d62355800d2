-- Plan document acceptances (config plan_acceptances.csv, optional, e.g. an
-- e-sign export; docs/payment_workflow.md): the rows the landing contract
-- accepted, the newest row per payee, plan, plan year and document SHA-256.
with

source as (

    select * from {{ source('config', 'plan_acceptances') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['employee_id', 'plan_id', 'plan_year', 'document_sha256']) }} as version_rank
    from source

),

renamed as (

    select
        ----------  ids
        employee_id,
        plan_id,
        cast(plan_year as {{ dbt.type_int() }}) as plan_year,
        document_sha256,

        ----------  when
        accepted_at,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
