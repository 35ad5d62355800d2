"""A component's arithmetic as lines a reviewer re-adds by hand (shared by HTML and PDF).

For a component with basis quarter or year-to-date the period's earning is a
true-up: earned to date through this period minus earned to date through the
previous month of the same quarter / plan year (SPEC §5). fct_commission_detail
holds both sets of lines; the previous month's contribute with a minus sign.
"""

from __future__ import annotations

from dataclasses import dataclass

from assets.statements.formatting import band, exact, money, number, percent
from assets.statements.statement import ArithmeticLine, ComponentLine


@dataclass(frozen=True)
class ExplainRow:
    kind: str  # heading, line or total
    what: str
    calculation: str
    amount: str


def _heading(line: ArithmeticLine, currency: str) -> ExplainRow:
    title = "Earned to date (this period)" if line.to_date_of == "current" else "Less: to date (previous month)"
    calc = (
        f"C = {exact(line.credit_to_date, currency)}, Q = {exact(line.quota_to_date, currency)}, "
        f"C/Q = {percent(line.attainment_to_date)}"
    )
    return ExplainRow("heading", title, calc, "")


def _line(line: ArithmeticLine, component: ComponentLine, currency: str) -> ExplainRow:
    amount = exact(line.contribution, currency)
    if line.detail_type == "band" and line.amount_from is not None:
        upper = f"{money(line.amount_to, currency)})" if line.amount_to is not None else "..)"
        what = f"Band {line.tier_index} [{money(line.amount_from, currency)}, {upper} of credit × {number(line.rate)}"
        return ExplainRow("line", what, f"{exact(line.amount, currency)} in band × {number(line.rate)}", amount)
    if line.detail_type == "band":
        what = f"Band {line.tier_index} {band(line.attainment_from, line.attainment_to)} × {number(line.multiplier)}"
        calc = (
            f"{exact(line.amount, currency)} in band × {number(line.rate)} "
            f"(BCR {number(line.bcr)} × {number(line.multiplier)})"
        )
        return ExplainRow("line", what, calc, amount)
    if line.detail_type == "rule":
        rule = component.rule_type
        if rule == "flat_rate":
            return ExplainRow("line", "Flat rate", f"C {exact(line.credit_to_date, currency)} × rate {number(line.rate)}", amount)
        if rule == "quota_bonus":
            reached = "threshold reached" if line.contribution != 0 else "threshold not reached"
            return ExplainRow("line", "Quota bonus", f"attainment {percent(line.attainment_to_date)}: {reached}", amount)
        if rule == "spif":
            return ExplainRow("line", "SPIF", "qualifying deals / units in the SPIF window × amount", amount)
        return ExplainRow("line", rule or "rule", "", amount)
    if line.detail_type == "gate":
        return ExplainRow("line", "Gate", f"attainment {percent(line.attainment_to_date)} below the gate: nothing earned", amount)
    if line.detail_type == "cap":
        return ExplainRow("line", "Cap", f"plan-year earnings capped at {money(line.amount, currency)}", amount)
    if line.detail_type == "rounding":
        return ExplainRow(
            "line", "Rounding", "to the minor unit, on the plan-year cumulative (the year's lines add up to it)", amount
        )
    return ExplainRow("line", line.detail_type, "", amount)


def explain(component: ComponentLine, currency: str) -> list[ExplainRow]:
    """Heading and lines per to-date set, then the component's total (= fct_commission amount)."""
    rows: list[ExplainRow] = []
    seen: set[str] = set()
    for line in component.arithmetic:
        if line.to_date_of not in seen and line.detail_type != "cap":
            seen.add(line.to_date_of)
            rows.append(_heading(line, currency))
        rows.append(_line(line, component, currency))
    rows.append(
        ExplainRow("total", f"{component.earning_code} earned this period", "sum of the lines above",
                   exact(component.commission_amount, currency))
    )
    return rows
