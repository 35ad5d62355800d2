"""Operational checks: too much quarantine blocks the payouts; stale extracts warn.

Thresholds come from the environment (documented in the README):

* ``SPM_QUARANTINE_MAX_SHARE`` (default ``0.01``): the largest share of a CRM or
  HR dataset's landed rows that may be quarantined before the run stops short
  of the payout files. Bad rows are never lost, but a file where many rows
  break the contract is a broken extract, not a few typos.
* ``SPM_MAX_BATCH_AGE_DAYS`` (default ``3``): the newest CRM and HR batch may be
  this many days old before the freshness check warns.
"""

# No ``from __future__ import annotations``: Dagster inspects the annotations at runtime.

import os
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import dagster as dg
import polars as pl
import pyarrow.parquet as pq

from assets.ingest.assets import QUARANTINE_KEY, asset_key
from assets.ingest.contract import CONTRACTS, CRM_OPPORTUNITY, HR_WORKERS
from assets.ingest.landing import list_batches
from assets.ingest.raw_layout import dataset_dir, quarantine_root
from orchestration.resources import SpmPathsResource


def quarantine_max_share() -> Decimal:
    return Decimal(os.environ.get("SPM_QUARANTINE_MAX_SHARE", "0.01"))


def max_batch_age_days() -> int:
    return int(os.environ.get("SPM_MAX_BATCH_AGE_DAYS", "3"))


def _parquet_rows(files: list[Path]) -> int:
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


def quarantine_shares(raw_dir: Path) -> dict[str, tuple[int, int]]:
    """Per CRM/HR dataset: (rows quarantined, rows landed), counting a row once however many rules it broke."""
    shares: dict[str, tuple[int, int]] = {}
    for contract in CONTRACTS:
        if contract.system == "config":
            continue
        name = f"{contract.system}/{contract.name}"
        accepted = _parquet_rows(sorted(dataset_dir(raw_dir, contract).glob("batch=*/*.parquet")))
        files = sorted((quarantine_root(raw_dir) / contract.system / contract.name).glob("batch=*/*.parquet"))
        rejected = (
            pl.scan_parquet(files).select("source_file", "source_row").unique().select(pl.len()).collect().item()
            if files
            else 0
        )
        shares[name] = (rejected, accepted + rejected)
    return shares


@dg.asset_check(
    asset=QUARANTINE_KEY,
    name="quarantine_below_threshold",
    blocking=True,
    description="Stops the run before the warehouse and payouts when a dataset's quarantined share "
    "exceeds SPM_QUARANTINE_MAX_SHARE.",
)
def quarantine_below_threshold(paths: SpmPathsResource) -> dg.AssetCheckResult:
    limit = quarantine_max_share()
    shares = quarantine_shares(paths.paths().raw_dir)
    over = {
        name: f"{rejected}/{landed}"
        for name, (rejected, landed) in shares.items()
        if landed and Decimal(rejected) / Decimal(landed) > limit
    }
    table = "\n".join(
        ["| dataset | quarantined | landed |", "|---|---|---|"]
        + [f"| {name} | {r} | {n} |" for name, (r, n) in shares.items() if n]
    )
    return dg.AssetCheckResult(
        passed=not over,
        metadata={
            "max_share": str(limit),
            "over_threshold": dg.MetadataValue.json(over),
            "by_dataset": dg.MetadataValue.md(table),
        },
        description=(f"quarantine above {limit} in: {', '.join(sorted(over))}" if over else None),
    )


def batch_age_days(landing_dir: Path, system: str, today: date) -> int | None:
    batches = list_batches(Path(landing_dir), system)
    return None if not batches else (today - batches[-1][1]).days


def _freshness_check(contract) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset_key(contract),
        name="newest_batch_is_fresh",
        blocking=False,
        description=f"Warns when the newest {contract.system.upper()} batch is older than SPM_MAX_BATCH_AGE_DAYS.",
    )
    def _check(paths: SpmPathsResource) -> dg.AssetCheckResult:
        limit = max_batch_age_days()
        age = batch_age_days(paths.paths().landing_dir, contract.system, datetime.now(timezone.utc).date())
        return dg.AssetCheckResult(
            passed=age is not None and age <= limit,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"age_days": -1 if age is None else age, "max_age_days": limit},
            description=None if age is None else f"newest {contract.system} batch is {age} day(s) old",
        )

    return _check


QUALITY_CHECKS: list = [quarantine_below_threshold, _freshness_check(CRM_OPPORTUNITY), _freshness_check(HR_WORKERS)]
