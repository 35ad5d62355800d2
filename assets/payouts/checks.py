"""Checks a payout file must pass before it is published (pure functions).

Blocking (a failure refuses the publication, naming the check):

* ``payout_total_matches_warehouse`` the file's total per currency equals the
  warehouse's exact total (fct_payout_line) within half a minor unit per line;
* ``payees_in_hr``                   every payee of the file is in HR (dim_payee);
* ``negative_amounts_allowed``       never negative pay: every code is in the list
  (``core.earning_codes``), a negative line only under a deduction code
  (``earning_codes.DEDUCTION_CODES``: any but DRAW), no payee's total negative;
* ``one_line_per_payee_code_period`` no payee paid twice for one code and period.

On the draft extract (the ``payout_extract`` asset's blocking check, after its files are written):

* ``payout_file_matches_warehouse``  each written file (CSV and Parquet, read back) has as many
  lines as fct_payout_file_line pays in the period and, per currency, the same total as those lines
  and as fct_payout_line's exact total within half a minor unit per line; the manifest's row count
  and totals are the files'.

Warning (reported, never blocking):

* ``payout_change_within_threshold`` a payee's or the total payout moved by more
  than ``SPM_PAYOUT_CHANGE_WARN_SHARE`` (default 0.5 = 50 %) from the previous period.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from assets.payouts.extract import PayoutLine, format_amount
from core.earning_codes import DEDUCTION_CODES, unknown_codes
from core.money import MINOR_UNITS
from core.settings import Settings

TOTAL_CHECK = "payout_total_matches_warehouse"
HR_CHECK = "payees_in_hr"
NEGATIVE_CHECK = "negative_amounts_allowed"
UNIQUE_CHECK = "one_line_per_payee_code_period"
CHANGE_CHECK = "payout_change_within_threshold"
UPSTREAM_CHECK = "upstream_blocking_checks_passed"
FILE_CHECK = "payout_file_matches_warehouse"

EXAMPLES = 10  # failing examples listed in a check's message


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    passed: bool
    blocking: bool
    message: str
    details: dict = field(default_factory=dict)


def _examples(items) -> str:
    items = list(items)
    more = f" (+{len(items) - EXAMPLES} more)" if len(items) > EXAMPLES else ""
    return ", ".join(str(i) for i in items[:EXAMPLES]) + more


def check_total_matches_warehouse(
    lines: list[PayoutLine], warehouse_totals: dict[str, Decimal], warehouse_keys: dict[str, int]
) -> CheckOutcome:
    """warehouse_totals: exact total per currency; warehouse_keys: payee x code lines per currency."""
    in_file: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        in_file[line.currency] += line.amount
    off = {}
    for currency in sorted(set(in_file) | set(warehouse_totals)):
        tolerance = Decimal(1).scaleb(-MINOR_UNITS[currency]) / 2 * warehouse_keys.get(currency, 0)
        difference = in_file.get(currency, Decimal(0)) - warehouse_totals.get(currency, Decimal(0))
        if abs(difference) > tolerance:
            off[currency] = f"file {in_file.get(currency, Decimal(0))} vs warehouse {warehouse_totals.get(currency, Decimal(0))}"
    return CheckOutcome(
        TOTAL_CHECK,
        not off,
        True,
        f"payout total differs from the warehouse beyond rounding: {_examples(f'{c}: {v}' for c, v in off.items())}"
        if off
        else "payout total equals the warehouse total (within rounding) in every currency",
        {"by_currency": {c: str(v) for c, v in sorted(in_file.items())}},
    )


def check_payees_in_hr(lines: list[PayoutLine], hr_employee_ids: set[str]) -> CheckOutcome:
    missing = sorted({line.employee_id for line in lines} - set(hr_employee_ids))
    return CheckOutcome(
        HR_CHECK,
        not missing,
        True,
        f"{len(missing)} payee(s) not in HR: {_examples(missing)}" if missing else "every payee is in HR",
        {"missing": missing[:EXAMPLES]},
    )


def check_negative_amounts(lines: list[PayoutLine]) -> CheckOutcome:
    """Never negative pay (SPEC §5): every line's code is in the list, a negative
    line is a deduction (any code but DRAW), and no payee's total is negative."""
    unknown = sorted({f"{line.employee_id} {line.earning_code}" for line in lines if unknown_codes([line.earning_code])})
    bad = [
        f"{line.employee_id} {line.earning_code} {line.amount}"
        for line in lines
        if line.amount < 0 and line.earning_code not in DEDUCTION_CODES
    ]
    payee_totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in lines:
        payee_totals[(line.employee_id, line.currency)] += line.amount
    negative = sorted(f"{e} {total} {c}" for (e, c), total in payee_totals.items() if total < 0)
    problems = [
        f"{len(unknown)} line(s) under an unknown earning code: {_examples(unknown)}" if unknown else "",
        f"{len(bad)} negative line(s) under a code that does not allow it: {_examples(bad)}" if bad else "",
        f"{len(negative)} payee(s) with a negative total: {_examples(negative)}" if negative else "",
    ]
    problems = [p for p in problems if p]
    return CheckOutcome(
        NEGATIVE_CHECK,
        not problems,
        True,
        "; ".join(problems)
        if problems
        else f"known earning codes, no payee's total negative, negative lines only under {', '.join(sorted(DEDUCTION_CODES))}",
        {"examples": (unknown + bad + negative)[:EXAMPLES]},
    )


def check_one_line_per_payee_code_period(lines: list[PayoutLine]) -> CheckOutcome:
    counts = Counter((line.employee_id, line.earning_code, line.period) for line in lines)
    twice = sorted(f"{e} {c} {p}" for (e, c, p), n in counts.items() if n > 1)
    return CheckOutcome(
        UNIQUE_CHECK,
        not twice,
        True,
        f"paid twice for one code and period: {_examples(twice)}" if twice else "one line per payee, code and period",
        {"examples": twice[:EXAMPLES]},
    )


def check_payout_change(
    lines: list[PayoutLine], previous_lines: list[PayoutLine] | None, share: Decimal | None = None
) -> CheckOutcome:
    """Warn when a payee's total or a currency's total moved by more than ``share`` of the previous period's.

    Payees absent from either period are not compared (joiners and leavers).
    """
    share = Settings.from_env().payout_change_warn_share if share is None else share
    if not previous_lines:
        return CheckOutcome(CHANGE_CHECK, True, False, "no previous period to compare with")

    def sums(rows, key):
        out: dict = defaultdict(Decimal)
        for line in rows:
            out[key(line)] += line.amount
        return out

    now_payee, before_payee = (sums(r, lambda l: (l.employee_id, l.currency)) for r in (lines, previous_lines))
    now_total, before_total = (sums(r, lambda l: l.currency) for r in (lines, previous_lines))

    def moved(now, before):
        return before != 0 and abs(now - before) > share * abs(before)

    payees = sorted(
        f"{e} {before_payee[(e, c)]} -> {now_payee[(e, c)]} {c}"
        for (e, c) in set(now_payee) & set(before_payee)
        if moved(now_payee[(e, c)], before_payee[(e, c)])
    )
    currencies = sorted(
        f"{c} {before_total[c]} -> {now_total[c]}"
        for c in set(now_total) & set(before_total)
        if moved(now_total[c], before_total[c])
    )
    passed = not payees and not currencies
    return CheckOutcome(
        CHANGE_CHECK,
        passed,
        False,
        "within the threshold"
        if passed
        else f"moved more than {share:%} from the previous period: "
        + "; ".join(filter(None, [f"total {_examples(currencies)}" if currencies else "", f"payees {_examples(payees)}" if payees else ""])),
        {"threshold": str(share), "payees": payees[:EXAMPLES], "totals": currencies},
    )


def check_file_matches_warehouse(files: dict[str, list[tuple[str, Decimal]]], reference, manifest: dict | None) -> CheckOutcome:
    """The written payout files against the warehouse (``reference``: a ``PayoutFileReference`` of
    assets/payouts/warehouse.py) and their manifest.

    ``files``: file name -> (currency, amount) of each line as read back from the file. Every file
    must have exactly the paid lines of fct_payout_file_line: the same count, the same total per
    currency; that total must equal fct_payout_line's exact total within half a minor unit per
    fct_payout_file_line line; the manifest (when given) must state the files' row count and totals.
    """
    problems = []
    expected_rows = sum(reference.paid_lines.values())
    for name, lines in sorted(files.items()):
        if len(lines) != expected_rows:
            problems.append(f"{name}: {len(lines)} line(s), fct_payout_file_line pays {expected_rows}")
        in_file: dict[str, Decimal] = defaultdict(Decimal)
        for currency, amount in lines:
            in_file[currency] += amount
        for currency in sorted(set(in_file) | set(reference.paid_totals) | set(reference.exact_totals)):
            if currency not in MINOR_UNITS:
                problems.append(f"{name}: unknown currency {currency!r}")
                continue
            total = in_file.get(currency, Decimal(0))
            drawn = reference.paid_totals.get(currency, Decimal(0))
            if total != drawn:
                problems.append(
                    f"{name}: {currency} total {total}, fct_payout_file_line's paid lines {format_amount(drawn, currency)}"
                )
            exact = reference.exact_totals.get(currency, Decimal(0))
            tolerance = Decimal(1).scaleb(-MINOR_UNITS[currency]) / 2 * reference.keys.get(currency, 0)
            if abs(total - exact) > tolerance:
                problems.append(f"{name}: {currency} total {total}, fct_payout_line {exact.normalize():f} (beyond rounding)")
        if manifest is not None:
            if manifest.get("row_count") != len(lines):
                problems.append(f"{name}: {len(lines)} line(s), the manifest says {manifest.get('row_count')}")
            stated = (manifest.get("totals") or {}).get("by_currency") or {}
            written = {c: format_amount(t, c) if c in MINOR_UNITS else str(t) for c, t in in_file.items()}
            if stated != written:
                problems.append(f"{name}: totals {written}, the manifest says {stated}")
    return CheckOutcome(
        FILE_CHECK,
        not problems,
        True,
        f"{len(problems)} problem(s): {_examples(problems)}"
        if problems
        else f"{len(files)} file(s), {expected_rows} line(s) each; totals equal the warehouse's in every currency",
        {"problems": problems[:EXAMPLES]},
    )


def refusal_message(period: str, outcomes: list[CheckOutcome]) -> str | None:
    """The error naming every failed blocking check, or None when publishing may go on."""
    failed = [o for o in outcomes if o.blocking and not o.passed]
    if not failed:
        return None
    return f"Refusing to publish {period}: blocking check(s) failed: " + "; ".join(
        f"{o.name}: {o.message}" for o in failed
    )
