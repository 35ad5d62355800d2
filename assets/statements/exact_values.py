"""The CSV beside each statement (``<employee_id>.csv``): every number the statement prints,
at the warehouse's full precision (DECIMAL(38,10), written plainly, ``1234.5678901234``), for
anyone who wants to re-add what the statement rounds for display.

Columns: ``section, item, basis, field, value, currency``. One row per number; the sections are
the statement's (plan, attainment, credit, team, component, balance, year_to_date, payout).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from assets.statements.explain import explain
from assets.statements.statement import Statement

COLUMNS = ("section", "item", "basis", "field", "value", "currency")


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = f"{value:f}"
        return "0" if text.strip("-0.") == "" else text
    return str(value)


def exact_rows(statement: Statement) -> list[tuple[str, str, str, str, str, str]]:
    cur = statement.header.currency
    rows: list[tuple] = []

    def add(section, item, basis, field, value, currency=cur):
        rows.append((section, item, basis, field, _plain(value), currency if value is not None else ""))

    for plan in statement.plan_summaries:
        add("plan", plan.plan_id, "", "annual_target_incentive", plan.annual_target_incentive)
        add("plan", plan.plan_id, "", "annual_quota", plan.annual_quota)
        for c in plan.components:
            add("plan", f"{plan.plan_id}/{c.component_id}", "", "bcr", c.bcr, "")
    for m in statement.measures:
        for basis, credit, quota, ratio in zip(("period", "qtd", "ytd"), m.credit, m.quota, m.attainment):
            item = f"{m.plan_id}/{m.measure}"
            add("attainment", item, basis, "units" if m.in_units else "credit", credit, "" if m.in_units else cur)
            add("attainment", item, basis, "quota", quota)
            add("attainment", item, basis, "attainment", ratio, "")
    for a in statement.attainment:
        add("attainment", "own_credit", a.basis, "credit", a.credit)
        add("attainment", "own_credit", a.basis, "quota", a.quota)
        add("attainment", "own_credit", a.basis, "attainment", a.attainment, "")
    for c in statement.listed_credits:
        add("credit", c.opportunity_id, c.credit_type, "credit", c.credit_amount)
    add("credit", "own_credit_total", "", "credit", statement.own_credit_total)
    for level in statement.team_levels:
        for m in level.members:
            add("team", m.employee_id, f"level {level.level}", "credit", m.credit_amount)
        add("team", f"level {level.level}", "sub-total", "credit", level.credit_amount)
    if statement.team_levels:
        add("team", "rollup_credit_total", "", "credit", statement.rollup_credit_total)
    for comp in statement.components:
        item = f"{comp.plan_id}/{comp.component_id}"
        add("component", item, comp.basis or "", "credit_this_period", comp.credit_amount)
        for index, row in enumerate(explain(comp, cur), start=1):
            if row.exact is not None:
                add("component", item, f"line {index}", row.what, row.exact)
    b = statement.balance
    if b is not None:
        for name in ("balance_in", "earnings_amount", "draw_guarantee", "draw_amount", "payable_amount", "balance_out"):
            add("balance", b.plan_id or "", "", name, getattr(b, name))
    for d in statement.carried_deductions:
        add("balance", d.earning_code, "", "carried", d.amount, d.currency)
    ytd = statement.year_to_date
    if ytd is not None:
        add("year_to_date", str(ytd.plan_year), "", "earned", ytd.earned)
        for currency, paid in ytd.paid_before.items():
            add("year_to_date", str(ytd.plan_year), "", "paid_before_period", paid, currency)
    for line in statement.paid_lines:
        add("payout", line.earning_code, line.plan_id or "", "amount", line.amount, line.currency)
    return rows


def render_csv(statement: Statement) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(exact_rows(statement))
    return buffer.getvalue().encode("utf-8")
