"""Operational checks: too much quarantine blocks the payouts; stale extracts warn.

Thresholds are settings (core/settings.py; documented in the README and docs/operations.md):

* ``SPM_QUARANTINE_MAX_SHARE`` (default ``0.01``): the largest share of a CRM or
  HR dataset's landed rows that may be quarantined before the run stops short
  of the warehouse and the payout files. Bad rows are never lost, but a file
  where many rows break the contract is a broken extract, not a few typos.
* ``SPM_QUARANTINE_MIN_ROWS`` (default ``100``): a dataset with fewer landed rows
  is not held to the share (two bad rows of two are typos, not a systemic
  failure); its bad rows are quarantined and counted all the same.
* ``SPM_MAX_BATCH_AGE_DAYS`` (default ``3``): the newest CRM and HR batch may be
  this many days old before the freshness check warns.

When the share check fails, its message names, per dataset over the threshold,
the rows, the quarantined share, the rules most broken with an example row
each, the quarantine folder, and the settings that move the threshold
(``threshold_message``); the CLI prints it at the end of the run.
"""

# No ``from __future__ import annotations``: Dagster inspects the annotations at runtime.

from dataclasses import dataclass
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
from core.metadata import markdown_table
from core.resources import SpmPathsResource
from core.settings import Settings

MAX_SHARE_SETTING = "SPM_QUARANTINE_MAX_SHARE"
MIN_ROWS_SETTING = "SPM_QUARANTINE_MIN_ROWS"
TOP_RULES = 3


def _parquet_rows(files: list[Path]) -> int:
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


@dataclass(frozen=True)
class RuleCount:
    rule: str
    rows: int  # rows that broke the rule (a row once per rule)
    example: str  # the first such row's message: file, row, column, value


@dataclass(frozen=True)
class DatasetQuarantine:
    """One CRM/HR dataset's quarantine: rows counted once however many rules they broke."""

    dataset: str  # <system>/<name>, e.g. crm/opportunity
    quarantined: int
    landed: int  # accepted + quarantined
    rules: tuple[RuleCount, ...]  # most rows first, then by rule name
    directory: Path  # the dataset's quarantine Parquet files, one folder per batch

    @property
    def share(self) -> Decimal:
        return Decimal(self.quarantined) / Decimal(self.landed) if self.landed else Decimal(0)

    def is_over(self, max_share: Decimal, min_rows: int) -> bool:
        """Held to the threshold (at least ``min_rows`` landed) and above it."""
        return self.landed >= max(min_rows, 1) and self.share > max_share


def _rule_counts(frame: pl.DataFrame) -> tuple[RuleCount, ...]:
    fallback = pl.format("{} row {}: {} {}", "source_file", "source_row", "column_name", "value")
    counted = (
        frame.with_columns(pl.coalesce("message", fallback).alias("message"))
        .sort("source_file", "source_row")
        .group_by("rule", maintain_order=True)
        .agg(pl.struct("source_file", "source_row").n_unique().alias("rows"), pl.first("message").alias("example"))
        .sort(["rows", "rule"], descending=[True, False])
    )
    return tuple(RuleCount(r["rule"], r["rows"], r["example"]) for r in counted.iter_rows(named=True))


def dataset_quarantines(raw_dir: Path) -> list[DatasetQuarantine]:
    """Every CRM/HR dataset with landed rows, in contract order, read from the raw layer."""
    datasets = []
    for contract in CONTRACTS:
        if contract.system == "config":
            continue
        accepted = _parquet_rows(sorted(dataset_dir(raw_dir, contract).glob("batch=*/*.parquet")))
        directory = quarantine_root(raw_dir) / contract.system / contract.name
        files = sorted(directory.glob("batch=*/*.parquet"))
        frame = (
            pl.read_parquet(files, columns=["source_file", "source_row", "rule", "column_name", "value", "message"])
            if files
            else None
        )
        rejected = frame.select("source_file", "source_row").unique().height if frame is not None else 0
        if accepted + rejected:
            datasets.append(
                DatasetQuarantine(
                    dataset=f"{contract.system}/{contract.name}",
                    quarantined=rejected,
                    landed=accepted + rejected,
                    rules=_rule_counts(frame) if rejected else (),
                    directory=directory,
                )
            )
    return datasets


def quarantine_shares(raw_dir: Path) -> dict[str, tuple[int, int]]:
    """Per CRM/HR dataset: (rows quarantined, rows landed), counting a row once however many rules it broke."""
    return {d.dataset: (d.quarantined, d.landed) for d in dataset_quarantines(raw_dir)}


def percent(share: Decimal) -> str:
    return f"{(share * 100).quantize(Decimal('0.01'))}%"


def threshold_message(over: list[DatasetQuarantine], max_share: Decimal, min_rows: int) -> str:
    """What the user reads when datasets are over the threshold: what broke, where, and what to change."""
    lines = [
        f"Quarantine above {MAX_SHARE_SETTING} = {max_share} ({percent(max_share)} of a dataset's landed rows) "
        f"in {', '.join(d.dataset for d in over)}: the warehouse and the payout files were not built."
    ]
    for d in over:
        lines.append(
            f"{d.dataset}: {d.quarantined:,} of {d.landed:,} rows quarantined ({percent(d.share)}); "
            f"quarantine files: {d.directory}"
        )
        for rule in d.rules[:TOP_RULES]:
            lines.append(f"  {rule.rule}: {rule.rows:,} row(s), e.g. {rule.example}")
        if len(d.rules) > TOP_RULES:
            lines.append(f"  ... and {len(d.rules) - TOP_RULES} more rule(s)")
    lines.append(
        f"Fix the extract and land it again, or, if this share is expected, raise {MAX_SHARE_SETTING} "
        f"(datasets with fewer than {MIN_ROWS_SETTING} = {min_rows} landed rows are not held to it)."
    )
    return "\n".join(lines)


@dg.asset_check(
    asset=QUARANTINE_KEY,
    name="quarantine_below_threshold",
    blocking=True,
    description="Stops the run before the warehouse and payouts when a dataset with at least "
    "SPM_QUARANTINE_MIN_ROWS landed rows has more than SPM_QUARANTINE_MAX_SHARE of them quarantined.",
)
def quarantine_below_threshold(paths: SpmPathsResource) -> dg.AssetCheckResult:
    settings = Settings.from_env()
    max_share, min_rows = settings.quarantine_max_share, settings.quarantine_min_rows
    datasets = dataset_quarantines(paths.paths().raw_dir)
    over = [d for d in datasets if d.is_over(max_share, min_rows)]
    table = markdown_table(
        ["dataset", "quarantined", "landed", "share", "held to the share", "top rule"],
        [
            (
                d.dataset,
                d.quarantined,
                d.landed,
                percent(d.share),
                "yes" if d.landed >= min_rows else f"no (< {min_rows} rows)",
                f"{d.rules[0].rule} ({d.rules[0].rows})" if d.rules else "",
            )
            for d in datasets
        ],
    )
    return dg.AssetCheckResult(
        passed=not over,
        metadata={
            "max_share": str(max_share),
            "min_rows": min_rows,
            "over_threshold": dg.MetadataValue.json({d.dataset: f"{d.quarantined}/{d.landed}" for d in over}),
            "by_dataset": dg.MetadataValue.md(table),
        },
        description=threshold_message(over, max_share, min_rows) if over else None,
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
        limit = Settings.from_env().max_batch_age_days
        age = batch_age_days(paths.paths().landing_dir, contract.system, datetime.now(timezone.utc).date())
        return dg.AssetCheckResult(
            passed=age is not None and age <= limit,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"age_days": -1 if age is None else age, "max_age_days": limit},
            description=None if age is None else f"newest {contract.system} batch is {age} day(s) old",
        )

    return _check


QUALITY_CHECKS: list = [quarantine_below_threshold, _freshness_check(CRM_OPPORTUNITY), _freshness_check(HR_WORKERS)]
