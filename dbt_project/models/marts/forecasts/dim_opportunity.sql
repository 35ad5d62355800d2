-- One row per opportunity of the CRM (its newest version; deleted deals are
-- gone), open or closed: what the forecasts read about deals (SPEC §2).
select
    ----------  ids
    opportunity_id,
    owner_user_id,
    account_id,

    ----------  deal
    stage_name,
    opportunity_type,
    currency_code,
    amount,
    close_date,
    is_closed,
    is_won,
    created_at,

    ----------  version
    last_modified_at,
    source_batch_date

from {{ ref('stg_salesforce__opportunities') }}
