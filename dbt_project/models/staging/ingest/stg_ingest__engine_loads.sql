-- The landing loads the compensation engine's deal-level models depend on
-- (docs/incremental.md): one row per raw row of those datasets, with its load
-- (dataset, landing file, load time) and the keys a change to it reaches: the
-- deal, the employee, the CRM user, the product, the currency and the date
-- from which a conversion rate holds, and the record's own id (record_id) for
-- the deal-level datasets (a line item, split or history row may move to
-- another deal). The engine scope
-- (int_engine_touched_opportunities) compares the loads with the ones the
-- warehouse reflects and recomputes only the deals the new loads reach.
with

opportunities as (
    select 'crm/opportunity' as dataset, _source_file as source_file, _loaded_at as loaded_at,
        Id as opportunity_id, cast(null as {{ dbt.type_string() }}) as employee_id, OwnerId as user_id,
        cast(null as {{ dbt.type_string() }}) as product_id, cast(null as {{ dbt.type_string() }}) as currency_code,
        cast(null as date) as rate_start_date, Id as record_id
    from {{ source('salesforce', 'opportunity') }}
),

line_items as (
    select 'crm/opportunity_line_item', _source_file, _loaded_at,
        OpportunityId, null, null, Product2Id, null, null, Id
    from {{ source('salesforce', 'opportunity_line_item') }}
),

splits as (
    select 'crm/opportunity_split', _source_file, _loaded_at,
        OpportunityId, null, SplitOwnerId, null, null, null, Id
    from {{ source('salesforce', 'opportunity_split') }}
),

history as (
    select 'crm/opportunity_history', _source_file, _loaded_at,
        OpportunityId, null, null, null, null, null, Id
    from {{ source('salesforce', 'opportunity_history') }}
),

users as (
    select 'crm/user', _source_file, _loaded_at,
        null, cast(EmployeeNumber as {{ dbt.type_string() }}), Id, null, null, null, null
    from {{ source('salesforce', 'user') }}
),

products as (
    select 'crm/product', _source_file, _loaded_at,
        null, null, null, Id, null, null, null
    from {{ source('salesforce', 'product') }}
),

rates as (
    select 'crm/dated_conversion_rate', _source_file, _loaded_at,
        null, null, null, null, IsoCode, cast(StartDate as date), null
    from {{ source('salesforce', 'dated_conversion_rate') }}
),

workers as (
    select 'hr/workers', _source_file, _loaded_at,
        null, cast(employee_id as {{ dbt.type_string() }}), null, null, null, null, null
    from {{ source('workday', 'workers') }}
),

job_history as (
    select 'hr/job_history', _source_file, _loaded_at,
        null, cast(employee_id as {{ dbt.type_string() }}), null, null, null, null, null
    from {{ source('workday', 'job_history') }}
),

leaves as (
    select 'hr/leave', _source_file, _loaded_at,
        null, cast(employee_id as {{ dbt.type_string() }}), null, null, null, null, null
    from {{ source('workday', 'leave') }}
)

select * from opportunities
union all select * from line_items
union all select * from splits
union all select * from history
union all select * from users
union all select * from products
union all select * from rates
union all select * from workers
union all select * from job_history
union all select * from leaves
