"""Small PDFs for tests, drawn with PyMuPDF: text pages, bordered tables, image-only pages.

Japanese text uses MuPDF's built-in CJK font ("japan"), so no font file is needed.
"""
from __future__ import annotations

from pathlib import Path

import pymupdf

A4 = (595.0, 842.0)
A4_LANDSCAPE = (842.0, 595.0)
SLIDE_16_9 = (960.0, 540.0)
FONT = "japan"


def make_text_pdf(path: Path, pages: list[list[str]], landscape: bool = False,
                  size: tuple[float, float] | None = None, fontsize: float = 11) -> Path:
    """One page per item of `pages`, each a list of lines written top to bottom."""
    width, height = size or (A4_LANDSCAPE if landscape else A4)
    doc = pymupdf.open()
    for lines in pages:
        page = doc.new_page(width=width, height=height)
        y = 50.0
        for line in lines:
            page.insert_text((40, y), line, fontname=FONT, fontsize=fontsize)
            y += fontsize * 1.6
    doc.save(path)
    doc.close()
    return Path(path)


def make_table_pdf(path: Path, title: str | None, header: list[str], rows: list[list[str]],
                   col_widths: list[float] | None = None, rows_per_page: int | None = None,
                   repeat_header: bool = True, size: tuple[float, float] = A4_LANDSCAPE,
                   fontsize: float = 8, footer: str | None = None, borders: str = "grid",
                   header_align: str = "left", valign: str = "top", fontbuffer: bytes | None = None) -> Path:
    """A bordered table: `title` above it on page 1, `header` on top of every page when
    `repeat_header`, each cell a string whose "\\n" are line breaks; rows never split across pages.
    A page ends after `rows_per_page` rows or when the next row would not fit.
    `borders`: "grid" rules every cell; "rows" draws only horizontal rules between rows; "bands" rules
    nothing and shades the header and every other row; "none" draws nothing but the text (columns
    and rows show only in its layout). `header_align` "center" centres the header labels.
    `valign` "middle" centres every body cell's lines vertically in its row. `fontbuffer`: a TrueType
    program to embed and write everything with instead of the built-in font."""
    width, height = size
    fontname = "F1" if fontbuffer else FONT
    embedded = pymupdf.Font(fontbuffer=fontbuffer) if fontbuffer else None

    def text_length(line: str) -> float:
        if embedded:
            return embedded.text_length(line, fontsize=fontsize)
        return pymupdf.get_text_length(line, fontname=FONT, fontsize=fontsize)
    margin = 30.0
    if col_widths is None:
        col_widths = [(width - 2 * margin) / len(header)] * len(header)
    line_height = fontsize * 1.4
    padding = 3.0

    def row_height(cells: list[str]) -> float:
        return max(len(c.split("\n")) for c in cells) * line_height + 2 * padding

    def draw_row(page: pymupdf.Page, y: float, cells: list[str], shade: bool = False, is_header: bool = False) -> float:
        h = row_height(cells)
        x = margin
        if borders == "bands" and shade:
            page.draw_rect(pymupdf.Rect(margin, y, margin + sum(col_widths), y + h), color=None,
                           fill=(0.85, 0.9, 0.95), width=0)
        if borders == "rows":
            for rule_y in (y, y + h):
                page.draw_line((margin, rule_y), (margin + sum(col_widths), rule_y), color=(0, 0, 0), width=0.5)
        for text, w in zip(cells, col_widths):
            if borders == "grid":
                page.draw_rect(pymupdf.Rect(x, y, x + w, y + h), color=(0, 0, 0), width=0.5)
            drop = 0.0
            if valign == "middle" and not is_header:
                drop = (h - 2 * padding - len(text.split("\n")) * line_height) / 2
            for i, line in enumerate(text.split("\n")):
                if line:
                    indent = padding
                    if is_header and header_align == "center":
                        indent = (w - text_length(line)) / 2
                    page.insert_text((x + indent, y + drop + padding + (i + 1) * line_height - fontsize * 0.3),
                                     line, fontname=fontname, fontsize=fontsize)
            x += w
        return y + h

    doc = pymupdf.open()
    pending = list(rows)
    first = True
    while pending or first:
        page = doc.new_page(width=width, height=height)
        if fontbuffer:
            page.insert_font(fontname=fontname, fontbuffer=fontbuffer)
        y = margin
        if first and title:
            page.insert_text((margin, y + 12), title, fontname=fontname, fontsize=12)
            y += 24
        if first or repeat_header:
            y = draw_row(page, y, header, shade=True, is_header=True)
        count = 0
        while pending and (rows_per_page is None or count < rows_per_page):
            if count and y + row_height(pending[0]) > height - margin - 20:
                break
            shade = (len(rows) - len(pending)) % 2 == 1
            y = draw_row(page, y, pending.pop(0), shade=shade)
            count += 1
        if footer:
            text = footer.format(page=page.number + 1)
            page.insert_text((width - margin - 8 * len(text), height - 15), text, fontname=fontname, fontsize=8)
        first = False
    doc.save(path)
    doc.close()
    return Path(path)


def make_image_pdf(path: Path, size: tuple[float, float] = A4_LANDSCAPE) -> Path:
    """A page holding only a picture (no text layer), like a scan."""
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 60, 40), False)
    pix.set_rect(pix.irect, (200, 200, 200))
    doc = pymupdf.open()
    page = doc.new_page(width=size[0], height=size[1])
    page.insert_image(page.rect, pixmap=pix)
    doc.save(path)
    doc.close()
    return Path(path)


def clip_last_drawing(page: pymupdf.Page, rect: tuple[float, float, float, float]) -> None:
    """Put what was last drawn on `page` under a clip path (`re W n`): only what lies inside `rect`
    (x0, y0, x1, y1, top-left origin) shows, as a spreadsheet clips a cell's overflowing text.
    PyMuPDF writes each insert_text / draw_* call as a content stream of its own, "q … Q"."""
    doc = page.parent
    xref = page.get_contents()[-1]
    x0, y0, x1, y1 = rect
    h = page.mediabox.height
    stream = doc.xref_stream(xref)
    assert stream.lstrip().startswith(b"q")
    doc.update_stream(xref, stream.replace(b"q", b"q %g %g %g %g re W n" % (x0, h - y1, x1 - x0, y1 - y0), 1))
