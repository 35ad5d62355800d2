{#
  The pay date of a period (SPEC §6, docs/payout_extract.md): day
  `payout_pay_day` (15) of the month `payout_pay_lag_months` (1) after the
  period. The one rule: fct_payout_file_line carries it to the payout and
  payroll files, the statements and the publication, and the accrual journal
  settles on it. Keep the day <= 28. `publish --pay-date` overrides it for one
  publication, explicitly.
#}
{% macro pay_date_of(period_start) -%}
    cast({{ dbt.dateadd(
        'day',
        var('payout_pay_day', 15) - 1,
        dbt.dateadd('month', var('payout_pay_lag_months', 1), period_start)
    ) }} as date)
{%- endmacro %}
