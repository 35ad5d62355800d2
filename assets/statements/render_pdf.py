"""The PDF statement (fpdf2, pure Python): the same sections and numbers as the HTML.

Byte-identical on rerun: the creation date is the pay date (midnight UTC), the
producer is fixed, and fpdf2 derives the file id from the content and that date.
Text is set in the built-in Helvetica when every character is Latin-1 (fast:
no font to embed); otherwise in DejaVu Sans, the TrueType font matplotlib ships
(a locked dependency), so every payee's and deal's name prints as written.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from datetime import datetime, time, timezone
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from assets.statements import formatting as f
from assets.statements.explain import explain
from assets.statements.statement import Statement

FIXED_DATE = datetime(2000, 1, 1, tzinfo=timezone.utc)
ACCENT = (43, 76, 126)
HEADING_FILL = (238, 242, 248)


def _dejavu_dir() -> Path | None:
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    return folder if (folder / "DejaVuSans.ttf").exists() and (folder / "DejaVuSans-Bold.ttf").exists() else None


class NeedsUnicodeFont(Exception):
    """A text of the statement is outside Latin-1: render again with the TrueType font."""


LATIN1_SUBSTITUTES = {"–": "-", "≥": ">=", "…": "...", "’": "'"}

# fpdf2's line breaks of a wrapped text (notes, component headings), by font, width and text:
# the same few texts recur on every statement of a period (see ``StatementPdf.paragraph``).
_LINE_BREAKS: dict[tuple, tuple[str, ...]] = {}
LINE_BREAKS_KEPT = 20_000
# A text with one of these is left to multi_cell's line breaking even when it is short (a line
# break, a form feed, a soft hyphen), and one within this much (mm) of the width too (rounding).
ONE_LINE_BREAKERS = ("\n", "\r", "\f", "\u00ad")
WIDTH_TOLERANCE = 1e-6


class StatementPdf(FPDF):
    """A4 statement. ``unicode=False`` uses the built-in Helvetica (fast, Latin-1 only) and raises
    ``NeedsUnicodeFont`` on any other character; ``unicode=True`` embeds DejaVu Sans."""

    def __init__(self, title: str, footer_text: str, creation_date: datetime, unicode: bool):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        fonts = _dejavu_dir() if unicode else None
        if fonts is not None:
            self.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
            self.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
            self.family, self.unicode, self.strict = "DejaVu", True, False
        else:
            self.family, self.unicode, self.strict = "Helvetica", False, not unicode
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(True, margin=15)
        self.set_title(self.text_of(title))
        self.set_author("open-spm")
        self.set_creator("open-spm payee statements")
        self.set_producer("open-spm")
        self.set_creation_date(creation_date)
        self.alias_nb_pages()

    def text_of(self, value: str) -> str:
        if self.unicode or value.isascii():  # ASCII: nothing to substitute, every character Latin-1
            return value
        for char, substitute in LATIN1_SUBSTITUTES.items():
            value = value.replace(char, substitute)
        if all(ord(ch) < 256 for ch in value):
            return value
        if self.strict:
            raise NeedsUnicodeFont(value)
        # no TrueType font available: decompose accents, drop what Latin-1 lacks
        return "".join(
            ch if ord(ch) < 256 else unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            for ch in value
        )

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(self.family, "", 7)
        self.set_text_color(110)
        self.cell(0, 5, self.text_of(f"{self.footer_text}  ·  page {self.page_no()} of {{nb}}"), align="R")
        self.set_text_color(0)

    # ---- building blocks

    def h1(self, text: str) -> None:
        self.set_font(self.family, "B", 15)
        self.cell(0, 9, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def h2(self, text: str) -> None:
        if self.will_page_break(22):
            self.add_page()
        self.ln(3)
        self.set_font(self.family, "B", 11)
        self.set_text_color(*ACCENT)
        self.cell(0, 7, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*ACCENT)
        self.set_line_width(0.5)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_line_width(0.2)
        self.set_draw_color(0)
        self.set_text_color(0)
        self.ln(1.5)

    def h3(self, text: str) -> None:
        if self.will_page_break(18):
            self.add_page()
        self.set_font(self.family, "B", 9)
        self.paragraph(5, self.text_of(text))

    def note(self, text: str) -> None:
        self.set_font(self.family, "", 7.5)
        self.set_text_color(90)
        self.paragraph(4, self.text_of(text))
        self.set_text_color(0)
        self.ln(0.5)

    def paragraph(self, h: float, text: str) -> None:
        """Print what ``multi_cell(0, h, text, align="L", new_x="LMARGIN", new_y="NEXT")`` prints, the
        same bytes, a line at a time: each of fpdf2's lines (``wrapped_lines``) as a left-aligned cell
        of the full width, the next line below it. multi_cell's line breaking measures the line so
        far again at every character, and the same notes and headings recur on every statement, so
        their line breaks are worked out once."""
        lines = self.wrapped_lines(h, text)
        for index, line in enumerate(lines):
            last = index == len(lines) - 1
            self.cell(0, h, line, new_x=XPos.LMARGIN if last else XPos.LEFT, new_y=YPos.NEXT)

    def wrapped_lines(self, h: float, text: str) -> tuple[str, ...]:
        """The lines fpdf2's multi_cell breaks ``text`` into from the current position to the right
        margin in the current font: the text itself where it fits on one line (multi_cell breaks
        where the line so far and the next character exceed the width less the cell margins),
        else multi_cell's own dry run, kept by font, width and text."""
        width = self.w - self.r_margin - self.x
        if (text and not any(char in text for char in ONE_LINE_BREAKERS)
                and self.text_width(text) < width - 2 * self.c_margin - WIDTH_TOLERANCE):
            return (text,)
        key = (self.font_family, self.font_style, self.font_size_pt, self.c_margin, width, text)
        lines = _LINE_BREAKS.get(key)
        if lines is None:
            if len(_LINE_BREAKS) >= LINE_BREAKS_KEPT:
                _LINE_BREAKS.clear()
            lines = tuple(self.multi_cell(width, h, text, align="L", dry_run=True, output="LINES")) or ("",)
            _LINE_BREAKS[key] = lines
        return lines

    def text_width(self, text: str) -> float:
        """``get_string_width(text)`` in the current font, read straight from the font's width table:
        the same number without fpdf2's per-call set-up (fragments and graphics-state copies),
        where no character spacing, stretching or text shaping is set and the text has no
        page-count alias (the statement sets none)."""
        if (self.char_spacing or self.font_stretching != 100 or self.text_shaping
                or (self.str_alias_nb_pages and self.str_alias_nb_pages in text)):
            return self.get_string_width(text)
        return self.current_font.get_text_width(self.normalize_text(text), self.font_size_pt, None)[1] / self.k

    def fit(self, text: str, width: float) -> str:
        """The text, cut with an ellipsis to fit ``width`` (a statement row is one line)."""
        text = self.text_of(text)
        if self.text_width(text) <= width:
            return text
        ellipsis = "…" if self.unicode else "..."
        while text and self.text_width(text + ellipsis) > width:
            text = text[:-1]
        return text + ellipsis

    def grid(self, headings: list[str], rows: list[list[str]], widths: tuple, align: tuple,
             bold_rows: set[int] = frozenset(), shaded_rows: set[int] = frozenset()) -> None:
        """A table of one-line rows; the heading row repeats on every page the table spans."""
        scale = self.epw / sum(widths)
        widths = [w * scale for w in widths]
        aligns = [Align.R if a == "RIGHT" else Align.L for a in align]  # members: fpdf2 need not parse a name per cell
        row_h, pad = 4.4, 1.0

        def heading() -> None:
            self.set_font(self.family, "B", 7.5)
            self.set_fill_color(*HEADING_FILL)
            for text, w, a in zip(headings, widths, aligns):
                self.cell(w, row_h + 0.6, self.fit(text, w - 2 * pad), border="B", align=a, fill=True)
            self.ln(row_h + 0.6)

        self.set_draw_color(200)
        if len(rows) < 12 and self.will_page_break((len(rows) + 1) * row_h + 1):
            self.add_page()  # a short table is kept on one page
        heading()
        for i, cells in enumerate(rows):
            if self.will_page_break(row_h):
                self.add_page()
                heading()
            bold = i in bold_rows
            self.set_font(self.family, "B" if bold else "", 7.5)
            fill = i in shaded_rows
            if fill:
                self.set_fill_color(246, 246, 246)
            # a cell followed by empty cells spans them (total labels)
            spans: list[tuple[str, float, str]] = []
            for text, w, a in zip(cells, widths, aligns):
                if spans and text == "" and (bold or fill) and spans[-1][0] != "":
                    label, width, align_ = spans[-1]
                    spans[-1] = (label, width + w, align_)
                else:
                    spans.append((text, w, a))
            for text, w, a in spans:
                self.cell(w, row_h, self.fit(text, w - 2 * pad), border="T" if bold else "B", align=a, fill=fill)
            self.ln(row_h)
        self.set_draw_color(0)
        self.ln(1.5)


def render_pdf(statement: Statement) -> bytes:
    """The statement as PDF bytes: Helvetica when every text is Latin-1, else DejaVu Sans."""
    try:
        return _render(statement, unicode=False)
    except NeedsUnicodeFont:
        return _render(statement, unicode=True)


def _render(statement: Statement, unicode: bool) -> bytes:
    h = statement.header
    cur = h.currency
    created = datetime.combine(h.pay_date, time(0), tzinfo=timezone.utc) if h.pay_date else FIXED_DATE
    pdf = StatementPdf(
        title=f"Commission statement {h.period} - {h.full_name} ({h.employee_id})",
        footer_text=f"{h.full_name} ({h.employee_id}) · statement {h.period} · {h.calculation_id or ''}",
        creation_date=created,
        unicode=unicode,
    )
    pdf.add_page()
    pdf.h1(f"Commission statement {h.period}")

    # header
    pairs = [
        ("Payee", h.full_name), ("Employee id", h.employee_id),
        ("Job title", h.job_title or "–"), ("Cost center", h.cost_center or "–"),
        ("Plan(s)", ", ".join(h.plans) or "–"), ("Currency", cur),
        ("Pay period", h.period), ("Pay date", h.pay_date.isoformat() if h.pay_date else "–"),
        ("Calculation id", h.calculation_id or "–"), ("", ""),
    ]
    pdf.set_font(pdf.family, "", 8.5)
    label_w, value_w = 26, pdf.epw / 2 - 26
    for i in range(0, len(pairs), 2):
        for label, value in pairs[i : i + 2]:
            pdf.set_font(pdf.family, "B", 8.5)
            pdf.cell(label_w, 5, pdf.text_of(label))
            pdf.set_font(pdf.family, "", 8.5)
            pdf.cell(value_w, 5, pdf.text_of(value))
        pdf.ln(5)
    pdf.ln(2)
    pdf.set_fill_color(*HEADING_FILL)
    pdf.set_font(pdf.family, "B", 12)
    total_text = "; ".join(f"{c} {f.money(t, c)}" for c, t in statement.totals.items())
    pdf.cell(0, 9, pdf.text_of(f"  Amount to be paid: {total_text}"), fill=True, new_x="LMARGIN", new_y="NEXT")

    # 1. credits
    pdf.h2("1. Credits by deal")
    if statement.credits:
        rows, bold = [], set()
        for c in statement.listed_credits:
            kind = f.credit_type_label(c.credit_type, c.split_percentage, c.credited_from)
            if c.credit_status != "current":
                kind += f" ({c.credit_status.replace('_', ' ')})"
            rows.append([c.opportunity_id, c.opportunity_name or "", c.close_date.isoformat(), kind,
                         f"{f.money(c.deal_amount, c.deal_currency)} {c.deal_currency}", f.exact(c.credit_amount, cur)])
        for m in statement.rollup_by_team_member:
            rows.append([f"Team: {m.full_name or m.employee_id} ({m.employee_id})", "", "",
                         f"rollup, {m.deal_count} deal{'s' if m.deal_count != 1 else ''}", "",
                         f.exact(m.credit_amount, cur)])
        bold.add(len(rows))
        rows.append(["Own credit (own and split)", "", "", "", "", f.exact(statement.own_credit_total, cur)])
        if statement.rollup_credit_total:
            bold.add(len(rows))
            rows.append(["Roll-up credit (team)", "", "", "", "", f.exact(statement.rollup_credit_total, cur)])
        pdf.grid(["Deal", "Name", "Close date", "Credit type", "Deal amount", f"Credit ({cur})"], rows,
                 (17, 29, 10, 14, 14, 16), ("LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"), bold)
    else:
        pdf.note(f"No credited deal closed in {h.period}.")

    # 2. quota and attainment
    pdf.h2("2. Quota and attainment")
    if statement.attainment:
        pdf.grid(["Basis", f"Own credit ({cur})", f"Quota ({cur})", "Attainment"],
                 [[a.label, f.exact(a.credit, cur), f.exact(a.quota, cur), f.percent(a.attainment)]
                  for a in statement.attainment],
                 (34, 26, 26, 14), ("LEFT", "RIGHT", "RIGHT", "RIGHT"))
    else:
        pdf.note(f"No quota for {h.period}.")

    # 3. components
    pdf.h2("3. Earnings by component")
    if not statement.components:
        pdf.note(f"No commission component has earnings or credit in {h.period}.")
    for comp in statement.components:
        rows_needed = len(comp.arithmetic) + 4
        if rows_needed < 20 and pdf.will_page_break(rows_needed * 4.4 + 16):
            pdf.add_page()  # keep a component's heading and arithmetic together
        pdf.h3(f"{comp.plan_id} · {comp.component_name or comp.component_id} ({comp.earning_code}; "
               f"{f.rule_label(comp.rule_type)}, basis {f.basis_label(comp.basis)})")
        extra = f"; BCR (base commission rate) {f.number(comp.bcr)}" if comp.bcr is not None else ""
        if comp.cap_amount is not None:
            extra += f"; cap {f.money(comp.cap_amount, cur)}"
        pdf.note(f"Credit this period {f.exact(comp.credit_amount, cur)} from {comp.deal_count} deal(s){extra}.")
        rows, bold, shaded = [], set(), set()
        for row in explain(comp, cur):
            if row.kind == "total":
                bold.add(len(rows))
            elif row.kind == "heading":
                shaded.add(len(rows))
            rows.append([row.what, row.calculation, row.amount])
        pdf.grid(["Line", "Calculation", f"Amount ({cur})"], rows, (24, 58, 18), ("LEFT", "LEFT", "RIGHT"),
                 bold, shaded)

    # 4. adjustments and clawbacks
    pdf.h2("4. Adjustments and clawbacks")
    if statement.adjustment_lines:
        pdf.grid(["Earning code", "Reason", "Deals", f"Amount ({cur})"],
                 [[l.earning_code, l.reason or "", l.deal_ids or "", f.money(l.amount, l.currency)]
                  for l in statement.adjustment_lines],
                 (16, 40, 28, 16), ("LEFT", "LEFT", "LEFT", "RIGHT"))
    else:
        pdf.note("No adjustment or clawback line in the payout file for this period.")
    if statement.clawbacks:
        pdf.note("Credits reversed because the deal was lost, deleted or reduced within the plan's clawback "
                 "window (they are no longer in the credits of their period):")
        pdf.grid(["Deal", "Name", "Reason", "Closed", "Changed", "Window", "Original credit", "Reversed"],
                 [[c.opportunity_id, c.opportunity_name or "", c.reason.replace("_", " "),
                   c.original_close_date.isoformat(), c.change_date.isoformat(),
                   "" if c.window_days is None else str(c.window_days),
                   f.exact(c.original_credit_amount, cur), f.exact(c.reversed_credit_amount, cur)]
                  for c in statement.clawbacks],
                 (16, 22, 9, 10, 10, 7, 13, 13),
                 ("LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"))

    # 5. draws and balance
    pdf.h2("5. Draws and balance")
    b = statement.balance
    if b is not None:
        rows = [["Balance carried in (owed from earlier periods)", f.exact(b.balance_in, cur)],
                ["Earnings this period (all components)", f.exact(b.earnings_amount, cur)]]
        if b.draw_type:
            rows.append([f"Draw guarantee ({b.draw_type.replace('_', '-')})", f.exact(b.draw_guarantee, cur)])
        rows.append(["Draw paid this period", f.exact(b.draw_amount, cur)])
        bold = {len(rows)}
        rows.append(["Payable (never below zero)", f.exact(b.payable_amount, cur)])
        rows.append(["Balance carried out (to recover from later earnings)", f.exact(b.balance_out, cur)])
        pdf.grid(["Item", f"Amount ({cur})"], rows, (70, 30), ("LEFT", "RIGHT"), bold)
    else:
        pdf.note(f"No plan assignment in {h.period}: no draw or balance.")
    if statement.carried_deductions:
        pdf.grid(["Carried to the next period (not paid now: never negative pay)", "Amount"],
                 [[f"{d.earning_code} still owed", f.money(d.amount, d.currency)] for d in statement.carried_deductions],
                 (70, 30), ("LEFT", "RIGHT"))
    if statement.balance_lines:
        pdf.grid(["Payout line", f"Amount ({cur})"],
                 [[l.earning_code, f.money(l.amount, l.currency)] for l in statement.balance_lines],
                 (70, 30), ("LEFT", "RIGHT"))

    # 6. amount to be paid
    pdf.h2("6. Amount to be paid")
    pdf.note(f"The lines of the payout file for {h.period}, exactly as paid (each rounded once to the "
             "currency's minor unit).")
    if statement.paid_lines:
        rows = [[l.earning_code, l.plan_id or "", l.reason or "",
                 f.money(l.amount, l.currency) + ("" if l.currency == cur else f" {l.currency}")]
                for l in statement.paid_lines]
        bold = set()
        for currency, total in statement.totals.items():
            bold.add(len(rows))
            rows.append(["Total to be paid", "", "", f.money(total, currency) + ("" if currency == cur else f" {currency}")])
        pdf.grid(["Earning code", "Plan", "Reason", f"Amount ({cur})"], rows, (20, 22, 38, 20),
                 ("LEFT", "LEFT", "LEFT", "RIGHT"), bold)
    else:
        pdf.note("Nothing is paid for this period (no line in the payout file).")
    pdf.note("Amounts in sections 1-3 and 5 are the warehouse's exact values (up to 10 decimals); each payout "
             "line is rounded once, half away from zero, to the currency's minor unit.")
    return bytes(pdf.output())
