"""Python assets of the pipeline: ingest, payouts (and later forecasts, statements)."""
