{#
  Within each partition, the date ranges [start, end) (or [start, end] when
  end_inclusive) never overlap; a null end is open-ended.
#}
{% test not_overlapping_ranges(model, partition_by, start_column, end_column, end_inclusive=false) %}

with ranges as (
    select
        {{ partition_by | join(', ') }},
        {{ start_column }} as range_start,
        coalesce({{ end_column }}, {{ spm.open_end_date() }}) as range_end
    from {{ model }}
)

select
    {% for column in partition_by -%}
    earlier.{{ column }},
    {% endfor -%}
    earlier.range_start as earlier_start,
    earlier.range_end as earlier_end,
    later.range_start as later_start
from ranges as earlier
inner join ranges as later
    on {% for column in partition_by -%}
    earlier.{{ column }} = later.{{ column }} and
    {% endfor -%}
    earlier.range_start < later.range_start
where later.range_start {{ '<=' if end_inclusive else '<' }} earlier.range_end

{% endtest %}
