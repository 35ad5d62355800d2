{#
  Attainment to date (SPEC §4): from a relation of one row per payee and month with
  credit_period, quota_period, quota_qtd and quota_ytd (and employee_id, period,
  plan_year, quarter, currency), the credit summed quarter to date and plan year to
  date, and attainment = credit / quota for the period, QTD and YTD. The one rule of
  int_attainment (own credit) and int_attainment_on_plan_measure (the plan's measure);
  `extra_columns` are carried after the ids.
#}
{% macro attainment_to_date(per_period, extra_columns=[]) -%}
select
    ----------  ids
    employee_id,
    period,
    plan_year,
    quarter,
    currency,
    {%- for column in extra_columns %}
    {{ column }},
    {%- endfor %}

    ----------  period
    credit_period,
    quota_period,
    {{ divide_money('credit_period', 'quota_period') }} as attainment_period,

    ----------  quarter to date
    credit_qtd,
    quota_qtd,
    {{ divide_money('credit_qtd', 'quota_qtd') }} as attainment_qtd,

    ----------  year to date
    credit_ytd,
    quota_ytd,
    {{ divide_money('credit_ytd', 'quota_ytd') }} as attainment_ytd

from (

    select
        *,
        {{ money('sum(credit_period) over (
            partition by employee_id, quarter
            order by period
            rows between unbounded preceding and current row
        )') }} as credit_qtd,
        {{ money('sum(credit_period) over (
            partition by employee_id, plan_year
            order by period
            rows between unbounded preceding and current row
        )') }} as credit_ytd
    from {{ per_period }}

) as to_date
{%- endmacro %}
