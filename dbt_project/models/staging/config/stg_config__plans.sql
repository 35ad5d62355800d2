-- Plan definitions flattened from the plan YAML files (one current version).
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

        ----------  dates
        effective_start,
        effective_end

    from source

)

select * from renamed
