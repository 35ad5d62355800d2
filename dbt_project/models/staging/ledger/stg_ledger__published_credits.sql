-- The deal credits each published version saw, per payee, credit period and deal.
-- The payout ledger's `credits` files (source ledger.credits), typed; empty before the first publication.
{{ ledger_relation('credits', [
    ['period', dbt.type_string()],
    ['version', dbt.type_int()],
    ['credit_period', dbt.type_string()],
    ['employee_id', dbt.type_string()],
    ['opportunity_id', dbt.type_string()],
    ['currency', dbt.type_string()],
    ['credit_amount', spm.type_money()],
]) }}
