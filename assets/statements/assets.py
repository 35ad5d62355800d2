"""Dagster asset: the pay period's payee statements, and the blocking check that they
add up to the payout file."""
# No ``from __future__ import annotations``: Dagster inspects the annotations at runtime.

import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import dagster as dg

from assets.payouts.assets import PayoutExtractConfig, default_pay_period
from assets.statements.config import StatementsConfigError, load_statements_config
from assets.statements.gather import build_statements, read_period_marts
from assets.statements.payout_file import payee_totals, payout_file_path, read_payout_file
from assets.statements.render_html import exact_plain, file_stem
from assets.statements.writer import MANIFEST, reconcile, render_files, statements_dir, write_set
from core.failures import user_error
from core.fingerprint import inputs_fingerprint
from core.metadata import PREVIEW_ROWS, markdown_table
from core.progress import ProgressReporter
from core.resources import SpmPathsResource

PAYOUT_EXTRACT = dg.AssetKey("payout_extract")
STATEMENTS = dg.AssetKey("payee_statements")
MARTS = [
    dg.AssetKey(name)
    for name in (
        "dim_payee", "fct_credit", "fct_quota", "fct_attainment", "fct_commission",
        "fct_commission_detail", "fct_clawback", "fct_payee_balance", "fct_payout_line",
        "fct_payout_file_line", "dim_payee_period", "dim_plan_component", "dim_opportunity",
        "fct_component_attainment", "dim_plan_component_tier", "fct_published_payout_line", "dim_period",
        "fct_earning_hold", "fct_inquiry",
    )
]


class PayeeStatementsConfig(PayoutExtractConfig):
    """Same convention as payout_extract: ``period`` YYYY-MM, ``pay_date`` YYYY-MM-DD (used only
    when the payout file has no pay date; default: the period's pay date in
    fct_payout_file_line). Without a period: the period payout_extract last wrote, else the month
    before the newest CRM batch. The statements' own settings (contact line, a manager's deal
    appendix, locales) are in the configuration folder's statements.yaml (config.py)."""


def _materialized_period(instance: dg.DagsterInstance, key: dg.AssetKey) -> str | None:
    event = instance.get_latest_materialization_event(key)
    if event is None or event.asset_materialization is None:
        return None
    value = event.asset_materialization.metadata.get("period")
    return None if value is None else str(value.value)


@dg.asset(
    key=STATEMENTS,
    deps=[PAYOUT_EXTRACT, *MARTS],
    group_name="statements",
    kinds={"python", "html", "pdf"},
    pool="duckdb_warehouse",  # reads the warehouse file: never while dbt writes it
    description="Per payee and pay period an HTML and a PDF statement (one layout, in the payee's locale) "
    "and a CSV of its exact values, and an index page, under SPM_EXPORT_DIR/statements/<period>/; "
    "amounts to be paid are the payout file's lines.",
)
def payee_statements(
    context: dg.AssetExecutionContext, config: PayeeStatementsConfig, paths: SpmPathsResource
) -> dg.MaterializeResult:
    started = time.perf_counter()
    settings = paths.paths()
    period = (
        config.period
        or _materialized_period(context.instance, PAYOUT_EXTRACT)
        or default_pay_period(settings.landing_dir)
    )
    source = payout_file_path(settings.export_dir, period)
    try:
        lines = read_payout_file(source, period)
    except (FileNotFoundError, ValueError) as error:
        raise user_error(str(error)) from error

    calculation_id = next((l.calculation_id for l in lines if l.calculation_id), None) or inputs_fingerprint(
        settings.landing_dir, settings.config_dir
    )
    marts = read_period_marts(settings.warehouse, period)
    # used only for lines without one in the file: the config's, else the warehouse's (fct_payout_file_line)
    pay_date = date.fromisoformat(config.pay_date) if config.pay_date else marts.pay_date
    try:
        statements_config = load_statements_config(settings.config_dir)
        statements = build_statements(period, lines, marts, pay_date, calculation_id, statements_config)
    except (StatementsConfigError, ValueError) as error:
        raise user_error(str(error)) from error
    progress = ProgressReporter(context.log.info, "statements", len(statements))
    files = render_files(period, statements, calculation_id, on_rendered=progress.advance)
    target = statements_dir(settings.export_dir, period)
    write_set(target, files)

    totals: dict[str, Decimal] = {}
    for statement in statements:
        for currency, total in statement.totals.items():
            totals[currency] = totals.get(currency, Decimal(0)) + total
    elapsed = time.perf_counter() - started
    context.log.info(f"Wrote {len(statements)} statements for {period} to {target} in {elapsed:.1f} s")
    return dg.MaterializeResult(
        metadata={
            "period": period,
            "payout_file": dg.MetadataValue.path(str(source)),
            "directory": dg.MetadataValue.path(str(target)),
            "index": dg.MetadataValue.path(str(target / "index.html")),
            "statement_count": len(statements),
            "payees_in_payout_file": len({l.employee_id for l in lines}),
            "payout_lines": len(lines),
            "totals_by_currency": dg.MetadataValue.json({c: exact_plain(t) for c, t in sorted(totals.items())}),
            "files": len(files),
            "seconds": round(elapsed, 2),
            "preview": dg.MetadataValue.md(
                markdown_table(
                    ["employee", "name", "currency", "amount to be paid", "statement"],
                    [
                        (s.header.employee_id, s.header.full_name, c, exact_plain(t), f"{file_stem(s.header.employee_id)}.html")
                        for s in statements[:PREVIEW_ROWS]
                        for c, t in s.totals.items()
                    ],
                )
            ),
        }
    )


@dg.asset_check(
    asset=STATEMENTS,
    name="statements_match_payout_file",
    blocking=True,
    description="Every statement's amount to be paid (as printed in its HTML and in the manifest) equals "
    "the payee's lines in the payout file to the cent, every payee in the file has a statement, and "
    "every file matches its SHA-256 in statements.json.",
)
def statements_match_payout_file(
    context: dg.AssetCheckExecutionContext, paths: SpmPathsResource
) -> dg.AssetCheckResult:
    settings = paths.paths()
    period = _materialized_period(context.instance, STATEMENTS)
    if period is None:
        return dg.AssetCheckResult(passed=False, description="payee_statements has not been materialized.")
    folder = statements_dir(settings.export_dir, period)
    lines = read_payout_file(payout_file_path(settings.export_dir, period), period)
    result = reconcile(folder, payee_totals(lines))
    problems = result.missing_statements + result.mismatches + result.broken_files
    return dg.AssetCheckResult(
        passed=result.passed,
        metadata={
            "period": period,
            "statements": result.statement_count,
            "payees_in_payout_file": result.payees_in_file,
            "missing_statements": dg.MetadataValue.json(result.missing_statements[:50]),
            "mismatches": dg.MetadataValue.json(result.mismatches[:50]),
            "broken_files": dg.MetadataValue.json(result.broken_files[:50]),
            "manifest": dg.MetadataValue.path(str(Path(folder) / MANIFEST)),
        },
        description=None if result.passed else f"{len(problems)} problem(s): " + "; ".join(problems[:5]),
    )


