-- Holds and releases (docs/payment_workflow.md, "Holds and releases"): what a
-- component with release on_invoice_paid earns on a deal is held and paid
-- when the customer pays the deal's invoices. One row per payee, plan,
-- component, deal and pay period in which something happens to the hold.
--   earned    E: the deal's share of the component's commission of the month it
--             was earned (as int_earnings_allocated_to_deals), rounded to the
--             currency's minor unit by cumulative rounding in opportunity_id
--             order, so the deals' E add up to the commission exactly. It is in
--             the payee's currency at the booking's rate (the rate of the earning).
--   paid(P)   over the deal's invoices (newest version) that are not written
--             off: each invoice's paid to date by the end of P (the highest
--             cumulative paid_amount of its versions with paid_date <= the end
--             of P; with expire_after_days N only payments up to due_date + N
--             count), capped at its amount.
--   released  R(P) = E x paid(P) / invoice total (partial proportional) or E once
--   to date   paid(P) = invoice total (otherwise); 0 without invoices; rounded
--             half away from zero to the minor unit. The period pays R(P) - R(P-1).
--   written   WO(P) = E - round(E x (total - written-off amounts) / total): the share
--   off       of invoices whose newest status is written_off, from the period of
--             the first batch that says so (0 paid counts on them: never released).
--   expired   with N: from the period of the expiry date (latest due date + N, or the
--             deal's close date + N without an invoice), EXP(P) = E - R(P) - WO(P).
--   held      E - R(P) - WO(P) - EXP(P): still held at the end of P.
-- Cumulative amounts are rounded and their changes paid, so a deal's releases
-- add up to round(E x share) exactly (SPEC §5's telescoping).
with

-- the commission of the held components allocated to their deals: the rule of
-- int_earnings_allocated_to_deals (macro commission_allocated_to_deals) on those
-- components only, the same rows
{{ spm.commission_allocated_to_deals('allocated', release='on_invoice_paid') }},

components as (

    select * from {{ ref('stg_config__plan_components') }}
    where release = 'on_invoice_paid'

),

deals as (

    select * from {{ ref('int_opportunities_creditable') }}

),

invoice_versions as (

    select * from {{ ref('stg_erp__invoices') }}

),

periods as (

    select * from {{ ref('int_periods') }}

),

held_allocations as (

    select
        allocated.employee_id,
        allocated.plan_id,
        allocated.component_id,
        allocated.opportunity_id,
        allocated.period as earned_period,
        allocated.earning_code,
        allocated.currency,
        components.release_partial,
        components.release_expire_after_days,
        allocated.allocated_amount,
        {{ money(
            'sum(allocated.allocated_amount) over (partition by allocated.employee_id, allocated.period,'
            ~ ' allocated.plan_id, allocated.component_id order by allocated.opportunity_id'
            ~ ' rows between unbounded preceding and current row)'
        ) }} as allocated_through
    from allocated
    inner join components
        on allocated.plan_id = components.plan_id
        and allocated.component_id = components.component_id

),

-- E per deal: the cumulative rounding of the component's allocation
held as (

    select
        held_allocations.*,
        {{ money(
            round_to_minor_unit('allocated_through', 'currency')
            ~ ' - ' ~ round_to_minor_unit('allocated_through - allocated_amount', 'currency')
        ) }} as earned_amount,
        deals.credit_date as close_date
    from held_allocations
    left join deals
        on held_allocations.opportunity_id = deals.opportunity_id

),

invoices as (

    select * from invoice_versions
    where is_newest_version

),

-- the first batch that says an invoice (written off now) is written off
written_off as (

    select
        invoices.invoice_id,
        min(invoice_versions.source_batch_date) as written_off_known_on
    from invoices
    inner join invoice_versions
        on invoices.invoice_id = invoice_versions.invoice_id
        and invoice_versions.invoice_status = 'written_off'
    where invoices.invoice_status = 'written_off'
    group by invoices.invoice_id

),

deal_invoices as (

    select
        opportunity_id,
        {{ money('sum(invoice_amount)') }} as invoice_total_amount,
        max(due_date) as last_due_date
    from invoices
    group by opportunity_id

),

-- the periods of each hold, from the month it was earned
hold_periods as (

    select
        held.*,
        periods.period,
        periods.period_end,
        coalesce(deal_invoices.invoice_total_amount, {{ money('0') }}) as invoice_total_amount,
        case
            when held.release_expire_after_days is not null
                then cast({{ dbt.dateadd(
                    'day', 'held.release_expire_after_days', 'coalesce(deal_invoices.last_due_date, held.close_date)'
                ) }} as date)
        end as expires_on
    from held
    inner join periods
        on periods.period >= held.earned_period
    left join deal_invoices
        on held.opportunity_id = deal_invoices.opportunity_id

),

-- each invoice's paid to date by the end of each period (payments after its
-- expiry do not count; a written-off invoice counts nothing)
invoice_paid as (

    select
        hold_periods.employee_id,
        hold_periods.plan_id,
        hold_periods.component_id,
        hold_periods.opportunity_id,
        hold_periods.earned_period,
        hold_periods.period,
        invoices.invoice_id,
        invoices.invoice_amount,
        invoices.invoice_status,
        written_off.written_off_known_on,
        {{ money(
            "least(invoices.invoice_amount, coalesce(max(case when invoices.invoice_status <> 'written_off'"
            ~ " then payments.paid_to_date_amount end), 0))"
        ) }} as paid_amount
    from hold_periods
    inner join invoices
        on hold_periods.opportunity_id = invoices.opportunity_id
    left join written_off
        on invoices.invoice_id = written_off.invoice_id
    left join invoice_versions as payments
        on invoices.invoice_id = payments.invoice_id
        and payments.paid_date <= hold_periods.period_end
        and (
            hold_periods.release_expire_after_days is null
            or payments.paid_date <= cast({{ dbt.dateadd(
                'day', 'hold_periods.release_expire_after_days', 'invoices.due_date'
            ) }} as date)
        )
    group by hold_periods.employee_id, hold_periods.plan_id, hold_periods.component_id,
        hold_periods.opportunity_id, hold_periods.earned_period, hold_periods.period,
        invoices.invoice_id, invoices.invoice_amount, invoices.invoice_status, written_off.written_off_known_on

),

deal_paid as (

    select
        invoice_paid.employee_id,
        invoice_paid.plan_id,
        invoice_paid.component_id,
        invoice_paid.opportunity_id,
        invoice_paid.earned_period,
        invoice_paid.period,
        {{ money('sum(invoice_paid.paid_amount)') }} as paid_amount,
        -- written off by the end of the period, counted up to the expiry
        {{ money(
            'coalesce(sum(case when invoice_paid.written_off_known_on <= hold_periods.period_end'
            ~ ' and (hold_periods.expires_on is null or invoice_paid.written_off_known_on <= hold_periods.expires_on)'
            ~ ' then invoice_paid.invoice_amount end), 0)'
        ) }} as written_off_invoice_amount
    from invoice_paid
    inner join hold_periods
        on invoice_paid.employee_id = hold_periods.employee_id
        and invoice_paid.plan_id = hold_periods.plan_id
        and invoice_paid.component_id = hold_periods.component_id
        and invoice_paid.opportunity_id = hold_periods.opportunity_id
        and invoice_paid.earned_period = hold_periods.earned_period
        and invoice_paid.period = hold_periods.period
    group by invoice_paid.employee_id, invoice_paid.plan_id, invoice_paid.component_id,
        invoice_paid.opportunity_id, invoice_paid.earned_period, invoice_paid.period

),

to_date as (

    select
        hold_periods.employee_id,
        hold_periods.plan_id,
        hold_periods.component_id,
        hold_periods.opportunity_id,
        hold_periods.earned_period,
        hold_periods.period,
        hold_periods.earning_code,
        hold_periods.currency,
        hold_periods.release_partial,
        hold_periods.expires_on,
        hold_periods.earned_amount,
        hold_periods.invoice_total_amount,
        coalesce(deal_paid.paid_amount, {{ money('0') }}) as paid_amount,
        case
            when hold_periods.invoice_total_amount = 0 then {{ money('0') }}
            when hold_periods.release_partial = 'proportional' then {{ round_to_minor_unit(
                allocated_through('hold_periods.earned_amount', 'deal_paid.paid_amount', 'hold_periods.invoice_total_amount'),
                'hold_periods.currency'
            ) }}
            when deal_paid.paid_amount = hold_periods.invoice_total_amount then hold_periods.earned_amount
            else {{ money('0') }}
        end as released_to_date,
        case
            when coalesce(deal_paid.written_off_invoice_amount, 0) = 0 then {{ money('0') }}
            when hold_periods.release_partial = 'proportional' then {{ money(
                'hold_periods.earned_amount - ' ~ round_to_minor_unit(
                    allocated_through(
                        'hold_periods.earned_amount',
                        '(hold_periods.invoice_total_amount - deal_paid.written_off_invoice_amount)',
                        'hold_periods.invoice_total_amount'
                    ),
                    'hold_periods.currency'
                )
            ) }}
            else hold_periods.earned_amount
        end as written_off_to_date,
        hold_periods.expires_on is not null and hold_periods.expires_on <= hold_periods.period_end as is_expired
    from hold_periods
    left join deal_paid
        on hold_periods.employee_id = deal_paid.employee_id
        and hold_periods.plan_id = deal_paid.plan_id
        and hold_periods.component_id = deal_paid.component_id
        and hold_periods.opportunity_id = deal_paid.opportunity_id
        and hold_periods.earned_period = deal_paid.earned_period
        and hold_periods.period = deal_paid.period

),

states as (

    select
        to_date.*,
        {{ money(
            'case when is_expired then earned_amount - released_to_date - written_off_to_date else 0 end'
        ) }} as expired_to_date
    from to_date

),

changes as (

    select
        states.*,
        {{ money('earned_amount - released_to_date - written_off_to_date - expired_to_date') }} as held_to_date,
        {{ money(
            'released_to_date - coalesce(lag(released_to_date) over (partition by employee_id, plan_id,'
            ~ ' component_id, opportunity_id, earned_period order by period), 0)'
        ) }} as released_amount,
        {{ money(
            'written_off_to_date - coalesce(lag(written_off_to_date) over (partition by employee_id, plan_id,'
            ~ ' component_id, opportunity_id, earned_period order by period), 0)'
        ) }} as written_off_amount,
        {{ money(
            'expired_to_date - coalesce(lag(expired_to_date) over (partition by employee_id, plan_id,'
            ~ ' component_id, opportunity_id, earned_period order by period), 0)'
        ) }} as expired_amount
    from states

),

final as (

    select
        ----------  ids
        employee_id,
        period,
        plan_id,
        component_id,
        opportunity_id,
        earned_period,
        earning_code,
        currency,

        ----------  the hold's terms
        release_partial,
        expires_on,

        ----------  amounts (the payee's currency)
        {{ money('case when period = earned_period then earned_amount else 0 end') }} as earned_amount,
        released_amount,
        written_off_amount,
        expired_amount,
        held_to_date as held_amount,

        ----------  the deal's invoices (their currency)
        invoice_total_amount,
        paid_amount as invoice_paid_amount

    from changes
    where period = earned_period
        or released_amount <> 0
        or written_off_amount <> 0
        or expired_amount <> 0

)

select * from final
