"""Reading rendered statements: the text of the HTML as a reader sees it, the pages of a PDF."""

from __future__ import annotations

import re
import zlib


def visible_text(html: str) -> str:
    """The HTML as a reader sees it: tags dropped, whitespace collapsed."""
    text = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text).replace("&amp;", "&").replace("&#39;", "'")
    return re.sub(r"\s+", " ", text)


def pdf_content(pdf: bytes) -> str:
    """The page content of an fpdf2 PDF: every zlib stream inflated, as Latin-1 text."""
    parts = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        try:
            parts.append(zlib.decompress(match.group(1)).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(parts)


def pdf_text(pdf: bytes) -> str:
    """The text of every page as a reader's PDF tool extracts it (pypdf), pages joined by a form feed."""
    from io import BytesIO

    from pypdf import PdfReader

    return "\f".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def assert_valid_pdf(pdf: bytes) -> int:
    """A well-formed PDF: header, trailer, cross-reference table, at least one page. Returns the page count."""
    assert pdf.startswith(b"%PDF-1.")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"trailer" in pdf
    (offset,) = re.findall(rb"startxref\s+(\d+)\s+%%EOF", pdf)
    assert pdf[int(offset):].startswith(b"xref")  # the cross-reference table is where the trailer says
    (pages,) = [d for d in re.findall(rb"<<([^<>]*)>>", pdf) if re.search(rb"/Type /Pages\b", d)]
    count = re.search(rb"/Count (\d+)", pages).group(1)
    assert int(count) >= 1
    assert len(re.findall(rb"/Type /Page\b", pdf)) == int(count)
    return int(count)
