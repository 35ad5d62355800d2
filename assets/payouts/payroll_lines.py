"""How a payee's lines of one pay period become payroll lines (docs/payroll.md), as pure functions.

The payout file (the generic extract) keeps every line for finance, deductions
included: a COMMISSION true-up that fell, DRAW_RECOVERY, a CLAWBACK or a
negative ADJUSTMENT. A payroll file never carries a negative amount. Per payee
and currency (a payee is in one payroll: the HR country's):

1. each line's earning code is mapped to the payroll's code (the earning-code
   map, ``payroll_codes.csv``; the generic files map every code to itself);
2. the lines are summed per payroll code (the *net*);
3. the negative nets, added up, are taken from the positive nets in the
   payroll's code order (``code_order``: the order of ``core.earning_codes``,
   COMMISSION first, of the first earning code that maps to the payroll code),
   each positive net down to 0.00 before the next;
4. the codes left at 0.00 are not written.

Nothing is rounded: the amounts are the payout file's rounded lines, only
added and subtracted. What a payee owes back beyond the period's positive lines
is not in the payout file at all: the warehouse carried it already
(``fct_payee_balance.balance_out`` for calculated deductions,
``fct_payout_line.carried_amount`` for retro ones; ``fct_payee_balance_owed``
adds the two, the statement shows it) and the check
``negative_amounts_allowed`` refuses a file in which a payee's total is below
zero. Carried balances are not lines of the payout file, so no internal balance
line reaches a payroll file. Hence the payroll total of a payee equals the
payout file's total of that payee to the cent, and no payroll amount is
negative (tests/payouts/test_payroll_lines.py, with hand-computed examples and
a property test on random line sets).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from assets.payouts.extract import PayoutLine
from assets.payouts.pay_calendar import UNKNOWN_COUNTRY
from core.earning_codes import EARNING_CODES


@dataclass(frozen=True)
class PayrollLine:
    """One payee's amount under one payroll code of one period (never negative)."""

    period: str
    employee_id: str
    full_name: str
    country: str
    currency: str
    payroll_code: str
    amount: Decimal
    pay_date: date


class NegativePayeeTotal(ValueError):
    """A payee's lines add up to less than zero: the payout file broke ``negative_amounts_allowed``."""


def code_order(code_map: Mapping[str, str]) -> list[str]:
    """The payroll codes in the order deductions are taken from them: by the first earning
    code (in ``core.earning_codes`` order) mapping to each, then by the code itself."""
    rank = {code: index for index, code in enumerate(EARNING_CODES)}
    first: dict[str, int] = {}
    for earning_code, payroll_code in code_map.items():
        position = rank.get(earning_code, len(rank))
        first[payroll_code] = min(first.get(payroll_code, position), position)
    return sorted(first, key=lambda code: (first[code], code))


def net_payee_lines(amounts: list[tuple[str, Decimal]], code_map: Mapping[str, str]) -> list[tuple[str, Decimal]]:
    """One payee's (earning code, amount) lines of a period and currency as (payroll code, amount)
    lines, in ``code_order``: netted per payroll code, the negative nets taken from the positive
    ones in that order, zeros left out. Every earning code must be in ``code_map``."""
    net: dict[str, Decimal] = defaultdict(Decimal)
    for earning_code, amount in amounts:
        net[code_map[earning_code]] += amount
    to_deduct = -sum((amount for amount in net.values() if amount < 0), Decimal(0))
    out = []
    for code in code_order(code_map):
        amount = net.get(code, Decimal(0))
        if amount <= 0:
            continue
        taken = min(amount, to_deduct)
        to_deduct -= taken
        if amount - taken:
            out.append((code, amount - taken))
    if to_deduct:
        raise NegativePayeeTotal(f"the lines add up to -{to_deduct}")
    return out


def payroll_lines(lines: list[PayoutLine], code_map: Mapping[str, str]) -> list[PayrollLine]:
    """The payroll lines of a period's payout lines, per payee and currency (``net_payee_lines``),
    ordered by employee id, currency and ``code_order``."""
    groups: dict[tuple[str, str], list[PayoutLine]] = defaultdict(list)
    for line in lines:
        groups[(line.employee_id, line.currency)].append(line)
    out = []
    for (employee_id, currency), group in sorted(groups.items()):
        pay_dates = {line.pay_date for line in group}
        if len(pay_dates) != 1:
            raise ValueError(f"{employee_id} {currency}: lines of one period with pay dates {sorted(pay_dates)}")
        first = group[0]
        try:
            netted = net_payee_lines([(line.earning_code, line.amount) for line in group], code_map)
        except NegativePayeeTotal as error:
            raise NegativePayeeTotal(f"{employee_id} {currency}: {error}") from error
        out += [
            PayrollLine(first.period, employee_id, first.full_name, first.country or UNKNOWN_COUNTRY, currency, code,
                        amount, first.pay_date)
            for code, amount in netted
        ]
    return out
