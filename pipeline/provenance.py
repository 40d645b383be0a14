"""Provenance to the box: where each project field's value is printed on its page.

Runs in the per-document stage, after the extractor, while the PDF is open; it works for every
extractor because it only needs the text each record carries as printed (`title_raw`,
`proposer_raw`, the place names as printed, the fiscal year as the page writes it). Each line of that
text is searched on the record's pages (MuPDF's own search on the shared text page); the lines'
hits, each below the one before, make the field's box. A field whose first line is not found on
any of the record's pages gets no box (the text was rebuilt by the extractor, e.g. joined from a
cell split over two pages).
"""
from __future__ import annotations

from dataclasses import dataclass

from .records import FieldBox, Parsed, ProjectRecord


@dataclass(frozen=True)
class ProvenanceSettings:
    """Tolerances of the line-by-line search, relative to the first line's height."""

    next_line_within: float = 3.0  # a following line starts at most this many line heights below
    min_chars: int = 2  # shorter lines are not searched (a single character is found everywhere)
    max_lines: int = 12  # lines searched per field (a summary's box is that of its first lines)


SETTINGS = ProvenanceSettings()

# How a fiscal year is printed: 令和7年度, R7年度, 2025年度, 平成31年度 (the year itself is the value).
_ERAS = {"令和": 2018, "平成": 1988}


def _printed_years(year: int) -> list[str]:
    forms = [f"{year}年度"]
    for era, base in _ERAS.items():
        if year - base >= 1:
            n = year - base
            forms += [f"{era}{n}年度", f"{era}{'元' if n == 1 else n}年度", f"R{n}年度" if era == "令和" else ""]
    forms += [f.replace("年度", " 年度") for f in forms]  # layouts that space the number off (2022 年度)
    return [f for f in dict.fromkeys(forms) if f]


def locate_fields(doc, parsed: Parsed, settings: ProvenanceSettings = SETTINGS) -> None:
    """Fill `record.boxes` of every project record in `parsed` with the boxes found in `doc`
    (an open PyMuPDF document)."""
    for record in parsed.projects:
        record.boxes = _record_boxes(doc, record, settings)


def _record_boxes(doc, record: ProjectRecord, s: ProvenanceSettings) -> list[FieldBox]:
    pages = [p for p in dict.fromkeys(record.pages) if 1 <= p <= doc.page_count]
    wanted: list[tuple[str, str, list[int]]] = [("title", record.title_raw, pages)]
    if record.proposer_raw:
        wanted.append(("proposer", record.proposer_raw, pages))
    for name, places in (("japan_municipalities", record.japan), ("partner_places", record.partners)):
        for place in places:
            wanted.append((name, place.text, [place.page] if 1 <= place.page <= doc.page_count else pages))
    boxes = []
    for name, text, where in wanted:
        found = _find(doc, text, where, s)
        if found:
            boxes.append(FieldBox(name, found[0], found[1], text))
    if record.fiscal_year is not None:  # on the record's pages, else where the document states it
        for form in _printed_years(record.fiscal_year):
            found = _find(doc, form, pages, s) or _find(doc, form, list(range(1, min(doc.page_count, 2) + 1)), s)
            if found:
                boxes.append(FieldBox("fiscal_year", found[0], found[1], form))
                break
    return boxes


def _find(doc, text: str, pages: list[int], s: ProvenanceSettings) -> tuple[int, list[float]] | None:
    """(page, [x0, y0, x1, y1]) of `text` printed on one of `pages`, lines in order, or None."""
    from .pdf import search_for

    lines = [ln.strip() for ln in (text or "").splitlines() if len(ln.strip()) >= s.min_chars][: s.max_lines]
    if not lines:
        return None
    for number in pages:
        page = doc[number - 1]
        for first in search_for(page, lines[0]):
            box = [first.x0, first.y0, first.x1, first.y1]
            height, bottom = first.height or 1.0, first.y1
            for line in lines[1:]:
                below = [r for r in search_for(page, line) if bottom - height / 2 <= r.y0 <= bottom + s.next_line_within * height]
                if not below:
                    break
                r = min(below, key=lambda r: (r.y0, r.x0))
                box = [min(box[0], r.x0), min(box[1], r.y0), max(box[2], r.x1), max(box[3], r.y1)]
                bottom = r.y1
            return number, [round(v, 2) for v in box]
    return None
