{#
  The model has exactly one row for each key of `compare_model` and no row for a
  key that `compare_model` lacks (e.g. one attainment row per quota period).
#}
{% test exactly_one_row_per(model, compare_model, key_columns) %}

with expected as (
    select distinct {{ key_columns | join(', ') }}
    from {{ compare_model }}
),

actual as (
    select {{ key_columns | join(', ') }}, count(*) as row_count
    from {{ model }}
    group by {{ key_columns | join(', ') }}
),

compared as (
    select
        {% for key in key_columns -%}
        coalesce(expected.{{ key }}, actual.{{ key }}) as {{ key }},
        {% endfor -%}
        case when expected.{{ key_columns[0] }} is null then 0 else 1 end as expected_rows,
        coalesce(actual.row_count, 0) as actual_rows
    from expected
    full outer join actual
        on {% for key in key_columns -%}
        expected.{{ key }} = actual.{{ key }}{{ ' and ' if not loop.last }}
        {%- endfor %}
)

select *
from compared
where expected_rows != actual_rows

{% endtest %}
