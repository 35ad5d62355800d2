"""Dagster assets and checks of the ingest stage: thin wrappers around the pure functions.

* one asset per landing-contract dataset, key ``["raw", <system>, <dataset>]``,
  running :func:`assets.ingest.load.ingest_dataset`;
* one multi-asset for the plan YAML, keys ``["raw", "config", <table>]`` for the
  tables ``plan``, ``plan_component``, ``plan_component_tier``, ``plan_component_filter``
  and ``plan_ramp``, running :func:`assets.ingest.plans.ingest_plans`;
* one asset ``["raw", "quarantine"]`` after all dataset assets (the dbt source
  of the quarantine points at it), counting the quarantine per dataset and rule;
* one blocking check ``gx_contract_suite`` per dataset and plan asset, running the Great
  Expectations suite of :mod:`expectations.suites` on the raw rows of the
  newest batch (configuration: the current one). GX is imported inside the
  check, so loading the definitions stays cheap.

A landing file without a required column, a batch folder that is not a date
or an invalid plan fails the asset at once (``user_error``: the message, no retry); rows
that break the contract go to quarantine and are counted in the metadata.
"""

# No ``from __future__ import annotations``: Dagster inspects the context annotation at runtime.
from functools import partial
from pathlib import Path
from typing import Any, Callable

import dagster as dg
import polars as pl
from dagster import AssetExecutionContext

from assets.ingest.contract import CONTRACTS, ROW_RULES, DatasetContract
from assets.ingest.landing import LandingLayoutError
from assets.ingest.load import (
    EMPTY_FILE,
    ContractError,
    IngestResult,
    ingest_dataset,
    newest_batch,
    read_raw_batch,
    write_parquet_atomic,
)
from assets.ingest.plans import (
    PLAN_COMPONENT_FILTER_DATASET,
    PLAN_COMPONENT_TIER_DATASET,
    PLAN_RAMP_DATASET,
    PlanConfigError,
    ingest_plans,
    plan_component_dir,
    plan_dir,
    plan_table_dir,
)
from assets.ingest.raw_layout import quarantine_root, raw_table_schema
from assets.ingest.rules import empty_quarantine
from core.failures import user_error
from core.metadata import markdown_table
from core.resources import SpmPathsResource

GROUP = "ingest"
CHECK_NAME = "gx_contract_suite"
PLAN_KEY = dg.AssetKey(["raw", "config", "plan"])
PLAN_COMPONENT_KEY = dg.AssetKey(["raw", "config", "plan_component"])
PLAN_COMPONENT_TIER_KEY = dg.AssetKey(["raw", "config", "plan_component_tier"])
PLAN_COMPONENT_FILTER_KEY = dg.AssetKey(["raw", "config", "plan_component_filter"])
PLAN_RAMP_KEY = dg.AssetKey(["raw", "config", "plan_ramp"])
_PREVIEW_ROWS = 10


def asset_key(contract: DatasetContract) -> dg.AssetKey:
    return dg.AssetKey(["raw", contract.system, contract.name])


def _landing_pattern(contract: DatasetContract) -> str:
    if contract.system == "config":
        return f"<config>/{contract.file_stem}[-*].csv|parquet"
    return f"<landing>/{contract.system}/<YYYY-MM-DD>/{contract.file_stem}[-*].csv|parquet"


def ingest_metadata(result: IngestResult) -> dict[str, dg.MetadataValue | int | str]:
    """Run metadata of one dataset's ingest: files, rows, quarantine per rule, examples."""
    metadata: dict = {
        "files_ingested": len(result.files_ingested),
        "files_skipped": len(result.files_skipped),
        "files_replaced": len(result.files_replaced),
        "rows_read": result.rows_read,
        "rows_accepted": result.rows_accepted,
        "rows_rejected": result.rows_rejected,
        "rows_quarantined": result.rows_quarantined,
        "quarantined_by_rule": dg.MetadataValue.json(result.quarantined_by_rule),
    }
    for rule in ROW_RULES:
        metadata[f"quarantined__{rule}"] = result.quarantined_by_rule.get(rule, 0)
    if result.files_ingested:
        metadata["ingested_files"] = dg.MetadataValue.json(result.files_ingested)
    if result.raw_files:
        metadata["new_raw_files"] = dg.MetadataValue.json([str(p) for p in result.raw_files])
    examples = result.quarantine_examples.head(_PREVIEW_ROWS).select(
        "source_file", "source_row", "rule", "column_name", "value", "message"
    )
    metadata["quarantine_examples"] = dg.MetadataValue.md(markdown_table(examples.columns, examples.iter_rows()))
    return metadata


def build_ingest_asset(contract: DatasetContract) -> dg.AssetsDefinition:
    @dg.asset(
        key=asset_key(contract),
        group_name=GROUP,
        kinds={"polars", "parquet"},
        description=f"{contract.description} Landing files: {_landing_pattern(contract)}; "
        "accepted rows to raw Parquet, contract violations to quarantine.",
        metadata={"dagster/column_schema": raw_table_schema(contract)},
    )
    def _ingest(context: AssetExecutionContext, paths: SpmPathsResource) -> dg.MaterializeResult:
        settings = paths.paths()
        try:
            result = ingest_dataset(
                contract, settings.landing_dir, settings.config_dir, settings.raw_dir, progress=context.log.info
            )
        except ContractError as error:
            raise user_error(
                str(error),
                metadata={
                    "file": str(error.path) if error.path else "",
                    "dataset": error.dataset or f"{contract.system}/{contract.name}",
                    "columns": dg.MetadataValue.json(error.columns),
                },
            ) from error
        except LandingLayoutError as error:
            raise user_error(str(error)) from error
        context.log.info(
            f"{contract.system}/{contract.name}: {len(result.files_ingested)} file(s) ingested, "
            f"{len(result.files_skipped)} skipped, {result.rows_accepted} rows accepted, "
            f"{result.rows_rejected} rows quarantined ({result.rows_quarantined} violations)"
        )
        return dg.MaterializeResult(metadata=ingest_metadata(result))

    return _ingest


def _check_metadata(summary, batch: str | None) -> dict:
    failed = summary.failed
    return {
        "batch": batch or "",
        "rows_validated": summary.row_count,
        "expectations": len(summary.results),
        "expectations_failed": len(failed),
        "unexpected_values": summary.unexpected_total,
        "failures": dg.MetadataValue.json(
            [
                {"expectation": r.label, "unexpected_count": r.unexpected_count, "examples": r.examples}
                for r in failed
            ]
        ),
        "warnings": dg.MetadataValue.json(
            [{"expectation": r.label, "unexpected_count": r.unexpected_count, "examples": r.examples} for r in summary.warnings]
        ),
        "summary": dg.MetadataValue.md(summary.describe()),
    }


def build_gx_check(contract: DatasetContract) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset_key(contract),
        name=CHECK_NAME,
        blocking=True,
        description="Great Expectations suite from the landing contract, on the raw rows of the newest batch.",
    )
    def _check(paths: SpmPathsResource) -> dg.AssetCheckResult:
        from expectations.suites import validate

        raw_dir = paths.paths().raw_dir
        batch = newest_batch(raw_dir, contract)
        if batch is None:
            return dg.AssetCheckResult(passed=True, metadata={"batch": "", "rows_validated": 0}, description="no batch in raw yet")
        summary = validate(contract, read_raw_batch(raw_dir, contract, batch))
        return dg.AssetCheckResult(passed=summary.success, metadata=_check_metadata(summary, batch), description=summary.describe())

    return _check


# --- plans --------------------------------------------------------------------------------


@dg.multi_asset(
    name="raw__config__plans",
    group_name=GROUP,
    specs=[
        dg.AssetSpec(PLAN_KEY, kinds={"yaml", "parquet"}, description="Compensation plans from <config>/plans/*.yaml, one row per plan."),
        dg.AssetSpec(
            PLAN_COMPONENT_KEY,
            kinds={"yaml", "parquet"},
            description="Plan components (earning code, measure, basis, rule), one row per component.",
        ),
        dg.AssetSpec(
            PLAN_COMPONENT_TIER_KEY,
            kinds={"yaml", "parquet"},
            description="Rate tables of tiered components: attainment bands and multipliers.",
        ),
        dg.AssetSpec(
            PLAN_COMPONENT_FILTER_KEY,
            kinds={"yaml", "parquet"},
            description="Component filters by opportunity Type and product Family.",
        ),
        dg.AssetSpec(PLAN_RAMP_KEY, kinds={"yaml", "parquet"}, description="New-hire quota ramp factors per month of employment."),
    ],
)
def raw_config_plans(context: AssetExecutionContext, paths: SpmPathsResource):
    settings = paths.paths()
    try:
        result = ingest_plans(settings.config_dir, settings.raw_dir)
    except PlanConfigError as error:
        raise user_error(str(error), metadata={"errors": dg.MetadataValue.json(error.errors)}) from error
    context.log.info(f"{len(result.plans)} plan(s), {result.component_count} component(s)")
    yield dg.MaterializeResult(
        asset_key=PLAN_KEY,
        metadata={
            "plans": len(result.plans),
            "plan_ids": dg.MetadataValue.json([p.plan_id for p in result.plans]),
            "path": str(result.plan_file),
        },
    )
    yield dg.MaterializeResult(
        asset_key=PLAN_COMPONENT_KEY,
        metadata={"components": result.component_count, "path": str(result.plan_component_file)},
    )
    components = [c for p in result.plans for c in p.components]
    yield dg.MaterializeResult(asset_key=PLAN_COMPONENT_TIER_KEY, metadata={"tiers": sum(len(c.tiers) for c in components)})
    yield dg.MaterializeResult(
        asset_key=PLAN_COMPONENT_FILTER_KEY,
        metadata={"filters": sum(len(c.opportunity_types) + len(c.product_families) for c in components)},
    )
    yield dg.MaterializeResult(asset_key=PLAN_RAMP_KEY, metadata={"ramp_months": sum(len(p.ramp) for p in result.plans)})


def suite_validator(function: str, *args) -> Callable[[pl.DataFrame], Any]:
    """``expectations.suites.<function>(*args, frame)``, importing GX only when a check runs."""

    def validate(frame: pl.DataFrame):
        from expectations import suites

        return getattr(suites, function)(*args, frame)

    return validate


def config_table_check(
    key: dg.AssetKey,
    folder: Callable[[Path], Path],
    validate: Callable[[pl.DataFrame], Any],
    description: str,
    empty: str | None = None,
) -> dg.AssetChecksDefinition:
    """Blocking ``gx_contract_suite`` of a flattened configuration table: ``validate`` on the rows of
    ``<folder(raw_dir)>/batch=current/*.parquet``. With ``empty`` (why a table may have no rows),
    a table without rows passes with that description instead of being validated."""

    @dg.asset_check(asset=key, name=CHECK_NAME, blocking=True, description=description)
    def _check(paths: SpmPathsResource) -> dg.AssetCheckResult:
        files = sorted((Path(folder(paths.paths().raw_dir)) / "batch=current").glob("*.parquet"))
        if not files:
            return dg.AssetCheckResult(passed=True, metadata={"rows_validated": 0}, description="no table in raw yet")
        frame = pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed")
        if empty is not None and frame.is_empty():
            return dg.AssetCheckResult(passed=True, metadata={"rows_validated": 0}, description=empty)
        summary = validate(frame)
        return dg.AssetCheckResult(passed=summary.success, metadata=_check_metadata(summary, "current"), description=summary.describe())

    return _check


_PLAN_SUITES = {
    PLAN_KEY: "validate_plans",
    PLAN_COMPONENT_KEY: "validate_plan_components",
    PLAN_COMPONENT_TIER_KEY: "validate_plan_component_tiers",
    PLAN_COMPONENT_FILTER_KEY: "validate_plan_component_filters",
    PLAN_RAMP_KEY: "validate_plan_ramps",
}


def _plan_check(key: dg.AssetKey, folder) -> dg.AssetChecksDefinition:
    return config_table_check(key, folder, suite_validator(_PLAN_SUITES[key]), "Great Expectations suite on the flattened plan table.")


# --- the quarantine, as one asset --------------------------------------------------------

QUARANTINE_KEY = dg.AssetKey(["raw", "quarantine"])


@dg.asset(
    key=QUARANTINE_KEY,
    group_name=GROUP,
    kinds={"polars", "parquet"},
    deps=[asset_key(c) for c in CONTRACTS],
    description="Every landing row the ingest assets refused, one row per broken rule "
    "(written by the dataset assets; this asset marks when all of them are done and counts them).",
)
def raw_quarantine(paths: SpmPathsResource) -> dg.MaterializeResult:
    raw_dir = paths.paths().raw_dir
    write_parquet_atomic(empty_quarantine(), quarantine_root(raw_dir) / EMPTY_FILE)
    files = sorted(quarantine_root(raw_dir).glob("*/*/batch=*/*.parquet"))
    if files:
        counts = (
            pl.scan_parquet(files, missing_columns="insert", extra_columns="ignore")
            .group_by("system", "dataset", "rule")
            .agg(pl.len().alias("rows"))
            .sort("system", "dataset", "rule")
            .collect()
        )
    else:
        counts = pl.DataFrame(schema={"system": pl.Utf8, "dataset": pl.Utf8, "rule": pl.Utf8, "rows": pl.UInt32})
    by_rule = {rule: 0 for rule in ROW_RULES}
    for rule, rows in counts.group_by("rule").agg(pl.col("rows").sum()).iter_rows():
        by_rule[rule] = int(rows)
    return dg.MaterializeResult(
        metadata={
            "quarantine_rows": int(counts["rows"].sum()) if counts.height else 0,
            "quarantine_files": len(files),
            "quarantined_by_rule": dg.MetadataValue.json(by_rule),
            "by_dataset": dg.MetadataValue.md(markdown_table(counts.columns, counts.iter_rows())),
        }
    )


INGEST_ASSETS: list = [*(build_ingest_asset(c) for c in CONTRACTS), raw_config_plans, raw_quarantine]
INGEST_CHECKS: list = [
    *(build_gx_check(c) for c in CONTRACTS),
    _plan_check(PLAN_KEY, plan_dir),
    _plan_check(PLAN_COMPONENT_KEY, plan_component_dir),
    *(
        _plan_check(key, partial(plan_table_dir, dataset=dataset))
        for key, dataset in (
            (PLAN_COMPONENT_TIER_KEY, PLAN_COMPONENT_TIER_DATASET),
            (PLAN_COMPONENT_FILTER_KEY, PLAN_COMPONENT_FILTER_DATASET),
            (PLAN_RAMP_KEY, PLAN_RAMP_DATASET),
        )
    ),
]
