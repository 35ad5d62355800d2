-- Territories of territories.yaml; is_default marks the one unmatched accounts go to.
select
    territory_id,
    territory_name,
    is_default,
    source_file
from {{ source('planning_config', 'territory') }}
