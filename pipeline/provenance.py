"""Provenance to the box: where each project field's value is printed on its page.

Runs in the per-document stage, after the extractor, while the PDF is open; it works for every
extractor because it only needs the text each record carries as printed (`title_raw`,
`proposer_raw`, the place names as printed, `printed` for co-implementers, fields and summary) or a
value whose printed forms are known (a fiscal year as `令和7年度`, a listing number as `No.3` or
`01`, a country by any of its names). That text is searched in the characters of the page model the
extractors read (`pipeline/extract/layout.py`: visible glyphs only, doubled "bold" glyphs once),
folded (NFKC, the radical map, symbol-font bullets as ・) and with white space ignored on both sides,
so a value wrapped over lines is found whole; a value whose lines the reading order does not keep
together (a table cell beside others) is found line by line and gets the box of all its lines.
Where a text is printed more than once on the record's pages, the occurrence nearest the record's
title (the same table row, the same detail section) is taken. A field found nowhere gets no box.

Boxes are in PDF points, origin top-left, as PyMuPDF gives them; one `FieldBox` per field and per
place name, holding the text as printed there (line breaks kept for a multi-line value).
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from normalizers.countries import names_by_code
from normalizers.dates import ERA_OFFSETS
from normalizers.numbers import is_listing_number, listing_number
from normalizers.text import fold

from .records import PRINTED_FIELDS, FieldBox, Parsed, ProjectRecord
from .settings import Settings


@dataclass(frozen=True)
class ProvenanceSettings(Settings):
    """How text is searched and which of several occurrences is taken (distances in PDF points)."""

    min_chars: int = 2  # shorter text is not searched alone (a single character is found everywhere)
    # A country name that is only part of a line (a heading "札幌市ーモンゴル国ウランバートル市", a
    # title) counts as this much farther than a cell holding the name alone.
    partial_line_cost: float = 24.0
    # Lines follow one another (a value wrapped in its cell) when the next starts below the one
    # before at most this many times its height (a paragraph break included; they share some width),
    # or beside it on its row.
    max_line_gap: float = 1.5
    line_overlap: float = 1.0  # points two such lines' boxes may overlap by
    # A candidate on a page holding no occurrence of the record's title counts as this much farther.
    other_page_cost: float = 10_000.0


SETTINGS = ProvenanceSettings()

# How a fiscal year is printed: 令和7年度, R7年度, 2025年度, 平成31年度 (the year itself is the value).
_ERAS = {era: ERA_OFFSETS[era] for era in ("令和", "平成")}
_BULLET_GLYPH = re.compile(r"[\ue000-\uf8ff]")  # a symbol-font bullet, as normalizers.text reads it


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


# --- the page's characters ---------------------------------------------------------------------

@dataclass
class _Page:
    """One page's visible characters, folded, white space dropped, in reading order."""

    number: int  # 1-based
    text: str  # folded characters
    chars: list  # per folded character: the page model's Char it comes from (its box, its text)
    line_of: list[int]  # per folded character: the index of its line
    line_starts: frozenset[int]  # offsets in `text` where a line begins
    line_ends: frozenset[int]  # offsets in `text` just after a line ends
    lines: list[tuple[int, int, str]]  # (start, end, line text as the page model joins it)
    line_boxes: list[tuple[float, float, float, float]]  # per line
    memo: dict = field(default_factory=dict)  # what is searched for every record: numbers, countries, texts


_FOLDED: dict[str, str] = {}


def _fold_char(c: str) -> str:
    out = _FOLDED.get(c)
    if out is None:
        out = _FOLDED[c] = "".join(fold(_BULLET_GLYPH.sub("・", c)).split())
    return out


def _fold(text: str) -> str:
    """`text` folded character by character as the page is (so both sides fold alike)."""
    parts = list(map(_FOLDED.get, text))
    if None in parts:  # characters not met before
        parts = list(map(_fold_char, text))
    return "".join(parts)


def _page(doc, number: int) -> _Page:
    """The page's folded characters (built once per page of the document: `pagememo`)."""
    from .extract.pagememo import per_number

    return per_number(doc, number - 1, "provenance", lambda: _read_page(doc, number))


def _read_page(doc, number: int) -> _Page:
    from .extract.layout import page_layout

    text, chars, line_of, starts, ends, lines, line_boxes = [], [], [], set(), set(), [], []
    folded_of = _FOLDED.get
    for line in page_layout(doc[number - 1]).lines:
        start, n = len(text), len(lines)
        line_chars = line.chars
        printed = list(map(_TEXT, line_chars))  # (map: a page is folded char by char, so in C)
        folded = list(map(folded_of, printed))
        if None in folded:  # a character not met before
            folded = list(map(_fold_char, printed))
        if set(map(len, folded)) == {1}:  # the common case: one folded character each
            text += folded
            chars += line_chars
            line_of += [n] * len(folded)
        else:  # white space (nothing), or several characters (㈱ → (株))
            for ch, f in zip(line_chars, folded):
                text += f
                chars += [ch] * len(f)
                line_of += [n] * len(f)
        if len(text) > start:
            starts.add(start)
            ends.add(len(text))
            lines.append((start, len(text), line.text))
            line_boxes.append((line.x0, line.y0, line.x1, line.y1))
    return _Page(number, "".join(text), chars, line_of, frozenset(starts), frozenset(ends), lines, line_boxes)


# --- candidates and the nearest one ---------------------------------------------------------------

class _Hit(NamedTuple):
    """Where a text is printed. (A named tuple: a page has many, and they are made fast.)"""

    page: int
    bbox: tuple[float, float, float, float]
    whole_line: bool  # begins and ends where lines of the page do
    spans: tuple[tuple[int, int], ...]  # the offsets in the page's `text` it covers
    lines: int = 1  # how many of the page's lines it runs over


_X0, _Y0, _X1, _Y1 = (operator.attrgetter(a) for a in ("x0", "y0", "x1", "y1"))
_TEXT = operator.attrgetter("text")


def _hit(page: _Page, start: int, end: int) -> _Hit:
    hit = page.chars[start:end]
    box = (min(map(_X0, hit)), min(map(_Y0, hit)), max(map(_X1, hit)), max(map(_Y1, hit)))
    return _Hit(page.number, box, start in page.line_starts and end in page.line_ends, ((start, end),),
                page.line_of[end - 1] - page.line_of[start] + 1)


def _printed(doc, hit: _Hit) -> str:
    """The page's characters a hit covers, as printed (white space dropped)."""
    page, out = _page(doc, hit.page), []
    for start, end in hit.spans:
        prev = None
        for c in page.chars[start:end]:
            if c is not prev:
                out.append(c.text)
            prev = c
    return "".join(out)


def _occurrences(page: _Page, needle: str, s: ProvenanceSettings) -> list[_Hit]:
    """Every place `needle` is printed on the page, on one line or on lines that follow one another
    (the next below the one before, or beside it on its row): reading order may put lines of two
    table cells one after the other, and a text running across them is not printed anywhere.
    With the default settings, kept in the page's memo by needle (a document's records look for
    the same years, titles and lines on the same pages): the list is not to be changed."""
    if s is not SETTINGS:
        return _find_occurrences(page, needle, s)
    key = ("occurrences", needle)
    found = page.memo.get(key)
    if found is None:
        found = page.memo[key] = _find_occurrences(page, needle, s)
    return found


def _find_occurrences(page: _Page, needle: str, s: ProvenanceSettings) -> list[_Hit]:
    out, at = [], page.text.find(needle)
    while at >= 0:
        end = at + len(needle)
        if _stacked(page, page.line_of[at], page.line_of[end - 1], s):
            out.append(_hit(page, at, end))
        at = page.text.find(needle, at + 1)
    return out


def _stacked(page: _Page, first: int, last: int, s: ProvenanceSettings) -> bool:
    for k in range(first, last):
        a, b = page.line_boxes[k], page.line_boxes[k + 1]
        beside = b[1] < a[3] and a[1] < b[3] and b[0] >= a[2] - s.line_overlap
        below = 0 <= b[1] - a[3] + s.line_overlap and b[1] - a[3] <= s.max_line_gap * (a[3] - a[1]) \
            and b[0] < a[2] and a[0] < b[2]
        if not (beside or below):
            return False
    return True


def _gap(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, float]:
    """(vertical, horizontal) distance between two boxes; 0 where they overlap."""
    return (max(0.0, a[1] - b[3], b[1] - a[3]), max(0.0, a[0] - b[2], b[0] - a[2]))


def _distance(hit: _Hit, anchors: list[_Hit], s: ProvenanceSettings) -> tuple[float, float]:
    near = [_gap(hit.bbox, a.bbox) for a in anchors if a.page == hit.page]
    if not near:
        return (s.other_page_cost, 0.0)
    return min(near)


def _ranked(hits: list[_Hit], anchors: list[_Hit], s: ProvenanceSettings, partial_cost: float):
    """(distance key, hit) per hit: vertical distance to the nearest anchor (a hit that is only part
    of a line costs `partial_cost` more), horizontal distance, then the order listed (the earlier
    page and reading order)."""
    for order, hit in enumerate(hits):
        v, h = _distance(hit, anchors, s)
        yield (v + (0.0 if hit.whole_line else partial_cost), h, order), hit


def _by_distance(hits: list[_Hit], anchors: list[_Hit], s: ProvenanceSettings, partial_cost: float = 0.0) -> list[_Hit]:
    """The hits, nearest an anchor first (`_ranked`)."""
    return [hit for _key, hit in sorted(_ranked(hits, anchors, s, partial_cost), key=lambda kh: kh[0])]


def _nearest(hits: list[_Hit], anchors: list[_Hit], s: ProvenanceSettings, partial_cost: float = 0.0) -> _Hit | None:
    """The hit nearest an anchor (`_ranked`), None when there is none."""
    return min(_ranked(hits, anchors, s, partial_cost), key=lambda kh: kh[0], default=(None, None))[1]


def _find(doc, text: str, pages: list[int], anchors: list[_Hit], s: ProvenanceSettings) -> _Hit | None:
    """Where `text` is printed on `pages`, nearest an anchor: the whole of it (white space ignored)
    on lines that follow one another on the page, or, for a text of several lines, line by line:
    its first line, each next one nearest the line before and at most `max_line_gap` of that line's
    height below it, with the box of all of them. None when it is not found."""
    needle = _fold(text or "")
    if len(needle) < s.min_chars:
        return None
    hits = [h for n in pages for h in _occurrences(_page(doc, n), needle, s)]
    pieces = [p for p in (_fold(ln) for ln in (text or "").splitlines()) if p]
    if len(pieces) >= 2:
        firsts = [h for n in pages for h in _occurrences(_page(doc, n), pieces[0], s)]
        for first in _by_distance(firsts, anchors, s, s.partial_line_cost):  # the nearest whose lines follow
            found = _chain(_page(doc, first.page), first, pieces[1:], s)
            if found:
                box = tuple(f(b.bbox[i] for b in found) for i, f in enumerate((min, min, max, max)))
                hits.append(_Hit(first.page, box, all(b.whole_line for b in found),
                                 tuple(sp for b in found for sp in b.spans), sum(b.lines for b in found)))
                break
    # A value is not the title's own words (a title naming its city): another occurrence wins.
    outside = [h for h in hits if not _within(h, anchors)]
    return _nearest(outside or hits, anchors, s, s.partial_line_cost)


def _within(hit: _Hit, anchors: list[_Hit]) -> bool:
    """Whether every stretch of `hit` lies inside the characters an anchor on its page covers."""
    spans = [sp for a in anchors if a.page == hit.page for sp in a.spans]
    return bool(spans) and all(any(a <= start and end <= b for a, b in spans) for start, end in hit.spans)


def _chain(page: _Page, first: _Hit, pieces: list[str], s: ProvenanceSettings) -> list[_Hit] | None:
    """`first` and each next piece printed below the one before (at most `max_line_gap` of a line's
    height from it), the nearest; None when a piece is not there."""
    found = [first]
    for piece in pieces:
        prev = found[-1]
        limit = s.max_line_gap * (prev.bbox[3] - prev.bbox[1]) / max(1, prev.lines)
        near = [h for h in _occurrences(page, piece, s)
                if h.bbox[1] > prev.bbox[1] and _gap(h.bbox, prev.bbox)[0] <= limit]
        nxt = _nearest(near, [prev], s)
        if nxt is None:
            return None
        found.append(nxt)
    return found


def _find_number(doc, number: int, pages: list[int], anchors: list[_Hit], s: ProvenanceSettings) -> _Hit | None:
    """A listing number as printed (`3`, `03`, `No.3`, `第3号`, `３`): a line that is the number, or
    the number that begins a line, nearest the anchors."""
    hits = [h for n in pages for h in _numbers(_page(doc, n)).get(number, ())]
    return _nearest(hits, anchors, s)


def _numbers(page: _Page) -> dict[int, list[_Hit]]:
    """The page's listing numbers (a line's first word), by value."""
    found = page.memo.get("numbers")
    if found is None:
        found = page.memo["numbers"] = {}
        for start, end, line in page.lines:
            words = line.split()
            if not words or not is_listing_number(words[0]):
                continue
            width = len(_fold(words[0]))
            found.setdefault(listing_number(words[0]), []).append(_hit(page, start, min(start + width, end)))
    return found


def _find_country(doc, code: str, pages: list[int], anchors: list[_Hit], s: ProvenanceSettings) -> _Hit | None:
    """The country named by any of its names (the longest at a place: モンゴル国 over モンゴル),
    nearest the anchors; a cell holding the name alone before a name inside a longer line."""
    hits = [h for n in pages for h in _countries(_page(doc, n), code, s)]
    return _nearest(hits, anchors, s, s.partial_line_cost)


def _countries(page: _Page, code: str, s: ProvenanceSettings) -> list[_Hit]:
    key = ("country", code)
    if key not in page.memo:
        hits: dict[int, _Hit] = {}
        for name in names_by_code().get(code, []):
            if len(name) >= s.min_chars and not name.isascii():
                for hit in _occurrences(page, name, s):
                    hits.setdefault(hit.spans[0][0], hit)  # the longest name first
        page.memo[key] = [hits[k] for k in sorted(hits)]
    return page.memo[key]


# --- a record's fields -------------------------------------------------------------------------

def _record_boxes(doc, record: ProjectRecord, s: ProvenanceSettings) -> list[FieldBox]:
    pages = [p for p in dict.fromkeys(record.pages) if 1 <= p <= doc.page_count]
    boxes: list[FieldBox] = []

    def keep(name: str, hit: _Hit | None, text: str | None = None) -> _Hit | None:
        if hit is not None:
            boxes.append(FieldBox(name, hit.page, [round(v, 2) for v in hit.bbox], text or _printed(doc, hit)))
        return hit

    # The title anchors the rest: its occurrence on each of the record's pages (a list entry and
    # its detail section), the first of them its box.
    anchors = [h for h in (_find(doc, record.title_raw, [p], [], s) for p in pages) if h]
    if anchors:
        keep("title", anchors[0], record.title_raw)
    if record.proposer_raw:
        keep("proposer", _find(doc, record.proposer_raw, pages, anchors, s), record.proposer_raw)
    for name, places in (("japan_municipalities", record.japan), ("partner_places", record.partners)):
        for place in places:
            where = [place.page] if 1 <= place.page <= doc.page_count else pages
            keep(name, _find(doc, place.text, where, anchors, s), place.text)
    if record.number is not None:
        keep("number", _find_number(doc, record.number, pages, anchors, s))
    for name in PRINTED_FIELDS:
        text = record.printed.get(name)
        hit = _find(doc, text, pages, anchors, s) if text else None
        if hit is not None:
            keep(name, hit, text)
        elif name == "country" and record.country:  # a country the record does not say where it read
            keep(name, _find_country(doc, record.country, pages, anchors, s))
    if record.fiscal_year is not None:  # on the record's pages, else where the document states it
        front = [p for p in range(1, min(doc.page_count, 2) + 1)]
        for form in _printed_years(record.fiscal_year):
            hit = _find(doc, form, pages, anchors, s) or _find(doc, form, front, anchors, s)
            if keep("fiscal_year", hit):  # as the page prints it (full-width digits, 令和 or R)
                break
    return boxes
