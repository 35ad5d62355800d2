-- One row per deal, credited payee, credit type and payee the credit comes
-- from, in the payee's currency (SPEC §3):
-- * owner / split: the payee's own credit (SPEC §3.1-3.3, 3.6);
--   credited_from_employee_id = employee_id, rollup_level null;
-- * rollup: the same credit for every manager above the payee in the HR chain
--   as of the credit date (SPEC §3.4, int_credits_rolled_up), converted to the
--   manager's currency; credited_from_employee_id = the payee, rollup_level
--   1 = direct manager, 2 = the manager's manager, ...
-- credit_status: current (creditable now), standing_after_window (lost after
-- the plan's clawback window: the last won credit stands, SPEC §5) or
-- commission_clawed_back (changed inside the window of a plan with
-- clawback_policy commission_only: the credit stays booked, as for attainment).
-- commission_credit_amount: the credit the commission measure counts; the
-- credit itself, except after a commission-only clawback: the source payee's
-- current credit (0 for a lost or deleted deal; the reduced credit for an
-- amount reduction), on roll-up rows the roll-up credit times the source
-- payee's current / booked credit.
-- Shares that could not be credited (bad splits, owner without HR record,
-- missing FX rate) are in fct_quarantine instead.
-- Lineage is the landing batch, file and row of the deal version, never the
-- ingest clock (loaded_at, staging and intermediate only): a mart is a pure
-- function of the landing data and the configuration, so two runs give the
-- same rows.
{{ spm.engine_incremental() }}
{#- the columns own and roll-up credit share, in the order both branches give them -#}
{%- set shared_columns = [
    'credit_date', 'period', 'credit_type', 'credit_status', 'split_percentage', 'opportunity_type',
    'deal_amount', 'deal_currency', 'credit_amount_deal_currency', 'fx_rate_deal', 'fx_rate_payee',
    'credit_amount', 'payee_currency', 'source_batch', 'source_file', 'source_row',
] %}
with

own_credits as (

    select
        opportunity_id,
        employee_id,
        credited_user_id,
        employee_id as credited_from_employee_id,
        cast(null as {{ dbt.type_int() }}) as rollup_level,
        {{ shared_columns | join(',\n        ') }}
    from {{ spm.engine_scope(ref('int_credits_own')) }}

),

rollup_credits as (

    select
        opportunity_id,
        employee_id,
        credited_user_id,
        credited_from_employee_id,
        rollup_level,
        {{ shared_columns | join(',\n        ') }}
    from {{ spm.engine_scope(ref('int_credits_rolled_up')) }}
    where credit_amount is not null

),

credits as (

    select * from own_credits
    union all
    select * from rollup_credits

),

-- commission-only clawbacks, per deal and the payee whose own credit it is
commission_clawbacks as (

    select
        opportunity_id,
        employee_id as credited_from_employee_id,
        current_credit_amount,
        {{ divide_money('current_credit_amount', 'credit_amount') }} as commission_share
    from {{ spm.engine_scope(ref('int_credits_clawback_evaluated')) }}
    where clawback_status = 'commission_clawed_back'

),

with_commission_credit as (

    select
        credits.*,
        case
            when commission_clawbacks.opportunity_id is null then credits.credit_amount
            when credits.credit_type <> 'rollup' then commission_clawbacks.current_credit_amount
            else {{ money('credits.credit_amount * coalesce(commission_clawbacks.commission_share, 0)') }}
        end as commission_credit_amount
    from credits
    left join commission_clawbacks
        on credits.opportunity_id = commission_clawbacks.opportunity_id
        and credits.credited_from_employee_id = commission_clawbacks.credited_from_employee_id

),

final as (

    select
        ----------  ids
        opportunity_id,
        employee_id,
        credited_user_id,
        credited_from_employee_id,

        ----------  when
        credit_date,
        period,
        {{ plan_year_of('credit_date') }} as plan_year,

        ----------  how
        credit_type,
        rollup_level,
        credit_status,
        split_percentage,
        opportunity_type,

        ----------  deal currency
        deal_amount,
        deal_currency,
        credit_amount_deal_currency,

        ----------  conversion
        fx_rate_deal,
        fx_rate_payee,

        ----------  payee currency
        credit_amount,
        payee_currency,
        {{ money('commission_credit_amount') }} as commission_credit_amount,

        ----------  load metadata of the deal
        source_batch,
        source_file,
        source_row

    from with_commission_credit

)

select * from final
