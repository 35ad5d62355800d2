-- Creditable deals (SPEC §3.1): won and not deleted (deleted deals are gone
-- in staging). Credit date = CloseDate. Each deal says whether it has splits and
-- whether they sum to 100 within the tolerance (SPEC §3.3,
-- int_opportunity_splits_validated; split_status none: no splits).
-- credit_status 'current': won now. credit_status 'lost_after_win': not
-- creditable now but won in an earlier version (int_opportunities_lost_after_win,
-- SPEC §5 clawback): carried at its last won version so that the crediting
-- chain computes the credit that may stand after the clawback window.
{{ spm.engine_incremental() }}
with

opportunities as (

    select * from {{ spm.engine_scope(ref('stg_salesforce__opportunities')) }}

),

splits_validated as (

    select * from {{ spm.engine_scope(ref('int_opportunity_splits_validated')) }}

),

lost_after_win as (

    select * from {{ spm.engine_scope(ref('int_opportunities_lost_after_win')) }}

),

won as (

    select
        opportunity_id,
        owner_user_id,
        opportunity_type,
        amount,
        currency_code,
        close_date,
        'current' as credit_status,
        cast(null as date) as change_date,
        cast(null as {{ dbt.type_string() }}) as change_reason,
        source_batch,
        source_file,
        source_row,
        loaded_at
    from opportunities
    where is_won

    union all

    select
        opportunity_id,
        owner_user_id,
        opportunity_type,
        deal_amount as amount,
        deal_currency as currency_code,
        credit_date as close_date,
        'lost_after_win' as credit_status,
        change_date,
        change_reason,
        source_batch,
        source_file,
        source_row,
        loaded_at
    from lost_after_win

),

final as (

    select
        ----------  ids
        won.opportunity_id,
        won.owner_user_id,

        ----------  deal
        won.opportunity_type,
        won.amount as deal_amount,
        won.currency_code as deal_currency,
        won.close_date as credit_date,

        ----------  clawback
        won.credit_status,
        won.change_date,
        won.change_reason,

        ----------  splits
        coalesce(splits_validated.split_count, 0) as split_count,
        splits_validated.split_percentage_total,
        coalesce(splits_validated.split_status, 'none') as split_status,

        ----------  load metadata of the deal's newest version
        won.source_batch,
        won.source_file,
        won.source_row,
        won.loaded_at

    from won
    left join splits_validated
        on won.opportunity_id = splits_validated.opportunity_id

)

select * from final
