-- The new-hire ramp of SPEC §4, for every HR worker and month of dim_period
-- (quota months and plan years still without quotas alike); the one place the
-- ramp is decided, read by int_quota_months_prorated (fct_quota) and by
-- planning (int_territory_assignment_months):
-- * employment_month k = months since the hire month + 1 (k = 1 in the month of
--   the hire date; 0 and below before it);
-- * the month's plan is the plan paying one of its days that started last
--   (int_payee_days: the usable assignment with an eligible job-family segment
--   overlapping the month, later start wins); null when no plan pays a day;
-- * ramp_month is the month of the ramp (the plan's ramp_start): k by default
--   (ramp_start hire_month); with ramp_start next_month_if_hired_after_day N
--   and a hire date after day N of its month, k - 1: ramp month 1 is the month
--   after the hire month, and the partial hire month (ramp_month 0) takes the
--   first factor too (it is prorated by its days as every month is);
-- * ramp_factor is that plan's plan_ramp row for ramp_month (month 1's for
--   ramp_month 0); 1.0 without one (beyond the list, before the hire, no plan).
-- E.g. ramp [0.25, 0.5, 0.75], cut-off day 15, hired 2026-01-22: January
-- ramp_month 0 factor 0.25 (and 10 of 31 days), February 1 (0.25), March 2
-- (0.5), April 3 (0.75), May 1.0. Hired 2026-01-15: January is ramp month 1.
with

periods as (

    select * from {{ ref('int_periods') }}

),

workers as (

    select * from {{ ref('stg_workday__workers') }}

),

ramps as (

    select * from {{ ref('stg_config__plan_ramps') }}

),

plans as (

    select * from {{ ref('stg_config__plans') }}

),

month_plans as (

    select
        employee_id,
        period,
        plan_id,
        row_number() over (
            partition by employee_id, period
            order by plan_assignment_start desc
        ) as plan_rank
    from (
        select distinct employee_id, period, plan_id, plan_assignment_start
        from {{ ref('int_payee_days') }}
        where plan_id is not null
    ) as paid_months

),

worker_months as (

    select
        workers.employee_id,
        workers.hire_date,
        workers.termination_date,
        periods.period,
        periods.period_start,
        periods.period_end,
        periods.plan_year,
        periods.days_in_month,
        (extract(year from periods.period_start) - extract(year from workers.hire_date)) * 12
            + extract(month from periods.period_start) - extract(month from workers.hire_date) + 1
            as employment_month_raw
    from workers
    cross join periods

),

with_ramp_month as (

    select
        worker_months.*,
        month_plans.plan_id,
        worker_months.employment_month_raw
            - case
                when plans.ramp_start_after_day is not null
                    and extract(day from worker_months.hire_date) > plans.ramp_start_after_day then 1
                else 0
            end as ramp_month_raw,
        plans.ramp_start_after_day
    from worker_months
    left join month_plans
        on worker_months.employee_id = month_plans.employee_id
        and worker_months.period = month_plans.period
        and month_plans.plan_rank = 1
    left join plans
        on month_plans.plan_id = plans.plan_id

),

final as (

    select
        ----------  ids
        with_ramp_month.employee_id,
        with_ramp_month.period,
        with_ramp_month.plan_year,
        with_ramp_month.plan_id,

        ----------  the month and the worker
        with_ramp_month.period_start,
        with_ramp_month.period_end,
        with_ramp_month.days_in_month,
        with_ramp_month.hire_date,
        with_ramp_month.termination_date,

        ----------  ramp
        cast(with_ramp_month.employment_month_raw as {{ dbt.type_int() }}) as employment_month,
        with_ramp_month.ramp_start_after_day,
        cast(with_ramp_month.ramp_month_raw as {{ dbt.type_int() }}) as ramp_month,
        {{ money('coalesce(ramps.quota_factor, 1)') }} as ramp_factor

    from with_ramp_month
    left join ramps
        on with_ramp_month.plan_id = ramps.plan_id
        -- ramp month 0 (the partial hire month before a cut-off start) takes month 1's factor
        and case
            when with_ramp_month.ramp_month_raw = 0 and with_ramp_month.employment_month_raw = 1 then 1
            else with_ramp_month.ramp_month_raw
        end
            = ramps.employment_month

)

select * from final
