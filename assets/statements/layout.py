"""One layout of a statement, rendered twice: the HTML template and the PDF print the same
blocks (title, fields, headings, notes, tables, attainment meters) in the same order with the
same text, formatted once here in the payee's locale (formatting.Formatter).

A table cell is text, or a ``Meter`` (an attainment bar beside its percentage). Rows have a
kind: ``line``, ``heading`` (a sub-heading across the table: its first cell), ``shaded`` (a line
on a grey ground), ``subtotal`` and ``total``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from assets.statements.explain import explain
from assets.statements.formatting import (
    Formatter,
    basis_label,
    credit_type_label,
    measure_label,
    rule_label,
)
from assets.statements.statement import ComponentSummary, PaidLine, Statement

TENTH = Decimal("1e-10")
METER_FULL_SCALE = Decimal("1.5")  # the bar's full width is 150% of quota; a tick marks 100%


@dataclass(frozen=True)
class Title:
    text: str


@dataclass(frozen=True)
class Fields:
    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PayBox:
    """The amount to be paid, per currency: (currency, exact amount, text)."""

    label: str
    items: tuple[tuple[str, Decimal, str], ...]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2  # 2: a section, 3: a sub-section


@dataclass(frozen=True)
class Note:
    text: str
    kind: str = "note"  # note, empty (nothing to show), contact


@dataclass(frozen=True)
class Meter:
    ratio: Decimal | None
    text: str

    @property
    def fill(self) -> Decimal:
        """The filled share of the bar, 0..1 (full scale METER_FULL_SCALE)."""
        if self.ratio is None or self.ratio <= 0:
            return Decimal(0)
        return min(self.ratio / METER_FULL_SCALE, Decimal(1))

    @property
    def target(self) -> Decimal:
        return 1 / METER_FULL_SCALE


@dataclass(frozen=True)
class Column:
    title: str
    weight: float  # relative width in the PDF
    numeric: bool = False


@dataclass(frozen=True)
class Row:
    cells: tuple  # str or Meter
    kind: str = "line"  # line, heading, shaded, subtotal, total


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Document:
    title: str
    footer: str
    blocks: tuple = field(default_factory=tuple)

    def texts(self):
        """Every text the document prints (the PDF picks its font by them)."""
        yield self.title
        yield self.footer
        for block in self.blocks:
            if isinstance(block, (Title, Heading, Note)):
                yield block.text
            elif isinstance(block, Fields):
                for label, value in block.pairs:
                    yield label
                    yield value
            elif isinstance(block, PayBox):
                yield block.label
                for _, _, text in block.items:
                    yield text
            elif isinstance(block, Table):
                for column in block.columns:
                    yield column.title
                for row in block.rows:
                    for cell in row.cells:
                        yield cell.text if isinstance(cell, Meter) else cell


def _level_label(level: int) -> str:
    return "direct reports" if level == 1 else f"{level} levels below"


def _tiers_in_words(component: ComponentSummary, fmt: Formatter, currency: str) -> str:
    if component.rule_type == "flat_rate" and component.rate is not None:
        return f"{fmt.rate(component.rate)} of credit"
    if not component.tiers:
        return "–"
    parts = []
    for band in component.tiers:
        if band.amount_from is not None or band.rate is not None and band.multiplier is None:
            lo = fmt.amount(band.amount_from or Decimal(0), currency)
            where = (f"credit {lo} to {fmt.amount(band.amount_to, currency)}" if band.amount_to is not None
                     else f"credit above {lo}")
            parts.append(f"{where}: {fmt.rate(band.rate)}")
            continue
        if band.attainment_to is None:
            where = f"{fmt.percent(band.attainment_from or Decimal(0), 0)} of quota and above"
        elif not band.attainment_from:
            where = f"below {fmt.percent(band.attainment_to, 0)} of quota"
        else:
            where = f"{fmt.percent(band.attainment_from, 0)} to {fmt.percent(band.attainment_to, 0)}"
        rate = ""
        if component.bcr is not None and band.multiplier is not None:
            # BCR x multiplier to 10 decimals, the rate fct_commission_detail multiplies the band by
            rate = f" = {fmt.rate((component.bcr * band.multiplier).quantize(TENTH, ROUND_HALF_UP))} of credit"
        parts.append(f"{where}: {fmt.multiplier(band.multiplier)} BCR{rate}")
    return "; ".join(parts)


def _reason(line: PaidLine) -> str:
    """A paid line's reason in words; a manual adjustment that resolves inquiries names them."""
    reason = (line.reason or "").replace(";", "; ").replace("_", " ")
    if line.inquiry_ids:
        reason += f" (inquiry {line.inquiry_ids.replace(';', ', ')})"
    return reason


def statement_document(statement: Statement, csv_name: str) -> Document:
    h = statement.header
    cur = h.currency
    fmt = Formatter(h.locale)
    blocks: list = [Title(f"Commission statement {h.period}")]
    blocks.append(Fields((
        ("Payee", h.full_name), ("Employee id", h.employee_id),
        ("Job title", h.job_title or "–"), ("Cost center", h.cost_center or "–"),
        ("Plan(s)", ", ".join(h.plans) or "–"), ("Currency", cur),
        ("Pay period", h.period), ("Pay date", fmt.date(h.pay_date)),
        ("Calculation id", h.calculation_id or "–"), ("Formats", h.locale),
    )))
    blocks.append(PayBox("Amount to be paid", tuple(
        (c, t, fmt.money(t, c)) for c, t in statement.totals.items())))
    if statement.contact_line:
        blocks.append(Note(statement.contact_line, "contact"))
    blocks.append(Note(f"A question about this statement? Raise an inquiry about pay period {h.period} quoting "
                       f"reference {statement.inquiry_reference}.", "contact"))

    # 1. plan summary
    blocks.append(Heading("1. Your plan"))
    if statement.plan_summaries:
        blocks.append(Table(
            (Column("Plan", 22), Column(f"Target incentive ({cur})", 26, True), Column(f"Annual quota ({cur})", 26, True),
             Column("Components", 26)),
            tuple(Row((p.plan_id, fmt.amount(p.annual_target_incentive, cur), fmt.amount(p.annual_quota, cur),
                       str(len(p.components)))) for p in statement.plan_summaries),
        ))
        rows = []
        for p in statement.plan_summaries:
            for c in p.components:
                rows.append(Row((
                    f"{c.component_name} ({c.earning_code})",
                    f"{rule_label(c.rule_type)}; {measure_label(c.measure)}, {basis_label(c.basis)}",
                    fmt.rate(c.bcr) if c.bcr is not None else "–",
                    _tiers_in_words(c, fmt, cur),
                )))
        blocks.append(Table((Column("Component", 30), Column("Pays on", 24), Column("BCR", 10, True),
                             Column("Rates and tiers", 42)), tuple(rows)))
        blocks.append(Note("BCR (base commission rate) = target incentive ÷ annual quota (× the component's weight): "
                           "what each unit of credit pays at 100% of quota."))
    else:
        blocks.append(Note(f"No plan component in {h.period}.", "empty"))

    # 2. attainment on the measure each component pays on
    blocks.append(Heading("2. Attainment"))
    if statement.measures:
        rows = []
        for m in statement.measures:
            rows.append(Row((f"{measure_label(m.measure).capitalize()} — {m.plan_id}: {', '.join(m.components)}",
                             "", "", "", ""), "heading"))
            labels = (f"Period {h.period}", f"Quarter to date ({m.quarter})", f"Year to date ({m.plan_year})")
            for label, credit, quota, ratio in zip(labels, m.credit, m.quota, m.attainment):
                if m.in_units:
                    rows.append(Row((label, f"{fmt.units(credit)} units", "–", "–", "")))
                else:
                    rows.append(Row((label, fmt.amount(credit, cur), fmt.amount(quota, cur), fmt.percent(ratio),
                                     Meter(ratio, fmt.percent(ratio)))))
        blocks.append(Table((Column("Basis", 30), Column(f"Credit ({cur})", 20, True), Column(f"Quota ({cur})", 20, True),
                             Column("Attainment", 12, True), Column("", 18)), tuple(rows)))
        blocks.append(Note("Attainment = credit ÷ quota on the measure the component pays on (a manager's team "
                           "component: the team's credit). The bar's full width is 150%; the mark is 100%."))
    elif statement.attainment:
        rows = tuple(Row((a.label, fmt.amount(a.credit, cur), fmt.amount(a.quota, cur), fmt.percent(a.attainment),
                          Meter(a.attainment, fmt.percent(a.attainment)))) for a in statement.attainment)
        blocks.append(Table((Column("Own credit", 30), Column(f"Credit ({cur})", 20, True), Column(f"Quota ({cur})", 20, True),
                             Column("Attainment", 12, True), Column("", 18)), rows))
    else:
        blocks.append(Note(f"No quota for {h.period}.", "empty"))

    # 3. credits
    blocks.append(Heading("3. Credits"))
    own = statement.listed_credits
    if own:
        rows = []
        for c in own:
            kind = credit_type_label(c.credit_type, c.split_percentage, fmt)
            if c.credit_status != "current":
                kind += f" ({c.credit_status.replace('_', ' ')})"
            rows.append(Row((c.opportunity_id, c.opportunity_name or "", fmt.date(c.close_date), kind,
                             f"{fmt.amount(c.deal_amount, c.deal_currency)} {c.deal_currency}",
                             fmt.amount(c.credit_amount, cur))))
        rows.append(Row(("Own credit (own and split)", "", "", "", "", fmt.amount(statement.own_credit_total, cur)), "total"))
        blocks.append(Table((Column("Deal", 18), Column("Name", 27), Column("Close date", 12), Column("Credit type", 11),
                             Column("Deal amount", 16, True), Column(f"Credit ({cur})", 16, True)), tuple(rows)))
    elif not statement.team_levels:
        blocks.append(Note(f"No credited deal closed in {h.period}.", "empty"))
    if statement.team_levels:
        blocks.append(Heading("Team credit (roll-up), by level below you", 3))
        rows = []
        for level in statement.team_levels:
            rows.append(Row((f"Level {level.level}: {_level_label(level.level)}", "", "", ""), "heading"))
            for m in level.members:
                rows.append(Row((m.full_name or "–", m.employee_id, fmt.number(Decimal(m.deal_count), 0),
                                 fmt.amount(m.credit_amount, cur))))
            rows.append(Row((f"Sub-total level {level.level}", "", fmt.number(Decimal(level.deal_count), 0),
                             fmt.amount(level.credit_amount, cur)), "subtotal"))
        rows.append(Row(("Team credit (all levels)", "", fmt.number(Decimal(statement.rollup_deal_count), 0),
                         fmt.amount(statement.rollup_credit_total, cur)), "total"))
        blocks.append(Table((Column("Team member", 46), Column("Employee id", 18), Column("Deals", 12, True),
                             Column(f"Credit ({cur})", 24, True)), tuple(rows)))
        blocks.append(Note("Each team member's own and split credit of the period rolls up to every manager above "
                           "them. Deals: a member's deals; a sub-total counts a deal shared by members once. The "
                           "deals are on the member's own statement"
                           + (" and in the appendix." if statement.deal_appendix else ".")))

    # 4. components
    blocks.append(Heading("4. Earnings by component"))
    if not statement.components:
        blocks.append(Note(f"No commission component has earnings or credit in {h.period}.", "empty"))
    for comp in statement.components:
        blocks.append(Heading(f"{comp.component_name or comp.component_id} ({comp.plan_id}, {comp.earning_code}; "
                              f"{rule_label(comp.rule_type)}, {basis_label(comp.basis)})", 3))
        extra = f"; BCR {fmt.rate(comp.bcr)}" if comp.bcr is not None else ""
        if comp.cap_amount is not None:
            extra += f"; cap {fmt.money(comp.cap_amount, cur)}"
        blocks.append(Note(f"Credit this period {fmt.money(comp.credit_amount, cur)} from {comp.deal_count} "
                           f"deal(s){extra}."))
        blocks.append(Table(
            (Column("Line", 32), Column("Calculation", 50), Column(f"Amount ({cur})", 18, True)),
            tuple(Row((r.what, r.calculation, r.amount), {"heading": "shaded"}.get(r.kind, r.kind))
                  for r in explain(comp, cur, fmt)),
        ))

    # 5. adjustments and clawbacks
    blocks.append(Heading("5. Adjustments and clawbacks"))
    if statement.adjustment_lines:
        blocks.append(Table(
            (Column("Earning code", 16), Column("Reason", 40), Column("Deals", 26), Column(f"Amount ({cur})", 18, True)),
            tuple(Row((l.earning_code, _reason(l), (l.deal_ids or "").replace(";", "; "), fmt.money(l.amount, l.currency)))
                  for l in statement.adjustment_lines),
        ))
    else:
        blocks.append(Note("No adjustment or clawback line in the payout file for this period.", "empty"))
    if statement.clawbacks:
        blocks.append(Note("Credits reversed because the deal was lost, deleted or reduced within the plan's "
                           "clawback window (they are no longer in the credits of their period):"))
        blocks.append(Table(
            (Column("Deal", 18), Column("Name", 20), Column("Reason", 9), Column("Closed", 11), Column("Changed", 11),
             Column("Window (days)", 7, True), Column(f"Original credit ({cur})", 12, True),
             Column(f"Reversed ({cur})", 12, True)),
            tuple(Row((c.opportunity_id, c.opportunity_name or "", c.reason.replace("_", " "),
                       fmt.date(c.original_close_date), fmt.date(c.change_date),
                       "" if c.window_days is None else str(c.window_days),
                       fmt.amount(c.original_credit_amount, cur), fmt.amount(c.reversed_credit_amount, cur)))
                  for c in statement.clawbacks),
        ))

    # 6. draws and balances
    blocks.append(Heading("6. Draws, held and carried balances"))
    b = statement.balance
    if b is not None:
        rows = [Row(("Balance carried in (owed from earlier periods)", fmt.amount(b.balance_in, cur))),
                Row(("Earnings this period (all components)", fmt.amount(b.earnings_amount, cur)))]
        if b.draw_type:
            rows.append(Row((f"Draw guarantee ({b.draw_type.replace('_', '-')})", fmt.amount(b.draw_guarantee, cur))))
        rows.append(Row(("Draw paid this period", fmt.amount(b.draw_amount, cur))))
        rows.append(Row(("Payable (never below zero)", fmt.amount(b.payable_amount, cur)), "total"))
        rows.append(Row(("Balance carried out (held: recovered from later earnings)", fmt.amount(b.balance_out, cur))))
        def in_column(amount: Decimal, currency: str) -> str:
            return fmt.amount(amount, currency) + ("" if currency == cur else f" {currency}")

        for d in statement.carried_deductions:
            rows.append(Row((f"{d.earning_code} still owed: not paid now (never negative pay), recovered from the "
                             "next period", in_column(d.amount, d.currency))))
        for line in statement.balance_lines:
            rows.append(Row((f"Payout line {line.earning_code}", in_column(line.amount, line.currency))))
        blocks.append(Table((Column("Item", 72), Column(f"Amount ({cur})", 28, True)), tuple(rows)))
    else:
        blocks.append(Note(f"No plan assignment in {h.period}: no draw or balance.", "empty"))
    if statement.holds:
        blocks.append(Heading("Held until the customer pays the invoice", 3))
        blocks.append(Note("Earned on the deal, paid as COMMISSION_RELEASE in the period the payment lands; "
                           "a written-off or expired share is never paid (docs/payment_workflow.md)."))
        blocks.append(Table(
            (Column("Deal", 18), Column("Name", 18), Column("Earned in", 9), Column(f"Earned ({cur})", 11, True),
             Column(f"Released ({cur})", 11, True), Column(f"Written off ({cur})", 11, True),
             Column(f"Expired ({cur})", 11, True), Column(f"Still held ({cur})", 11, True)),
            tuple(Row((l.opportunity_id, l.opportunity_name or "", l.earned_period,
                       fmt.amount(l.earned_amount, cur), fmt.amount(l.released_amount, cur),
                       fmt.amount(l.written_off_amount, cur), fmt.amount(l.expired_amount, cur),
                       fmt.amount(l.held_amount, cur)))
                  for l in statement.holds),
        ))

    # 7. year to date
    ytd = statement.year_to_date
    if ytd is not None:
        blocks.append(Heading(f"7. Year to date ({ytd.plan_year})"))
        rows = [Row((f"Earned in {ytd.plan_year} through {h.period} (all components)", fmt.money(ytd.earned, cur)))]
        currencies = sorted(set(ytd.paid_before) | set(statement.totals))
        for c in currencies:
            before = ytd.paid_before.get(c, Decimal(0))
            now = statement.totals.get(c, Decimal(0))
            published = (f"published payout files {ytd.published_periods[0]}–{ytd.published_periods[-1]}"
                         if ytd.published_periods else "no payout file of the year published yet")
            rows.append(Row((f"Paid before {h.period} ({published})", fmt.money(before, c))))
            rows.append(Row((f"To be paid with this statement", fmt.money(now, c))))
            rows.append(Row((f"Paid in {ytd.plan_year} including this statement", fmt.money(before + now, c)), "total"))
        blocks.append(Table((Column("Item", 72), Column("Amount", 28, True)), tuple(rows)))
        section = 8
    else:
        section = 7

    # 8. amount to be paid
    blocks.append(Heading(f"{section}. Amount to be paid"))
    blocks.append(Note(f"The lines of the payout file for {h.period}, exactly as paid (each rounded once to the "
                       f"currency's minor unit), paid on {fmt.date(h.pay_date)}."))
    if statement.paid_lines:
        rows = [Row((l.earning_code, l.plan_id or "", _reason(l), fmt.money(l.amount, l.currency)))
                for l in statement.paid_lines]
        for currency, total in statement.totals.items():
            rows.append(Row(("Total to be paid", "", "", fmt.money(total, currency)), "total"))
        blocks.append(Table((Column("Earning code", 18), Column("Plan", 22), Column("Reason", 36),
                             Column("Amount", 24, True)), tuple(rows)))
    else:
        blocks.append(Note("Nothing is paid for this period (no line in the payout file).", "empty"))

    if statement.open_inquiries:
        blocks.append(Heading("Your open inquiries"))
        blocks.append(Table(
            (Column("Inquiry", 18), Column("Pay period", 14), Column("Category", 20), Column("Deal", 20),
             Column("Opened", 16), Column("Days open", 12, True)),
            tuple(Row((i.inquiry_id, i.period, i.category.replace("_", " "), i.opportunity_id or "–",
                       fmt.date(i.opened_on), str(i.age_days))) for i in statement.open_inquiries),
        ))

    if statement.deal_appendix and statement.rollup_credits:
        blocks.append(Heading("Appendix: team deals (roll-up credit)"))
        names = statement.team_member_names
        rows = tuple(Row((str(statement.rollup_levels.get(c.credited_from or "", 1)),
                          f"{names.get(c.credited_from or '') or '–'} ({c.credited_from})", c.opportunity_id,
                          fmt.date(c.close_date), fmt.amount(c.credit_amount, cur)))
                     for c in statement.rollup_credits)
        blocks.append(Table((Column("Level", 7), Column("Team member", 36), Column("Deal", 22),
                             Column("Close date", 15), Column(f"Credit ({cur})", 20, True)), rows))

    blocks.append(Note(f"Amounts are rounded for display to the currency's minor unit; the warehouse's exact values "
                       f"(10 decimals) are in {csv_name} beside this statement, to re-add them. Calculation "
                       f"{h.calculation_id or '–'}."))
    return Document(
        title=f"Commission statement {h.period} – {h.full_name} ({h.employee_id})",
        footer=f"{h.full_name} ({h.employee_id}) · statement {h.period} · {h.calculation_id or ''}",
        blocks=tuple(blocks),
    )
