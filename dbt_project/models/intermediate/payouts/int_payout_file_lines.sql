-- The lines of a pay period's payout file (SPEC §5-§6, docs/payout_extract.md):
-- int_payout_lines (fct_payout_line: the period's calculated lines and its retro
-- ADJUSTMENT / CLAWBACK lines) summed per period x payee x earning code x
-- currency at full precision, then rounded once, half away from zero, to the
-- currency's minor unit (round_to_minor_unit, on the seed currencies). So the
-- components and plans of one earning code lose no cent to rounding each.
-- A line that rounds to 0.00 is not paid (is_paid false): the files leave it
-- out whatever its code (SPEC §5), the warehouse keeps it (its exact amount
-- counts in the period's exact total).
-- Per line, what the files write beside the amount:
--   plan_id       the plans of the summed rows (a row's plan_id may itself be a
--                 '+'-joined list), distinct, sorted, joined with '+' (a
--                 mid-period plan change pays one line under both plans);
--   reason,       ADJUSTMENT / CLAWBACK: the ';'-joined codes of the summed rows,
--   deal_ids      distinct, sorted, joined with ';'; null when there are none;
--   cost_center   the payee's cost center in effect in the period
--                 (int_payee_period_hr, as of its last day), else the current
--                 HR record's; full_name and country from HR (int_payees);
--   pay_date      the pay calendar's date of the period for the payee's payroll
--                 country (stg_reference__pay_calendar, macro payroll_country:
--                 the 15th of the next month, or the business day before it).
-- The payout extract, the payroll files, the publication and the statements
-- write these lines (fct_payout_file_line); the accrual journal accrues them
-- (int_journal_accrual_lines).
with

payout_line as (

    select * from {{ ref('int_payout_lines') }}

),

payees as (

    select * from {{ ref('int_payees') }}

),

payee_periods as (

    select * from {{ ref('int_payee_period_hr') }}

),

pay_calendar as (

    select * from {{ ref('stg_reference__pay_calendar') }}

),

summed as (

    select
        period,
        employee_id,
        earning_code,
        currency,
        -- one line_type per file line (the earning codes tell them apart: tested on fct_payout_line)
        min(line_type) as line_type,
        count(*) as source_line_count,
        {{ money('sum(amount)') }} as exact_amount
    from payout_line
    group by period, employee_id, earning_code, currency

),

plan_parts as (

    select distinct period, employee_id, earning_code, currency, plan_part
    from (
        select period, employee_id, earning_code, currency, {{ spm.unnest_list(spm.string_to_list('plan_id', '+')) }} as plan_part
        from payout_line
    ) as split_plans

),

plans as (

    select period, employee_id, earning_code, currency, {{ dbt.listagg('plan_part', "'+'", 'order by plan_part') }} as plan_id
    from plan_parts
    group by period, employee_id, earning_code, currency

),

code_parts as (

    select distinct period, employee_id, earning_code, currency, kind, part
    from (
        select period, employee_id, earning_code, currency, 'reason' as kind, {{ spm.unnest_list(spm.string_to_list('reason', ';')) }} as part
        from payout_line
        where reason is not null
        union all
        select period, employee_id, earning_code, currency, 'deal_ids' as kind, {{ spm.unnest_list(spm.string_to_list('deal_ids', ';')) }} as part
        from payout_line
        where deal_ids is not null
    ) as split_codes
    where part <> ''

),

codes as (

    select
        period,
        employee_id,
        earning_code,
        currency,
        {{ dbt.listagg("case when kind = 'reason' then part end", "';'", 'order by part') }} as reason,
        {{ dbt.listagg("case when kind = 'deal_ids' then part end", "';'", 'order by part') }} as deal_ids
    from code_parts
    group by period, employee_id, earning_code, currency

),

rounded as (

    select
        summed.*,
        {{ round_to_minor_unit('summed.exact_amount', 'summed.currency') }} as amount
    from summed

),

final as (

    select
        ----------  ids (the file's grain)
        rounded.period,
        rounded.employee_id,
        rounded.earning_code,
        rounded.currency,

        ----------  what the files write beside the amount
        payees.full_name,
        coalesce(payee_periods.cost_center, payees.cost_center) as cost_center,
        payees.country,
        plans.plan_id,
        codes.reason,
        codes.deal_ids,
        pay_calendar.pay_date,

        ----------  amounts
        rounded.exact_amount,
        rounded.amount,
        rounded.amount <> 0 as is_paid,

        ----------  where it comes from
        rounded.line_type,
        rounded.source_line_count

    from rounded
    left join plans
        on rounded.period = plans.period
        and rounded.employee_id = plans.employee_id
        and rounded.earning_code = plans.earning_code
        and rounded.currency = plans.currency
    left join codes
        on rounded.period = codes.period
        and rounded.employee_id = codes.employee_id
        and rounded.earning_code = codes.earning_code
        and rounded.currency = codes.currency
    left join payees
        on rounded.employee_id = payees.employee_id
    left join payee_periods
        on rounded.employee_id = payee_periods.employee_id
        and rounded.period = payee_periods.period
    left join pay_calendar
        on rounded.period = pay_calendar.period
        and {{ payroll_country('payees.country') }} = pay_calendar.country

)

select * from final
