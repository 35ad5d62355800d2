-- One row per OpportunityHistory entry: a deal's stage, amount and close date
-- after each change (SPEC §2), what the forecasts learn stage-to-won
-- conversion and slippage from (docs/forecasts.md). Incremental by deal
-- (docs/incremental.md), as its staging table.
{{ spm.engine_incremental() }}
select
    history_id,
    opportunity_id,
    stage_name,
    amount,
    close_date,
    created_at
from {{ spm.engine_scope(ref('stg_salesforce__opportunity_history')) }}
