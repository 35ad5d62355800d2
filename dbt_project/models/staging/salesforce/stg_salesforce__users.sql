with

source as (

    select * from {{ source('salesforce', 'user') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['Id']) }} as version_rank
    from source

),

renamed as (

    select
        ----------  ids
        Id as user_id,
        EmployeeNumber as employee_number,
        ManagerId as manager_user_id,

        ----------  text
        Name as user_name,
        Email as email,

        ----------  booleans
        IsActive as is_active,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
