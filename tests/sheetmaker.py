"""事業概要シート for tests, drawn with PyMuPDF: one project per sheet as label | value rows.

Japanese text uses MuPDF's built-in CJK font ("japan"), so no font file is needed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

A4 = (595.0, 842.0)
FONT = "japan"


@dataclass
class Sheet:
    """One sheet: `rows` of (label, value), a value's "\\n" are line breaks; `heading` above it.
    `page_break`: after this many rows the sheet goes on on a new page; `split_lines`: the row at
    `page_break` is cut after this many of its value's lines, its rest printed on the new page
    (under a repeated label when `repeat_label`, else in an unlabelled row)."""

    rows: list[tuple[str, str]]
    heading: str | None = None
    page_break: int | None = None
    split_lines: int | None = None
    repeat_label: bool = False


@dataclass
class Style:
    """How sheets are drawn: `borders` "grid" (every cell ruled), "none" (text only), "shaded" (label
    cells filled, nothing ruled), "rows" (only horizontal rules); `label_valign` "middle" centres a
    label in its row; `label_width` in points; `sheets_per_page` > 1 stacks sheets on one page."""

    borders: str = "grid"
    label_width: float = 110.0
    label_valign: str = "top"
    fontsize: float = 10.0
    sheets_per_page: int = 1
    footer: str | None = None
    extra: list[str] = field(default_factory=list)  # lines printed under the last sheet of a page


def make_sheet_pdf(path: Path, sheets: list[Sheet], style: Style = Style(), size: tuple[float, float] = A4) -> Path:
    width, height = size
    margin = 40.0
    fs = style.fontsize
    line_h = fs * 1.5
    pad = 4.0
    value_width = width - 2 * margin - style.label_width
    doc = pymupdf.open()

    def new_page():
        page = doc.new_page(width=width, height=height)
        if style.footer:
            page.insert_text((width / 2 - 10, height - 20), style.footer.format(page=page.number + 1),
                             fontname=FONT, fontsize=8)
        return page

    def draw_row(page, y: float, label: str, value: str) -> float:
        lines = value.split("\n") if value else [""]
        label_lines = label.split("\n") if label else [""]
        h = max(len(lines), len(label_lines)) * line_h + 2 * pad
        x0, x1, x2 = margin, margin + style.label_width, width - margin
        if style.borders == "grid":
            page.draw_rect(pymupdf.Rect(x0, y, x1, y + h), color=(0, 0, 0), width=0.5)
            page.draw_rect(pymupdf.Rect(x1, y, x2, y + h), color=(0, 0, 0), width=0.5)
        elif style.borders == "shaded":
            page.draw_rect(pymupdf.Rect(x0, y + 1, x1 - 2, y + h - 1), color=None, fill=(0.85, 0.88, 0.95), width=0)
        elif style.borders == "rows":
            for ry in (y, y + h):
                page.draw_line((x0, ry), (x2, ry), color=(0, 0, 0), width=0.5)
        drop = 0.0
        if style.label_valign == "middle":
            drop = (h - 2 * pad - len(label_lines) * line_h) / 2
        for i, ln in enumerate(label_lines):
            if ln:
                page.insert_text((x0 + pad, y + drop + pad + (i + 1) * line_h - fs * 0.35), ln, fontname=FONT, fontsize=fs)
        for i, ln in enumerate(lines):
            if ln:
                page.insert_text((x1 + pad, y + pad + (i + 1) * line_h - fs * 0.35), ln, fontname=FONT, fontsize=fs)
        return y + h

    page = None
    y = margin
    for n, sheet in enumerate(sheets):
        if page is None or n % style.sheets_per_page == 0:
            page = new_page()
            y = margin
        else:
            y += 30
        if sheet.heading:
            page.insert_text((margin, y + 14), sheet.heading, fontname=FONT, fontsize=14)
            y += 30
        for k, (label, value) in enumerate(sheet.rows):
            if sheet.page_break is not None and k == sheet.page_break:
                if sheet.split_lines:
                    lines = value.split("\n")
                    y = draw_row(page, y, label, "\n".join(lines[:sheet.split_lines]))
                    page = new_page()
                    y = margin
                    y = draw_row(page, y, label if sheet.repeat_label else "", "\n".join(lines[sheet.split_lines:]))
                    continue
                page = new_page()
                y = margin
            y = draw_row(page, y, label, value)
        if style.extra and (n + 1) % style.sheets_per_page == 0:
            for ln in style.extra:
                y += 40
                page.insert_text((margin, y), ln, fontname=FONT, fontsize=8)
    doc.save(path)
    doc.close()
    return Path(path)
