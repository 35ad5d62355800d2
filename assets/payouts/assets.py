"""Dagster asset: the period's draft payout extract, from the warehouse's fct_payout_file_line.

The draft (``SPM_EXPORT_DIR/payouts/<period>/``) is rewritten by every daily
run; publishing a period into the immutable ledger is the ``payout_publication``
asset (assets/payouts/publication.py).
"""
# No ``from __future__ import annotations``: Dagster inspects the annotations at runtime.


import json
from datetime import date
from pathlib import Path

import dagster as dg

from assets.ingest.landing import list_batches
from assets.payouts import checks as payout_checks
from assets.payouts.extract import read_extract_amounts, write_extract
from assets.payouts.ledger_layout import draft_dir
from assets.payouts.pay_calendar import DATASET as PAY_CALENDAR_DATASET
from assets.payouts.pay_calendar import write_pay_calendar
from assets.payouts.payroll import write_payroll
from assets.payouts.payroll_layouts import payroll_refusal
from assets.payouts.warehouse import (
    read_payout_file_reference,
    read_payroll_config,
    read_period_payouts,
    source_batches,
)
from core.earning_codes import ADJUSTMENT_CODES
from core.failures import user_error
from core.fingerprint import inputs_fingerprint
from core.periods import check_period, period_of, previous_period
from core.resources import SpmPathsResource
from core.settings import Settings

PAYABLE_MART = dg.AssetKey("fct_payable")
PAYOUT_LINE_MART = dg.AssetKey("fct_payout_line")
PAYOUT_FILE_LINE_MART = dg.AssetKey("fct_payout_file_line")
BALANCE_OWED_MART = dg.AssetKey("fct_payee_balance_owed")
PAYEE_DIMENSION = dg.AssetKey("dim_payee")
PAYEE_PERIOD_DIMENSION = dg.AssetKey("dim_payee_period")
PAYROLL_DIMENSION = dg.AssetKey("dim_payroll")
PAYROLL_CODE_DIMENSION = dg.AssetKey("dim_payroll_code")


class PayoutExtractConfig(dg.Config):
    period: str | None = None  # YYYY-MM; default: the month before the newest CRM batch
    # YYYY-MM-DD: an explicit override; default: the period's pay date in the warehouse
    # (fct_payout_file_line: the pay calendar, the 15th of the following month or the business day before)
    pay_date: str | None = None


def default_pay_period(landing_dir: Path) -> str:
    """The last complete month before the newest CRM extract batch."""
    batches = list_batches(Path(landing_dir), "crm")
    if not batches:
        raise user_error(f"No CRM batch under {Path(landing_dir) / 'crm'}: cannot choose a pay period.")
    _, newest, _ = batches[-1]
    return previous_period(period_of(newest))


def configured_period(value: str | None, landing_dir: Path, setting: str = "period") -> str:
    """A step's pay period: its config value (checked: ``YYYY-MM``), else ``default_pay_period``."""
    if not value:
        return default_pay_period(landing_dir)
    try:
        return check_period(value)
    except ValueError as error:
        raise user_error(f"The {setting} setting is not a pay period: {error}") from error


def prepublish_checks(lines, payouts) -> list:
    """The blocking pre-publish checks of assets/payouts/checks.py on a period's lines."""
    return [
        payout_checks.check_total_matches_warehouse(lines, payouts.totals, payouts.keys),
        payout_checks.check_payees_in_hr(lines, payouts.hr_employee_ids),
        payout_checks.check_negative_amounts(lines),
        payout_checks.check_one_line_per_payee_code_period(lines),
    ]


def lines_preview(lines) -> str:
    return "\n".join(
        ["| employee | code | currency | amount | reason |", "|---|---|---|---|---|"]
        + [f"| {l.employee_id} | {l.earning_code} | {l.currency} | {l.amount} | {l.reason or ''} |" for l in lines[:10]]
    )


@dg.asset(
    key=["payout_extract"],
    deps=[PAYABLE_MART, PAYOUT_LINE_MART, PAYOUT_FILE_LINE_MART, BALANCE_OWED_MART, PAYEE_DIMENSION, PAYEE_PERIOD_DIMENSION,
          PAYROLL_DIMENSION, PAYROLL_CODE_DIMENSION],
    group_name="payouts",
    kinds={"python", "csv", "parquet"},
    pool="duckdb_warehouse",  # reads the warehouse file: never while dbt writes it
    description="The pay period's draft payout extract (CSV, Parquet, manifest; payroll files) "
    "under SPM_EXPORT_DIR/payouts/<period>/, retro adjustments included.",
)
def payout_extract(
    context: dg.AssetExecutionContext, config: PayoutExtractConfig, paths: SpmPathsResource
) -> dg.MaterializeResult:
    settings = paths.paths()
    period = configured_period(config.period, settings.landing_dir)
    pay_date_override = date.fromisoformat(config.pay_date) if config.pay_date else None
    calculation_id = inputs_fingerprint(settings.landing_dir, settings.config_dir)

    payouts = read_period_payouts(settings.warehouse, period, calculation_id, pay_date_override)
    lines = payouts.lines
    outcomes = prepublish_checks(lines, payouts)
    refusal = payout_checks.refusal_message(period, outcomes)
    if refusal:
        raise user_error(refusal.replace("Refusing to publish", "Refusing to write the extract of"))
    payroll_config = read_payroll_config(settings.warehouse)
    payroll_problem = payroll_refusal(lines, payroll_config, period)
    if payroll_problem:  # before anything is written: the draft's files stay those of the last good run
        raise user_error(payroll_problem)

    out_dir = draft_dir(settings.export_dir, period)
    batches = source_batches(settings.landing_dir)
    passed = [o.name for o in outcomes]
    # No run id in a draft: it is rewritten by every run and must be byte-identical
    # on the same inputs; the run is in this materialization's metadata.
    manifest = write_extract(
        lines, out_dir, period, calculation_id, checks_passed=passed, source_batches=batches,
        balances_owed=payouts.balances_owed_at_termination,
    )
    write_payroll(lines, out_dir, period, calculation_id, passed, source_batches=batches, config=payroll_config)
    context.log.info(f"Wrote {len(lines)} payout lines for {period} to {out_dir}")
    if not lines:
        context.log.warning(
            f"The payout extract of {period} has no line: nobody has pay or an adjustment owed in {period}"
        )
    return dg.MaterializeResult(
        metadata={
            "period": period,
            "pay_date": payouts.pay_date.isoformat() if payouts.pay_date else None,
            "calculation_id": calculation_id,
            "row_count": len(lines),
            "adjustment_lines": sum(1 for l in lines if l.earning_code in ADJUSTMENT_CODES),
            "totals_by_currency": manifest["totals"]["by_currency"],
            "directory": dg.MetadataValue.path(str(out_dir)),
            "preview": dg.MetadataValue.md(lines_preview(lines)),
        }
    )


def materialized_metadata(instance: dg.DagsterInstance, key: dg.AssetKey, name: str) -> str | None:
    """The value of metadata entry ``name`` of the asset's latest materialization (a check's run:
    the one its asset just wrote), or None."""
    event = instance.get_latest_materialization_event(key)
    if event is None or event.asset_materialization is None:
        return None
    value = event.asset_materialization.metadata.get(name)
    return None if value is None or value.value is None else str(value.value)


def payout_file_outcome(export_dir: Path, warehouse: Path, period: str) -> payout_checks.CheckOutcome:
    """``check_file_matches_warehouse`` on the draft extract of ``period`` as written under ``export_dir``."""
    out_dir = draft_dir(export_dir, period)
    try:
        files = read_extract_amounts(out_dir, period)
        manifest = json.loads((out_dir / "manifest.json").read_text())
    except (OSError, ValueError) as error:  # a missing or unreadable file or manifest
        return payout_checks.CheckOutcome(payout_checks.FILE_CHECK, False, True, f"cannot read the payout files: {error}")
    return payout_checks.check_file_matches_warehouse(files, read_payout_file_reference(warehouse, period), manifest)


@dg.asset_check(
    asset=payout_extract,
    name=payout_checks.FILE_CHECK,
    blocking=True,
    pool="duckdb_warehouse",  # reads the warehouse file: never while dbt writes it
    description="The written payout files add up: the CSV and the Parquet file (read back) each have as many "
    "lines as fct_payout_file_line pays in the period, the same total per currency as those lines and as "
    "fct_payout_line's exact total (within half a minor unit per line), and the manifest states the files' "
    "row count and totals. Blocking: the statements, which read this file, are not written from one that "
    "does not add up.",
)
def payout_file_matches_warehouse(context: dg.AssetCheckExecutionContext, paths: SpmPathsResource) -> dg.AssetCheckResult:
    settings = paths.paths()
    period = materialized_metadata(context.instance, payout_extract.key, "period")
    if period is None:
        return dg.AssetCheckResult(passed=False, description="payout_extract has not been materialized.")
    outcome = payout_file_outcome(settings.export_dir, settings.warehouse, period)
    return dg.AssetCheckResult(
        passed=outcome.passed,
        description=outcome.message,
        metadata={"period": period, "problems": dg.MetadataValue.json(outcome.details.get("problems", []))},
    )


@dg.asset(
    key=["raw", *PAY_CALENDAR_DATASET],
    deps=[dg.AssetKey(["raw", "hr", "workers"])],
    group_name="ingest",
    kinds={"python", "parquet"},
    description="The pay calendar: per payroll country of the HR file and period, the pay date (day "
    "SPM_PAY_DAY of the month SPM_PAY_LAG_MONTHS after the period, or the business day before a weekend "
    "or public holiday of the country). The payout and payroll files, journals and statements take it "
    "from here (docs/payout_extract.md).",
)
def raw_pay_calendar(paths: SpmPathsResource) -> dg.MaterializeResult:
    settings = Settings.from_env()
    target, table = write_pay_calendar(paths.paths().raw_dir, settings.pay_day, settings.pay_lag_months)
    moved = table.filter(table["moved_because"].is_not_null())
    return dg.MaterializeResult(
        metadata={
            "countries": dg.MetadataValue.json(sorted(set(table["country"].to_list()))),
            "rows": table.height,
            "pay_dates_moved": moved.height,
            "pay_day": settings.pay_day,
            "pay_lag_months": settings.pay_lag_months,
            "path": dg.MetadataValue.path(str(target)),
        }
    )
