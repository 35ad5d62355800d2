-- DatedConversionRate (SPEC §3.2): units of currency_code per one unit of the
-- corporate currency (var corporate_currency), valid for
-- start_date <= d < next_start_date. The corporate currency is flagged on its
-- rows; when the CRM has no row for it, one open-ended row at rate 1 stands
-- for the engine's rule (its rate is 1 by definition, macro fx_rate_or_one).
with

rates as (

    select * from {{ ref('stg_salesforce__dated_conversion_rates') }}

),

corporate_default as (

    select
        '{{ var("corporate_currency") }}' as currency_code,
        cast('0001-01-01' as date) as start_date,
        {{ open_end_date() }} as next_start_date,
        {{ money('1') }} as conversion_rate
    where not exists (
        select 1 from rates where rates.currency_code = '{{ var("corporate_currency") }}'
    )

),

combined as (

    select currency_code, start_date, next_start_date, conversion_rate from rates
    union all
    select currency_code, start_date, next_start_date, conversion_rate from corporate_default

),

final as (

    select
        currency_code,
        start_date,
        next_start_date,
        conversion_rate,
        currency_code = '{{ var("corporate_currency") }}' as is_corporate_currency
    from combined

)

select * from final
