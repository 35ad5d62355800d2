-- One row per CRM account: its size band, the territory rule that matched
-- (lowest priority among the matching rules) and its territory; accounts no
-- rule matches are in the default territory (is_default_territory), never
-- dropped. See int_accounts_territory_matched and docs/planning.md.
select
    cast(account_id as {{ dbt.type_string() }}) as account_id,
    cast(account_name as {{ dbt.type_string() }}) as account_name,
    cast(billing_country as {{ dbt.type_string() }}) as billing_country,
    cast(industry as {{ dbt.type_string() }}) as industry,
    {{ money('annual_revenue') }} as annual_revenue,
    cast(number_of_employees as {{ dbt.type_bigint() }}) as number_of_employees,
    cast(size_band as {{ dbt.type_string() }}) as size_band,
    cast(rule_id as {{ dbt.type_string() }}) as rule_id,
    cast(territory_id as {{ dbt.type_string() }}) as territory_id,
    cast(is_default_territory as {{ dbt.type_boolean() }}) as is_default_territory
from {{ ref('int_accounts_territory_matched') }}
