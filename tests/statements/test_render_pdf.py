"""The PDF statement's building blocks: measuring and wrapping text in the one embedded font."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from assets.statements.layout import Column, Document, Heading, Note, Row, Table
from assets.statements.render_pdf import FONT_CHARACTERS, StatementPdf, font_files, render_document
from tests.support.pdf import pdf_text

NOTE = ("Amounts are rounded for display to the currency's minor unit; the warehouse's exact values "
        "(10 decimals) are in E00001.csv beside this statement, to re-add them.")
TEXTS = [
    "No credited deal closed in 2026-10.",
    NOTE,
    NOTE + " " + NOTE,
    "A" * 400,  # no space to break at: broken inside the word
    "Zoë Ångström-Ñúñez Łukasz Żółć",
]
CREATED = datetime(2026, 11, 5, tzinfo=timezone.utc)


def _pdf() -> StatementPdf:
    pdf = StatementPdf("Commission statement", "footer", CREATED)
    pdf.add_page()
    return pdf


@pytest.mark.parametrize("width", [20.0, 60.0, 186.0])
def test_wrapped_lines_fit_and_keep_every_character(width):
    pdf = _pdf()
    pdf.set_font(pdf.family, "", 7.5)
    for text in TEXTS:
        lines = pdf.wrap(text, width)
        assert all(pdf.text_width(line) <= width for line in lines), text
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        if pdf.text_width(text) <= width:
            assert lines == (text,)


def test_text_width_is_fpdfs_string_width():
    pdf = _pdf()
    for style, size in (("", 7.5), ("B", 7.5), ("B", 12), ("", 8.5)):
        pdf.set_font(pdf.family, style, size)
        for text in ["", "E00123", "1.234.567,89 €", "Own credit (own and split)", "Zoë Ångström-Ñúñez", NOTE]:
            assert pdf.text_width(text) == pdf.get_string_width(text), (style, size, text)


def test_the_cut_font_serves_latin_names_and_the_whole_font_the_rest():
    assert set("Łukasz Żółć 1 234,56 € ≥ 100 % – “quoted” ½") <= FONT_CHARACTERS
    assert font_files(["Łukasz"])[""].parent != font_files(["Αλέξανδρος"])[""].parent  # Greek: the whole font


def test_an_amount_too_wide_for_its_column_shrinks_and_a_heading_keeps_its_table():
    wide = "22,041,751,878,334.88"  # 29 mm at 7.5 pt: set at 6 pt in a column of 26 mm, on one line
    table = Table((Column("Name", 86), Column("Amount", 14, True)), tuple(Row((f"row {i}", wide)) for i in range(3)))
    narrow = Table((Column("Name", 92), Column("Amount", 8, True)), (Row(("row", wide)),))  # wraps below 5.5 pt
    document = Document("title", "footer", (Note("x"),) * 60 + (Heading("9. The section"), table, narrow))
    pdf = render_document(document, CREATED)
    pages = pdf_text(pdf).split("\f")
    assert f"row 2 {wide}" in pages[-1] and "…" not in "".join(pages)
    assert wide in pages[-1].split("row 2")[1].replace("\n", "")
    # the heading moved to the page of its table rather than end the page before
    assert "9. The section" in pages[-1]
    for page in pages[:-1]:
        assert "9. The section" not in page
    assert render_document(document, CREATED) == pdf  # the same bytes on rerun
