-- Each usable plan assignment cut by the payee's job family (plan eligibility,
-- plan YAML eligible_job_families): one row per assignment and run of days
-- with one job family, [segment_start, segment_end] inclusive (null = open).
-- * The job family of a day is the worker's effective-dated job family
--   (int_manager_intervals: the newest job_history row effective on or before
--   the day, else the current HR record's).
-- * A plan without eligible_job_families pays every family. Otherwise the
--   segment is_eligible when its job family is listed.
-- * A job-family change in the middle of an assignment splits it: the days
--   before the change are paid under the plan only if the old family is
--   eligible, the days from the change only if the new one is. Ineligible
--   segments are not paid under the plan (credits dated in them earn nothing
--   under it, their days give the plan no quota, a month without eligible days
--   has no earnings row or draw) and are quarantined
--   (plan_assignment_job_family_not_eligible, int_config_rows_quarantined).
-- Consecutive intervals with the same job family (e.g. a manager change only)
-- are merged into one segment.
with

assignments as (

    select * from {{ ref('int_plan_assignments_validated') }}
    where quarantine_rule is null

),

job_intervals as (

    select * from {{ ref('int_manager_intervals') }}

),

eligible_families as (

    select * from {{ ref('stg_config__plan_eligible_job_families') }}

),

cut as (

    select
        assignments.employee_id,
        assignments.plan_id,
        assignments.start_date,
        assignments.end_date,
        job_intervals.job_family,
        case
            when job_intervals.valid_from > assignments.start_date then job_intervals.valid_from
            else assignments.start_date
        end as segment_start,
        case
            when job_intervals.valid_to = {{ open_end_date() }} then coalesce(assignments.end_date, {{ open_end_date() }})
            when cast({{ dbt.dateadd('day', '-1', 'job_intervals.valid_to') }} as date)
                < coalesce(assignments.end_date, {{ open_end_date() }})
                then cast({{ dbt.dateadd('day', '-1', 'job_intervals.valid_to') }} as date)
            else coalesce(assignments.end_date, {{ open_end_date() }})
        end as segment_end_or_open,
        assignments.source_batch,
        assignments.source_file,
        assignments.source_row,
        assignments.loaded_at
    from assignments
    inner join job_intervals
        on assignments.employee_id = job_intervals.employee_id
        and job_intervals.valid_from <= coalesce(assignments.end_date, {{ open_end_date() }})
        and assignments.start_date < job_intervals.valid_to

),

islands as (

    select
        *,
        row_number() over (partition by employee_id, start_date order by segment_start)
            - row_number() over (partition by employee_id, start_date, job_family order by segment_start)
            as island
    from cut
    where segment_start <= segment_end_or_open

),

merged as (

    select
        employee_id,
        plan_id,
        start_date,
        end_date,
        job_family,
        min(segment_start) as segment_start,
        max(segment_end_or_open) as segment_end_or_open,
        min(source_batch) as source_batch,
        min(source_file) as source_file,
        min(source_row) as source_row,
        min(loaded_at) as loaded_at
    from islands
    group by employee_id, plan_id, start_date, end_date, job_family, island

),

final as (

    select
        ----------  ids
        merged.employee_id,
        merged.plan_id,
        merged.job_family,

        ----------  dates
        merged.start_date,
        merged.end_date,
        merged.segment_start,
        case when merged.segment_end_or_open < {{ open_end_date() }} then merged.segment_end_or_open end as segment_end,
        merged.segment_end_or_open,

        ----------  eligibility
        not exists (
            select 1 from eligible_families
            where eligible_families.plan_id = merged.plan_id
        ) or exists (
            select 1 from eligible_families
            where eligible_families.plan_id = merged.plan_id
                and eligible_families.job_family = merged.job_family
        ) as is_eligible,

        ----------  the assignment row (traceability)
        merged.source_batch,
        merged.source_file,
        merged.source_row,
        merged.loaded_at

    from merged

)

select * from final
