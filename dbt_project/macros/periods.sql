{#
  Periods are calendar months written 'YYYY-MM' (SPEC §1). The plan year is the
  calendar year (a fiscal start month would change plan_year_of only).
#}

{% macro period_of(date_expression) -%}
    (cast(extract(year from {{ date_expression }}) as {{ dbt.type_string() }})
        || '-'
        || lpad(cast(extract(month from {{ date_expression }}) as {{ dbt.type_string() }}), 2, '0'))
{%- endmacro %}

{% macro plan_year_of(date_expression) -%}
    cast(extract(year from {{ date_expression }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro quarter_of(date_expression) -%}
    (cast(extract(year from {{ date_expression }}) as {{ dbt.type_string() }})
        || '-Q'
        || cast(extract(quarter from {{ date_expression }}) as {{ dbt.type_string() }}))
{%- endmacro %}

{# A date far enough in the future to stand for "open-ended" in range joins. #}
{% macro open_end_date() -%}
    cast('9999-12-31' as date)
{%- endmacro %}
