"""HTML statements and the period's index page (Jinja2 templates in ``templates/``).

Self-contained pages: inline CSS, no script, no external resource; links are
relative, so the statement folder can be copied or zipped as it is.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import jinja2

from assets.statements import formatting
from assets.statements.explain import explain
from assets.statements.statement import Statement

TEMPLATES = Path(__file__).parent / "templates"


def exact_plain(amount: Decimal) -> str:
    """A machine-readable amount (no separators), as written in ``data-amount``."""
    return f"{amount:f}"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    env.globals.update(
        money=formatting.money,
        exact=formatting.exact,
        number=formatting.number,
        percent=formatting.percent,
        rule_label=formatting.rule_label,
        basis_label=formatting.basis_label,
        credit_type_label=formatting.credit_type_label,
        explain=explain,
        exact_plain=exact_plain,
    )
    return env


def file_stem(employee_id: str) -> str:
    """A payee's file name without extension: the employee id, with anything unsafe in a path replaced."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in employee_id)
    return safe.lstrip(".") or "payee"


def render_statement(statement: Statement) -> str:
    stem = file_stem(statement.header.employee_id)
    return environment().get_template("statement.html.j2").render(statement=statement, pdf_name=f"{stem}.pdf")


def render_index(period: str, statements: list[Statement], calculation_id: str | None) -> str:
    rows = []
    totals: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    for s in sorted(statements, key=lambda s: (s.header.full_name.casefold(), s.header.employee_id)):
        stem = file_stem(s.header.employee_id)
        for currency, total in s.totals.items():
            totals[currency] = totals.get(currency, Decimal(0)) + total
            counts[currency] = counts.get(currency, 0) + 1
        rows.append(
            {
                "full_name": s.header.full_name,
                "employee_id": s.header.employee_id,
                "cost_center": s.header.cost_center,
                "currency": ", ".join(s.totals),
                "amount": "; ".join(formatting.money(t, c) for c, t in s.totals.items()),
                "html": f"{stem}.html",
                "pdf": f"{stem}.pdf",
            }
        )
    return environment().get_template("index.html.j2").render(
        period=period,
        rows=rows,
        totals=dict(sorted(totals.items())),
        counts=counts,
        calculation_id=calculation_id,
    )
