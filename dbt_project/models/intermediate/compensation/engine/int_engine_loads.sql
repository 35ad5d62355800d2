-- The loads the deal-level models reflect (docs/incremental.md): the current
-- loads, recorded once every deal-level model has been built from them (the
-- depends_on below puts this model after the last of them; a failed build
-- leaves the previous record, and the next build recomputes the same deals
-- again). int_engine_touched_opportunities compares it with the current loads.
-- depends_on: {{ ref('int_earnings_qualifying_credits') }}
select * from {{ ref('int_engine_current_loads') }}
