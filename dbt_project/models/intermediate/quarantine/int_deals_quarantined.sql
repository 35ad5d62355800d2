-- Creditable deals that get no credit at all (SPEC §2, §3.3):
--   split_percentages_not_100  the deal's splits do not sum to 100 (± tolerance);
--                              one row per deal, traced to its newest split row
--   won_deal_without_amount    a won deal with no Amount
with

creditable as (

    select * from {{ ref('int_opportunities_creditable') }}
    where credit_status = 'current'  -- a lost deal's last win is not a finding

),

splits as (

    select * from {{ ref('stg_salesforce__opportunity_splits') }}

),

newest_split as (

    select
        *,
        row_number() over (
            partition by opportunity_id
            order by last_modified_at desc, source_batch_date desc, source_file desc, source_row desc
        ) as split_rank
    from splits

),

bad_splits as (

    select
        {{ quarantine_columns(
            system="'crm'",
            dataset="'opportunity_split'",
            batch='newest_split.source_batch',
            source_file='newest_split.source_file',
            source_row='newest_split.source_row',
            rule="'split_percentages_not_100'",
            column_name="'SplitPercentage'",
            value='cast(creditable.split_percentage_total as ' ~ dbt.type_string() ~ ')',
            message="'Opportunity ' || creditable.opportunity_id || ' has ' || cast(creditable.split_count as "
                ~ dbt.type_string() ~ ") || ' splits summing to ' || cast(creditable.split_percentage_total as "
                ~ dbt.type_string() ~ ") || ' percent, not 100: no credit for the deal'",
            record_json=json_record([
                ['opportunity_id', 'creditable.opportunity_id'],
                ['split_count', 'creditable.split_count'],
                ['split_percentage_total', 'cast(creditable.split_percentage_total as ' ~ dbt.type_string() ~ ')'],
                ['deal_amount', 'cast(creditable.deal_amount as ' ~ dbt.type_string() ~ ')'],
                ['deal_currency', 'creditable.deal_currency'],
                ['credit_date', 'cast(creditable.credit_date as ' ~ dbt.type_string() ~ ')'],
            ]),
            loaded_at='newest_split.loaded_at'
        ) }}
    from creditable
    inner join newest_split
        on creditable.opportunity_id = newest_split.opportunity_id
        and newest_split.split_rank = 1
    where creditable.split_status = 'invalid'

),

no_amount as (

    select
        {{ quarantine_columns(
            system="'crm'",
            dataset="'opportunity'",
            batch='source_batch',
            source_file='source_file',
            source_row='source_row',
            rule="'won_deal_without_amount'",
            column_name="'Amount'",
            value='null',
            message="'Opportunity ' || opportunity_id || ' is won but has no Amount: no credit for the deal'",
            record_json=json_record([
                ['opportunity_id', 'opportunity_id'],
                ['owner_user_id', 'owner_user_id'],
                ['deal_currency', 'deal_currency'],
                ['credit_date', 'cast(credit_date as ' ~ dbt.type_string() ~ ')'],
            ]),
            loaded_at='loaded_at'
        ) }}
    from creditable
    where deal_amount is null

),

final as (

    select * from bad_splits
    union all
    select * from no_amount

)

select * from final
