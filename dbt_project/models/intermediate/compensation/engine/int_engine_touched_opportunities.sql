-- The engine scope (docs/incremental.md): the deals whose deal-level rows an
-- incremental build recomputes, one row per deal. A deal is in scope when a
-- load the warehouse does not reflect yet (int_engine_current_loads minus the
-- previous build's int_engine_loads) reaches it:
--   * a new version of the deal, or a line item, split or history row of it,
--     or of a line item, split or history row that was on it (every deal any
--     version of such a record names: a record may move to another deal);
--   * a worker, job history or leave row of an employee credited on the deal
--     (own, split or roll-up credit, as payee or as the payee it rolls up
--     from), or a CRM user row of a user credited on it (or of that employee);
--   * a CRM user row of the deal's owner or of a user with a share of it (or
--     of their employees), open deals too (the deal's newest and last won
--     version, int_opportunity_split_shares; the owner,
--     int_planning_opportunities);
--   * a worker or job history row of an employee at or above the deal's
--     payees in the HR manager chain (the chain of the forecasts' team rows,
--     fct_pipeline_credit_share): every employee below a changed one in the
--     manager intervals, as they are now (a chain that changed passes through
--     a changed employee: the first one on the old chain is on the new one);
--   * a conversion rate of a currency the deal's credit is in (deal or payee
--     currency), from its StartDate on (deals credited on or after it), or of
--     the deal's currency from its StartDate on (deals closing on or after it,
--     open deals too: int_planning_opportunities);
--   * a product on one of the deal's line items.
-- Every deal is in scope (full_rebuild) on the first build, and when a
-- reflected load is gone or was loaded again (a replaced landing file), a
-- configuration dataset changed, or the engine (the dbt project) changed:
-- every deal any deal-level record names (a line item or history row of a
-- deal without an Opportunity row is kept in the staging tables too).
-- The previous build's tables are read as they are (previous_relation, not
-- ref: they are built after this model).
-- depends_on: {{ ref('stg_ingest__engine_loads') }}
-- depends_on: {{ ref('stg_salesforce__users') }}
-- depends_on: {{ ref('int_manager_intervals') }}
{%- set previous_loads = spm.previous_relation('int_engine_loads') %}
{%- set previous_shares = spm.previous_relation('int_credit_shares_mapped_to_payees') %}
{%- set previous_converted = spm.previous_relation('int_credits_converted') %}
{%- set previous_rolled_up = spm.previous_relation('int_credits_rolled_up') %}
{%- set previous_split_shares = spm.previous_relation('int_opportunity_split_shares') %}
{%- set previous_deals = spm.previous_relation('int_planning_opportunities') %}
{%- set previous_line_items = spm.previous_relation('stg_salesforce__opportunity_line_items') %}
{%- set incremental = previous_loads is not none and previous_shares is not none
    and previous_converted is not none and previous_rolled_up is not none
    and previous_split_shares is not none and previous_deals is not none
    and previous_line_items is not none %}

with recursive

current_loads as (
    select * from {{ ref('int_engine_current_loads') }}
),

-- every deal a deal-level record names (an Opportunity, or a line item, split
-- or history row, also of a deal without an Opportunity row)
every_deal as (
    select distinct opportunity_id
    from {{ ref('stg_ingest__engine_loads') }}
    where opportunity_id is not null
),

{% if incremental %}

previous_loads as (
    select * from {{ previous_loads }}
),

new_loads as (
    select current_loads.*
    from current_loads
    left join previous_loads
        on current_loads.dataset = previous_loads.dataset
        and current_loads.source_file = previous_loads.source_file
        and current_loads.loaded_at is not distinct from previous_loads.loaded_at
    where previous_loads.dataset is null
),

gone_loads as (
    select previous_loads.*
    from previous_loads
    left join current_loads
        on current_loads.dataset = previous_loads.dataset
        and current_loads.source_file = previous_loads.source_file
        and current_loads.loaded_at is not distinct from previous_loads.loaded_at
    where current_loads.dataset is null
),

full_rebuild as (
    select
        (select count(*) from gone_loads) > 0
        or (select count(*) from new_loads where loaded_at is null) > 0 as full_rebuild
),

new_rows as (
    select engine_loads.*
    from {{ ref('stg_ingest__engine_loads') }} as engine_loads
    inner join new_loads
        on engine_loads.dataset = new_loads.dataset
        and engine_loads.source_file = new_loads.source_file
),

changed_employees as (
    select distinct employee_id
    from new_rows
    where employee_id is not null
),

changed_users as (
    select user_id
    from new_rows
    where dataset = 'crm/user'
    union
    select users.user_id
    from {{ ref('stg_salesforce__users') }} as users
    inner join changed_employees
        on users.employee_number = changed_employees.employee_id
),

-- employees whose manager chain may have changed: a changed worker or job
-- history row, and every employee below one in the manager intervals
chain_employees (employee_id) as (
    select distinct employee_id
    from new_rows
    where dataset in ('hr/workers', 'hr/job_history')
        and employee_id is not null
    union
    select manager_intervals.employee_id
    from {{ ref('int_manager_intervals') }} as manager_intervals
    inner join chain_employees
        on manager_intervals.manager_employee_id = chain_employees.employee_id
),

chain_users as (
    select users.user_id
    from {{ ref('stg_salesforce__users') }} as users
    inner join chain_employees
        on users.employee_number = chain_employees.employee_id
),

changed_rates as (
    select
        currency_code,
        min(rate_start_date) as first_changed_date
    from new_rows
    where dataset = 'crm/dated_conversion_rate'
    group by currency_code
),

changed_products as (
    select distinct product_id
    from new_rows
    where dataset = 'crm/product'
),

touched as (
    -- the deal's own records
    select opportunity_id
    from new_rows
    where opportunity_id is not null
    union
    -- every deal a line item, split or history row with a new version was on
    -- (every raw version of the record names its deal)
    select versions.opportunity_id
    from {{ ref('stg_ingest__engine_loads') }} as versions
    inner join (
        select distinct dataset, record_id
        from new_rows
        where dataset in ('crm/opportunity_line_item', 'crm/opportunity_split', 'crm/opportunity_history')
    ) as moved
        on versions.dataset = moved.dataset
        and versions.record_id = moved.record_id
    where versions.dataset in ('crm/opportunity_line_item', 'crm/opportunity_split', 'crm/opportunity_history')
    union
    -- owners and shares of every deal, open or not (newest and last won version)
    select split_shares.opportunity_id
    from {{ previous_split_shares }} as split_shares
    where split_shares.credited_user_id in (select user_id from changed_users)
        or split_shares.credited_user_id in (select user_id from chain_users)
    union
    select deals.opportunity_id
    from {{ previous_deals }} as deals
    where deals.owner_user_id in (select user_id from changed_users)
    union
    -- credited users and employees (owner and split shares)
    select shares.opportunity_id
    from {{ previous_shares }} as shares
    where shares.credited_user_id in (select user_id from changed_users)
        or shares.employee_id in (select employee_id from changed_employees)
    union
    -- roll-up credit: the manager and the payee it rolls up from
    select rolled_up.opportunity_id
    from {{ previous_rolled_up }} as rolled_up
    where rolled_up.employee_id in (select employee_id from changed_employees)
        or rolled_up.credited_from_employee_id in (select employee_id from changed_employees)
    union
    -- conversion rates, in the deal's and the payee's currency, from the changed date on
    select converted.opportunity_id
    from {{ previous_converted }} as converted
    inner join changed_rates
        on changed_rates.currency_code in (converted.deal_currency, converted.payee_currency)
        and converted.credit_date >= changed_rates.first_changed_date
    union
    select rolled_up.opportunity_id
    from {{ previous_rolled_up }} as rolled_up
    inner join changed_rates
        on changed_rates.currency_code in (rolled_up.deal_currency, rolled_up.payee_currency)
        and rolled_up.credit_date >= changed_rates.first_changed_date
    union
    -- the deal's currency, from the rate's start on (every deal, by its CloseDate)
    select deals.opportunity_id
    from {{ previous_deals }} as deals
    inner join changed_rates
        on deals.deal_currency = changed_rates.currency_code
        and deals.close_date >= changed_rates.first_changed_date
    union
    -- products on the deal's line items (as of the previous build: a line item
    -- with a new version is in scope by its own load)
    select line_items.opportunity_id
    from {{ previous_line_items }} as line_items
    where line_items.product_id in (select product_id from changed_products)
),

final as (
    select
        touched.opportunity_id,
        full_rebuild.full_rebuild
    from touched
    cross join full_rebuild
    where not full_rebuild.full_rebuild
    union all
    select
        every_deal.opportunity_id,
        true as full_rebuild
    from every_deal
    cross join full_rebuild
    where full_rebuild.full_rebuild
)

{% else %}

final as (
    -- the first build (or a warehouse without the engine's tables): every deal
    select
        opportunity_id,
        true as full_rebuild
    from every_deal
)

{% endif %}

select opportunity_id, full_rebuild from final
