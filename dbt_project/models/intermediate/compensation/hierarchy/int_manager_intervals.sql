-- Each worker's manager over time (SPEC §3.4, "the HR manager chain as of the
-- credit date"): one row per worker and interval [valid_from, valid_to) in
-- which manager_employee_id is their manager.
-- * From each job_history row's effective_date to the next one's (the last is
--   open-ended): that row's manager_employee_id (null = no manager).
-- * Before a worker's first job_history row, and always for a worker without
--   job history: the current HR record's manager_employee_id.
-- job_family and cost_center follow the same intervals (the job_history row's,
-- else the current record's): plan eligibility (int_plan_assignment_segments)
-- reads the job family, the payout files and journals the cost center
-- (int_payee_period_cost_centers). A job_history row without a job_family
-- (or cost_center) -- a sparse export: only the manager changed -- keeps the
-- value of the newest earlier row that has one, else the current record's.
{%- set carried = ['job_family', 'cost_center'] %}
with

workers as (

    select * from {{ ref('stg_workday__workers') }}

),

job_history as (

    select
        employee_id,
        manager_employee_id,
        {%- for column in carried %}
        {{ column }},
        {%- endfor %}
        effective_date,
        lead(effective_date) over (partition by employee_id order by effective_date) as next_effective_date,
        min(effective_date) over (partition by employee_id) as first_effective_date
    from {{ ref('stg_workday__job_history') }}

),
{% for column in carried %}
{{ column }}_rows as (

    select employee_id, effective_date, {{ column }}
    from job_history
    where {{ column }} is not null

),

-- the newest row on or before each row that names a {{ column }}
{{ column }}_dates as (

    select
        job_history.employee_id,
        job_history.effective_date,
        max({{ column }}_rows.effective_date) as carried_effective_date
    from job_history
    inner join {{ column }}_rows
        on job_history.employee_id = {{ column }}_rows.employee_id
        and {{ column }}_rows.effective_date <= job_history.effective_date
    group by job_history.employee_id, job_history.effective_date

),
{% endfor %}
first_rows as (

    select distinct employee_id, first_effective_date
    from job_history

),

from_history as (

    select
        job_history.employee_id,
        job_history.manager_employee_id,
        {%- for column in carried %}
        coalesce({{ column }}_rows.{{ column }}, workers.{{ column }}) as {{ column }},
        {%- endfor %}
        job_history.effective_date as valid_from,
        coalesce(job_history.next_effective_date, {{ open_end_date() }}) as valid_to,
        'job_history' as manager_source
    from job_history
    {%- for column in carried %}
    left join {{ column }}_dates
        on job_history.employee_id = {{ column }}_dates.employee_id
        and job_history.effective_date = {{ column }}_dates.effective_date
    left join {{ column }}_rows
        on {{ column }}_dates.employee_id = {{ column }}_rows.employee_id
        and {{ column }}_dates.carried_effective_date = {{ column }}_rows.effective_date
    {%- endfor %}
    left join workers
        on job_history.employee_id = workers.employee_id

),

before_history as (

    select
        workers.employee_id,
        workers.manager_employee_id,
        {%- for column in carried %}
        workers.{{ column }},
        {%- endfor %}
        cast('0001-01-01' as date) as valid_from,
        coalesce(first_rows.first_effective_date, {{ open_end_date() }}) as valid_to,
        'current_record' as manager_source
    from workers
    left join first_rows
        on workers.employee_id = first_rows.employee_id

),

final as (

    select * from from_history
    union all
    select * from before_history
    where valid_from < valid_to

)

select * from final
