"""The BI domain: a consistent snapshot of every mart for BI tools."""

import dagster as dg

from assets.bi.snapshot import bi_snapshot

defs = dg.Definitions(assets=[bi_snapshot])
