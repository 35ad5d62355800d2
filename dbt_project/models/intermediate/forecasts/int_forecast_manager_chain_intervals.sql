-- Every manager above each worker in the HR manager chain, effective-dated
-- (SPEC §3.4): one row per worker, manager and interval [valid_from, valid_to)
-- in which that manager is rollup_level levels above the worker. Walked over
-- int_manager_intervals the way int_credits_rolled_up walks it for one credit
-- date (rollup_level 1 = the direct manager; a manager already on the path is
-- not visited again; at most var rollup_max_depth levels; managers without an
-- HR worker record credit nothing), but for every date at once: each level's
-- interval is the intersection of the intervals of the path to it. The chain
-- valid on a date d is the rows with valid_from <= d < valid_to.
-- tests/forecasts/assert_pipeline_chain_matches_the_engines_rollup.sql checks
-- it against every roll-up credit of the engine.
with recursive

manager_intervals as (

    select employee_id, manager_employee_id, valid_from, valid_to
    from {{ ref('int_manager_intervals') }}
    where manager_employee_id is not null

),

chain (employee_id, manager_employee_id, rollup_level, valid_from, valid_to, visited) as (

    select
        employee_id,
        manager_employee_id,
        1,
        valid_from,
        valid_to,
        '|' || employee_id || '|' || manager_employee_id || '|'
    from manager_intervals
    where manager_employee_id <> employee_id

    union all

    select
        chain.employee_id,
        manager_intervals.manager_employee_id,
        chain.rollup_level + 1,
        greatest(chain.valid_from, manager_intervals.valid_from),
        least(chain.valid_to, manager_intervals.valid_to),
        chain.visited || manager_intervals.manager_employee_id || '|'
    from chain
    inner join manager_intervals
        on chain.manager_employee_id = manager_intervals.employee_id
        and manager_intervals.valid_from < chain.valid_to
        and chain.valid_from < manager_intervals.valid_to
    where chain.rollup_level < {{ var('rollup_max_depth', 10) }}
        and {{ dbt.position("'|' || manager_intervals.manager_employee_id || '|'", 'chain.visited') }} = 0

),

workers as (

    select * from {{ ref('stg_workday__workers') }}

),

final as (

    select
        chain.employee_id,
        chain.manager_employee_id,
        cast(chain.rollup_level as {{ dbt.type_int() }}) as rollup_level,
        chain.valid_from,
        chain.valid_to,
        workers.currency as manager_currency
    from chain
    inner join workers
        on chain.manager_employee_id = workers.employee_id

)

select * from final
