-- One row per calendar month (SPEC §1: a period is a month, 'YYYY-MM'),
-- covering every plan year the data touches: from January of the earliest
-- credit or quota year to December of the latest credit or quota year, and at
-- least to the end of the year after the newest CRM batch.
with

creditable as (

    select * from {{ ref('int_opportunities_creditable') }}

),

quotas as (

    select * from {{ ref('stg_config__quotas') }}

),

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

years as (

    select {{ plan_year_of('credit_date') }} as plan_year from creditable
    union all
    select plan_year from quotas
    union all
    select {{ plan_year_of('source_batch_date') }} + 1 as plan_year from opportunities

),

bounds as (

    select
        min(plan_year) as first_year,
        max(plan_year) as last_year
    from years
    where plan_year is not null

),

month_numbers as (

    {{ dbt.generate_series(var('period_spine_max_months', 1200)) }}

),

months as (

    select
        cast(
            {{ dbt.dateadd(
                'month',
                'month_numbers.generated_number - 1',
                "cast(cast(bounds.first_year as " ~ dbt.type_string() ~ ") || '-01-01' as date)"
            ) }}
            as date
        ) as period_start
    from bounds
    cross join month_numbers
    where month_numbers.generated_number <= (bounds.last_year - bounds.first_year + 1) * 12

),

final as (

    select
        {{ period_of('period_start') }} as period,
        period_start,
        cast({{ dbt.last_day('period_start', 'month') }} as date) as period_end,
        cast(extract(day from {{ dbt.last_day('period_start', 'month') }}) as {{ dbt.type_int() }})
            as days_in_month,
        {{ quarter_of('period_start') }} as quarter,
        {{ plan_year_of('period_start') }} as plan_year,
        cast(extract(month from period_start) as {{ dbt.type_int() }}) as month_of_year
    from months

)

select * from final
