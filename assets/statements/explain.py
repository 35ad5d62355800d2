"""A component's arithmetic as lines a reviewer follows (shared by HTML, PDF and the CSV).

For a component with basis quarter or year-to-date the period's earning is a
true-up: earned to date through this period minus earned to date through the
previous month of the same quarter / plan year (SPEC §5). fct_commission_detail
holds both sets of lines; the previous month's contribute with a minus sign.

The text is rounded for display (formatting.Formatter); ``exact`` keeps the
warehouse's value of the line for the CSV beside the statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from assets.statements.formatting import Formatter
from assets.statements.statement import ArithmeticLine, ComponentLine


@dataclass(frozen=True)
class ExplainRow:
    kind: str  # heading, line or total
    what: str
    calculation: str
    amount: str
    exact: Decimal | None = None


def _heading(line: ArithmeticLine, currency: str, fmt: Formatter) -> ExplainRow:
    title = "Earned to date (this period)" if line.to_date_of == "current" else "Less: to date (previous month)"
    calc = (
        f"credit {fmt.amount(line.credit_to_date, currency)} of quota {fmt.amount(line.quota_to_date, currency)}"
        f" = {fmt.percent(line.attainment_to_date)}"
    )
    return ExplainRow("heading", title, calc, "")


def _line(line: ArithmeticLine, component: ComponentLine, currency: str, fmt: Formatter) -> ExplainRow:
    amount, exact = fmt.amount(line.contribution, currency), line.contribution
    if line.detail_type == "band" and line.amount_from is not None:
        upper = f"to {fmt.amount(line.amount_to, currency)}" if line.amount_to is not None else "and above"
        what = f"Band {line.tier_index}: credit {fmt.amount(line.amount_from, currency)} {upper}"
        return ExplainRow("line", what, f"{fmt.amount(line.amount, currency)} in band × {fmt.rate(line.rate)}",
                          amount, exact)
    if line.detail_type == "band":
        what = f"Band {line.tier_index}: {fmt.band(line.attainment_from, line.attainment_to)} of quota"
        calc = (
            f"{fmt.amount(line.amount, currency)} in band × {fmt.rate(line.rate)} "
            f"(BCR {fmt.rate(line.bcr)} × {fmt.multiplier(line.multiplier)})"
        )
        return ExplainRow("line", what, calc, amount, exact)
    if line.detail_type == "rule":
        rule = component.rule_type
        if rule == "flat_rate":
            return ExplainRow("line", "Flat rate",
                              f"credit {fmt.amount(line.credit_to_date, currency)} × {fmt.rate(line.rate)}", amount, exact)
        if rule == "quota_bonus":
            reached = "threshold reached" if line.contribution != 0 else "threshold not reached"
            return ExplainRow("line", "Quota bonus", f"attainment {fmt.percent(line.attainment_to_date)}: {reached}",
                              amount, exact)
        if rule == "spif":
            return ExplainRow("line", "SPIF", "qualifying deals / units in the SPIF window × amount", amount, exact)
        return ExplainRow("line", rule or "rule", "", amount, exact)
    if line.detail_type == "gate":
        return ExplainRow("line", "Gate", f"attainment {fmt.percent(line.attainment_to_date)} below the gate: "
                          "nothing earned", amount, exact)
    if line.detail_type == "cap":
        return ExplainRow("line", "Cap", f"plan-year earnings capped at {fmt.amount(line.amount, currency)}", amount, exact)
    if line.detail_type == "rounding":
        return ExplainRow("line", "Rounding", "to the minor unit, on the plan-year cumulative (the year's lines add "
                          "up to it)", amount, exact)
    return ExplainRow("line", line.detail_type, "", amount, exact)


def explain(component: ComponentLine, currency: str, fmt: Formatter | None = None) -> list[ExplainRow]:
    """Heading and lines per to-date set, then the component's total (= fct_commission amount)."""
    fmt = fmt or Formatter()
    rows: list[ExplainRow] = []
    seen: set[str] = set()
    for line in component.arithmetic:
        if line.to_date_of not in seen and line.detail_type != "cap":
            seen.add(line.to_date_of)
            rows.append(_heading(line, currency, fmt))
        rows.append(_line(line, component, currency, fmt))
    rows.append(
        ExplainRow("total", f"{component.earning_code} earned this period", "sum of the lines above",
                   fmt.amount(component.commission_amount, currency), component.commission_amount)
    )
    return rows
