-- Territory rules: the matching rule with the lowest priority wins.
select
    rule_id,
    cast(priority as {{ dbt.type_int() }}) as priority,
    territory_id
from {{ source('planning_config', 'territory_rule') }}
