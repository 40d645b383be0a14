"""Provenance to the box: where each project field's value is printed on its page.

Runs in the per-document stage, after the extractor, while the PDF is open; it works for every
extractor because it only needs the text each record carries as printed (`title_raw`,
`proposer_raw`, the place names as printed, the fiscal year as the page writes it). That text is
found in the page's characters (the shared text page's, white space ignored) and the box is that of
the characters it covers. A field not found on any of the record's pages gets no box (text the
extractor rebuilt: doubled "bold" characters collapsed, a cell joined across two pages).
"""
from __future__ import annotations

from dataclasses import dataclass

from .records import FieldBox, Parsed, ProjectRecord


@dataclass(frozen=True)
class ProvenanceSettings:
    """How much of a field's printed text is searched."""

    min_chars: int = 2  # shorter text is not searched (a single character is found everywhere)
    max_chars: int = 200  # a longer text (a summary) is found by its beginning


SETTINGS = ProvenanceSettings()

# How a fiscal year is printed: 令和7年度, R7年度, 2025年度, 平成31年度 (the year itself is the value).
_ERAS = {"令和": 2018, "平成": 1988}


def _printed_years(year: int) -> list[str]:
    forms = [f"{year}年度"]
    for era, base in _ERAS.items():
        if year - base >= 1:
            n = year - base
            forms += [f"{era}{n}年度", f"{era}{'元' if n == 1 else n}年度", f"R{n}年度" if era == "令和" else ""]
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


def _page_chars(page) -> tuple[str, list[tuple[float, float, float, float]], frozenset[tuple[int, int]]]:
    """The page's characters without white space, in the text page's order, each one's box, and the
    (start, end) offsets of each printed line in that string; built once per page (kept on the
    document while it is open)."""
    from .pdf import page_text

    cache = getattr(page.parent, "_c2c_page_chars", None)
    if cache is None:
        cache = page.parent._c2c_page_chars = {}
    if page.number not in cache:
        chars, boxes, lines = [], [], set()
        for block in page_text(page, "rawdict")["blocks"]:
            for line in block.get("lines", ()):
                start = len(chars)
                for span in line["spans"]:
                    for ch in span["chars"]:
                        if not ch["c"].isspace():
                            chars.append(ch["c"])
                            boxes.append(ch["bbox"])
                lines.add((start, len(chars)))
        cache[page.number] = ("".join(chars), boxes, frozenset(lines))
    return cache[page.number]


def _find(doc, text: str, pages: list[int], s: ProvenanceSettings) -> tuple[int, list[float]] | None:
    """(page, [x0, y0, x1, y1]) of `text` printed on one of `pages`, or None. White space (line
    breaks included) is ignored on both sides, so a value broken over lines is found whole; when the
    whole is not found (lines the text page orders otherwise), its first line is. Where the text is
    printed several times, the first place where it fills a line of its own is taken, else the first."""
    needles = ["".join((text or "").split())[: s.max_chars]]
    first_line = next((ln for ln in (text or "").splitlines() if ln.strip()), "")
    needles.append("".join(first_line.split()))
    for needle in dict.fromkeys(n for n in needles if len(n) >= s.min_chars):
        for number in pages:
            chars, boxes, lines = _page_chars(doc[number - 1])
            at = chars.find(needle)
            # a value printed alone on its line (a table cell: 対象都市 | ダナン市) wins over the same
            # words inside a longer line (a title naming the city)
            hit = at
            while hit >= 0 and (hit, hit + len(needle)) not in lines:
                hit = chars.find(needle, hit + 1)
            at = hit if hit >= 0 else at
            if at >= 0:
                hit = boxes[at: at + len(needle)]
                box = [min(b[0] for b in hit), min(b[1] for b in hit), max(b[2] for b in hit), max(b[3] for b in hit)]
                return number, [round(v, 2) for v in box]
    return None
