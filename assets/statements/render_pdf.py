"""The PDF statement (fpdf2, pure Python): the blocks of the statement's layout (layout.py),
the same text as the HTML.

* One font for everyone: DejaVu Sans and DejaVu Sans Bold, the TrueType fonts matplotlib ships
  (a locked dependency), always embedded (as a subset of the characters printed). To keep that
  cheap on every statement of a run, the fonts are first cut once per process to the scripts a
  statement prints (Latin, Greek, Cyrillic, punctuation, currency signs: ``FONT_RANGES``); a
  statement with a character outside them is set from the whole font files.
* Nothing is cut: a text cell wraps at spaces (inside a word when one word is wider than the
  cell); an amount that does not fit its column is set in a smaller size, down to
  ``MIN_NUMBER_SIZE``, and wraps only below that.
* No orphan headings: a heading starts a new page unless it fits with the start of what follows
  it (a table's heading row and first rows, a note).
* Byte-identical on rerun: the creation date is the pay date (midnight UTC), the producer is
  fixed, fpdf2 derives the file id from the content and that date, and the font cut is the same.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import os
import tempfile
from datetime import datetime, time, timezone
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import SubsetMap, TTFFont

from assets.statements.layout import Document, Fields, Heading, Meter, Note, PayBox, Table, Title, statement_document
from assets.statements.statement import Statement

FIXED_DATE = datetime(2000, 1, 1, tzinfo=timezone.utc)
ACCENT = (43, 76, 126)
HEADING_FILL = (238, 242, 248)
SHADE_FILL = (246, 246, 246)
BAR_FILL = (227, 231, 238)
TARGET_MARK = (192, 57, 43)
FAMILY = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# The characters a statement prints, for the font cut every statement embeds from: Latin
# (Basic Latin, Latin-1, Latin Extended-A: the names of Western and Central Europe), the
# spaces, dashes, quotes and signs of the statement's text and of Babel's number and date
# patterns (no-break and narrow no-break spaces, minus sign, per mille), currency signs.
FONT_RANGES = ((0x20, 0x7E), (0xA0, 0x17F), (0x2010, 0x2030), (0x202F, 0x202F), (0x2039, 0x203A),
               (0x20A0, 0x20C0), (0x2116, 0x2116), (0x2122, 0x2122), (0x2190, 0x2193), (0x2212, 0x2212),
               (0x2248, 0x2248), (0x2260, 0x2265), (0x25A0, 0x25A1))
FONT_CUT_VERSION = 2  # change with the cut's options: a new folder, never an older cut
TEXT_SIZE = 7.5
MIN_NUMBER_SIZE = 5.5
LINE_H = 3.6  # mm per line of a table cell at TEXT_SIZE
CELL_PAD = 1.0  # mm left and right in a cell
ROW_PAD = 0.8  # mm above and below the lines of a row
SHORT_TABLE_ROWS = 12  # a table with fewer rows is kept on one page
ORPHAN_ROWS = 3  # a heading stays with the heading row and this many rows of its table

# Line breaks and text widths by font style, size (and width) and text: the same labels and
# amounts recur on every statement. One font family, so the style names the font.
_WRAPS: dict[tuple, tuple[str, ...]] = {}
_WIDTHS: dict[tuple, float] = {}
WRAPS_KEPT = 50_000


def _dejavu_dir() -> Path:
    spec = importlib.util.find_spec("matplotlib")
    folder = (Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
              if spec is not None and spec.submodule_search_locations else None)
    if folder is None or not all((folder / name).exists() for name in FONT_FILES.values()):
        raise RuntimeError("DejaVu Sans (matplotlib's mpl-data/fonts/ttf) is missing: the PDF statements embed it.")
    return folder


@lru_cache(maxsize=1)
def _cut_fonts() -> dict[str, Path]:
    """DejaVu Sans regular and bold cut to FONT_RANGES, once per process, in a folder of the temp
    directory named by the hash of the source fonts, the ranges and FONT_CUT_VERSION (the cut is
    deterministic: the same bytes every time, so processes share it)."""
    from fontTools import subset

    source = _dejavu_dir()
    digest = hashlib.sha256(repr((FONT_CUT_VERSION, FONT_RANGES)).encode())
    for name in FONT_FILES.values():
        digest.update((source / name).read_bytes())
    folder = Path(tempfile.gettempdir()) / f"spm-statement-fonts-{digest.hexdigest()[:16]}"
    folder.mkdir(exist_ok=True)
    paths = {}
    unicodes = [code for lo, hi in FONT_RANGES for code in range(lo, hi + 1)]
    for style, name in FONT_FILES.items():
        target = folder / name
        if not target.exists():
            options = subset.Options()
            # fpdf2 shapes no text (no text_shaping) and drops the layout tables on output anyway
            options.layout_features = []
            options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "hdmx", "FFTM"]
            options.hinting = False  # outlines only: PDF viewers rasterize them without hints
            options.name_IDs = ["*"]
            options.glyph_names = True  # a post table with names: fontTools need not derive them from the cmap
            options.notdef_outline = True
            options.recalc_timestamp = False
            font = subset.load_font(str(source / name), options)
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=unicodes)
            subsetter.subset(font)
            handle, partial = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")  # one per process
            os.close(handle)
            subset.save_font(font, partial, options)
            os.chmod(partial, 0o644)
            os.replace(partial, target)  # atomic: a concurrent process sees the whole file or none
        paths[style] = target
    return paths


FONT_CHARACTERS = frozenset(chr(code) for lo, hi in FONT_RANGES for code in range(lo, hi + 1)) | {"\n"}


def font_files(texts) -> dict[str, Path]:
    """The cut fonts when every character of ``texts`` is in them, else the whole DejaVu files."""
    if set("".join(texts)) <= FONT_CHARACTERS:
        return _cut_fonts()
    source = _dejavu_dir()
    return {style: source / name for style, name in FONT_FILES.items()}


@lru_cache(maxsize=8)
def _font_template(path: Path, style: str) -> tuple[TTFFont, bytes]:
    """fpdf2's font object of ``path``, read once per process (its widths and character map)."""
    holder = FPDF()
    holder.add_font(FAMILY, style, str(path))
    return holder.fonts[f"{FAMILY.lower()}{style}"], path.read_bytes()


def _fresh_font(path: Path, style: str, index: int) -> TTFFont:
    """The font of ``path`` for one document: what ``add_font`` makes, copied from the template
    with the document's own subset and its own
    fontTools font, which fpdf2 cuts to the characters printed when it writes the file. The
    kept glyphs keep their bounding boxes, so fontTools need not recompute them on the way out."""
    template, data = _font_template(path, style)
    font = copy.copy(template)  # widths and glyph ids shared: read only (a width not in the font is its default)
    font.i = index
    font.ttfont = ttLib.TTFont(BytesIO(data), recalcTimestamp=False, lazy=True)
    font.ttfont.recalcBBoxes = False
    font.subset = SubsetMap(font)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    return font


class StatementPdf(FPDF):
    """A4 statement set in DejaVu Sans (embedded)."""

    def __init__(self, title: str, footer_text: str, creation_date: datetime, fonts: dict[str, Path] | None = None):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        fonts = fonts or _cut_fonts()
        for style, path in fonts.items():
            self.fonts[f"{FAMILY.lower()}{style}"] = _fresh_font(Path(path), style, len(self.fonts) + 1)
        self.family = FAMILY
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(True, margin=15)
        self.set_title(title)
        self.set_author("open-spm")
        self.set_creator("open-spm payee statements")
        self.set_producer("open-spm")
        self.set_creation_date(creation_date)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(self.family, "", 7)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.footer_text}  ·  page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)

    def set_font(self, family=None, style="", size=0):
        """fpdf2's ``set_font``, skipped when the font is already the current one (a table sets it
        for every cell it measures)."""
        if (family is not None and family.lower() == self.font_family and style == self.font_style
                and size == self.font_size_pt and self.current_font is not None):
            return  # what fpdf2 does too, after its checks of the arguments
        super().set_font(family, style, size)

    # ---- measuring and wrapping

    def text_width(self, text: str) -> float:
        """``get_string_width(text)`` in the current font, read straight from the font's width table."""
        if self.char_spacing or self.font_stretching != 100 or self.text_shaping:
            return self.get_string_width(text)
        key = (self.font_style, self.font_size_pt, text)
        width = _WIDTHS.get(key)
        if width is None:
            if len(_WIDTHS) >= WRAPS_KEPT:
                _WIDTHS.clear()
            width = _WIDTHS[key] = (
                self.current_font.get_text_width(self.normalize_text(text), self.font_size_pt, None)[1] / self.k)
        return width

    def wrap(self, text: str, width: float) -> tuple[str, ...]:
        """``text`` in lines no wider than ``width`` (mm) in the current font: broken at spaces, and
        inside a word only when the word alone is wider."""
        key = (self.font_style, self.font_size_pt, round(width, 4), text)
        lines = _WRAPS.get(key)
        if lines is not None:
            return lines
        if self.text_width(text) <= width:
            lines = (text,)
        else:
            out: list[str] = []
            current = ""
            for word in text.split(" "):
                candidate = f"{current} {word}" if current else word
                if self.text_width(candidate) <= width:
                    current = candidate
                    continue
                if current:
                    out.append(current)
                while len(word) > 1 and self.text_width(word) > width:
                    cut = len(word) - 1
                    while cut > 1 and self.text_width(word[:cut]) > width:
                        cut -= 1
                    out.append(word[:cut])
                    word = word[cut:]
                current = word
            if current or not out:
                out.append(current)
            lines = tuple(out)
        if len(_WRAPS) >= WRAPS_KEPT:
            _WRAPS.clear()
        _WRAPS[key] = lines
        return lines

    def paragraph(self, h: float, text: str) -> None:
        """``text`` wrapped to the full width, a line of height ``h`` at a time (a new page when the
        next line does not fit)."""
        for line in self.wrap(text, self.epw - 2 * self.c_margin):
            if self.will_page_break(h):
                self.add_page()
            top = self.get_y()
            self.put_line(self.l_margin + self.c_margin, top, self.epw, line, False, h)
            self.set_xy(self.l_margin, top + h)

    def paragraph_height(self, h: float, text: str, size: float, style: str = "") -> float:
        self.set_font(self.family, style, size)
        return h * len(self.wrap(text, self.epw - 2 * self.c_margin))

    # ---- blocks

    def h1(self, text: str) -> None:
        self.set_font(self.family, "B", 15)
        self.paragraph(9, text)

    def heading(self, block: Heading, lead: float) -> None:
        """A section (level 2) or sub-section heading, on a new page unless it fits with ``lead`` mm of
        what follows it."""
        height = self.heading_height(block)
        if self.will_page_break(height + lead):
            self.add_page()
        if block.level == 2:
            self.ln(3)
            self.set_font(self.family, "B", 11)
            self.set_text_color(*ACCENT)
            self.paragraph(7, block.text)
            self.set_draw_color(*ACCENT)
            self.set_line_width(0.5)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.set_line_width(0.2)
            self.set_draw_color(0)
            self.set_text_color(0)
            self.ln(1.5)
        else:
            self.ln(1)
            self.set_font(self.family, "B", 8.5)
            self.paragraph(4.6, block.text)

    def heading_height(self, block: Heading) -> float:
        if block.level == 2:
            return 3 + self.paragraph_height(7, block.text, 11, "B") + 1.5
        return 1 + self.paragraph_height(4.6, block.text, 8.5, "B")

    def note(self, block: Note) -> None:
        if block.kind == "contact":
            self.set_font(self.family, "", 8)
            self.set_draw_color(200)
            top = self.get_y()
            self.ln(1)
            self.set_x(self.l_margin + 1)
            for line in self.wrap(block.text, self.epw - 2 - 2 * self.c_margin):
                self.set_x(self.l_margin + 1)
                self.cell(self.epw - 2, 4.2, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(1)
            self.rect(self.l_margin, top, self.epw, self.get_y() - top)
            self.set_draw_color(0)
            self.ln(1)
            return
        self.set_font(self.family, "", 7.5)
        self.set_text_color(120 if block.kind == "empty" else 90)
        self.paragraph(4, block.text)
        self.set_text_color(0)
        self.ln(0.5)

    def note_height(self, block: Note) -> float:
        return self.paragraph_height(4, block.text, 8 if block.kind == "contact" else 7.5) + 3

    def fields(self, block: Fields) -> None:
        label_w, value_w = 26, self.epw / 2 - 26
        pairs = list(block.pairs)
        for i in range(0, len(pairs), 2):
            top, bottom = self.get_y(), self.get_y()
            for j, (label, value) in enumerate(pairs[i:i + 2]):
                x = self.l_margin + j * (label_w + value_w)
                self.set_font(self.family, "B", 8.5)
                self.put_line(x + self.c_margin, top, label_w, label, False, 4.6)
                self.set_font(self.family, "", 8.5)
                for k, line in enumerate(self.wrap(value, value_w - 2 * self.c_margin)):
                    self.put_line(x + label_w + self.c_margin, top + 4.6 * k, value_w, line, False, 4.6)
                    bottom = max(bottom, top + 4.6 * (k + 1))
            self.set_xy(self.l_margin, bottom)
        self.ln(2)

    def paybox(self, block: PayBox) -> None:
        self.set_fill_color(*HEADING_FILL)
        self.set_font(self.family, "B", 12)
        text = f"{block.label}: " + "; ".join(t for _, _, t in block.items)
        for line in self.wrap(text, self.epw - 6):
            self.set_x(self.l_margin)
            self.cell(0, 8, f"  {line}", fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    # ---- tables

    def _layout_row(self, cells: tuple, widths: list[float], columns, kind: str):
        """The row as spans (text or meter, width, numeric, lines, size) and its height."""
        style = "B" if kind in ("total", "subtotal") else ""
        if kind == "heading":
            cells = (cells[0],)
            widths = [sum(widths)]
            columns = (columns[0],)
        spans: list[list] = []
        for cell, width, column in zip(cells, widths, columns):
            if spans and cell == "" and kind in ("total", "subtotal") and spans[-1][0] != "" and not spans[-1][2]:
                spans[-1][1] += width  # a label spans the empty cells after it
                continue
            spans.append([cell, width, column.numeric])
        laid = []
        height_lines = 1
        for cell, width, numeric in spans:
            inner = width - 2 * CELL_PAD
            size = TEXT_SIZE
            if isinstance(cell, Meter):
                laid.append((cell, width, numeric, (), size, style))
                continue
            self.set_font(self.family, style, size)
            if numeric:
                while self.text_width(cell) > inner and size > MIN_NUMBER_SIZE:
                    size -= 0.5
                    self.set_font(self.family, style, size)
            lines = self.wrap(cell, inner)
            height_lines = max(height_lines, len(lines))
            laid.append((cell, width, numeric, lines, size, style))
        return laid, height_lines * LINE_H + 2 * ROW_PAD

    def _heading_row(self, columns, widths) -> float:
        self.set_font(self.family, "B", TEXT_SIZE)
        lines = max(len(self.wrap(c.title, w - 2 * CELL_PAD)) for c, w in zip(columns, widths))
        return lines * LINE_H + 2 * ROW_PAD

    def put_line(self, x: float, top: float, width: float, text: str, right: bool, h: float = LINE_H) -> None:
        """One line of text in a box of height ``h`` at ``top`` (mm), left- or right-aligned in
        ``width``, where ``cell`` would put it (fpdf2's ``text``: without cell's per-call set-up of
        a styled text line)."""
        if not text:
            return
        left = x + width - self.text_width(text) if right else x
        self.text(left, top + h / 2 + 0.3 * self.font_size, text)

    def _draw_heading_row(self, columns, widths) -> None:
        height = self._heading_row(columns, widths)
        top, x = self.get_y(), self.l_margin
        self.set_fill_color(*HEADING_FILL)
        self.rect(self.l_margin, top, sum(widths), height, style="F")
        self.set_draw_color(200)
        self.line(self.l_margin, top + height, self.l_margin + sum(widths), top + height)
        self.set_font(self.family, "B", TEXT_SIZE)
        for column, width in zip(columns, widths):
            for k, line in enumerate(self.wrap(column.title, width - 2 * CELL_PAD)):
                self.put_line(x + CELL_PAD, top + ROW_PAD + k * LINE_H, width - 2 * CELL_PAD, line, column.numeric)
            x += width
        self.set_xy(self.l_margin, top + height)

    def _draw_row(self, laid, height: float, kind: str) -> None:
        top, x = self.get_y(), self.l_margin
        total_w = sum(span[1] for span in laid)
        if kind in ("heading", "shaded"):
            self.set_fill_color(*SHADE_FILL)
            self.rect(self.l_margin, top, total_w, height, style="F")
        self.set_draw_color(90 if kind in ("total", "subtotal") else 200)
        if kind in ("total", "subtotal"):
            self.set_line_width(0.4 if kind == "total" else 0.2)
            self.line(self.l_margin, top, self.l_margin + total_w, top)
            self.set_line_width(0.2)
        else:
            self.line(self.l_margin, top + height, self.l_margin + total_w, top + height)
        for cell, width, numeric, lines, size, style in laid:
            if isinstance(cell, Meter):
                self._meter(cell, x + CELL_PAD, top + height / 2 - 1.3, width - 2 * CELL_PAD, 2.6)
            else:
                self.set_font(self.family, style, size)
                for k, line in enumerate(lines):
                    self.put_line(x + CELL_PAD, top + ROW_PAD + k * LINE_H, width - 2 * CELL_PAD, line, numeric)
            x += width
        self.set_xy(self.l_margin, top + height)

    def _meter(self, meter: Meter, x: float, y: float, width: float, height: float) -> None:
        self.set_fill_color(*BAR_FILL)
        self.rect(x, y, width, height, style="F")
        if meter.fill > 0:
            self.set_fill_color(*ACCENT)
            self.rect(x, y, float(meter.fill) * width, height, style="F")
        self.set_draw_color(*TARGET_MARK)
        self.set_line_width(0.5)
        mark = x + float(meter.target) * width
        self.line(mark, y - 0.5, mark, y + height + 0.5)
        self.set_line_width(0.2)

    def widths(self, table: Table) -> list[float]:
        scale = self.epw / sum(c.weight for c in table.columns)
        return [c.weight * scale for c in table.columns]

    def table_lead(self, table: Table, rows: int = ORPHAN_ROWS) -> float:
        """The height of the table's heading row and its first ``rows`` rows."""
        widths = self.widths(table)
        height = self._heading_row(table.columns, widths)
        for row in table.rows[:rows]:
            height += self._layout_row(row.cells, widths, table.columns, row.kind)[1]
        return height

    def table(self, table: Table) -> None:
        """Rows that wrap; the heading row repeats on every page the table spans; a short table is
        kept on one page."""
        widths = self.widths(table)
        laid = [self._layout_row(row.cells, widths, table.columns, row.kind) for row in table.rows]
        heading_h = self._heading_row(table.columns, widths)
        if len(laid) < SHORT_TABLE_ROWS and self.will_page_break(heading_h + sum(h for _, h in laid) + 1):
            if heading_h + sum(h for _, h in laid) < self.eph:
                self.add_page()
        elif self.will_page_break(heading_h + sum(h for _, h in laid[:ORPHAN_ROWS])):
            self.add_page()
        self._draw_heading_row(table.columns, widths)
        for (cells, height), row in zip(laid, table.rows):
            if self.will_page_break(height):
                self.add_page()
                self._draw_heading_row(table.columns, widths)
            self._draw_row(cells, height, row.kind)
        self.set_draw_color(0)
        self.ln(1.5)


def _lead(pdf: StatementPdf, blocks: tuple, index: int) -> float:
    """What must fit below the heading at ``index`` for it not to be an orphan: the next block's
    start (a sub-heading with its own lead, a note and the table after it, a table's first rows)."""
    if index + 1 >= len(blocks):
        return 0
    following = blocks[index + 1]
    if isinstance(following, Heading):
        return pdf.heading_height(following) + _lead(pdf, blocks, index + 1)
    if isinstance(following, Note):
        after = blocks[index + 2] if index + 2 < len(blocks) else None
        return pdf.note_height(following) + (pdf.table_lead(after) if isinstance(after, Table) else 0)
    if isinstance(following, Table):
        return pdf.table_lead(following)
    return 10


def render_document(document: Document, creation_date: datetime) -> bytes:
    pdf = StatementPdf(document.title, document.footer, creation_date, font_files(document.texts()))
    pdf.add_page()
    blocks = document.blocks
    for index, block in enumerate(blocks):
        if isinstance(block, Title):
            pdf.h1(block.text)
        elif isinstance(block, Fields):
            pdf.fields(block)
        elif isinstance(block, PayBox):
            pdf.paybox(block)
        elif isinstance(block, Heading):
            pdf.heading(block, _lead(pdf, blocks, index))
        elif isinstance(block, Note):
            pdf.note(block)
        elif isinstance(block, Table):
            pdf.table(block)
    return bytes(pdf.output())


def render_pdf(statement: Statement, document: Document | None = None) -> bytes:
    """The statement as PDF bytes; ``document`` is its layout when already built (the HTML prints the same)."""
    h = statement.header
    if document is None:
        from assets.statements.render_html import file_stem

        document = statement_document(statement, f"{file_stem(h.employee_id)}.csv")
    created = datetime.combine(h.pay_date, time(0), tzinfo=timezone.utc) if h.pay_date else FIXED_DATE
    return render_document(document, created)
