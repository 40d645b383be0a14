"""Small pamphlet- and slide-like PDFs for the extractor tests, drawn with PyMuPDF.

Text is written with MuPDF's bundled CJK font embedded as a TrueType font (not the built-in CID
font), so dashes such as — and － extract as the characters written.
"""
from __future__ import annotations

from pathlib import Path

import pymupdf

A4 = (595.0, 842.0)
SLIDE = (960.0, 540.0)
FONT = "cjk"


class Canvas:
    """A document being drawn: pages of text placed by their top-left corner."""

    def __init__(self) -> None:
        self.doc = pymupdf.open()
        self._buffer = pymupdf.Font("japan").buffer

    def page(self, size: tuple[float, float] = A4) -> pymupdf.Page:
        page = self.doc.new_page(width=size[0], height=size[1])
        page.insert_font(fontname=FONT, fontbuffer=self._buffer)
        return page

    @staticmethod
    def text(page: pymupdf.Page, x: float, top: float, s: str, size: float = 10,
             color: tuple[float, float, float] = (0, 0, 0)) -> None:
        page.insert_text((x, top + size * 0.88), s, fontname=FONT, fontsize=size, color=color)

    def centred_lines(self, page: pymupdf.Page, x: float, top: float, height: float, cell: str,
                      size: float) -> None:
        """A table cell's lines ("\n"-separated), 12 points apart, centred in a row `height` tall."""
        lines = cell.split("\n")
        first = top + (height - 12 * len(lines)) / 2
        for i, line in enumerate(lines):
            self.text(page, x, first + 12 * i, line, size)

    def save(self, path: Path) -> Path:
        self.doc.subset_fonts()
        self.doc.save(path, garbage=3, deflate=True)
        self.doc.close()
        return Path(path)


def make_pamphlet_pdf(path: Path, year_text: str, participants: list[tuple[str, list[str]]],
                      after_lists: list[str], entries: list[dict], details: list[dict],
                      per_page: int = 1000, continued_heading: str | None = None,
                      labels: tuple[str, str] = ("代表事業者", "共同事業者"),
                      list_heading: str = "実施調査事業一覧") -> Path:
    """Cover; a 参加都市 page (country headers, "partner　Japanese" lines, then other headings and
    lines in `after_lists`), running on to further pages after `per_page` lines (under
    `continued_heading` when given); a project list page
    (`entries`: heading, number, title lines, proposer lines); one detail page per two `details`
    (title lines, lead, co lines, body), labelled with `labels`."""
    c = Canvas()
    cover = c.page()
    c.text(cover, 200, 200, year_text, 20)
    c.text(cover, 120, 240, "脱炭素社会実現のための都市間連携事業", 24)

    page = c.page()
    c.text(page, 57, 68, "都市間連携事業の参加都市（2013～2022年度）", 15)
    y, written = 100.0, 0

    def next_line():
        nonlocal page, y, written
        written += 1
        if written > per_page:  # the list runs on at the top of a new page
            page, y, written = c.page(), 80.0, 1
            if continued_heading:
                c.text(page, 57, 68, continued_heading, 15)
                y = 100.0

    for country, lines in participants:
        next_line()
        c.text(page, 57, y, country, 11)
        y += 15
        for line in lines:
            next_line()
            c.text(page, 67, y, line, 10)
            y += 12.5
        y += 6
    for line in after_lists:
        big = not line.startswith(" ")
        c.text(page, 57, y, line.strip(), 11 if big else 10)
        y += 14

    page = c.page()
    c.text(page, 57, 68, f"{year_text} {list_heading}", 15)
    y = 92.0
    for e in entries:
        if e.get("heading"):
            c.text(page, 62, y, e["heading"], 10)
            y += 13
        c.text(page, 68, y, e["number"], 11)
        for i, t in enumerate(e["title"]):
            c.text(page, 99, y + i * 10.5, t, 9.5)
        for i, t in enumerate(e["proposer"]):
            c.text(page, 402, y + i * 9.5, t, 8.5)
        y += max(len(e["title"]) * 10.5, len(e["proposer"]) * 9.5) + 12

    for k in range(0, len(details), 2):
        page = c.page()
        y = 68.0
        for d in details[k:k + 2]:
            for t in d["title"]:
                c.text(page, 57, y, t, 12.5)
                y += 15
            y += 5
            c.text(page, 57, y, f"{labels[0]} | " + d["lead"], 9.5)
            y += 12.5
            for i, t in enumerate(d["co"]):
                c.text(page, 57, y, (f"{labels[1]} | " if i == 0 else "") + t, 9.5)
                y += 12
            y += 14
            for t in d["body"]:
                c.text(page, 57, y, t, 10.5)
                y += 13
            y += 40
    return c.save(path)


def make_slide_pdf(path: Path, slides: list[dict]) -> Path:
    """16:9 slides. Each dict: "title"; "lines" [(x, top, text, size)]; "tables": [{"x", "top",
    "widths": (w1, w2), "country", "rows": [(left, right)]}] drawn as a shaded merged header row
    then bordered rows, cells with "\\n" line breaks."""
    c = Canvas()
    for s in slides:
        page = c.page(SLIDE)
        if s.get("title"):
            c.text(page, 38, 35, s["title"], 26)
        for x, top, text, size in s.get("lines", []):
            c.text(page, x, top, text, size)
        for t in s.get("tables", []):
            _draw_table(c, page, t)
        c.text(page, 911, 513, str(page.number + 1), 11)
    return c.save(path)


def _draw_table(c: Canvas, page: pymupdf.Page, t: dict) -> None:
    x, y = t["x"], t["top"]
    w1, w2 = t["widths"]
    header = pymupdf.Rect(x, y, x + w1 + w2, y + 21)
    page.draw_rect(header, color=(0.5, 0.5, 0.5), fill=(0.12, 0.37, 0.29), width=0.65)
    c.text(page, x + 5, y + 5, t["country"], 12.5, color=(1, 1, 1))
    y = header.y1
    for left, right in t["rows"]:
        n = max(left.count("\n"), right.count("\n")) + 1
        h = 9 + 12 * n
        page.draw_rect(pymupdf.Rect(x, y, x + w1, y + h), color=(0.5, 0.5, 0.5), width=0.65)
        page.draw_rect(pymupdf.Rect(x + w1, y, x + w1 + w2, y + h), color=(0.5, 0.5, 0.5),
                       fill=(0.89, 0.94, 0.85), width=0.65)
        for col_x, cell in ((x + 5, left), (x + w1 + 5, right)):
            c.centred_lines(page, col_x, y, h, cell, 12)
        y += h
