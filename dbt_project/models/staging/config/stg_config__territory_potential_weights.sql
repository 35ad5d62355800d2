-- Weights of territory potential: size_weight * revenue share + history_weight * bookings share.
select
    {{ money('size_weight') }} as size_weight,
    {{ money('history_weight') }} as history_weight,
    cast(history_months as {{ dbt.type_int() }}) as history_months
from {{ source('planning_config', 'territory_potential_weight') }}
