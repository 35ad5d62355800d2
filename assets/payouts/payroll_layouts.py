"""The payroll import layouts (docs/payroll.md), as pure functions of payroll lines.

One file per payroll (HR country) and currency. Every layout is CSV, UTF-8,
comma, ``\\n`` line ends, a header row, amounts with exactly the currency's
minor-unit decimals and never negative (assets/payouts/payroll_lines.py):

* ``generic``  (every country, always)
  ``employee_id,earning_code,amount,currency,pay_date``: one row per payee
  and earning code (the map is the identity);
* ``adp``      ADP Workforce Now paydata import
  ``Co Code,Batch ID,File #,Earnings 3 Code,Earnings 3 Amount``: one row per
  payee and ADP earnings code; Co Code and Batch ID from ``payrolls.csv``,
  File # the HR employee id;
* ``workday``  Workday one-time payment import
  ``Employee ID,One-Time Payment Plan,Amount,Currency,Effective Date``: one
  row per payee and one-time payment plan; the effective date is the pay date;
* ``gusto``    Gusto bonus payroll CSV upload
  ``first_name,last_name,bonus,commission``: one row per payee; a column the
  payee has nothing under is left empty (in Gusto an empty cell leaves what
  was entered, a 0 overwrites it).

Which payroll a country uses comes from ``dim_payroll`` (config
``payrolls.csv``), each payroll's codes from ``dim_payroll_code`` (config
``payroll_codes.csv``): :class:`PayrollConfig`.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from assets.payouts.extract import PayoutLine, format_amount
from assets.payouts.payroll_lines import UNKNOWN_COUNTRY, PayrollLine
from core.earning_codes import EARNING_CODES

GENERIC = "generic"
ADAPTERS = ("adp", "workday", "gusto")  # dbt var payroll_adapters
GUSTO_COLUMNS = ("bonus", "commission")  # dbt var gusto_payroll_codes

GENERIC_COLUMNS = ("employee_id", "earning_code", "amount", "currency", "pay_date")
ADP_COLUMNS = ("Co Code", "Batch ID", "File #", "Earnings 3 Code", "Earnings 3 Amount")
WORKDAY_COLUMNS = ("Employee ID", "One-Time Payment Plan", "Amount", "Currency", "Effective Date")
GUSTO_NAME_COLUMNS = ("first_name", "last_name")

COLUMNS = {
    GENERIC: GENERIC_COLUMNS,
    "adp": ADP_COLUMNS,
    "workday": WORKDAY_COLUMNS,
    "gusto": (*GUSTO_NAME_COLUMNS, *GUSTO_COLUMNS),
}
# a layout's version changes when its columns or their meaning do (written in payroll_manifest.json)
LAYOUT_VERSIONS = {GENERIC: "2", "adp": "1", "workday": "1", "gusto": "1"}
LAYOUT_NAMES = {
    GENERIC: "generic payroll import",
    "adp": "ADP Workforce Now paydata import",
    "workday": "Workday one-time payment import",
    "gusto": "Gusto bonus payroll CSV upload",
}


@dataclass(frozen=True)
class Payroll:
    """A row of dim_payroll: the payroll an HR country is paid through."""

    country: str
    adapter: str
    company_code: str | None = None  # ADP Co Code
    batch_id: str | None = None  # ADP Batch ID


@dataclass(frozen=True)
class PayrollConfig:
    """dim_payroll by country and dim_payroll_code as adapter -> earning code -> payroll code."""

    payrolls: dict[str, Payroll] = field(default_factory=dict)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)

    def payroll_of(self, country: str | None) -> Payroll | None:
        return self.payrolls.get(country or UNKNOWN_COUNTRY)


NO_PAYROLLS = PayrollConfig()  # no payrolls.csv: the generic files only
IDENTITY_MAP = {code: code for code in EARNING_CODES}


def payroll_file_name(adapter: str, period: str, country: str | None, currency: str) -> str:
    prefix = "payroll" if adapter == GENERIC else adapter
    return f"{prefix}_{period}_{country or UNKNOWN_COUNTRY}_{currency}.csv"


def _csv(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def generic_bytes(lines: list[PayrollLine], payroll: Payroll | None = None) -> bytes:
    return _csv(GENERIC_COLUMNS, (
        [l.employee_id, l.payroll_code, format_amount(l.amount, l.currency), l.currency, l.pay_date.isoformat()]
        for l in lines
    ))


def adp_bytes(lines: list[PayrollLine], payroll: Payroll) -> bytes:
    return _csv(ADP_COLUMNS, (
        [payroll.company_code, payroll.batch_id, l.employee_id, l.payroll_code, format_amount(l.amount, l.currency)]
        for l in lines
    ))


def workday_bytes(lines: list[PayrollLine], payroll: Payroll) -> bytes:
    return _csv(WORKDAY_COLUMNS, (
        [l.employee_id, l.payroll_code, format_amount(l.amount, l.currency), l.currency, l.pay_date.isoformat()]
        for l in lines
    ))


def split_name(full_name: str) -> tuple[str, str]:
    """Gusto's first_name and last_name: the HR full name split at its first space."""
    first, _, last = full_name.strip().partition(" ")
    return first, last.strip()


def gusto_bytes(lines: list[PayrollLine], payroll: Payroll) -> bytes:
    by_payee: dict[str, dict[str, PayrollLine]] = defaultdict(dict)
    for line in lines:
        by_payee[line.employee_id][line.payroll_code] = line
    rows = []
    for employee_id in sorted(by_payee):  # payroll_lines orders by employee id already
        codes = by_payee[employee_id]
        any_line = next(iter(codes.values()))
        amounts = [format_amount(codes[c].amount, codes[c].currency) if c in codes else "" for c in GUSTO_COLUMNS]
        rows.append([*split_name(any_line.full_name), *amounts])
    return _csv(COLUMNS["gusto"], rows)


WRITERS: dict[str, Callable[[list[PayrollLine], Payroll], bytes]] = {
    GENERIC: generic_bytes,
    "adp": adp_bytes,
    "workday": workday_bytes,
    "gusto": gusto_bytes,
}


def payroll_refusal(lines: list[PayoutLine], config: PayrollConfig, period: str) -> str | None:
    """Why the payroll files of ``lines`` cannot be written, in one line, or None.

    * a code the period pays to a payee of a configured payroll is not in that
      payroll's earning-code map (``payroll_codes.csv``);
    * two payees of one Gusto file share a name (Gusto then needs their SSN,
      which SPM does not hold).
    """
    unmapped: dict[str, set[str]] = defaultdict(set)
    gusto_names: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for line in lines:
        payroll = config.payroll_of(line.country)
        if payroll is None:
            continue
        if line.earning_code not in config.codes.get(payroll.adapter, {}):
            unmapped[payroll.adapter].add(line.earning_code)
        if payroll.adapter == "gusto":
            gusto_names[(payroll.country, line.currency, " ".join(split_name(line.full_name)).lower())].add(line.employee_id)
    problems = []
    if unmapped:
        problems.append(
            "payroll_codes.csv maps no payroll code for "
            + "; ".join(f"{adapter}: {', '.join(sorted(codes))}" for adapter, codes in sorted(unmapped.items()))
        )
    shared = sorted(f"{'/'.join(sorted(ids))} ({country})" for (country, _, _), ids in gusto_names.items() if len(ids) > 1)
    if shared:
        problems.append(f"payees of one Gusto file share a name (Gusto would need their SSN): {', '.join(shared)}")
    if not problems:
        return None
    return f"Refusing to write the payroll files of {period}: " + "; ".join(problems) + "."
