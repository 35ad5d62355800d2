-- Retro adjustments (SPEC §6, docs/ledger.md): for each pay period P, per payee
-- and currency,
--     outstanding(P) = sum over published periods m < P of
--                      recalculated payable(m) - paid for m (newest version)
-- where "paid for m" includes the ADJUSTMENT/CLAWBACK lines m's file carried,
-- so a delta settled once is never paid again, and one not yet paid (a
-- deduction carried because the file had nothing to take it from,
-- fct_payout_line) is owed again. The outstanding amount is split:
--   CLAWBACK    = clawed back so far - CLAWBACK paid so far, where
--                 clawed back so far = - sum over published m < P and clawed-back
--                 deals (deal in fct_clawback whose credit in m is below what m's
--                 newest version paid on) of the credit taken back * the effective
--                 commission rate m was published at (published COMMISSION of m /
--                 credit the publication paid on; when m paid nothing, today's
--                 rate of m), rounded to the minor unit; and CLAWBACK paid so far
--                 = the CLAWBACK lines of the newest versions of periods < P.
--                 Cumulative, so a clawback carried to a later file stays a
--                 CLAWBACK with its deals and reasons.
--   ADJUSTMENT  = outstanding - CLAWBACK: late deals, corrected amounts and
--                 plan, quota or assignment corrections.
-- Pay periods are the calendar (dim_period): a month in which nobody has a
-- calculated line still carries what is owed.
-- Deal changes compare today's fct_credit of m with the credits of the newest
-- publication that saw m (a period q with m <= q < P). Reasons:
--   late_deal        a deal credited in m that the ledger had not seen
--   corrected_amount a deal whose credit in m changed (not a clawback)
--   plan_correction  the ADJUSTMENT differs by a cent or more from its deals'
--                    credit change at m's effective rate: plans, quotas,
--                    assignments or HR changed (or a tier moved)
--   deal_lost / deal_deleted / amount_reduced   CLAWBACK reasons (fct_clawback)
-- Amounts are in the currency's minor unit: payable and paid lines are, and the
-- clawback is rounded once, cumulatively.
with

publications as (

    select * from {{ ref('int_ledger_publications') }}

),

newest_versions as (

    select period, version from publications where is_latest_version

),

paid_lines as (

    select * from {{ ref('int_ledger_published_lines') }}
    where is_latest_version

),

published_credits as (

    select * from {{ ref('int_ledger_published_credits') }}

),

payable as (

    select * from {{ ref('int_payables') }}

),

-- the credit the commission counts today (after a commission-only clawback the
-- credit stays booked for attainment, but the commission no longer counts it)
credit_now as (

    select employee_id, period, opportunity_id, payee_currency as currency, sum(commission_credit_amount) as credit_amount
    from {{ ref('int_credits') }}
    group by employee_id, period, opportunity_id, payee_currency

),

clawed_deals as (

    select
        opportunity_id,
        min(case reason when 'lost' then 'deal_lost' when 'deleted' then 'deal_deleted' else reason end) as reason
    from {{ ref('int_clawbacks') }}
    group by opportunity_id

),

-- every period a payout file can be made for: the pay calendar
pay_periods as (

    select period from {{ ref('int_periods') }}

),

-- (open period P, published period m < P)
open_sources as (

    select pay_periods.period as open_period, newest_versions.period as source_period, newest_versions.version as source_version
    from pay_periods
    inner join newest_versions
        on newest_versions.period < pay_periods.period

),

recalculated as (

    select employee_id, currency, period, sum(payable_amount) as amount
    from payable
    group by employee_id, currency, period

),

paid as (

    select employee_id, currency, period, sum(amount) as amount
    from paid_lines
    group by employee_id, currency, period

),

outstanding as (

    select
        open_sources.open_period,
        movements.employee_id,
        movements.currency,
        sum(movements.amount) as outstanding_amount
    from open_sources
    inner join (
        select employee_id, currency, period, amount from recalculated
        union all
        select employee_id, currency, period, -amount from paid
    ) as movements
        on movements.period = open_sources.source_period
    group by open_sources.open_period, movements.employee_id, movements.currency

),

-- the newest publication that saw period m before P
snapshot_of as (

    select open_sources.open_period, open_sources.source_period, max(publications.publication_seq) as snapshot_seq
    from open_sources
    inner join publications
        on publications.period >= open_sources.source_period
        and publications.period < open_sources.open_period
    group by open_sources.open_period, open_sources.source_period

),

credit_seen as (

    select snapshot_of.open_period, snapshot_of.source_period,
           published_credits.employee_id, published_credits.opportunity_id, published_credits.currency,
           published_credits.credit_amount
    from snapshot_of
    inner join published_credits
        on published_credits.publication_seq = snapshot_of.snapshot_seq
        and published_credits.credit_period = snapshot_of.source_period

),

credit_today as (

    select open_sources.open_period, open_sources.source_period,
           credit_now.employee_id, credit_now.opportunity_id, credit_now.currency, credit_now.credit_amount
    from open_sources
    inner join credit_now
        on credit_now.period = open_sources.source_period

),

deal_changes as (

    select
        coalesce(seen.open_period, today.open_period) as open_period,
        coalesce(seen.source_period, today.source_period) as source_period,
        coalesce(seen.employee_id, today.employee_id) as employee_id,
        coalesce(seen.opportunity_id, today.opportunity_id) as opportunity_id,
        coalesce(seen.currency, today.currency) as currency,
        {{ money('coalesce(seen.credit_amount, 0)') }} as credit_seen,
        {{ money('coalesce(today.credit_amount, 0)') }} as credit_today
    from credit_seen as seen
    full outer join credit_today as today
        on seen.open_period = today.open_period
        and seen.source_period = today.source_period
        and seen.employee_id = today.employee_id
        and seen.opportunity_id = today.opportunity_id
        and seen.currency = today.currency
    where coalesce(seen.credit_amount, 0) <> coalesce(today.credit_amount, 0)

),

-- clawed-back deals of each published m < P: the credit m's newest version
-- paid on against the credit now
clawed_changes as (

    select
        open_sources.open_period,
        open_sources.source_period,
        published_credits.employee_id,
        published_credits.opportunity_id,
        published_credits.currency,
        {{ money('published_credits.credit_amount - coalesce(credit_now.credit_amount, 0)') }} as credit_taken_back
    from open_sources
    inner join published_credits
        on published_credits.period = open_sources.source_period
        and published_credits.credit_period = open_sources.source_period
        and published_credits.is_latest_version
    inner join clawed_deals
        on published_credits.opportunity_id = clawed_deals.opportunity_id
    left join credit_now
        on credit_now.period = published_credits.credit_period
        and credit_now.employee_id = published_credits.employee_id
        and credit_now.opportunity_id = published_credits.opportunity_id
        and credit_now.currency = published_credits.currency
    where coalesce(credit_now.credit_amount, 0) < published_credits.credit_amount

),

-- the effective commission rate each published period was paid at
published_commission as (

    select employee_id, currency, period, sum(exact_amount) as amount
    from paid_lines
    where earning_code = 'COMMISSION'
    group by employee_id, currency, period

),

published_period_credit as (

    select published_credits.employee_id, published_credits.currency, published_credits.credit_period as period,
           sum(published_credits.credit_amount) as credit_amount
    from published_credits
    where published_credits.is_latest_version
        and published_credits.credit_period = published_credits.period
    group by published_credits.employee_id, published_credits.currency, published_credits.credit_period

),

current_commission as (

    select employee_id, currency, period, sum(payable_amount) as amount
    from payable
    where earning_code = 'COMMISSION'
    group by employee_id, currency, period

),

current_period_credit as (

    select employee_id, currency, period, sum(credit_amount) as credit_amount
    from credit_now
    group by employee_id, currency, period

),

rates as (

    select
        keys.employee_id,
        keys.currency,
        keys.period,
        coalesce(
            {{ divide_money('published_commission.amount', 'published_period_credit.credit_amount') }},
            {{ divide_money('current_commission.amount', 'current_period_credit.credit_amount') }},
            {{ money('0') }}
        ) as effective_rate
    from (
        select employee_id, currency, source_period as period from deal_changes
        union
        select employee_id, currency, source_period from clawed_changes
    ) as keys
    left join published_commission
        on keys.employee_id = published_commission.employee_id
        and keys.currency = published_commission.currency
        and keys.period = published_commission.period
    left join published_period_credit
        on keys.employee_id = published_period_credit.employee_id
        and keys.currency = published_period_credit.currency
        and keys.period = published_period_credit.period
    left join current_commission
        on keys.employee_id = current_commission.employee_id
        and keys.currency = current_commission.currency
        and keys.period = current_commission.period
    left join current_period_credit
        on keys.employee_id = current_period_credit.employee_id
        and keys.currency = current_period_credit.currency
        and keys.period = current_period_credit.period

),

classified as (

    select
        deal_changes.*,
        case
            when clawed_deals.opportunity_id is not null and deal_changes.credit_today < deal_changes.credit_seen
                then 'CLAWBACK'
            else 'ADJUSTMENT'
        end as earning_code,
        case
            when clawed_deals.opportunity_id is not null and deal_changes.credit_today < deal_changes.credit_seen
                then clawed_deals.reason
            when deal_changes.credit_seen = 0 then 'late_deal'
            else 'corrected_amount'
        end as reason,
        {{ money('(deal_changes.credit_today - deal_changes.credit_seen) * rates.effective_rate') }} as valued_amount
    from deal_changes
    left join clawed_deals
        on deal_changes.opportunity_id = clawed_deals.opportunity_id
    inner join rates
        on deal_changes.employee_id = rates.employee_id
        and deal_changes.currency = rates.currency
        and deal_changes.source_period = rates.period

),

clawed_valued as (

    select
        clawed_changes.*,
        clawed_deals.reason,
        {{ money('-clawed_changes.credit_taken_back * rates.effective_rate') }} as valued_amount
    from clawed_changes
    inner join clawed_deals
        on clawed_changes.opportunity_id = clawed_deals.opportunity_id
    inner join rates
        on clawed_changes.employee_id = rates.employee_id
        and clawed_changes.currency = rates.currency
        and clawed_changes.source_period = rates.period

),

clawback_paid as (

    select open_sources.open_period, paid_lines.employee_id, paid_lines.currency, sum(paid_lines.amount) as amount
    from (select distinct open_period from open_sources) as open_sources
    inner join paid_lines
        on paid_lines.period < open_sources.open_period
        and paid_lines.earning_code = 'CLAWBACK'
    group by open_sources.open_period, paid_lines.employee_id, paid_lines.currency

),

clawback_owed as (

    select
        coalesce(clawed.open_period, clawback_paid.open_period) as open_period,
        coalesce(clawed.employee_id, clawback_paid.employee_id) as employee_id,
        coalesce(clawed.currency, clawback_paid.currency) as currency,
        {{ money(
            round_to_minor_unit('coalesce(clawed.clawed_amount, 0)', 'coalesce(clawed.currency, clawback_paid.currency)')
            ~ ' - coalesce(clawback_paid.amount, 0)'
        ) }} as clawback_amount
    from (
        select open_period, employee_id, currency, sum(valued_amount) as clawed_amount
        from clawed_valued
        group by open_period, employee_id, currency
    ) as clawed
    full outer join clawback_paid
        on clawed.open_period = clawback_paid.open_period
        and clawed.employee_id = clawback_paid.employee_id
        and clawed.currency = clawback_paid.currency

),

deal_totals as (

    select
        coalesce(explained.open_period, clawback_owed.open_period) as open_period,
        coalesce(explained.employee_id, clawback_owed.employee_id) as employee_id,
        coalesce(explained.currency, clawback_owed.currency) as currency,
        coalesce(clawback_owed.clawback_amount, 0) as clawback_amount,
        coalesce(explained.explained_adjustment, 0) as explained_adjustment
    from (
        select open_period, employee_id, currency, sum(valued_amount) as explained_adjustment
        from classified
        where earning_code = 'ADJUSTMENT'
        group by open_period, employee_id, currency
    ) as explained
    full outer join clawback_owed
        on explained.open_period = clawback_owed.open_period
        and explained.employee_id = clawback_owed.employee_id
        and explained.currency = clawback_owed.currency

),

deal_lists as (

    select
        open_period,
        employee_id,
        currency,
        earning_code,
        {{ dbt.listagg('opportunity_id', "';'", 'order by opportunity_id') }} as deal_ids
    from (
        select open_period, employee_id, currency, earning_code, opportunity_id from classified
        where earning_code = 'ADJUSTMENT'
        union
        select open_period, employee_id, currency, 'CLAWBACK', opportunity_id from clawed_valued
    ) as deals
    group by open_period, employee_id, currency, earning_code

),

amounts as (

    select
        coalesce(outstanding.open_period, deal_totals.open_period) as period,
        coalesce(outstanding.employee_id, deal_totals.employee_id) as employee_id,
        coalesce(outstanding.currency, deal_totals.currency) as currency,
        -- a CLAWBACK line only takes back; should the CLAWBACK lines paid exceed
        -- what is clawed back now (the period was corrected and republished),
        -- the ADJUSTMENT line gives it back
        {{ money('least(coalesce(deal_totals.clawback_amount, 0), 0)') }} as clawback_amount,
        {{ money(
            round_to_minor_unit('coalesce(outstanding.outstanding_amount, 0)', 'coalesce(outstanding.currency, deal_totals.currency)')
            ~ ' - least(coalesce(deal_totals.clawback_amount, 0), 0)'
        ) }} as adjustment_amount,
        {{ money('coalesce(deal_totals.explained_adjustment, 0)') }} as explained_adjustment
    from outstanding
    full outer join deal_totals
        on outstanding.open_period = deal_totals.open_period
        and outstanding.employee_id = deal_totals.employee_id
        and outstanding.currency = deal_totals.currency

),

reasons as (

    select open_period as period, employee_id, currency, earning_code, reason
    from classified
    where earning_code = 'ADJUSTMENT'
    union
    select open_period, employee_id, currency, 'CLAWBACK', reason
    from clawed_valued
    union
    select period, employee_id, currency, 'ADJUSTMENT', 'plan_correction'
    from amounts
    where abs(adjustment_amount - explained_adjustment) >= 0.01

),

reason_lists as (

    select
        period,
        employee_id,
        currency,
        earning_code,
        {{ dbt.listagg('reason', "';'", 'order by reason') }} as reason
    from reasons
    group by period, employee_id, currency, earning_code

),

lines as (

    select period, employee_id, currency, 'ADJUSTMENT' as earning_code, adjustment_amount as amount
    from amounts
    where adjustment_amount <> 0
    union all
    select period, employee_id, currency, 'CLAWBACK', clawback_amount
    from amounts
    where clawback_amount <> 0

),

-- the plan(s) of the payee's newest calculated month up to P; when the payee
-- has none (the reversed deal was their only credit), of their newest published
-- month before P
payee_plans as (

    select employee_id, period, 1 as source_rank, {{ dbt.listagg('plan_id', "'+'", 'order by plan_id') }} as plan_id
    from (select distinct employee_id, period, plan_id from payable) as plans
    group by employee_id, period

    union all

    select employee_id, period, 2, {{ dbt.listagg('plan_id', "'+'", 'order by plan_id') }}
    from (
        select distinct employee_id, period, plan_id from paid_lines
        where earning_code not in ('ADJUSTMENT', 'CLAWBACK')
    ) as plans
    group by employee_id, period

),

-- a CLAWBACK line keeps the plan(s) that paid the clawed-back deals
clawback_plans as (

    select open_period as period, employee_id, currency, {{ dbt.listagg('plan_id', "'+'", 'order by plan_id') }} as plan_id
    from (
        select distinct clawed_valued.open_period, clawed_valued.employee_id, clawed_valued.currency, paid_lines.plan_id
        from clawed_valued
        inner join paid_lines
            on paid_lines.employee_id = clawed_valued.employee_id
            and paid_lines.currency = clawed_valued.currency
            and paid_lines.period = clawed_valued.source_period
            and paid_lines.earning_code not in ('ADJUSTMENT', 'CLAWBACK')
    ) as plans
    group by open_period, employee_id, currency

),

line_plans as (

    select
        lines.period,
        lines.employee_id,
        payee_plans.plan_id,
        row_number() over (
            partition by lines.period, lines.employee_id order by payee_plans.source_rank, payee_plans.period desc
        ) as plan_rank
    from (select distinct period, employee_id from lines) as lines
    inner join payee_plans
        on payee_plans.employee_id = lines.employee_id
        and (
            (payee_plans.source_rank = 1 and payee_plans.period <= lines.period)
            or (payee_plans.source_rank = 2 and payee_plans.period < lines.period)
        )

),

final as (

    select
        ----------  ids
        lines.period,
        lines.employee_id,
        lines.earning_code,
        lines.currency,
        coalesce(
            case when lines.earning_code = 'CLAWBACK' then clawback_plans.plan_id end,
            line_plans.plan_id,
            'UNASSIGNED'
        ) as plan_id,

        ----------  amount and why
        {{ money('lines.amount') }} as amount,
        coalesce(reason_lists.reason, 'rounding') as reason,
        deal_lists.deal_ids

    from lines
    left join line_plans
        on lines.period = line_plans.period
        and lines.employee_id = line_plans.employee_id
        and line_plans.plan_rank = 1
    left join clawback_plans
        on lines.period = clawback_plans.period
        and lines.employee_id = clawback_plans.employee_id
        and lines.currency = clawback_plans.currency
    left join reason_lists
        on lines.period = reason_lists.period
        and lines.employee_id = reason_lists.employee_id
        and lines.currency = reason_lists.currency
        and lines.earning_code = reason_lists.earning_code
    left join deal_lists
        on lines.period = deal_lists.open_period
        and lines.employee_id = deal_lists.employee_id
        and lines.currency = deal_lists.currency
        and lines.earning_code = deal_lists.earning_code

)

select * from final
