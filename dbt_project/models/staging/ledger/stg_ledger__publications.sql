-- Every recorded publication of a pay period: one row per period and version.
-- The payout ledger's `publications` files (source ledger.publications), typed; empty before the first publication.
{{ ledger_relation('publications', [
    ['period', dbt.type_string()],
    ['version', dbt.type_int()],
    ['publication_seq', dbt.type_int()],
    ['calculation_id', dbt.type_string()],
    ['run_id', dbt.type_string()],
    ['pay_date', 'date'],
    ['content_sha256', dbt.type_string()],
    ['row_count', dbt.type_int()],
    ['directory', dbt.type_string()],
]) }}
