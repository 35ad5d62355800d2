-- What the published payout files paid (docs/ledger.md): the lines of every
-- published period's newest version, as paid (rounded), with the plan year of the
-- period. Statements add a payee's lines of the plan year up to the period for
-- "paid year to date". Empty before the first publication.
with

lines as (

    select * from {{ ref('int_ledger_published_lines') }}
    where is_latest_version

),

publications as (

    select * from {{ ref('int_ledger_publications') }}

),

periods as (

    select * from {{ ref('int_periods') }}

),

final as (

    select
        ----------  ids
        lines.period,
        lines.version,
        periods.plan_year,
        lines.employee_id,
        lines.earning_code,
        lines.currency,

        ----------  as paid
        lines.amount,
        publications.pay_date

    from lines
    inner join publications
        on lines.period = publications.period
        and lines.version = publications.version
    left join periods
        on lines.period = periods.period

)

select * from final
