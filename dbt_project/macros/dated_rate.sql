{#
  The dated conversion rate of each row of `relation` (SPEC §3.2): the rate of
  `currency_column` valid on `date_column` (start_date <= d < next_start_date),
  the latest start winning should ranges overlap. Emits the select body of a
  CTE with `key_columns`, conversion_rate and rate_rank (keep rate_rank = 1).
#}
{% macro dated_rate(relation, key_columns, currency_column, date_column, rates='rates') %}
    select
        {%- for column in key_columns %}
        {{ relation }}.{{ column }},
        {%- endfor %}
        {{ rates }}.conversion_rate,
        row_number() over (
            partition by {% for column in key_columns %}{{ relation }}.{{ column }}{{ ", " if not loop.last }}{% endfor %}
            order by {{ rates }}.start_date desc
        ) as rate_rank
    from {{ relation }}
    inner join {{ rates }}
        on {{ relation }}.{{ currency_column }} = {{ rates }}.currency_code
        and {{ rates }}.start_date <= {{ relation }}.{{ date_column }}
        and {{ relation }}.{{ date_column }} < {{ rates }}.next_start_date
{% endmacro %}
