"""Read-only queries of the warehouse for the payout extract and the publish job.

The warehouse is opened ``read_only=True`` (dbt is its only writer); callers
run under the ``duckdb_warehouse`` pool.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from assets.ingest.landing import list_batches
from assets.payouts.extract import EarningRow


@dataclass(frozen=True)
class PeriodPayouts:
    """A period's unrounded payout rows (fct_payout_line, with HR fields) and the warehouse's view of them.

    The cost center is the one in effect in the period (int_payee_period_hr: as of
    its last day, from job_history), not the payee's current one.
    """

    rows: list[EarningRow]
    totals: dict[str, Decimal]  # exact total per currency
    keys: dict[str, int]  # payee x earning code lines per currency (the rounding tolerance)
    hr_employee_ids: set[str]
    # payees whose employment ended by the period's end and who still owe (fct_payee_balance_owed)
    balances_owed_at_termination: list[dict] = field(default_factory=list)


def read_period_payouts(warehouse: Path, period: str) -> PeriodPayouts:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            """
            select l.employee_id, p.full_name, coalesce(h.cost_center, p.cost_center), l.earning_code, l.currency,
                   l.plan_id, l.amount, l.reason, l.deal_ids, p.country
            from fct_payout_line as l
            left join dim_payee as p on p.employee_id = l.employee_id
            left join int_payee_period_hr as h on h.employee_id = l.employee_id and h.period = l.period
            where l.period = ?
            order by l.employee_id, l.earning_code, l.currency, l.plan_id, l.line_type
            """,
            [period],
        ).fetchall()
        hr_ids = {employee_id for (employee_id,) in con.execute("select employee_id from dim_payee").fetchall()}
        owed = con.execute(
            """
            select employee_id, currency, balance_owed, termination_date from fct_payee_balance_owed
            where period = ? and is_terminated order by employee_id, currency
            """,
            [period],
        ).fetchall()
    finally:
        con.close()
    earnings = [
        EarningRow(
            employee_id=r[0],
            full_name=r[1] or "",
            cost_center=r[2],
            earning_code=r[3],
            currency=r[4],
            plan_id=r[5],
            amount=Decimal(r[6]),
            reason=r[7],
            deal_ids=r[8],
            country=r[9],
        )
        for r in rows
    ]
    totals: dict[str, Decimal] = defaultdict(Decimal)
    keys: dict[str, set] = defaultdict(set)
    for row in earnings:
        totals[row.currency] += row.amount
        keys[row.currency].add((row.employee_id, row.earning_code))
    balances_owed = [
        {"employee_id": e, "currency": c, "balance_owed": Decimal(a), "termination_date": t} for e, c, a, t in owed
    ]
    return PeriodPayouts(earnings, dict(totals), {c: len(k) for c, k in keys.items()}, hr_ids, balances_owed)


def read_credits_up_to(warehouse: Path, period: str) -> list[tuple]:
    """(credit_period, employee_id, opportunity_id, currency, credit) for every period <= ``period``.

    The credit is the one the commission counts (``commission_credit_amount``: the credit itself,
    except after a commission-only clawback), so the ledger records what each period paid on.
    """
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            """
            select period, employee_id, opportunity_id, payee_currency, sum(commission_credit_amount)
            from fct_credit
            where period <= ?
            group by all
            order by all
            """,
            [period],
        ).fetchall()
    finally:
        con.close()
    return [(p, e, o, c, Decimal(a)) for p, e, o, c, a in rows]


def source_batches(landing_dir: Path) -> list[str]:
    """Every CRM and HR batch the run read (each run recomputes from all of them)."""
    return sorted(
        f"{system}/{name}" for system in ("crm", "hr") for name, _, _ in list_batches(Path(landing_dir), system)
    )
