"""HTML statements and the period's index page (Jinja2 templates in ``templates/``).

Self-contained pages: inline CSS, no script, no external resource; links are
relative, so the statement folder can be copied or zipped as it is.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import jinja2

from assets.statements.formatting import Formatter
from assets.statements.layout import Document, statement_document
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
    env.globals.update(exact_plain=exact_plain, pct=_pct)
    return env


def _pct(share: Decimal) -> str:
    """A share 0..1 as a CSS percentage with one decimal."""
    return f"{share * 100:.1f}"


def file_stem(employee_id: str) -> str:
    """A payee's file name without extension: the employee id, with anything unsafe in a path replaced."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in employee_id)
    return safe.lstrip(".") or "payee"


def distinct_stems(stems: list[str], what: str) -> list[str]:
    """``stems``, refused when two of them are one file name (two ids that differ only in unsafe characters)."""
    seen: set[str] = set()
    for stem in stems:
        if stem in seen:
            raise ValueError(f"Two {what} map to the file name {stem!r}.")
        seen.add(stem)
    return stems


def render_statement(statement: Statement, document: Document | None = None) -> str:
    """The statement's HTML page; ``document`` is its layout when already built (the PDF prints the same)."""
    stem = file_stem(statement.header.employee_id)
    document = document or statement_document(statement, f"{stem}.csv")
    return environment().get_template("statement.html.j2").render(
        doc=document, period=statement.header.period, lang=statement.header.locale.split("_")[0],
        pdf_name=f"{stem}.pdf", csv_name=f"{stem}.csv")


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
                "amount": "; ".join(Formatter().money(t, c) for c, t in s.totals.items()),
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
        money=Formatter().money,
    )
