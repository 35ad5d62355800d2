-- Configuration rows held back (SPEC §2, §4):
--   quota_currency_mismatch            the quota is not in the payee's currency
--   quota_without_hr_worker            the quota's employee is not an HR worker
--   unknown_plan_id                    a plan assignment names no defined plan
--   plan_assignment_without_hr_worker  the assignment's employee is not an HR worker
with

quotas as (

    select * from {{ ref('int_quotas_validated') }}
    where quarantine_rule is not null

),

assignments as (

    select * from {{ ref('int_plan_assignments_validated') }}
    where quarantine_rule is not null

),

quota_rows as (

    select
        {{ quarantine_columns(
            system="'config'",
            dataset="'quotas'",
            batch='source_batch',
            source_file='source_file',
            source_row='source_row',
            rule='quarantine_rule',
            column_name="case when quarantine_rule = 'quota_currency_mismatch' then 'currency' else 'employee_id' end",
            value="case when quarantine_rule = 'quota_currency_mismatch' then currency else employee_id end",
            message="case
                when quarantine_rule = 'quota_currency_mismatch'
                    then 'Quota of ' || employee_id || ' for ' || cast(plan_year as " ~ dbt.type_string() ~ ") || ' is in '
                        || currency || ' but the payee is paid in ' || payee_currency || ': quota not used'
                else 'Quota for ' || employee_id || ', who has no HR worker record: quota not used'
            end",
            record_json=json_record([
                ['employee_id', 'employee_id'],
                ['plan_year', 'plan_year'],
                ['annual_quota', 'cast(annual_quota as ' ~ dbt.type_string() ~ ')'],
                ['currency', 'currency'],
                ['payee_currency', 'payee_currency'],
            ]),
            loaded_at='loaded_at'
        ) }}
    from quotas

),

assignment_rows as (

    select
        {{ quarantine_columns(
            system="'config'",
            dataset="'plan_assignments'",
            batch='source_batch',
            source_file='source_file',
            source_row='source_row',
            rule='quarantine_rule',
            column_name="case when quarantine_rule = 'unknown_plan_id' then 'plan_id' else 'employee_id' end",
            value="case when quarantine_rule = 'unknown_plan_id' then plan_id else employee_id end",
            message="case
                when quarantine_rule = 'unknown_plan_id'
                    then 'Plan assignment of ' || employee_id || ' from ' || cast(start_date as " ~ dbt.type_string()
                        ~ ") || ' names plan ' || plan_id || ', which no plan file defines: assignment not used'
                else 'Plan assignment for ' || employee_id || ', who has no HR worker record: assignment not used'
            end",
            record_json=json_record([
                ['employee_id', 'employee_id'],
                ['plan_id', 'plan_id'],
                ['start_date', 'cast(start_date as ' ~ dbt.type_string() ~ ')'],
                ['end_date', 'cast(end_date as ' ~ dbt.type_string() ~ ')'],
            ]),
            loaded_at='loaded_at'
        ) }}
    from assignments

),

final as (

    select * from quota_rows
    union all
    select * from assignment_rows

)

select * from final
