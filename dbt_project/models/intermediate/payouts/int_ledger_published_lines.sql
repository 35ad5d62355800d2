-- The lines of every recorded publication: `amount` as paid (rounded to the
-- currency's minor unit), `exact_amount`, the unrounded amount the line was
-- rounded from, and the cost center the file put the line under. Lines whose
-- publication record does not exist (a crash between the files and the record)
-- are left out: the record is what makes them paid.
with

lines as (

    select * from {{ ref('stg_ledger__published_lines') }}

),

publications as (

    select * from {{ ref('int_ledger_publications') }}

),

final as (

    select
        lines.*,
        publications.publication_seq,
        publications.is_latest_version
    from lines
    inner join publications
        on lines.period = publications.period
        and lines.version = publications.version

)

select * from final
