-- Every territory assignment row of the configuration, usable or not
-- (quarantine_rule names the broken rule: unknown territory, no HR worker,
-- end before start, no day in the employment; such rows are in fct_quarantine
-- too), with the territory's name.
select
    cast(assignments.employee_id as {{ dbt.type_string() }}) as employee_id,
    cast(assignments.territory_id as {{ dbt.type_string() }}) as territory_id,
    cast(territories.territory_name as {{ dbt.type_string() }}) as territory_name,
    cast(assignments.start_date as date) as start_date,
    cast(assignments.end_date as date) as end_date,
    cast(assignments.quarantine_rule is null as {{ dbt.type_boolean() }}) as is_usable,
    cast(assignments.quarantine_rule as {{ dbt.type_string() }}) as quarantine_rule,
    cast(assignments.source_file as {{ dbt.type_string() }}) as source_file,
    cast(assignments.source_row as {{ dbt.type_bigint() }}) as source_row
from {{ ref('int_territory_assignments_validated') }} as assignments
left join {{ ref('stg_config__territories') }} as territories
    on assignments.territory_id = territories.territory_id
