-- The journal entries for finance (docs/journals.md), one row per journal line:
-- journal x cost center x currency x account.
--   ACCRUAL           month-end of period M: Dr Commission expense (Commission
--                     advances for draws and carried balances), Cr Accrued
--                     commissions: what M's payout file pays (int_journal_accrual_lines:
--                     the published version's lines once M is published, else
--                     fct_payout_line, with the retro ADJUSTMENT / CLAWBACK lines
--                     in the open period); earnings held until the invoice is paid
--                     (int_earning_holds, docs/payment_workflow.md) are expensed when
--                     earned: Dr Commission expense, Cr Held commissions; a written-off
--                     or expired share reverses it (Dr Held commissions, Cr Commission
--                     expense); a COMMISSION_RELEASE line debits Held commissions
--                     instead of the expense;
--   ACCRUAL_REVERSAL  on M's pay date (the 15th of M + 1, or the business day before
--                     it in the payee's payroll country): Dr Accrued commissions,
--                     Cr Payroll clearing: the accrual is settled when payroll pays;
--   CAPITALIZATION    month-end of the close month: Dr Capitalized contract costs,
--                     Cr Commission expense (a reclass of accrued expense, ASC 340-40;
--                     fct_contract_cost);
--   AMORTIZATION      month-end of each amortization month: Dr Amortization of
--                     contract costs, Cr Capitalized contract costs
--                     (fct_contract_cost_amortization).
-- Every amount summed here is already rounded to the currency's minor unit (per
-- payout line, per capitalization, per schedule month), so a line is a sum of
-- rounded amounts: no second rounding, and every journal balances exactly per
-- currency and per cost center. A line's signed net decides its side (a
-- negative commission-expense net is a credit); lines netting to 0 are left out.
-- journal_id = journal type and source period, and for a reversal its pay date:
-- ACCRUAL_REVERSAL-2026-01-PAY-2026-02-13 settles (part of) ACCRUAL-2026-01 and is
-- posted in period 2026-02; payrolls paying on different days settle in one
-- reversal journal per pay date.
with

accrual_lines as (

    select * from {{ ref('int_journal_accrual_lines') }}

),

contract_costs as (

    select * from {{ ref('fct_contract_cost') }}
    where treatment = 'capitalized'

),

amortization as (

    select * from {{ ref('fct_contract_cost_amortization') }}

),

-- what a period expenses into (+) or takes back from (-) the held liability:
-- earned and held, less the share written off or expired (never paid)
holds as (

    select
        holds.period,
        periods.period_end as posting_date,
        coalesce(payee_periods.cost_center, {{ unassigned_cost_center() }}) as cost_center,
        holds.currency,
        {{ money('sum(holds.earned_amount - holds.written_off_amount - holds.expired_amount)') }} as held_expense
    from {{ ref('int_earning_holds') }} as holds
    inner join {{ ref('int_periods') }} as periods
        on holds.period = periods.period
    left join {{ ref('int_payee_period_hr') }} as payee_periods
        on holds.employee_id = payee_periods.employee_id
        and holds.period = payee_periods.period
    group by holds.period, periods.period_end, coalesce(payee_periods.cost_center, {{ unassigned_cost_center() }}),
        holds.currency

),

-- signed postings: positive = debit, negative = credit
postings as (

    select
        'ACCRUAL' as journal_type, period as source_period, accrual_date as posting_date,
        cost_center, currency, account_role, accrued_amount as signed_amount, source_model
    from accrual_lines
    union all
    select
        'ACCRUAL', period, accrual_date,
        cost_center, currency, 'accrued_commissions', -accrued_amount, source_model
    from accrual_lines
    union all
    select
        'ACCRUAL_REVERSAL', period, pay_date,
        cost_center, currency, 'accrued_commissions', accrued_amount, source_model
    from accrual_lines
    union all
    select
        'ACCRUAL_REVERSAL', period, pay_date,
        cost_center, currency, 'payroll_clearing', -accrued_amount, source_model
    from accrual_lines
    union all
    select
        'ACCRUAL', period, posting_date,
        cost_center, currency, 'commission_expense', held_expense, 'int_earning_holds'
    from holds
    union all
    select
        'ACCRUAL', period, posting_date,
        cost_center, currency, 'held_commissions', -held_expense, 'int_earning_holds'
    from holds
    union all
    select
        'CAPITALIZATION', period, capitalization_date,
        cost_center, currency, 'capitalized_contract_costs', capitalized_amount, 'fct_contract_cost'
    from contract_costs
    union all
    select
        'CAPITALIZATION', period, capitalization_date,
        cost_center, currency, 'commission_expense', -capitalized_amount, 'fct_contract_cost'
    from contract_costs
    union all
    select
        'AMORTIZATION', period, posting_date,
        cost_center, currency, 'contract_cost_amortization', amortization_amount, 'fct_contract_cost_amortization'
    from amortization
    union all
    select
        'AMORTIZATION', period, posting_date,
        cost_center, currency, 'capitalized_contract_costs', -amortization_amount, 'fct_contract_cost_amortization'
    from amortization

),

netted as (

    select
        journal_type,
        source_period,
        posting_date,
        cost_center,
        currency,
        account_role,
        -- an accrual line may net a payout line and a hold (int_earning_holds) of one account:
        -- both models named, 'fct_payout_line+int_earning_holds'
        case
            when min(source_model) = max(source_model) then min(source_model)
            else min(source_model) || '+' || max(source_model)
        end as source_model,
        count(*) as source_line_count,
        {{ money('sum(signed_amount)') }} as net_amount
    from postings
    group by journal_type, source_period, posting_date, cost_center, currency, account_role

),

accounts as (

    {%- for role, account in journal_accounts().items() | sort %}
    select
        '{{ role }}' as account_role,
        '{{ account["number"] }}' as account_number,
        '{{ account["name"] | replace("'", "''") }}' as account_name
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

lines as (

    select
        -- an accrual is reversed when it is paid: one reversal journal per pay date of the
        -- period (payrolls of different countries may pay on different days)
        netted.journal_type || '-' || netted.source_period
        || case when netted.journal_type = 'ACCRUAL_REVERSAL'
            then '-PAY-' || cast(netted.posting_date as {{ dbt.type_string() }}) else '' end as journal_id,
        netted.journal_type,
        netted.posting_date,
        {{ period_of('netted.posting_date') }} as period,
        netted.cost_center,
        accounts.account_number,
        accounts.account_name,
        netted.account_role,
        netted.currency,
        case when netted.net_amount > 0 then netted.net_amount else {{ money('0') }} end as debit,
        case when netted.net_amount < 0 then {{ money('-netted.net_amount') }} else {{ money('0') }} end as credit,
        case netted.journal_type
            when 'ACCRUAL' then 'Commissions earned in ' || netted.source_period || ', payable on the pay date'
            when 'ACCRUAL_REVERSAL' then 'Commissions of ' || netted.source_period || ' paid: accrual settled'
            when 'CAPITALIZATION' then 'ASC 340-40: commissions on contracts closed in ' || netted.source_period || ' capitalized'
            else 'ASC 340-40: amortization of capitalized contract costs for ' || netted.source_period
        end as description,
        netted.source_model,
        netted.source_period,
        netted.source_line_count
    from netted
    inner join accounts
        on netted.account_role = accounts.account_role
    where netted.net_amount <> 0

),

final as (

    select
        ----------  journal
        journal_id,
        journal_type,
        posting_date,
        period,
        cast(row_number() over (
            partition by journal_id
            order by currency, cost_center nulls last, case when debit > 0 then 0 else 1 end, account_number, account_role
        ) as bigint) as line_number,

        ----------  line
        cost_center,
        account_number,
        account_name,
        account_role,
        currency,
        debit,
        credit,
        description,

        ----------  where it comes from
        source_model,
        source_period,
        source_line_count

    from lines

)

select * from final
