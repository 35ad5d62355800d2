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

{#
  The rate used for one side of a conversion (SPEC §3.2): 1 when the two
  currencies are the same (no conversion), else the dated rate looked up, else
  1 for the corporate currency (its rate is 1 by definition when the CRM has
  no row for it); null otherwise (a missing rate: quarantined, never 1.0).
#}
{% macro fx_rate_or_one(currency, other_currency, looked_up_rate) -%}
    case
        when {{ currency }} = {{ other_currency }} then {{ money('1') }}
        when {{ looked_up_rate }} is not null then {{ looked_up_rate }}
        when {{ currency }} = '{{ var("corporate_currency") }}' then {{ money('1') }}
    end
{%- endmacro %}

{#
  amount_in_B = amount_in_A / rate_A * rate_B as one exact division
  (amount * rate_B) / rate_A; the same currency is not converted.
#}
{% macro convert_money(amount, from_currency, to_currency, from_rate, to_rate) -%}
    case
        when {{ from_currency }} = {{ to_currency }} then {{ money(amount) }}
        else {{ divide_money(amount ~ ' * ' ~ to_rate, from_rate) }}
    end
{%- endmacro %}

{#
  The select body of the `rates` CTE that dated_rate reads: every
  DatedConversionRate with its open end (next_start_date null) closed at
  open_end_date(), so `start_date <= d < next_start_date` holds for any date.
#}
{% macro dated_conversion_rates() %}
    select
        currency_code,
        start_date,
        coalesce(next_start_date, {{ open_end_date() }}) as next_start_date,
        conversion_rate
    from {{ ref('stg_salesforce__dated_conversion_rates') }}
{% endmacro %}
