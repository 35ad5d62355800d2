-- One row per deal, credited payee, credit type and payee the credit comes
-- from, in the payee's currency (SPEC §3):
-- * owner / split: the payee's own credit (SPEC §3.1-3.3, 3.6);
--   credited_from_employee_id = employee_id, rollup_level null;
-- * rollup: the same credit for every manager above the payee in the HR chain
--   as of the credit date (SPEC §3.4, int_credits_rolled_up), converted to the
--   manager's currency; credited_from_employee_id = the payee, rollup_level
--   1 = direct manager, 2 = the manager's manager, ...
-- credit_status: current (creditable now) or standing_after_window (lost after
-- the plan's clawback window: the last won credit stands, SPEC §5).
-- Shares that could not be credited (bad splits, owner without HR record,
-- missing FX rate) are in fct_quarantine instead.
{#- the columns own and roll-up credit share, in the order both branches give them -#}
{%- set shared_columns = [
    'credit_date', 'period', 'credit_type', 'credit_status', 'split_percentage', 'opportunity_type',
    'deal_amount', 'deal_currency', 'credit_amount_deal_currency', 'fx_rate_deal', 'fx_rate_payee',
    'credit_amount', 'payee_currency', 'source_batch', 'source_file', 'source_row', 'loaded_at',
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
    from {{ ref('int_credits_own') }}

),

rollup_credits as (

    select
        opportunity_id,
        employee_id,
        credited_user_id,
        credited_from_employee_id,
        rollup_level,
        {{ shared_columns | join(',\n        ') }}
    from {{ ref('int_credits_rolled_up') }}
    where credit_amount is not null

),

credits as (

    select * from own_credits
    union all
    select * from rollup_credits

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

        ----------  load metadata of the deal
        source_batch,
        source_file,
        source_row,
        loaded_at

    from credits

)

select * from final
