-- Credit shares held back from fct_credit or fct_commission (SPEC §2, §3):
--   credit_user_without_hr_worker  the crediting CRM user (owner or split owner)
--                                  has no HR worker; the message says why: the
--                                  user is not in User, its EmployeeNumber is
--                                  empty, or no worker has that employee_id
--   missing_fx_rate                no DatedConversionRate for the deal's or the
--                                  payee's currency on the credit date
--   missing_fx_rate_rollup         no rate to convert a roll-up credit into a
--                                  manager's currency (one row per deal and
--                                  currency; the manager gets no roll-up credit)
--   no_plan_assignment             the payee is on no (usable) plan at the credit
--                                  date (no assignment, or only one whose plan is
--                                  not for the payee's job family that day:
--                                  int_plan_assignment_segments): credited, but
--                                  earns no commission
--                                  (own credit only: a manager without a plan
--                                  getting roll-up credit is not a finding)
-- Each row is traced to the deal's newest Opportunity row; messages start with
-- '<file> row <n>: ', as the ingest quarantine's do.
with

mapped as (

    select * from {{ ref('int_credit_shares_mapped_to_payees') }}
    where credit_status = 'current'  -- a lost deal's last win is not a finding

),

converted as (

    select * from {{ ref('int_credits_converted') }}
    where credit_status = 'current'  -- a lost deal's last win is not a finding

),

rolled_up_without_rate as (

    select
        opportunity_id,
        case when fx_rate_deal is null then deal_currency else payee_currency end as missing_currency,
        min(employee_id) as employee_id,
        count(*) as rollup_count,
        min(deal_currency) as deal_currency,
        min(credit_date) as credit_date,
        min(source_batch) as source_batch,
        min(source_file) as source_file,
        min(source_row) as source_row
    from {{ ref('int_credits_rolled_up') }}
    where credit_amount is null
    group by opportunity_id, case when fx_rate_deal is null then deal_currency else payee_currency end

),

assigned as (

    select * from {{ ref('int_credits_assigned_to_plans') }}

),

without_worker as (

    select
        {{ quarantine_columns(
            system="'crm'",
            dataset="'opportunity'",
            batch='source_batch',
            source_file='source_file',
            source_row='source_row',
            rule="'credit_user_without_hr_worker'",
            column_name="case when credit_type = 'split' then 'SplitOwnerId' else 'OwnerId' end",
            value='credited_user_id',
            message=row_message('source_file', 'source_row', "'CRM user ' || credited_user_id || ' credited on opportunity '
                || opportunity_id || case
                    when not credited_user_in_crm then ' is not in User: no credit'
                    when credited_user_employee_number is null then ' has an empty EmployeeNumber in User: no credit'
                    else ' has EmployeeNumber ' || credited_user_employee_number
                        || ', but no HR worker has that employee_id: no credit'
                end"),
            record_json=json_record([
                ['opportunity_id', 'opportunity_id'],
                ['credited_user_id', 'credited_user_id'],
                ['employee_number', 'credited_user_employee_number'],
                ['credit_type', 'credit_type'],
                ['credit_amount_deal_currency', 'cast(credit_amount_deal_currency as ' ~ dbt.type_string() ~ ')'],
                ['deal_currency', 'deal_currency'],
                ['credit_date', 'cast(credit_date as ' ~ dbt.type_string() ~ ')'],
            ])
        ) }}
    from mapped
    where employee_id is null

),

missing_rate as (

    select
        {{ quarantine_columns(
            system="'crm'",
            dataset="'opportunity'",
            batch='source_batch',
            source_file='source_file',
            source_row='source_row',
            rule="'missing_fx_rate'",
            column_name="'CurrencyIsoCode'",
            value="case when fx_rate_deal is null then deal_currency else payee_currency end",
            message=row_message('source_file', 'source_row',
                "'No DatedConversionRate for ' || case when fx_rate_deal is null then deal_currency else payee_currency end
                || ' on ' || cast(credit_date as " ~ dbt.type_string() ~ ") || ' to convert opportunity ' || opportunity_id
                || ' from ' || deal_currency || ' to ' || payee_currency || ' for ' || employee_id || ': no credit'"),
            record_json=json_record([
                ['opportunity_id', 'opportunity_id'],
                ['employee_id', 'employee_id'],
                ['credit_amount_deal_currency', 'cast(credit_amount_deal_currency as ' ~ dbt.type_string() ~ ')'],
                ['deal_currency', 'deal_currency'],
                ['payee_currency', 'payee_currency'],
                ['credit_date', 'cast(credit_date as ' ~ dbt.type_string() ~ ')'],
            ])
        ) }}
    from converted
    where credit_amount is null

),

missing_rollup_rate as (

    select
        {{ quarantine_columns(
            system="'crm'",
            dataset="'opportunity'",
            batch='source_batch',
            source_file='source_file',
            source_row='source_row',
            rule="'missing_fx_rate_rollup'",
            column_name="'CurrencyIsoCode'",
            value='missing_currency',
            message=row_message('source_file', 'source_row',
                "'No DatedConversionRate for ' || missing_currency || ' on ' || cast(credit_date as " ~ dbt.type_string()
                ~ ") || ' to roll up opportunity ' || opportunity_id || ' to manager ' || employee_id
                || ': no roll-up credit'"),
            record_json=json_record([
                ['opportunity_id', 'opportunity_id'],
                ['employee_id', 'employee_id'],
                ['deal_currency', 'deal_currency'],
                ['missing_currency', 'missing_currency'],
                ['credit_date', 'cast(credit_date as ' ~ dbt.type_string() ~ ')'],
            ])
        ) }}
    from rolled_up_without_rate

),

without_plan as (

    select
        {{ quarantine_columns(
            system="'crm'",
            dataset="'opportunity'",
            batch='source_batch',
            source_file='source_file',
            source_row='source_row',
            rule="'no_plan_assignment'",
            column_name="'CloseDate'",
            value='cast(credit_date as ' ~ dbt.type_string() ~ ')',
            message=row_message('source_file', 'source_row',
                "'Payee ' || employee_id || ' has no plan assignment on ' || cast(credit_date as " ~ dbt.type_string()
                ~ ") || ' (none, or its plan is not for the payee''s job family that day): the credit of opportunity '
                || opportunity_id || ' earns no commission'"),
            record_json=json_record([
                ['opportunity_id', 'opportunity_id'],
                ['employee_id', 'employee_id'],
                ['period', 'period'],
                ['credit_amount', 'cast(credit_amount as ' ~ dbt.type_string() ~ ')'],
                ['payee_currency', 'payee_currency'],
                ['credit_date', 'cast(credit_date as ' ~ dbt.type_string() ~ ')'],
            ])
        ) }}
    from assigned
    where plan_id is null
        and credit_type in ('owner', 'split')

),

final as (

    select * from without_worker
    union all
    select * from missing_rate
    union all
    select * from missing_rollup_rate
    union all
    select * from without_plan

)

select * from final
