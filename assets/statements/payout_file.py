"""The period's payout file, as the statements read it.

The statements never recompute what is paid: the amount to be paid and the
payout lines come from the payout extract of the period (the ``payout_extract``
asset's Parquet file). ``payout_file_path`` is the one place that knows where
that file is; should the payout ledger move or version the files, only it
changes.

The file may carry the optional columns ``reason`` and ``deal_ids`` (on
ADJUSTMENT and CLAWBACK lines); they are read when present and empty otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl

REQUIRED_COLUMNS = ("employee_id", "earning_code", "currency", "amount")
# also read when present: full_name, cost_center, pay_date, plan_id, calculation_id, reason, deal_ids


@dataclass(frozen=True)
class PayoutFileLine:
    """One line of the payout file, as written (amount already rounded)."""

    employee_id: str
    full_name: str
    cost_center: str | None
    earning_code: str
    currency: str
    amount: Decimal
    pay_date: date | None
    plan_id: str | None
    calculation_id: str | None
    reason: str | None
    deal_ids: str | None


def payout_file_path(export_dir: Path, period: str) -> Path:
    """Where the payout extract of ``period`` is (``payouts/<period>/payout_<period>.parquet``)."""
    return Path(export_dir) / "payouts" / period / f"payout_{period}.parquet"


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):  # deal_ids may be written as a list column
        return ", ".join(str(v) for v in value) or None
    text = str(value)
    return text or None


def read_payout_file(path: Path, period: str) -> list[PayoutFileLine]:
    """Every line of the payout file of ``period``, in file order.

    Raises ``FileNotFoundError`` naming the file when it is missing and
    ``ValueError`` naming the file and column when a required column is absent
    or an amount is not an exact decimal.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No payout file for {period}: {path} does not exist (run payout_extract first).")
    frame = pl.read_parquet(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: the payout file has no column {', '.join(missing)}.")
    if not isinstance(frame.schema["amount"], pl.Decimal):
        raise ValueError(f"{path}: column amount is {frame.schema['amount']}, expected an exact DECIMAL.")
    # Every line of the period's file is paid with it (an adjustment line may name an earlier
    # period), so none is filtered out: the statements add up to the whole file.
    lines = []
    for row in frame.iter_rows(named=True):
        pay_date = row.get("pay_date")
        if isinstance(pay_date, str):
            pay_date = date.fromisoformat(pay_date)
        lines.append(
            PayoutFileLine(
                employee_id=row["employee_id"],
                full_name=_text(row.get("full_name")) or row["employee_id"],
                cost_center=_text(row.get("cost_center")),
                earning_code=row["earning_code"],
                currency=row["currency"],
                amount=Decimal(row["amount"]),
                pay_date=pay_date,
                plan_id=_text(row.get("plan_id")),
                calculation_id=_text(row.get("calculation_id")),
                reason=_text(row.get("reason")),
                deal_ids=_text(row.get("deal_ids")),
            )
        )
    return lines


def payee_totals(lines: list[PayoutFileLine]) -> dict[tuple[str, str], Decimal]:
    """(employee id, currency) -> the sum of the payee's lines in the file."""
    totals: dict[tuple[str, str], Decimal] = {}
    for line in lines:
        key = (line.employee_id, line.currency)
        totals[key] = totals.get(key, Decimal(0)) + line.amount
    return totals
