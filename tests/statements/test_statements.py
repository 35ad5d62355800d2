"""Payee statements on a small warehouse (tests/support/earnings.py), numbers computed by hand.

Every payee there: TI 12,000, annual quota 120,000 -> BCR 0.1, monthly quota 10,000;
tiers [0, 50%) x0.5, [50%, 100%) x1.0, [100%, open) x1.5.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from assets.payouts.extract import write_extract
from assets.payouts.warehouse import read_period_payouts
from assets.statements.gather import build_statements, read_period_marts
from assets.statements.payout_file import payee_totals, payout_file_path, read_payout_file
from assets.statements.render_html import render_statement
from assets.statements.render_pdf import render_pdf
from assets.statements.writer import MANIFEST, reconcile, render_files, statements_dir, write_set
from core import parallel
from core.parallel import render_processes
from tests.support.earnings import build_earnings_company
from tests.support.pdf import assert_valid_pdf, pdf_text, visible_text
from tests.support.warehouse import shared_warehouse

D = Decimal
CALC = "calc-0123456789abcdef"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    # the earnings company is built once per session with every data test, shared with
    # tests/compensation/test_dbt_earnings.py (read-only)
    return shared_warehouse(tmp_path_factory, build_earnings_company)


def write_payout_file(warehouse: Path, export_dir: Path, period: str) -> Path:
    """The payout extract of ``period`` exactly as the payout_extract asset writes it."""
    lines = read_period_payouts(warehouse, period, CALC).lines
    write_extract(lines, export_dir / "payouts" / period, period, CALC, checks_passed=[])
    return payout_file_path(export_dir, period)


def statements_for(warehouse: Path, tmp: Path, period: str):
    path = write_payout_file(warehouse, tmp, period)
    lines = read_payout_file(path, period)
    return lines, build_statements(period, lines, read_period_marts(warehouse, period))


# ---------------------------------------------------------------- one payee, by hand


@pytest.mark.slow
def test_marginal_tier_statement_shows_the_arithmetic_by_hand(warehouse, tmp_path):
    lines, statements = statements_for(warehouse, tmp_path, "2026-01")
    e101 = next(s for s in statements if s.header.employee_id == "E101")
    # Header: HR and the payout file.
    assert e101.header.full_name == "Payee E101"
    assert e101.header.plans == ("P_MARG",)
    assert e101.header.pay_date == date(2026, 2, 13)  # the 15th is a Sunday: the Friday before (the pay calendar)
    assert e101.header.calculation_id == CALC
    # Credits: deal M1, 12,000 closed 2026-01-10, own.
    assert [(c.opportunity_id, c.close_date, c.credit_type, c.credit_amount) for c in e101.credits] == [
        ("M1", date(2026, 1, 10), "own", D("12000"))
    ]
    # Attainment: 12,000 / 10,000 = 120% in the period, the quarter and the year.
    assert [(a.basis, a.credit, a.quota, a.attainment) for a in e101.attainment] == [
        ("period", D("12000"), D("10000"), D("1.2")),
        ("qtd", D("12000"), D("10000"), D("1.2")),
        ("ytd", D("12000"), D("10000"), D("1.2")),
    ]
    # Bands: 0.1 x 0.5 x 5,000 = 250; 0.1 x 1.0 x 5,000 = 500; 0.1 x 1.5 x 2,000 = 300; total 1,050.
    (component,) = e101.components
    bands = [(l.tier_index, l.amount, l.rate, l.contribution) for l in component.arithmetic if l.detail_type == "band"]
    assert bands == [(1, D("5000"), D("0.05"), D("250")), (2, D("5000"), D("0.1"), D("500")),
                     (3, D("2000"), D("0.15"), D("300"))]
    assert component.commission_amount == component.arithmetic_total == D("1050")
    assert e101.totals == {"USD": D("1050.00")}

    text = visible_text(render_statement(e101))
    assert "Payee E101" in text and "E101" in text and "P_MARG" in text and "Pay date Feb 13, 2026" in text
    assert "M1 Deal M1 Jan 10, 2026 own 12,000.00 USD 12,000.00" in text
    # Plan summary: TI 12,000, quota 120,000, BCR 10%, the tiers in words.
    assert "P_MARG 12,000.00 120,000.00 1" in text
    assert ("10.00% below 50% of quota: 0.5× BCR = 5.00% of credit; 50% to 100%: 1× BCR = 10.00% of credit; "
            "100% of quota and above: 1.5× BCR = 15.00% of credit") in text
    # Attainment on the component's measure (own credit), period, quarter and year to date.
    assert "Period 2026-01 12,000.00 10,000.00 120.0%" in text
    assert "Year to date (2026) 12,000.00 10,000.00 120.0%" in text
    assert "Band 1: 0% – 50% of quota 5,000.00 in band × 5.00% (BCR 10.00% × 0.5×) 250.00" in text
    assert "Band 3: ≥ 100% of quota 2,000.00 in band × 15.00% (BCR 10.00% × 1.5×) 300.00" in text
    assert "Amount to be paid: $1,050.00" in text
    assert "COMMISSION P_MARG $1,050.00" in text
    # Year to date: earned 1,050 in January; nothing published before.
    assert "Earned in 2026 through 2026-01 (all components) $1,050.00" in text
    assert "Paid before 2026-01 (no payout file of the year published yet) $0.00" in text
    assert "Questions about this statement? Ask Sales Compensation within 30 days of the pay date." in text


@pytest.mark.slow
def test_ytd_true_up_shows_previous_month_subtracted_and_the_carried_balance(warehouse, tmp_path):
    _, statements = statements_for(warehouse, tmp_path, "2026-02")
    e103 = next(s for s in statements if s.header.employee_id == "E103")
    # Feb YTD: C 12,000, Q 20,000 (60%): 0.1 x (0.5 x 10,000 + 1.0 x 2,000) = 700;
    # less Jan to date 1,050 (0.1 x (0.5 x 5,000 + 1.0 x 5,000 + 1.5 x 2,000)) -> -350.
    (component,) = e103.components
    current = sum(l.contribution for l in component.arithmetic if l.to_date_of == "current")
    previous = sum(l.contribution for l in component.arithmetic if l.to_date_of == "previous")
    assert (current, previous, component.commission_amount) == (D("700"), D("-1050"), D("-350"))
    # Paid nothing: the COMMISSION true-up of -350 has nothing to be taken from, so it is carried
    # (the file has no 0.00 line); the balance carried out is -350.
    assert [(l.earning_code, l.amount) for l in e103.paid_lines] == []
    assert e103.balance.balance_out == D("-350")
    text = visible_text(render_statement(e103))
    # The previous month's to date, band by band, with a minus sign: -250, -500, -300.
    assert "Less: to date (previous month) credit 12,000.00 of quota 10,000.00 = 120.0%" in text
    assert "Earned to date (this period) credit 12,000.00 of quota 20,000.00 = 60.0%" in text
    for line in ("-250.00", "-500.00", "-300.00", "COMMISSION earned this period sum of the lines above -350.00"):
        assert line in text
    assert "Balance carried out (held: recovered from later earnings) -350.00" in text
    assert "Amount to be paid: $0.00" in text
    # Year to date: 1,050 earned in January, -350 in February.
    assert "Earned in 2026 through 2026-02 (all components) $700.00" in text


@pytest.mark.slow
def test_recoverable_draw_statement(warehouse, tmp_path):
    _, statements = statements_for(warehouse, tmp_path, "2026-01")
    e108 = next(s for s in statements if s.header.employee_id == "E108")
    # Jan: 10% of 3,000 = 300 earned; draw 1,000 tops it up by 700; 700 is owed (balance -700).
    assert [(l.earning_code, l.amount) for l in e108.paid_lines] == [("COMMISSION", D("300.00")), ("DRAW", D("700.00"))]
    assert (e108.balance.draw_type, e108.balance.draw_amount, e108.balance.balance_out) == (
        "recoverable", D("700"), D("-700"))
    text = visible_text(render_statement(e108))
    assert "Draw guarantee (recoverable) 1,000.00" in text and "Draw paid this period 700.00" in text
    assert "Amount to be paid: $1,000.00" in text


# ---------------------------------------------------------------- adjustments and clawbacks


@pytest.mark.slow
def test_adjustment_and_clawback_lines_with_reasons_when_the_file_has_the_columns(warehouse, tmp_path):
    period = "2026-01"
    path = write_payout_file(warehouse, tmp_path, period)
    frame = pl.read_parquet(path)
    extra = pl.DataFrame(
        {
            "period": [period, period], "employee_id": ["E101", "E101"],
            "full_name": ["Payee E101", "Payee E101"], "cost_center": [None, None],
            "earning_code": ["ADJUSTMENT", "CLAWBACK"], "currency": ["USD", "USD"],
            "amount": [D("125.50"), D("-80.25")], "pay_date": [date(2026, 2, 15)] * 2,
            "plan_id": ["P_MARG", "P_MARG"], "calculation_id": [CALC, CALC],
            "reason": ["late deal for 2025-12", "deal lost within the window"], "deal_ids": ["L9", "M0"],
        },
    )
    # The file's own columns keep their types; columns the file lacks are added (schema v1 had no reason).
    for column in ("reason", "deal_ids"):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.Utf8).alias(column))
    extra = extra.cast({c: frame.schema[c] for c in extra.columns})
    frame = pl.concat([frame, extra], how="diagonal")
    frame.write_parquet(path)
    lines = read_payout_file(path, period)
    marts = read_period_marts(warehouse, period)
    # A clawback of deal M0 (12,000 on 2025-12-20, lost 2026-01-05, 90-day window).
    marts.frames["clawbacks"] = pl.DataFrame(
        [{"employee_id": "E101", "opportunity_id": "M0", "reason": "lost", "original_close_date": date(2025, 12, 20),
          "original_period": "2025-12", "change_date": date(2026, 1, 5), "change_period": "2026-01",
          "window_days": 90, "original_credit_amount": D("12000"), "reversed_credit_amount": D("12000")}],
        schema=marts["clawbacks"].schema,
    )
    (e101,) = [s for s in build_statements(period, lines, marts) if s.header.employee_id == "E101"]
    # 1,050.00 + 125.50 - 80.25 = 1,095.25
    assert e101.totals == {"USD": D("1095.25")}
    assert [(l.earning_code, l.reason, l.deal_ids) for l in e101.adjustment_lines] == [
        ("ADJUSTMENT", "late deal for 2025-12", "L9"), ("CLAWBACK", "deal lost within the window", "M0")]
    text = visible_text(render_statement(e101))
    assert "ADJUSTMENT late deal for 2025-12 L9 $125.50" in text
    assert "CLAWBACK deal lost within the window M0 -$80.25" in text
    assert "M0" in text and "lost" in text and "Jan 5, 2026" in text
    assert "Amount to be paid: $1,095.25" in text
    content = pdf_text(render_pdf(e101))
    assert "deal lost within the window" in content and "$1,095.25" in content

    out = tmp_path / "set"
    write_set(out, render_files(period, build_statements(period, lines, marts), CALC))
    assert reconcile(out, payee_totals(lines)).passed


@pytest.mark.slow
def test_payout_file_without_the_optional_columns_reads(warehouse, tmp_path):
    lines = read_payout_file(write_payout_file(warehouse, tmp_path, "2026-01"), "2026-01")
    assert lines and all(l.reason is None and l.deal_ids is None for l in lines)


def test_payout_file_without_a_required_column_names_the_file_and_column(tmp_path):
    path = tmp_path / "payout_2026-01.parquet"
    pl.DataFrame({"employee_id": ["E1"], "earning_code": ["COMMISSION"], "currency": ["USD"]}).write_parquet(path)
    with pytest.raises(ValueError, match=r"payout_2026-01\.parquet: the payout file has no column amount"):
        read_payout_file(path, "2026-01")
    # An amount in binary floating point is refused: money is exact.
    pl.DataFrame({"employee_id": ["E1"], "earning_code": ["COMMISSION"], "currency": ["USD"],
                  "amount": [1.1]}).write_parquet(path)
    with pytest.raises(ValueError, match="expected an exact DECIMAL"):
        read_payout_file(path, "2026-01")


def test_missing_payout_file_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"payout_2026-01\.parquet"):
        read_payout_file(payout_file_path(tmp_path, "2026-01"), "2026-01")


# ---------------------------------------------------------------- the set: totals, atomicity, bytes


@pytest.mark.slow
def test_every_statement_adds_up_to_the_payout_file(warehouse, tmp_path):
    lines, statements = statements_for(warehouse, tmp_path, "2026-02")
    file_totals = payee_totals(lines)
    assert {(s.header.employee_id, c): t for s in statements for c, t in s.totals.items()
            if (s.header.employee_id, c) in file_totals} == file_totals
    assert {e for e, _ in file_totals} <= {s.header.employee_id for s in statements}
    out = statements_dir(tmp_path, "2026-02")
    write_set(out, render_files("2026-02", statements, CALC))
    result = reconcile(out, file_totals)
    assert result.passed and result.statement_count == len(statements)
    manifest = json.loads((out / MANIFEST).read_text())
    # Index: every payee linked, sorted by name; totals per currency = the file's.
    index = (out / "index.html").read_text()
    links = re.findall(r'<tr><td><a href="([^"]+)\.html">', index)
    assert links == sorted(manifest["payees"], key=lambda e: (manifest["payees"][e]["full_name"].casefold(), e))
    file_total = sum((l.amount for l in lines), D(0))
    assert manifest["totals_by_currency"] == {"USD": f"{file_total:f}"}
    assert f'data-currency="USD" data-amount="{file_total:f}"' in index


@pytest.mark.slow
def test_check_fails_on_a_wrong_total_a_missing_statement_or_a_changed_file(warehouse, tmp_path):
    lines, statements = statements_for(warehouse, tmp_path, "2026-01")
    out = tmp_path / "set"
    write_set(out, render_files("2026-01", statements, CALC))
    totals = payee_totals(lines)
    # The payout file says one cent more for E101 than the statement.
    wrong = dict(totals) | {("E101", "USD"): totals[("E101", "USD")] + D("0.01")}
    result = reconcile(out, wrong)
    assert not result.passed and any("E101 USD" in m for m in result.mismatches)
    # A payee in the file without a statement.
    result = reconcile(out, totals | {("E999", "USD"): D("5.00")})
    assert result.missing_statements == ["E999"]
    # An HTML whose printed total was changed after writing.
    page = out / "E101.html"
    page.write_text(page.read_text().replace('data-amount="1050.00"', 'data-amount="1050.01"'))
    result = reconcile(out, totals)
    assert not result.passed and "E101.html" in result.broken_files and result.mismatches


@pytest.mark.slow
def test_rerun_writes_identical_bytes_and_pdfs_are_valid(warehouse, tmp_path, monkeypatch):
    _, statements = statements_for(warehouse, tmp_path, "2026-01")
    first = render_files("2026-01", statements, CALC)
    _, again = statements_for(warehouse, tmp_path / "again", "2026-01")
    second = render_files("2026-01", again, CALC)
    assert first.keys() == second.keys() and all(first[k] == second[k] for k in first)
    # rendered by two worker processes (core/parallel.py, as a run of 64 payees or more is): the same bytes
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setenv("SPM_RENDER_PROCESSES", "2")
    assert render_processes(len(statements)) == 2
    assert render_files("2026-01", statements, CALC) == first
    for name, content in first.items():
        if name.endswith(".pdf"):
            assert_valid_pdf(content)
    # The payee's numbers are on the PDF page, as a PDF reader extracts them.
    content = pdf_text(first["E101.pdf"])
    assert "Amount to be paid: $1,050.00" in content and "M1" in content
    assert "5,000.00 in band" in content
    # Every statement embeds the one font, DejaVu Sans (regular and bold), whatever the names.
    for name, pdf in first.items():
        if name.endswith(".pdf"):
            assert pdf.count(b"/FontFile2") == 2 and b"DejaVuSans" in pdf and b"Helvetica" not in pdf, name
    # A set written twice is byte-identical on disk.
    out = tmp_path / "set"
    write_set(out, first)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    write_set(out, second)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.slow
def test_names_outside_latin1_print_in_an_embedded_font_deterministically(warehouse, tmp_path):
    from dataclasses import replace

    _, statements = statements_for(warehouse, tmp_path, "2026-01")
    e101 = next(s for s in statements if s.header.employee_id == "E101")
    named = replace(e101, header=replace(e101.header, full_name="Łukasz Żółć"))
    pdf = render_pdf(named)
    assert_valid_pdf(pdf)
    assert b"/FontFile2" in pdf and b"DejaVu" in pdf  # TrueType embedded, not Helvetica
    assert render_pdf(named) == pdf
    assert "Łukasz Żółć" in render_statement(named)


@pytest.mark.slow
def test_a_managers_rollup_credit_is_one_row_per_team_member_by_level_with_sub_totals(warehouse, tmp_path):
    from dataclasses import replace

    from assets.statements.statement import CreditLine, TeamMemberCredit

    _, statements = statements_for(warehouse, tmp_path, "2026-01")
    e101 = next(s for s in statements if s.header.employee_id == "E101")

    def rollup(deal: str, member: str, amount: str) -> CreditLine:
        return CreditLine(deal, f"Deal {deal}", date(2026, 1, 20), "rollup", D("100"), member, D(amount), "USD",
                          D(amount), "current")

    # E101 manages R1 directly (deals R1-A 1,000.50 and R1-B 2,000) and, through R1, R2 (R2-A 300.25):
    # level 1: R1, 2 deals, 3,000.50; level 2: R2, 1 deal, 300.25; team credit 3,300.75.
    manager = replace(
        e101,
        credits=e101.credits + (rollup("R2-A", "R2", "300.25"), rollup("R1-B", "R1", "2000"),
                                rollup("R1-A", "R1", "1000.50")),
        team_member_names={"R1": "Rita One", "R2": "Rob Two"},
        rollup_levels={"R1": 1, "R2": 2},
    )
    assert manager.rollup_by_team_member == (
        TeamMemberCredit("R1", "Rita One", 2, D("3000.50"), 1), TeamMemberCredit("R2", "Rob Two", 1, D("300.25"), 2),
    )
    levels = manager.team_levels
    assert [(l.level, l.deal_count, l.credit_amount) for l in levels] == [(1, 2, D("3000.50")), (2, 1, D("300.25"))]
    assert sum(l.credit_amount for l in levels) == manager.rollup_credit_total == D("3300.75")
    assert [c.opportunity_id for c in manager.listed_credits] == ["M1"]
    assert manager.own_credit_total == D("12000")
    text = visible_text(render_statement(manager))
    assert "Level 1: direct reports Rita One R1 2 3,000.50 Sub-total level 1 2 3,000.50" in text
    assert "Level 2: 2 levels below Rob Two R2 1 300.25 Sub-total level 2 1 300.25" in text
    assert "Team credit (all levels) 3 3,300.75" in text and manager.rollup_deal_count == 3
    assert "R1-A" not in text  # the deals are on the team member's statement; no appendix by default
    pdf = pdf_text(render_pdf(manager))
    assert "Rita One R1 2 3,000.50" in pdf and "Sub-total level 2 1 300.25" in pdf and "R1-A" not in pdf

    # statements.yaml deal_appendix.managers: true -> the deals as an appendix, by level and member.
    with_appendix = replace(manager, deal_appendix=True)
    text = visible_text(render_statement(with_appendix))
    assert "Appendix: team deals (roll-up credit)" in text
    assert "1 Rita One (R1) R1-A Jan 20, 2026 1,000.50" in text and "2 Rob Two (R2) R2-A Jan 20, 2026 300.25" in text
    assert "R1-A" in pdf_text(render_pdf(with_appendix))


@pytest.mark.slow
def test_a_failed_write_leaves_the_previous_set_whole(warehouse, tmp_path, monkeypatch):
    _, statements = statements_for(warehouse, tmp_path, "2026-01")
    files = render_files("2026-01", statements, CALC)
    out = tmp_path / "set"
    write_set(out, files)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    import assets.statements.writer as writer

    real_replace = writer.os.replace

    def crash_on_swap(src, dst):
        if Path(src).name.startswith(".set.building-"):
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(writer.os, "replace", crash_on_swap)
    changed = dict(files) | {"index.html": b"half"}
    with pytest.raises(OSError):
        write_set(out, changed)
    monkeypatch.setattr(writer.os, "replace", real_replace)
    # The old set is back in place... or, had the crash come after moving it, still whole beside it.
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not list(tmp_path.glob(".set.building-*"))


# ---------------------------------------------------------------- the Dagster asset and its check


@pytest.mark.slow
def test_asset_writes_the_set_and_the_blocking_check_catches_a_changed_statement(warehouse, tmp_path):
    import dagster as dg

    from assets.statements.assets import payee_statements, statements_match_payout_file
    from core.resources import SpmPathsResource

    export = tmp_path / "exports"
    write_payout_file(warehouse, export, "2026-01")
    (tmp_path / "landing").mkdir()
    (tmp_path / "config").mkdir()
    paths = SpmPathsResource(
        landing_dir=str(tmp_path / "landing"), config_dir=str(tmp_path / "config"),
        warehouse=str(warehouse), raw_dir=str(tmp_path / "raw"), export_dir=str(export),
    )
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [payee_statements, statements_match_payout_file],
            instance=instance,
            resources={"paths": paths},
            run_config={"ops": {"payee_statements": {"config": {"period": "2026-01"}}}},
        )
        assert result.success
        (check,) = result.get_asset_check_evaluations()
        assert check.passed
        assert [spec.blocking for spec in statements_match_payout_file.check_specs] == [True]
        metadata = result.asset_materializations_for_node("payee_statements")[0].metadata
        lines = read_payout_file(payout_file_path(export, "2026-01"), "2026-01")
        # 11 payees have payout lines in January: of the 13 with a commission row, E104 (below its
        # gate) and E106 (bonus not reached) earn 0.00, a line the file leaves out. 15 are on a
        # plan, so 15 statements.
        assert metadata["payees_in_payout_file"].value == len({l.employee_id for l in lines}) == 11
        assert metadata["statement_count"].value == 15
        assert metadata["totals_by_currency"].value == {"USD": f"{sum((l.amount for l in lines), D(0)):f}"}

        # Someone edits a statement after it was written: the check fails and says which.
        page = statements_dir(export, "2026-01") / "E101.html"
        page.write_text(page.read_text().replace('data-amount="1050.00"', 'data-amount="1051.00"'))
        evaluation = statements_match_payout_file(
            dg.build_asset_check_context(instance=instance, resources={"paths": paths})
        )
        assert not evaluation.passed
        assert "E101" in evaluation.description


# ---------------------------------------------------------------- the PDF as a payee reads it


def _paid_section(text: str) -> str:
    """The PDF text of the section "N. Amount to be paid" (the last section but the appendix)."""
    start = max(text.rfind(f"{n}. Amount to be paid") for n in (7, 8))
    assert start >= 0, "no section Amount to be paid"
    end = text.find("Amounts are rounded for display", start)
    return text[start:end]


@pytest.mark.slow
@pytest.mark.parametrize("period", ["2026-01", "2026-02"])
def test_every_money_figure_of_the_pdf_is_the_payout_file_as_the_locale_prints_it(warehouse, tmp_path, period):
    from assets.statements.formatting import Formatter

    lines, statements = statements_for(warehouse, tmp_path, period)
    checked = 0
    for statement in statements:
        fmt = Formatter(statement.header.locale)
        text = pdf_text(render_pdf(statement))
        section = _paid_section(text).replace("\n", " ")
        file_lines = [l for l in lines if l.employee_id == statement.header.employee_id]
        expected = sorted([fmt.money(l.amount, l.currency) for l in file_lines]
                          + [fmt.money(t, c) for c, t in statement.totals.items() if file_lines])
        # every amount printed in the section, with its currency sign, is a payout line or the total
        printed = sorted(re.findall(r"-?\$[0-9,]+\.[0-9]{2}", section))
        assert printed == expected, statement.header.employee_id
        for line in file_lines:
            assert f"{line.earning_code} {line.plan_id} {fmt.money(line.amount, line.currency)}" in section
        for currency, total in statement.totals.items():
            assert f"Amount to be paid: {fmt.money(total, currency)}" in text
        checked += len(file_lines)
    assert checked == len(lines) > 0


@pytest.mark.slow
def test_a_payee_in_germany_reads_german_numbers_dates_and_currency(warehouse, tmp_path):
    from dataclasses import replace

    _, statements = statements_for(warehouse, tmp_path, "2026-01")
    e101 = next(s for s in statements if s.header.employee_id == "E101")
    german = replace(e101, header=replace(e101.header, currency="EUR", country="DE", locale="de_DE"),
                     totals={"EUR": D("1050.00")},
                     paid_lines=tuple(replace(l, currency="EUR") for l in e101.paid_lines))
    html, pdf = render_statement(german), pdf_text(render_pdf(german))
    assert "1.050,00\xa0€" in html and "1.050,00\xa0€" in pdf  # Babel: a no-break space before the sign
    for text in (visible_text(html), re.sub(r"\s+", " ", pdf)):  # whitespace (no-break spaces too) as one space
        assert "Amount to be paid: 1.050,00 €" in text
        assert "Pay date 13. Feb. 2026" in text  # the 15th is a Sunday: the Friday before
        assert "Period 2026-01 12.000,00 10.000,00 120,0 %" in text
        assert "Band 3: ≥ 100 % of quota 2.000,00 in band × 15,00 % (BCR 10,00 % × 1,5×) 300,00" in text


@pytest.mark.slow
def test_nothing_is_cut_long_names_wrap_and_no_heading_ends_a_page(warehouse, tmp_path):
    from dataclasses import replace

    _, statements = statements_for(warehouse, tmp_path, "2026-01")
    e101 = next(s for s in statements if s.header.employee_id == "E101")
    long_name = "Maximiliane Aurelia Wolkenstein-Trostburg von Hohenzollern-Sigmaringen"
    long_deal = "Northwind Traders Internationale Holdinggesellschaft mbH - Existing Business - Upgrade"
    credit = replace(e101.credits[0], opportunity_name=long_deal, credit_amount=D("22041751.8783342820"))
    # 40 deals and the component seven times: the statement runs over several pages
    many = replace(e101, header=replace(e101.header, full_name=long_name),
                   credits=tuple(replace(credit, opportunity_id=f"006DM{i:013d}") for i in range(40)),
                   components=e101.components * 7)
    pdf = render_pdf(many)
    pages = pdf_text(pdf).split("\f")
    assert len(pages) >= 3
    text = " ".join(pages).replace("\n", " ")
    assert "…" not in text and "..." not in text
    assert "22,041,751.88" in text and "006DM0000000000039" in text
    for word in (long_name + " " + long_deal).split():
        assert word in text
    assert f"Payee {long_name.split()[0]}" in text
    headings = {"1. Your plan", "2. Attainment", "3. Credits", "4. Earnings by component",
                "5. Adjustments and clawbacks", "6. Draws, held and carried balances", "7. Year to date (2026)",
                "8. Amount to be paid"} | {f"{c.component_name or c.component_id} (" for c in many.components}
    for number, page in enumerate(pages[:-1], start=1):
        body = [l for l in page.splitlines() if l.strip() and " · page " not in l]
        last = body[-1]
        assert not any(last.startswith(h) for h in headings), f"page {number} ends with the heading {last!r}"
