-- Creditable deals that get no credit at all, and line items a product family
-- filter cannot see (SPEC §2, §3.3, §3.5):
--   split_percentages_not_100  the deal's splits do not sum to 100 (± tolerance);
--                              one row per deal, traced to its newest split row
--   won_deal_without_amount    a won deal with no Amount
--   won_deal_negative_amount   a won deal with an Amount below 0 (a negative
--                              amount on an open or lost deal is kept)
--   unknown_product            a line item of a won deal whose Product2Id is not
--                              in Product2: its TotalPrice share is in no product
--                              family (fct_credit_by_product_family, family null),
--                              so a component filtered on a family gets none of it
-- The rules read the deal's newest version (stg_salesforce__opportunities): a
-- bad newest version holds the deal back; it never falls back to an older one.
-- Messages start with '<file> row <n>: ', as the ingest quarantine's do.
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
            message=row_message('newest_split.source_file', 'newest_split.source_row',
                "'Opportunity ' || creditable.opportunity_id || ' has ' || cast(creditable.split_count as "
                ~ dbt.type_string() ~ ") || ' splits summing to ' || cast(creditable.split_percentage_total as "
                ~ dbt.type_string() ~ ") || ' percent, not 100: no credit for the deal'"),
            record_json=json_record([
                ['opportunity_id', 'creditable.opportunity_id'],
                ['split_count', 'creditable.split_count'],
                ['split_percentage_total', 'cast(creditable.split_percentage_total as ' ~ dbt.type_string() ~ ')'],
                ['deal_amount', 'cast(creditable.deal_amount as ' ~ dbt.type_string() ~ ')'],
                ['deal_currency', 'creditable.deal_currency'],
                ['credit_date', 'cast(creditable.credit_date as ' ~ dbt.type_string() ~ ')'],
            ])
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
            message=row_message('source_file', 'source_row',
                "'Opportunity ' || opportunity_id || ' is won but has no Amount: no credit for the deal'"),
            record_json=json_record([
                ['opportunity_id', 'opportunity_id'],
                ['owner_user_id', 'owner_user_id'],
                ['deal_currency', 'deal_currency'],
                ['credit_date', 'cast(credit_date as ' ~ dbt.type_string() ~ ')'],
            ])
        ) }}
    from creditable
    where deal_amount is null

),

negative_amount as (

    select
        {{ quarantine_columns(
            system="'crm'",
            dataset="'opportunity'",
            batch='source_batch',
            source_file='source_file',
            source_row='source_row',
            rule="'won_deal_negative_amount'",
            column_name="'Amount'",
            value='cast(deal_amount as ' ~ dbt.type_string() ~ ')',
            message=row_message('source_file', 'source_row',
                "'Opportunity ' || opportunity_id || ' is won with a negative Amount ' || cast(deal_amount as "
                ~ dbt.type_string() ~ ") || ' ' || deal_currency || ': no credit for the deal'"),
            record_json=json_record([
                ['opportunity_id', 'opportunity_id'],
                ['owner_user_id', 'owner_user_id'],
                ['deal_amount', 'cast(deal_amount as ' ~ dbt.type_string() ~ ')'],
                ['deal_currency', 'deal_currency'],
                ['credit_date', 'cast(credit_date as ' ~ dbt.type_string() ~ ')'],
            ])
        ) }}
    from creditable
    where deal_amount < 0

),

line_items as (

    select * from {{ ref('stg_salesforce__opportunity_line_items') }}

),

products as (

    select * from {{ ref('stg_salesforce__products') }}

),

unknown_products as (

    select
        {{ quarantine_columns(
            system="'crm'",
            dataset="'opportunity_line_item'",
            batch='line_items.source_batch',
            source_file='line_items.source_file',
            source_row='line_items.source_row',
            rule="'unknown_product'",
            column_name="'Product2Id'",
            value='line_items.product_id',
            message=row_message('line_items.source_file', 'line_items.source_row',
                "'OpportunityLineItem ' || line_items.line_item_id || ' of opportunity ' || line_items.opportunity_id
                || ' names Product2Id ' || line_items.product_id || ', which is not in Product2: its TotalPrice '
                || coalesce(cast(line_items.total_price as " ~ dbt.type_string() ~ "), 'empty')
                || ' is in no product family, so a component filtered on a family gets no credit for it'"),
            record_json=json_record([
                ['line_item_id', 'line_items.line_item_id'],
                ['opportunity_id', 'line_items.opportunity_id'],
                ['product_id', 'line_items.product_id'],
                ['total_price', 'cast(line_items.total_price as ' ~ dbt.type_string() ~ ')'],
                ['deal_currency', 'creditable.deal_currency'],
                ['credit_date', 'cast(creditable.credit_date as ' ~ dbt.type_string() ~ ')'],
            ])
        ) }}
    from line_items
    inner join creditable
        on line_items.opportunity_id = creditable.opportunity_id
    left join products
        on line_items.product_id = products.product_id
    where products.product_id is null

),

final as (

    select * from bad_splits
    union all
    select * from no_amount
    union all
    select * from negative_amount
    union all
    select * from unknown_products

)

select * from final
