"""Dagster asset: the period's payout extract, from the warehouse's payable mart (fct_payable)."""
# No ``from __future__ import annotations``: Dagster inspects the annotations at runtime.


from datetime import date
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb

from assets.currencies import MINOR_UNITS
from assets.ingest.landing import list_batches
from assets.inputs_fingerprint import inputs_fingerprint
from assets.payouts.extract import (
    EarningRow,
    default_pay_date,
    payout_lines,
    write_extract,
)
from orchestration.resources import SpmPathsResource

PAYABLE_MART = dg.AssetKey("fct_payable")
PAYEE_DIMENSION = dg.AssetKey("dim_payee")


class PayoutExtractConfig(dg.Config):
    period: str | None = None  # YYYY-MM; default: the month before the newest CRM batch
    pay_date: str | None = None  # YYYY-MM-DD; default: the 15th of the following month


def default_pay_period(landing_dir: Path) -> str:
    """The last complete month before the newest CRM extract batch."""
    batches = list_batches(Path(landing_dir), "crm")
    if not batches:
        raise dg.Failure(f"No CRM batch under {Path(landing_dir) / 'crm'}: cannot choose a pay period.")
    _, newest, _ = batches[-1]
    year, month = (newest.year - 1, 12) if newest.month == 1 else (newest.year, newest.month - 1)
    return f"{year:04d}-{month:02d}"


def read_period_earnings(warehouse: Path, period: str) -> tuple[list[EarningRow], Decimal]:
    """The period's unrounded payable lines (fct_payable: earnings, draws, balance
    recovery; a payee's lines add up to >= 0) and their exact total, read-only."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            """
            select c.employee_id, p.full_name, p.cost_center, c.earning_code,
                   c.currency, c.plan_id, c.payable_amount
            from fct_payable as c
            join dim_payee as p on p.employee_id = c.employee_id
            where c.period = ?
            order by c.employee_id, c.earning_code, c.plan_id
            """,
            [period],
        ).fetchall()
        (unjoined,) = con.execute(
            """
            select count(*) from fct_payable as c
            where c.period = ? and not exists (
                select 1 from dim_payee as p where p.employee_id = c.employee_id)
            """,
            [period],
        ).fetchone()
    finally:
        con.close()
    if unjoined:
        raise dg.Failure(f"{unjoined} payable rows of {period} have no payee in dim_payee.")
    earnings = [
        EarningRow(
            employee_id=r[0],
            full_name=r[1],
            cost_center=r[2],
            earning_code=r[3],
            currency=r[4],
            plan_id=r[5],
            amount=Decimal(r[6]),
        )
        for r in rows
    ]
    return earnings, sum((e.amount for e in earnings), Decimal(0))


@dg.asset(
    key=["payout_extract"],
    deps=[PAYABLE_MART, PAYEE_DIMENSION],
    group_name="payouts",
    kinds={"python", "csv", "parquet"},
    pool="duckdb_warehouse",  # reads the warehouse file: never while dbt writes it
    description="The pay period's payout extract (CSV, Parquet, manifest) under SPM_EXPORT_DIR/payouts/<period>/.",
)
def payout_extract(
    context: dg.AssetExecutionContext, config: PayoutExtractConfig, paths: SpmPathsResource
) -> dg.MaterializeResult:
    settings = paths.paths()
    period = config.period or default_pay_period(settings.landing_dir)
    pay_date = date.fromisoformat(config.pay_date) if config.pay_date else default_pay_date(period)
    calculation_id = inputs_fingerprint(settings.landing_dir, settings.config_dir)

    earnings, warehouse_total = read_period_earnings(settings.warehouse, period)
    lines = payout_lines(earnings, period, pay_date, calculation_id)

    # Each line is rounded once, so the file may differ from the exact warehouse
    # total by at most half a minor unit per line, never more.
    tolerance = sum(
        (Decimal(1).scaleb(-MINOR_UNITS[line.currency]) / 2 for line in lines), Decimal(0)
    )
    file_total = sum((line.amount for line in lines), Decimal(0))
    if abs(file_total - warehouse_total) > tolerance:
        raise dg.Failure(
            f"Payout total {file_total} differs from the warehouse total {warehouse_total} "
            f"by more than rounding ({tolerance})."
        )
    keys = [(line.employee_id, line.earning_code, line.period) for line in lines]
    if len(keys) != len(set(keys)):
        raise dg.Failure("A payee appears twice for one earning code and period.")

    out_dir = settings.export_dir / "payouts" / period
    manifest = write_extract(
        lines,
        out_dir,
        period,
        calculation_id,
        checks_passed=["payout_total_matches_warehouse", "one_line_per_payee_code_period", "payees_in_hr"],
    )
    preview = "\n".join(
        ["| employee | code | currency | amount |", "|---|---|---|---|"]
        + [f"| {l.employee_id} | {l.earning_code} | {l.currency} | {l.amount} |" for l in lines[:10]]
    )
    context.log.info(f"Wrote {len(lines)} payout lines for {period} to {out_dir}")
    return dg.MaterializeResult(
        metadata={
            "period": period,
            "pay_date": pay_date.isoformat(),
            "calculation_id": calculation_id,
            "row_count": len(lines),
            "totals_by_currency": manifest["totals"]["by_currency"],
            "directory": dg.MetadataValue.path(str(out_dir)),
            "preview": dg.MetadataValue.md(preview),
        }
    )
