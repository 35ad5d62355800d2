{#
  None of `columns` is null: one scan of the model for all of them (a model-level
  test standing in for one not_null test, and one scan, per column). Returns a
  row for each column that has nulls: column_name, null_rows (how many rows are
  null in it) and row_count (the rows checked). A `where` config narrows the
  rows, as for any generic test.
#}
{% test not_null_columns(model, columns) %}

with null_counts as (
    select
        {% for column in columns -%}
        count(case when {{ column }} is null then 1 end) as null_rows_{{ loop.index }},
        {% endfor -%}
        count(*) as row_count
    from {{ model }}
),

checked_columns as (
    {% for column in columns -%}
    select {{ loop.index }} as column_index, '{{ column }}' as column_name
    {{- '\n    union all' if not loop.last }}
    {% endfor %}
),

column_null_counts as (
    select
        checked_columns.column_name,
        case checked_columns.column_index
            {% for column in columns -%}
            when {{ loop.index }} then null_counts.null_rows_{{ loop.index }}
            {% endfor -%}
        end as null_rows,
        null_counts.row_count
    from checked_columns
    cross join null_counts
)

select column_name, null_rows, row_count
from column_null_counts
where null_rows > 0

{% endtest %}
