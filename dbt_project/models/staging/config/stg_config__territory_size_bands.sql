-- Size bands in evaluation order (band_order): min bounds inclusive, max bounds exclusive.
select
    size_band,
    cast(band_order as {{ dbt.type_int() }}) as band_order,
    match_mode,
    {{ money('min_annual_revenue') }} as min_annual_revenue,
    {{ money('max_annual_revenue') }} as max_annual_revenue,
    cast(min_employees as {{ dbt.type_bigint() }}) as min_employees,
    cast(max_employees as {{ dbt.type_bigint() }}) as max_employees
from {{ source('planning_config', 'territory_size_band') }}
