{#
  The dated conversion rate of each row of `relation` (SPEC §3.2): the rate of
  `currency_column` valid on `date_column` (start_date <= d < next_start_date,
  the newest range open-ended), from stg_salesforce__dated_conversion_rates,
  the latest start winning should ranges overlap. Emits the select body of a
  CTE with `key_columns`, conversion_rate and rate_rank (keep rate_rank = 1).
#}
{% macro dated_rate(relation, key_columns, currency_column, date_column) %}
    select
        {%- for column in key_columns %}
        {{ relation }}.{{ column }},
        {%- endfor %}
        rates.conversion_rate,
        row_number() over (
            partition by {% for column in key_columns %}{{ relation }}.{{ column }}{{ ", " if not loop.last }}{% endfor %}
            order by rates.start_date desc
        ) as rate_rank
    from {{ relation }}
    inner join {{ ref('stg_salesforce__dated_conversion_rates') }} as rates
        on {{ relation }}.{{ currency_column }} = rates.currency_code
        and rates.start_date <= {{ relation }}.{{ date_column }}
        and {{ relation }}.{{ date_column }} < coalesce(rates.next_start_date, {{ open_end_date() }})
{% endmacro %}

{#
  Every row of `relation` (one per `key_columns`) with the two rates of a
  conversion between its deal_currency and payee_currency on `date_column`:
  fx_rate_deal (the deal currency's rate) and fx_rate_payee (the payee
  currency's), each fx_rate_or_one. Convert with convert_money(amount,
  'deal_currency', 'payee_currency', 'fx_rate_deal', 'fx_rate_payee').
#}
{% macro with_fx_rates(relation, key_columns, date_column) %}
    select
        {{ relation }}.*,
        {{ fx_rate_or_one(relation ~ '.deal_currency', relation ~ '.payee_currency', 'deal_rates.conversion_rate') }}
            as fx_rate_deal,
        {{ fx_rate_or_one(relation ~ '.payee_currency', relation ~ '.deal_currency', 'payee_rates.conversion_rate') }}
            as fx_rate_payee
    from {{ relation }}
    left join (
        {{ dated_rate(relation, key_columns, 'deal_currency', date_column) }}
    ) as deal_rates
        on {% for column in key_columns %}{{ relation }}.{{ column }} = deal_rates.{{ column }} and {% endfor %}deal_rates.rate_rank = 1
    left join (
        {{ dated_rate(relation, key_columns, 'payee_currency', date_column) }}
    ) as payee_rates
        on {% for column in key_columns %}{{ relation }}.{{ column }} = payee_rates.{{ column }} and {% endfor %}payee_rates.rate_rank = 1
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
