-- Every recorded publication of a pay period (docs/ledger.md): one row per
-- period and version, with the global publication sequence (the order the
-- publications happened in) and whether the version is the period's newest.
with

publications as (

    select * from {{ ref('stg_ledger__publications') }}

),

final as (

    select
        *,
        row_number() over (partition by period order by version desc) = 1 as is_latest_version
    from publications

)

select * from final
