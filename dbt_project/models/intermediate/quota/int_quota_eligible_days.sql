-- Eligible days of every usable quota's months (SPEC §4), per payee, period and
-- the plan that pays the day:
-- * a day is eligible when on or after the hire date, on or before the
--   termination date and in no unpaid leave (paid leave is eligible;
--   overlapping leaves count once);
-- * the plan of a day is that of the eligible assignment segment covering it
--   (int_plan_assignment_segments: the job family is eligible for the plan;
--   where assignments overlap, the one that started last), null on days no
--   plan pays.
-- int_quota_months_prorated sums the days of a month (the payee's quota);
-- int_quota_months_by_plan gives each plan the quota of its days.
with

quotas as (

    select * from {{ ref('int_quotas_validated') }}
    where quarantine_rule is null

),

periods as (

    select * from {{ ref('dim_period') }}

),

workers as (

    select * from {{ ref('stg_workday__workers') }}

),

unpaid_leaves as (

    select * from {{ ref('stg_workday__leaves') }}
    where not is_paid

),

segments as (

    select * from {{ ref('int_plan_assignment_segments') }}
    where is_eligible

),

month_days as (

    {{ dbt.generate_series(31) }}

),

quota_days as (

    select
        quotas.employee_id,
        periods.period,
        cast({{ dbt.dateadd('day', 'month_days.generated_number - 1', 'periods.period_start') }} as date) as day,
        workers.hire_date,
        workers.termination_date
    from quotas
    inner join periods
        on quotas.plan_year = periods.plan_year
    inner join workers
        on quotas.employee_id = workers.employee_id
    inner join month_days
        on month_days.generated_number <= periods.days_in_month

),

eligible_days as (

    select
        quota_days.employee_id,
        quota_days.period,
        quota_days.day
    from quota_days
    where quota_days.day >= quota_days.hire_date
        and quota_days.day <= coalesce(quota_days.termination_date, {{ open_end_date() }})
        and not exists (
            select 1 from unpaid_leaves
            where unpaid_leaves.employee_id = quota_days.employee_id
                and unpaid_leaves.start_date <= quota_days.day
                and quota_days.day <= coalesce(unpaid_leaves.end_date, {{ open_end_date() }})
        )

),

day_plans as (

    select
        eligible_days.employee_id,
        eligible_days.day,
        segments.plan_id,
        row_number() over (
            partition by eligible_days.employee_id, eligible_days.day
            order by segments.start_date desc
        ) as segment_rank
    from eligible_days
    inner join segments
        on eligible_days.employee_id = segments.employee_id
        and segments.segment_start <= eligible_days.day
        and eligible_days.day <= segments.segment_end_or_open

),

final as (

    select
        ----------  ids
        eligible_days.employee_id,
        eligible_days.period,
        day_plans.plan_id,

        ----------  days
        cast(count(*) as {{ dbt.type_int() }}) as eligible_days

    from eligible_days
    left join day_plans
        on eligible_days.employee_id = day_plans.employee_id
        and eligible_days.day = day_plans.day
        and day_plans.segment_rank = 1
    group by eligible_days.employee_id, eligible_days.period, day_plans.plan_id

)

select * from final
