-- The loads the engine reads now (docs/incremental.md): one row per landing
-- file of the deal-level datasets (dataset, file, when it was loaded), one per
-- configuration dataset (its rows' fingerprint in source_file) and one for
-- the engine itself (the fingerprint of the dbt project, SPM_ENGINE_FINGERPRINT,
-- set by core/dbt.py): a changed engine recomputes every deal.
with

landing as (
    select
        dataset,
        source_file,
        max(loaded_at) as loaded_at
    from {{ ref('stg_ingest__engine_loads') }}
    group by dataset, source_file
),

configuration as (
    select
        dataset,
        fingerprint as source_file,
        cast(null as {{ dbt.type_timestamp() }}) as loaded_at
    from {{ ref('stg_ingest__config_fingerprints') }}
),

engine as (
    select
        'engine' as dataset,
        '{{ env_var("SPM_ENGINE_FINGERPRINT", "unset") }}' as source_file,
        cast(null as {{ dbt.type_timestamp() }}) as loaded_at
)

select dataset, source_file, cast(loaded_at as {{ dbt.type_timestamp() }}) as loaded_at from landing
union all
select * from configuration
union all
select * from engine
