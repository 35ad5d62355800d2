"""How a payee's payout lines of a period become payroll lines (assets/payouts/payroll_lines.py, docs/payroll.md).

Hand-computed examples of the rule, then a property test on random line sets: no
payroll amount is negative, and per payee and currency the payroll lines add up
to the payout file's lines to the cent.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.payouts.checks import check_negative_amounts
from assets.payouts.extract import PayoutLine
from assets.payouts.payroll_layouts import IDENTITY_MAP
from assets.payouts.payroll_lines import NegativePayeeTotal, code_order, net_payee_lines, payroll_lines
from core.earning_codes import DEDUCTION_CODES, EARNING_CODES

D = Decimal
ADP = {"COMMISSION": "COM", "CLAWBACK": "COM", "ADJUSTMENT": "COM", "DRAW_RECOVERY": "COM", "MANUAL_ADJUSTMENT": "COM",
       "COMMISSION_RELEASE": "COM",
       "BONUS": "BON", "SPIF": "SPF", "DRAW": "DRW"}


def test_deductions_are_taken_from_the_positive_codes_in_the_stated_order():
    # COMMISSION 1,000.00, SPIF 300.00, BONUS 200.00, CLAWBACK -1,100.00 (generic: one code each):
    # 1,100.00 taken from COMMISSION (1,000.00, to 0.00), then BONUS (100.00 of 200.00); SPIF untouched
    lines = [("COMMISSION", D("1000.00")), ("SPIF", D("300.00")), ("BONUS", D("200.00")), ("CLAWBACK", D("-1100.00"))]
    assert net_payee_lines(lines, IDENTITY_MAP) == [("BONUS", D("100.00")), ("SPIF", D("300.00"))]
    # ADP: COMMISSION and CLAWBACK are both COM, which nets to -100.00, taken from BON
    assert net_payee_lines(lines, ADP) == [("BON", D("100.00")), ("SPF", D("300.00"))]


def test_code_order_follows_the_earning_codes_list():
    assert code_order(IDENTITY_MAP) == list(EARNING_CODES)
    assert code_order(ADP) == ["COM", "BON", "SPF", "DRW"]
    # the order is that of the earning codes, not of the payroll codes' text
    assert code_order({"BONUS": "Z", "SPIF": "A"}) == ["Z", "A"]


def test_a_deduction_that_takes_everything_leaves_no_line():
    assert net_payee_lines([("COMMISSION", D("500.00")), ("DRAW_RECOVERY", D("-500.00"))], IDENTITY_MAP) == []


def test_a_negative_total_is_refused():
    # the payout file's check negative_amounts_allowed refuses such a file before any payroll file
    with pytest.raises(NegativePayeeTotal, match="-0.01"):
        net_payee_lines([("COMMISSION", D("10.00")), ("CLAWBACK", D("-10.01"))], IDENTITY_MAP)


def test_an_unmapped_code_is_a_key_error_for_the_caller_to_have_refused():
    with pytest.raises(KeyError):
        net_payee_lines([("SPIF", D("1.00"))], {"COMMISSION": "COM"})


# ---- property: random payout line sets that pass the payout file's checks

CURRENCY_SCALE = {"USD": 2, "JPY": 0, "BHD": 3}
PAY_DATE = date(2026, 11, 13)


@st.composite
def payout_files(draw):
    """A period's payout lines as the warehouse can write them: one line per payee, code and
    currency, rounded to the currency's minor unit, non-zero, DRAW never negative, no payee's
    total below zero (fct_payable and fct_payout_line guarantee it; check_negative_amounts refuses the rest)."""
    lines = []
    for payee in range(draw(st.integers(1, 6))):
        currency = draw(st.sampled_from(sorted(CURRENCY_SCALE)))
        scale = CURRENCY_SCALE[currency]
        codes = draw(st.lists(st.sampled_from(list(EARNING_CODES)), min_size=1, max_size=len(EARNING_CODES), unique=True))
        amounts = {}
        for code in codes:
            units = draw(st.integers(-500_000, 500_000).filter(bool))
            if code not in DEDUCTION_CODES:
                units = abs(units)
            amounts[code] = D(units).scaleb(-scale)
        total = sum(amounts.values())
        if total < 0:  # the warehouse takes only what the positive lines cover: shrink the deductions
            positive = sum(v for v in amounts.values() if v > 0)
            negative = -sum(v for v in amounts.values() if v < 0)
            for code, value in list(amounts.items()):
                if value < 0:
                    amounts[code] = (value * positive / negative).quantize(D(1).scaleb(-scale), rounding="ROUND_DOWN")
            amounts = {c: v for c, v in amounts.items() if v}
        for code, amount in amounts.items():
            lines.append(PayoutLine("2026-10", f"E{payee:03d}", f"Payee {payee}", None, code, currency, amount,
                                    PAY_DATE, "P", "calc", country="US"))
    return lines


def _per_payee(rows):
    out: dict = {}
    for row in rows:
        key = (row.employee_id, row.currency)
        out[key] = out.get(key, D(0)) + row.amount
    return out


@settings(max_examples=300, deadline=None)
@given(payout_files(), st.sampled_from([IDENTITY_MAP, ADP, {code: "ONE" for code in EARNING_CODES}]))
def test_no_payroll_amount_is_negative_and_each_payee_reconciles_to_the_cent(lines, code_map):
    assert check_negative_amounts(lines).passed
    payroll = payroll_lines(lines, code_map)
    assert all(line.amount > 0 for line in payroll)
    payout_totals = _per_payee(lines)
    payroll_totals = _per_payee(payroll)
    assert payroll_totals == {k: v for k, v in payout_totals.items() if v}
    # one row per payee, currency and payroll code, in the stated order
    keys = [(l.employee_id, l.currency, l.payroll_code) for l in payroll]
    assert len(keys) == len(set(keys))
    order = code_order(code_map)
    for line_a, line_b in zip(payroll, payroll[1:]):
        if (line_a.employee_id, line_a.currency) == (line_b.employee_id, line_b.currency):
            assert order.index(line_a.payroll_code) < order.index(line_b.payroll_code)
