-- Inquiries (docs/payment_workflow.md, "Inquiries"), one row per inquiry HR
-- knows the payee of (int_inquiries without a quarantine_rule), tied to:
--   * the payee's credits of the inquiry's period (int_credits: every credit
--     type, payee currency): deals and amount;
--   * when the inquiry names a deal, the payee's credit on that deal in any
--     period (0 and no row when the payee has none: what a missing_credit
--     inquiry is about);
--   * the payout file lines of the period (int_payout_file_lines that pay, the
--     currency's minor unit): count and amount;
--   * the manual adjustments that resolve it (adjustments.inquiry_id = this
--     inquiry, of the same payee, paid: valid and on the payee's
--     MANUAL_ADJUSTMENT line of their period): count, amount, periods, reasons.
-- Its age counts days from the day it was opened (UTC) to the run's as-of date:
-- the newest CRM batch date (as fct_pipeline_coverage; no clock is read, so a
-- rerun on the same inputs gives the same ages); never below 0.
with

inquiries as (

    select * from {{ ref('int_inquiries') }}
    where quarantine_rule is null

),

as_of as (

    select
        max(source_batch_date) as as_of_date
    from {{ ref('stg_salesforce__opportunities') }}

),

credits as (

    select * from {{ ref('int_credits') }}

),

period_credits as (

    select
        inquiries.inquiry_id,
        count(distinct credits.opportunity_id) as credit_deal_count,
        {{ money('sum(credits.credit_amount)') }} as credit_amount
    from inquiries
    inner join credits
        on inquiries.employee_id = credits.employee_id
        and inquiries.period = credits.period
    group by inquiries.inquiry_id

),

deal_credit_rows as (

    select
        inquiries.inquiry_id,
        credits.period,
        credits.credit_amount
    from inquiries
    inner join credits
        on inquiries.employee_id = credits.employee_id
        and inquiries.opportunity_id = credits.opportunity_id

),

deal_credit_periods as (

    select
        inquiry_id,
        {{ dbt.listagg('period', "';'", 'order by period') }} as opportunity_credit_periods
    from (select distinct inquiry_id, period from deal_credit_rows) as distinct_periods
    group by inquiry_id

),

deal_credits as (

    select
        deal_credit_rows.inquiry_id,
        count(*) as opportunity_credit_count,
        {{ money('sum(deal_credit_rows.credit_amount)') }} as opportunity_credit_amount,
        max(deal_credit_periods.opportunity_credit_periods) as opportunity_credit_periods
    from deal_credit_rows
    inner join deal_credit_periods
        on deal_credit_rows.inquiry_id = deal_credit_periods.inquiry_id
    group by deal_credit_rows.inquiry_id

),

payout_lines as (

    select
        inquiries.inquiry_id,
        count(*) as payout_line_count,
        {{ money('sum(lines.amount)') }} as payout_amount
    from inquiries
    inner join {{ ref('int_payout_file_lines') }} as lines
        on inquiries.employee_id = lines.employee_id
        and inquiries.period = lines.period
    where lines.is_paid
    group by inquiries.inquiry_id

),

-- the payee-periods whose MANUAL_ADJUSTMENT line is paid (an adjustment held
-- back in the warehouse has none)
manual_lines as (

    select distinct employee_id, period
    from {{ ref('int_payout_lines') }}
    where earning_code = 'MANUAL_ADJUSTMENT'

),

adjustment_rows as (

    select
        inquiries.inquiry_id,
        adjustments.period,
        adjustments.amount,
        adjustments.reason
    from inquiries
    inner join {{ ref('int_manual_adjustments') }} as adjustments
        on inquiries.inquiry_id = adjustments.inquiry_id
        and inquiries.employee_id = adjustments.employee_id
    inner join manual_lines
        on adjustments.employee_id = manual_lines.employee_id
        and adjustments.period = manual_lines.period
    where adjustments.quarantine_rule is null

),

adjustment_periods as (

    select
        inquiry_id,
        {{ dbt.listagg('period', "';'", 'order by period') }} as adjustment_periods
    from (select distinct inquiry_id, period from adjustment_rows) as distinct_periods
    group by inquiry_id

),

resolving_adjustments as (

    select
        adjustment_rows.inquiry_id,
        count(*) as adjustment_count,
        {{ money('sum(adjustment_rows.amount)') }} as adjustment_amount,
        max(adjustment_periods.adjustment_periods) as adjustment_periods,
        {{ dbt.listagg('adjustment_rows.reason', "';'", 'order by adjustment_rows.reason') }} as adjustment_reasons
    from adjustment_rows
    inner join adjustment_periods
        on adjustment_rows.inquiry_id = adjustment_periods.inquiry_id
    group by adjustment_rows.inquiry_id

),

final as (

    select
        ----------  ids
        inquiries.inquiry_id,
        inquiries.employee_id,
        inquiries.period,
        inquiries.opportunity_id,

        ----------  what and its state
        inquiries.category,
        inquiries.inquiry_text,
        inquiries.status,
        inquiries.status = 'open' as is_open,
        inquiries.resolution,
        inquiries.opened_at,
        inquiries.resolved_at,

        ----------  age
        as_of.as_of_date,
        cast(greatest(
            {{ dbt.datediff('cast(inquiries.opened_at as date)', 'as_of.as_of_date', 'day') }}, 0
        ) as {{ dbt.type_bigint() }}) as age_days,
        cast({{ dbt.datediff('cast(inquiries.opened_at as date)', 'cast(inquiries.resolved_at as date)', 'day') }}
            as {{ dbt.type_bigint() }}) as days_to_resolution,

        ----------  the payee's credits of the period (payee currency)
        inquiries.payee_currency as currency,
        coalesce(period_credits.credit_deal_count, 0) as credit_deal_count,
        coalesce(period_credits.credit_amount, {{ money(0) }}) as credit_amount,

        ----------  the payee's credit on the deal named (null when none is named)
        case when inquiries.opportunity_id is not null
            then coalesce(deal_credits.opportunity_credit_count, 0) end as opportunity_credit_count,
        case when inquiries.opportunity_id is not null
            then coalesce(deal_credits.opportunity_credit_amount, {{ money(0) }}) end as opportunity_credit_amount,
        deal_credits.opportunity_credit_periods,

        ----------  the payout file lines of the period (minor units)
        coalesce(payout_lines.payout_line_count, 0) as payout_line_count,
        coalesce(payout_lines.payout_amount, {{ money(0) }}) as payout_amount,

        ----------  the manual adjustments that resolve it
        coalesce(resolving_adjustments.adjustment_count, 0) as adjustment_count,
        coalesce(resolving_adjustments.adjustment_amount, {{ money(0) }}) as adjustment_amount,
        resolving_adjustments.adjustment_periods,
        resolving_adjustments.adjustment_reasons,

        ----------  where it comes from
        inquiries.source_file,
        inquiries.source_row

    from inquiries
    cross join as_of
    left join period_credits
        on inquiries.inquiry_id = period_credits.inquiry_id
    left join deal_credits
        on inquiries.inquiry_id = deal_credits.inquiry_id
    left join payout_lines
        on inquiries.inquiry_id = payout_lines.inquiry_id
    left join resolving_adjustments
        on inquiries.inquiry_id = resolving_adjustments.inquiry_id

)

select * from final
