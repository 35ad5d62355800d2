{#
  The payroll a payee is paid through: the payee's HR country, `XX` without one
  (assets/payouts/pay_calendar.py UNKNOWN_COUNTRY). A period's pay date is the
  pay calendar's row of that country (stg_reference__pay_calendar: day
  SPM_PAY_DAY of the month SPM_PAY_LAG_MONTHS after the period, moved to the
  business day before a weekend or public holiday of the country);
  int_payout_file_lines joins it and carries it to the payout and payroll
  files, the statements, the publication and the accrual journal.
  `publish --pay-date` overrides it for one publication, explicitly.
#}
{% macro payroll_country(country) -%}
    coalesce({{ country }}, 'XX')
{%- endmacro %}
