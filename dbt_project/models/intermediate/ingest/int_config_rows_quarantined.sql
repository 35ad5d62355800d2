-- Configuration rows held back (SPEC §2, §4):
--   quota_currency_mismatch            the quota is not in the payee's currency
--   quota_without_hr_worker            the quota's employee is not an HR worker
--   unknown_plan_id                    a plan assignment names no defined plan
--   plan_assignment_without_hr_worker  the assignment's employee is not an HR worker
--   plan_assignment_job_family_not_eligible
--                                      on the days [segment_start, segment_end] of
--                                      the assignment the payee's job family is not
--                                      one of the plan's eligible_job_families: not
--                                      paid under the plan on those days (one row
--                                      per run of days with one job family)
--   unknown_territory_id, territory_assignment_without_hr_worker,
--   end_date_before_start_date, territory_assignment_outside_employment
--                                      a territory assignment held back
--                                      (int_territory_assignments_validated)
--   unknown_new_hire_plan_id, missing_fx_rate
--                                      a company target held back
--                                      (int_company_targets_validated)
--   unknown_payroll_adapter, missing_company_code
--                                      a payroll held back (int_payrolls_validated)
--   unknown_payroll_adapter, unknown_earning_code, unknown_gusto_column
--                                      an earning-code map row held back
--                                      (int_payroll_codes_validated)
--   adjustment_without_hr_worker, unknown_earning_code, adjustment_currency_mismatch
--                                      a manual adjustment held back
--                                      (int_manual_adjustments)
--   adjustment_outside_plan_assignment a manual adjustment of a month in which the
--                                      payee has no plan month (int_payee_balances_rolled):
--                                      nothing to pay it with, not paid
--   inquiry_without_hr_worker          an inquiry of an employee HR does not know
--                                      (int_inquiries)
-- The messages of the planning inputs start with '<file> row <n>: ', as the
-- ingest quarantine's do.
{%- set text = dbt.type_string() %}
with

quotas as (

    select * from {{ ref('int_quotas_validated') }}
    where quarantine_rule is not null

),

assignments as (

    select * from {{ ref('int_plan_assignments_validated') }}
    where quarantine_rule is not null

),

ineligible_segments as (

    select * from {{ ref('int_plan_assignment_segments') }}
    where not is_eligible

),

eligible_families as (

    select
        plan_id,
        {{ dbt.listagg('job_family', "', '", 'order by job_family') }} as job_families
    from {{ ref('stg_config__plan_eligible_job_families') }}
    group by plan_id

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
            ])
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
            ])
        ) }}
    from assignments

),

job_family_rows as (

    select
        {{ quarantine_columns(
            system="'config'",
            dataset="'plan_assignments'",
            batch='segments.source_batch',
            source_file='segments.source_file',
            source_row='segments.source_row',
            rule="'plan_assignment_job_family_not_eligible'",
            column_name="'job_family'",
            value="coalesce(segments.job_family, '(none)') || ' ' || cast(segments.segment_start as " ~ dbt.type_string()
                ~ ") || '..' || coalesce(cast(segments.segment_end as " ~ dbt.type_string() ~ "), 'open')",
            message="'Payee ' || segments.employee_id || ' is in job family ' || coalesce(segments.job_family, '(none)')
                || ' from ' || cast(segments.segment_start as " ~ dbt.type_string() ~ ")
                || ' to ' || coalesce(cast(segments.segment_end as " ~ dbt.type_string() ~ "), 'the open end')
                || ', which plan ' || segments.plan_id || ' is not for (eligible_job_families: '
                || coalesce(eligible_families.job_families, '') || '): not paid under the plan on those days'",
            record_json=json_record([
                ['employee_id', 'segments.employee_id'],
                ['plan_id', 'segments.plan_id'],
                ['job_family', 'segments.job_family'],
                ['start_date', 'cast(segments.start_date as ' ~ dbt.type_string() ~ ')'],
                ['end_date', 'cast(segments.end_date as ' ~ dbt.type_string() ~ ')'],
                ['ineligible_from', 'cast(segments.segment_start as ' ~ dbt.type_string() ~ ')'],
                ['ineligible_to', 'cast(segments.segment_end as ' ~ dbt.type_string() ~ ')'],
            ])
        ) }}
    from ineligible_segments as segments
    left join eligible_families
        on segments.plan_id = eligible_families.plan_id

),

territory_assignment_rows as (

    select
        {{ quarantine_columns(
            system="'config'",
            dataset="'territory_assignments'",
            batch='source_batch',
            source_file='source_file',
            source_row='source_row',
            rule='quarantine_rule',
            column_name="case quarantine_rule
                when 'unknown_territory_id' then 'territory_id'
                when 'territory_assignment_without_hr_worker' then 'employee_id'
                when 'end_date_before_start_date' then 'end_date'
                else 'start_date'
            end",
            value="case quarantine_rule
                when 'unknown_territory_id' then territory_id
                when 'territory_assignment_without_hr_worker' then employee_id
                when 'end_date_before_start_date' then cast(end_date as " ~ text ~ ")
                else cast(start_date as " ~ text ~ ") || '..' || coalesce(cast(end_date as " ~ text ~ "), 'open')
            end",
            message="source_file || ' row ' || cast(source_row as " ~ text ~ ") || ': territory assignment of '
                || employee_id || ' to ' || territory_id || ' from ' || cast(start_date as " ~ text ~ ") || case quarantine_rule
                when 'unknown_territory_id'
                    then ' names territory ' || territory_id || ', which territories.yaml does not declare'
                when 'territory_assignment_without_hr_worker'
                    then ': ' || employee_id || ' has no HR worker record'
                when 'end_date_before_start_date'
                    then ' ends on ' || cast(end_date as " ~ text ~ ") || ', before it starts'
                else ' to ' || coalesce(cast(end_date as " ~ text ~ "), 'the open end') || ' has no day in the employment of '
                    || employee_id || ' (hired ' || cast(hire_date as " ~ text ~ ")
                    || coalesce(', left ' || cast(termination_date as " ~ text ~ "), ', still employed') || ')'
            end || ': assignment not used'",
            record_json=json_record([
                ['territory_id', 'territory_id'],
                ['employee_id', 'employee_id'],
                ['start_date', 'cast(start_date as ' ~ text ~ ')'],
                ['end_date', 'cast(end_date as ' ~ text ~ ')'],
            ])
        ) }}
    from {{ ref('int_territory_assignments_validated') }}
    where quarantine_rule is not null

),

company_target_rows as (

    select
        {{ quarantine_columns(
            system="'config'",
            dataset="'company_targets'",
            batch='source_batch',
            source_file='source_file',
            source_row='source_row',
            rule='quarantine_rule',
            column_name="case quarantine_rule when 'missing_fx_rate' then 'currency' else 'new_hire_plan_id' end",
            value="case quarantine_rule when 'missing_fx_rate' then currency else new_hire_plan_id end",
            message="source_file || ' row ' || cast(source_row as " ~ text ~ ") || ': the company target of '
                || cast(plan_year as " ~ text ~ ") || case quarantine_rule
                    when 'missing_fx_rate' then ' is in ' || currency || ', which has no DatedConversionRate on '
                        || cast(plan_year_start as " ~ text ~ ")
                    else ' names new_hire_plan_id ' || new_hire_plan_id || ', which no plan file defines'
                end || ': target not planned'",
            record_json=json_record([
                ['plan_year', 'plan_year'],
                ['target_amount', 'cast(target_amount as ' ~ text ~ ')'],
                ['currency', 'currency'],
                ['new_hire_plan_id', 'new_hire_plan_id'],
            ])
        ) }}
    from {{ ref('int_company_targets_validated') }}
    where quarantine_rule is not null

),

payroll_rows as (

    select
        {{ quarantine_columns(
            system="'config'",
            dataset="'payrolls'",
            batch='source_batch',
            source_file='source_file',
            source_row='source_row',
            rule='quarantine_rule',
            column_name="case quarantine_rule when 'unknown_payroll_adapter' then 'adapter' else 'company_code' end",
            value="case quarantine_rule when 'unknown_payroll_adapter' then adapter
                else coalesce(company_code, '') || '/' || coalesce(batch_id, '') end",
            message="source_file || ' row ' || cast(source_row as " ~ text ~ ") || ': the payroll of ' || country
                || case quarantine_rule
                    when 'unknown_payroll_adapter' then ' names adapter ' || adapter || ', which is not one of "
                        ~ var('payroll_adapters') | join(', ') ~ "'
                    else ' is ADP without its Co Code (company_code) or Batch ID (batch_id)'
                end || ': payroll not used, generic payroll files only'",
            record_json=json_record([
                ['country', 'country'],
                ['adapter', 'adapter'],
                ['company_code', 'company_code'],
                ['batch_id', 'batch_id'],
            ])
        ) }}
    from {{ ref('int_payrolls_validated') }}
    where quarantine_rule is not null

),

payroll_code_rows as (

    select
        {{ quarantine_columns(
            system="'config'",
            dataset="'payroll_codes'",
            batch='source_batch',
            source_file='source_file',
            source_row='source_row',
            rule='quarantine_rule',
            column_name="case quarantine_rule
                when 'unknown_payroll_adapter' then 'adapter'
                when 'unknown_earning_code' then 'earning_code'
                else 'payroll_code'
            end",
            value="case quarantine_rule
                when 'unknown_payroll_adapter' then adapter
                when 'unknown_earning_code' then earning_code
                else payroll_code
            end",
            message="source_file || ' row ' || cast(source_row as " ~ text ~ ") || ': the ' || adapter || ' code of '
                || earning_code || case quarantine_rule
                    when 'unknown_payroll_adapter' then ' names adapter ' || adapter || ', which is not one of "
                        ~ var('payroll_adapters') | join(', ') ~ "'
                    when 'unknown_earning_code' then ': ' || earning_code || ' is not an earning code ("
                        ~ var('earning_codes') | join(', ') ~ ")'
                    else ' is ' || payroll_code || ', which is not a column of the Gusto file ("
                        ~ var('gusto_payroll_codes') | join(', ') ~ ")'
                end || ': mapping not used'",
            record_json=json_record([
                ['adapter', 'adapter'],
                ['earning_code', 'earning_code'],
                ['payroll_code', 'payroll_code'],
            ])
        ) }}
    from {{ ref('int_payroll_codes_validated') }}
    where quarantine_rule is not null

),

adjustment_candidates as (

    select
        adjustments.*,
        case
            when adjustments.quarantine_rule is not null then adjustments.quarantine_rule
            when balances.employee_id is null then 'adjustment_outside_plan_assignment'
        end as adjustment_rule
    from {{ ref('int_manual_adjustments') }} as adjustments
    left join {{ ref('int_payee_balances_rolled') }} as balances
        on adjustments.employee_id = balances.employee_id
        and adjustments.period = balances.period

),

adjustment_rows as (

    select
        {{ quarantine_columns(
            system="'config'",
            dataset="'adjustments'",
            batch='source_batch',
            source_file='source_file',
            source_row='source_row',
            rule='adjustment_rule',
            column_name="case adjustment_rule
                when 'unknown_earning_code' then 'earning_code'
                when 'adjustment_currency_mismatch' then 'currency'
                when 'adjustment_outside_plan_assignment' then 'period'
                else 'employee_id'
            end",
            value="case adjustment_rule
                when 'unknown_earning_code' then earning_code
                when 'adjustment_currency_mismatch' then currency
                when 'adjustment_outside_plan_assignment' then period
                else employee_id
            end",
            message="source_file || ' row ' || cast(source_row as " ~ text ~ ") || ': the manual adjustment of '
                || employee_id || ' in ' || period || case adjustment_rule
                    when 'adjustment_without_hr_worker' then ': ' || employee_id || ' has no HR worker record'
                    when 'unknown_earning_code' then ' names earning code ' || earning_code || ', which is not one of "
                        ~ var('earning_codes') | join(', ') ~ "'
                    when 'adjustment_currency_mismatch' then ' is in ' || currency || ' but the payee is paid in '
                        || payee_currency
                    else ': the payee has no plan assignment in ' || period
                end || ': adjustment not paid'",
            record_json=json_record([
                ['employee_id', 'employee_id'],
                ['period', 'period'],
                ['earning_code', 'earning_code'],
                ['amount', 'cast(amount as ' ~ text ~ ')'],
                ['currency', 'currency'],
                ['reason', 'reason'],
                ['requested_by', 'requested_by'],
                ['approved_by', 'approved_by'],
            ])
        ) }}
    from adjustment_candidates
    where adjustment_rule is not null

),

inquiry_rows as (

    select
        {{ quarantine_columns(
            system="'config'",
            dataset="'inquiries'",
            batch='source_batch',
            source_file='source_file',
            source_row='source_row',
            rule='quarantine_rule',
            column_name="'employee_id'",
            value='employee_id',
            message="source_file || ' row ' || cast(source_row as " ~ text ~ ") || ': inquiry ' || inquiry_id
                || ' of ' || employee_id || ' about ' || period || ': ' || employee_id
                || ' has no HR worker record: inquiry not tracked'",
            record_json=json_record([
                ['inquiry_id', 'inquiry_id'],
                ['employee_id', 'employee_id'],
                ['period', 'period'],
                ['opportunity_id', 'opportunity_id'],
                ['category', 'category'],
                ['status', 'status'],
            ])
        ) }}
    from {{ ref('int_inquiries') }}
    where quarantine_rule is not null

),

final as (

    select * from quota_rows
    union all
    select * from assignment_rows
    union all
    select * from job_family_rows
    union all
    select * from territory_assignment_rows
    union all
    select * from company_target_rows
    union all
    select * from payroll_rows
    union all
    select * from payroll_code_rows
    union all
    select * from adjustment_rows
    union all
    select * from inquiry_rows

)

select * from final
