-- The job families each plan may pay (plan YAML eligible_job_families), one row
-- per plan and family. A plan without rows here pays every job family.
with

source as (

    select * from {{ source('config', 'plan') }}

),

unnested as (

    select
        plan_id,
        {{ unnest_list('eligible_job_families') }} as job_family
    from source
    where eligible_job_families is not null

),

final as (

    select distinct
        ----------  ids
        plan_id,

        ----------  text
        job_family

    from unnested

)

select * from final
