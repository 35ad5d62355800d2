"""The PDF statement's building blocks print the same bytes as the fpdf2 calls they stand for."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from assets.statements.render_pdf import StatementPdf

NOTE = ("Amounts in sections 1-3 and 5 are the warehouse's exact values (up to 10 decimals); each payout "
        "line is rounded once, half away from zero, to the currency's minor unit.")
TEXTS = [
    "No credited deal closed in 2026-10.",
    NOTE,
    NOTE + " " + NOTE,  # three lines
    "Two  spaces,  kept   as   written, " * 6,
    "A" * 400,  # no space to break at: broken inside the word
]


def _just_fitting(pdf: StatementPdf, extra: int) -> str:
    """The longest run of "x" that fits one line of the current font, with ``extra`` more."""
    text = "x"
    while pdf.text_width(text + "x") < pdf.epw - 2 * pdf.c_margin:
        text += "x"
    return text + "x" * extra


def _pdf(unicode: bool) -> StatementPdf:
    pdf = StatementPdf("Commission statement", "footer", datetime(2026, 11, 5, tzinfo=timezone.utc), unicode)
    pdf.add_page()
    return pdf


@pytest.mark.parametrize("unicode", [False, True])
@pytest.mark.parametrize("start_y", [40.0, 272.0])  # mid-page, and where the text runs onto a new page
def test_a_paragraph_prints_what_multi_cell_prints(unicode, start_y):
    by_multi_cell, by_paragraph = _pdf(unicode), _pdf(unicode)
    for pdf in (by_multi_cell, by_paragraph):
        pdf.set_y(start_y)
    for size, h in ((7.5, 4), (9, 5)):
        for pdf in (by_multi_cell, by_paragraph):
            pdf.set_font(pdf.family, "B" if size == 9 else "", size)
        for text in TEXTS + [_just_fitting(by_paragraph, 0), _just_fitting(by_paragraph, 1)]:
            by_multi_cell.multi_cell(0, h, text, align="L", new_x="LMARGIN", new_y="NEXT")
            by_paragraph.paragraph(h, text)
            by_paragraph.paragraph(h, text)  # the second time from the kept line breaks
            by_multi_cell.multi_cell(0, h, text, align="L", new_x="LMARGIN", new_y="NEXT")
    assert by_paragraph.pages_count == by_multi_cell.pages_count
    assert start_y < 200 or by_paragraph.pages_count > 1
    assert bytes(by_paragraph.output()) == bytes(by_multi_cell.output())


@pytest.mark.parametrize("unicode", [False, True])
def test_text_width_is_fpdfs_string_width(unicode):
    pdf = _pdf(unicode)
    for style, size in (("", 7.5), ("B", 7.5), ("B", 12), ("", 8.5)):
        pdf.set_font(pdf.family, style, size)
        for text in ["", "E00123", "1,234,567.0000000000", "Own credit (own and split)", "Zoë Ångström-Ñúñez", NOTE]:
            assert pdf.text_width(text) == pdf.get_string_width(text), (style, size, text)
