-- The lines of every published version as paid: amount rounded, exact amount, cost center, pay date.
-- The payout ledger's `lines` files (source ledger.lines), typed; empty before the first publication.
{{ ledger_relation('lines', [
    ['period', dbt.type_string()],
    ['version', dbt.type_int()],
    ['employee_id', dbt.type_string()],
    ['cost_center', dbt.type_string()],
    ['earning_code', dbt.type_string()],
    ['currency', dbt.type_string()],
    ['plan_id', dbt.type_string()],
    ['amount', spm.type_money()],
    ['exact_amount', spm.type_money()],
    ['reason', dbt.type_string()],
    ['deal_ids', dbt.type_string()],
    ['pay_date', 'date'],
]) }}
