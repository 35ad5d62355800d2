"""Read-only queries of the warehouse for the payout extract and the publish job.

The warehouse is opened ``read_only=True`` (dbt is its only writer); callers
run under the ``duckdb_warehouse`` pool. Python reads marts only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from assets.ingest.landing import list_batches
from assets.payouts.extract import PayoutLine
from assets.payouts.payroll_layouts import Payroll, PayrollConfig
from core.money import in_minor_units
from core.warehouse import read_only


@dataclass(frozen=True)
class PeriodPayouts:
    """A period's payout file lines (fct_payout_file_line) and the warehouse's view of them.

    ``lines`` are the lines the files write (``is_paid``: already summed per payee, earning
    code and currency and rounded once in the warehouse, with the cost center in effect in
    the period and the pay date). ``totals`` and ``keys`` cover every line of the period,
    paid or not, for the check that the file adds up to the warehouse's exact total.
    """

    lines: list[PayoutLine]
    totals: dict[str, Decimal]  # exact total per currency
    keys: dict[str, int]  # payee x earning code lines per currency (the rounding tolerance)
    hr_employee_ids: set[str]
    # payees whose employment ended by the period's end and who still owe (fct_payee_balance_owed)
    balances_owed_at_termination: list[dict] = field(default_factory=list)
    pay_date: date | None = None  # the period's pay date (fct_payout_file_line); None without lines

    @property
    def has_lines(self) -> bool:
        """Whether the warehouse has any payout line for the period (even one that pays 0.00)."""
        return bool(self.keys)


def read_period_payouts(
    warehouse: Path, period: str, calculation_id: str = "", pay_date: date | None = None
) -> PeriodPayouts:
    """The period's payout file lines, stamped with ``calculation_id``.

    ``pay_date``: an explicit override of the mart's pay date (``publish --pay-date``, the
    asset configs' ``pay_date``); None keeps the warehouse's (each line's, from the pay calendar of its payroll
    country; the period's ``pay_date`` is the earliest of them).
    """
    with read_only(warehouse) as con:
        rows = con.execute(
            """
            select employee_id, full_name, cost_center, earning_code, currency, amount, pay_date, plan_id,
                   reason, deal_ids, country, exact_amount, is_paid
            from fct_payout_file_line
            where period = ?
            order by employee_id, earning_code, currency
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
    lines = [
        PayoutLine(
            period=period,
            employee_id=employee_id,
            full_name=full_name or "",
            cost_center=cost_center,
            earning_code=earning_code,
            currency=currency,
            amount=in_minor_units(Decimal(amount), currency),
            pay_date=pay_date or line_pay_date,
            plan_id=plan_id,
            calculation_id=calculation_id,
            reason=reason,
            deal_ids=deal_ids,
            country=country,
            exact_amount=Decimal(exact_amount),
        )
        for (employee_id, full_name, cost_center, earning_code, currency, amount, line_pay_date, plan_id,
             reason, deal_ids, country, exact_amount, is_paid) in rows
        if is_paid
    ]
    totals: dict[str, Decimal] = defaultdict(Decimal)
    keys: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row[4]] += Decimal(row[11])
        keys[row[4]] += 1
    balances_owed = [
        {"employee_id": e, "currency": c, "balance_owed": Decimal(a), "termination_date": t} for e, c, a, t in owed
    ]
    warehouse_pay_date = min((row[6] for row in rows if row[6] is not None), default=None)
    return PeriodPayouts(
        lines, dict(totals), dict(keys), hr_ids, balances_owed, pay_date=pay_date or warehouse_pay_date
    )


@dataclass(frozen=True)
class PayoutFileReference:
    """What a period's payout file must add up to, per currency, as the warehouse has it."""

    paid_lines: dict[str, int]  # fct_payout_file_line's paid lines: the rows the files write
    paid_totals: dict[str, Decimal]  # their (rounded) amounts summed
    exact_totals: dict[str, Decimal]  # fct_payout_line's exact total of the period
    keys: dict[str, int]  # fct_payout_file_line's lines, paid or not (each may round by half a minor unit)


def read_payout_file_reference(warehouse: Path, period: str) -> PayoutFileReference:
    """The period's ``PayoutFileReference``: fct_payout_file_line (what the files are drawn from) and
    fct_payout_line (the unrounded lines it sums)."""
    with read_only(warehouse) as con:
        drawn = con.execute(
            """
            select currency, count(*) filter (where is_paid), sum(amount) filter (where is_paid), count(*)
            from fct_payout_file_line
            where period = ?
            group by currency
            order by currency
            """,
            [period],
        ).fetchall()
        exact = con.execute(
            "select currency, sum(amount) from fct_payout_line where period = ? group by currency order by currency",
            [period],
        ).fetchall()
    return PayoutFileReference(
        paid_lines={c: int(n) for c, n, _, _ in drawn if n},
        paid_totals={c: Decimal(t) for c, n, t, _ in drawn if n},
        exact_totals={c: Decimal(t) for c, t in exact},
        keys={c: int(k) for c, _, _, k in drawn},
    )


def read_payroll_config(warehouse: Path) -> PayrollConfig:
    """The payrolls (dim_payroll) and the earning-code map (dim_payroll_code), docs/payroll.md."""
    with read_only(warehouse) as con:
        payrolls = con.execute(
            "select country, adapter, company_code, batch_id from dim_payroll order by country"
        ).fetchall()
        codes = con.execute(
            "select adapter, earning_code, payroll_code from dim_payroll_code order by adapter, earning_code"
        ).fetchall()
    code_map: dict[str, dict[str, str]] = defaultdict(dict)
    for adapter, earning_code, payroll_code in codes:
        code_map[adapter][earning_code] = payroll_code
    return PayrollConfig({country: Payroll(country, *rest) for country, *rest in payrolls}, dict(code_map))


def read_credits_up_to(warehouse: Path, period: str) -> list[tuple]:
    """(credit_period, employee_id, opportunity_id, currency, credit) for every period <= ``period``.

    The credit is the one the commission counts (``commission_credit_amount``: the credit itself,
    except after a commission-only clawback), so the ledger records what each period paid on.
    """
    with read_only(warehouse) as con:
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
    return [(p, e, o, c, Decimal(a)) for p, e, o, c, a in rows]


def source_batches(landing_dir: Path) -> list[str]:
    """Every CRM and HR batch the run read (each run recomputes from all of them)."""
    return sorted(
        f"{system}/{name}" for system in ("crm", "hr") for name, _, _ in list_batches(Path(landing_dir), system)
    )


@dataclass(frozen=True)
class OpenInquiry:
    """An inquiry still open (fct_inquiry), with its age in days at the run's as-of date."""

    inquiry_id: str
    employee_id: str
    period: str
    category: str
    age_days: int


def read_open_inquiries(warehouse: Path) -> list[OpenInquiry]:
    """The open inquiries of fct_inquiry, oldest first (docs/payment_workflow.md, "Inquiries")."""
    with read_only(warehouse) as con:
        rows = con.execute(
            """
            select inquiry_id, employee_id, period, category, age_days
            from fct_inquiry
            where is_open
            order by age_days desc, inquiry_id
            """
        ).fetchall()
    return [OpenInquiry(i, e, p, c, int(a)) for i, e, p, c, a in rows]
