"""Tests of assets/ingest/: landing files to raw Parquet and quarantine, plan files, quality checks, the contract document."""
