-- The HR manager chain (SPEC §3.4, "every manager above them in the HR
-- manager chain as of the credit date"): one row per worker, manager and
-- interval [valid_from, valid_to) in which that manager is rollup_level levels
-- above the worker, walked over int_manager_intervals for every date at once.
-- rollup_level 1 = the direct manager; each level's manager is the one of the
-- level below's manager on the same date (each level's interval is the
-- intersection of the intervals of the path to it); a manager already on the
-- path is not visited again (cycles in the HR data are cut); at most var
-- rollup_max_depth levels; managers without an HR worker record are walked
-- through but get no row. The chain on a date d is the rows with
-- valid_from <= d < valid_to: the engine's roll-up (int_credits_rolled_up, on
-- the credit date) and the forecasts (fct_pipeline_credit_share, for every
-- date) both read it.
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

-- Consecutive intervals with the same manager at the same level (job_history
-- rows that changed something else) make one interval.
islands as (

    select
        *,
        sum(case when previous_manager is distinct from manager_employee_id
                   or previous_valid_to is distinct from valid_from then 1 else 0 end)
            over (partition by employee_id, rollup_level order by valid_from) as island
    from (
        select
            employee_id,
            manager_employee_id,
            rollup_level,
            valid_from,
            valid_to,
            lag(manager_employee_id) over (partition by employee_id, rollup_level order by valid_from)
                as previous_manager,
            lag(valid_to) over (partition by employee_id, rollup_level order by valid_from) as previous_valid_to
        from chain
    ) as ordered

),

merged as (

    select
        employee_id,
        manager_employee_id,
        rollup_level,
        min(valid_from) as valid_from,
        max(valid_to) as valid_to
    from islands
    group by employee_id, manager_employee_id, rollup_level, island

),

final as (

    select
        merged.employee_id,
        merged.manager_employee_id,
        cast(merged.rollup_level as {{ dbt.type_int() }}) as rollup_level,
        merged.valid_from,
        merged.valid_to,
        workers.currency as manager_currency
    from merged
    inner join workers
        on merged.manager_employee_id = workers.employee_id

)

select * from final
