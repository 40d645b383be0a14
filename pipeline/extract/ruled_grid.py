"""Bordered tables read straight from a page's vector rules.

PyMuPDF's `find_tables()` builds a character model of the whole page before it looks at the rules;
on a table page that is ~0.1 s, most of an adoption table's reading time. A table whose every cell
is ruled (what spreadsheets and word processors print) is fully described by its rules, so this
module finds them from `page.get_drawings()` alone. It returns objects shaped like PyMuPDF's
tables (`bbox`, `rows[i].bbox`, `rows[i].cells`, `col_count`), with `None` for the positions a
merged cell covers; callers fall back to `find_tables()` when it finds nothing usable.

Word processors' and spreadsheets' "light" table styles rule only the rows (or shade every other
row and rule nothing). `rows_between_cuts` reads those: the caller supplies the column cuts (from the
header labels and the white space under them) and the rows come from the horizontal rules and the
edges of shaded bands.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass

import pymupdf

SNAP = 1.5  # points: rules this close are one rule
THIN = 2.0  # a filled rectangle thinner than this is a rule
MIN_ROW = 4.0  # a band thinner than this between two rules is a double line, not a row
SPAN = 0.6  # a row rule of a table without column rules runs along most of the table's width


@dataclass
class GridRow:
    bbox: tuple[float, float, float, float]
    cells: list[tuple[float, float, float, float] | None]


@dataclass
class Grid:
    bbox: tuple[float, float, float, float]
    rows: list[GridRow]
    col_count: int


# A page's drawings, read once however many readers ask (get_drawings() walks the whole page).
_DRAWINGS: "weakref.WeakKeyDictionary[pymupdf.Page, list]" = weakref.WeakKeyDictionary()


def page_drawings(page: pymupdf.Page) -> list:
    if page not in _DRAWINGS:
        _DRAWINGS[page] = page.get_drawings()
    return _DRAWINGS[page]


def _segments(page: pymupdf.Page, fills: bool = False):
    """(horizontal, vertical) rules as (position, start, end); with `fills`, the top and bottom edges
    of filled rectangles count as horizontal rules too (shaded header rows and bands)."""
    horizontal, vertical = [], []  # (position, start, end)
    for path in page_drawings(page):
        stroked = path.get("color") is not None
        for item in path["items"]:
            op = item[0]
            if op == "l":
                p, q = item[1], item[2]
                if abs(p.y - q.y) <= SNAP:
                    horizontal.append(((p.y + q.y) / 2, min(p.x, q.x), max(p.x, q.x)))
                elif abs(p.x - q.x) <= SNAP:
                    vertical.append(((p.x + q.x) / 2, min(p.y, q.y), max(p.y, q.y)))
            elif op == "re":
                r = item[1]
                if r.height <= THIN and r.width > THIN:
                    horizontal.append(((r.y0 + r.y1) / 2, r.x0, r.x1))
                elif r.width <= THIN and r.height > THIN:
                    vertical.append(((r.x0 + r.x1) / 2, r.y0, r.y1))
                elif stroked:
                    horizontal += [(r.y0, r.x0, r.x1), (r.y1, r.x0, r.x1)]
                    vertical += [(r.x0, r.y0, r.y1), (r.x1, r.y0, r.y1)]
                elif fills and path.get("fill") is not None:
                    horizontal += [(r.y0, r.x0, r.x1), (r.y1, r.x0, r.x1)]
    return horizontal, vertical


def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= SNAP:
            continue
        out.append(v)
    return out


def _covers(segments, position: float, start: float, end: float) -> bool:
    """Whether some rule at `position` runs along [start, end] (allowing small gaps at the ends)."""
    for pos, s, e in segments:
        if abs(pos - position) <= SNAP and s <= start + SNAP and e >= end - SNAP:
            return True
    return False


def find_ruled_tables(page: pymupdf.Page) -> list[Grid]:
    horizontal, vertical = _segments(page)
    if len(horizontal) < 2 or len(vertical) < 2:
        return []
    ys = _snap([h[0] for h in horizontal])
    xs = _snap([v[0] for v in vertical])
    grids: list[Grid] = []
    current: list[GridRow] = []

    def close():
        if current:
            grids.append(Grid((min(r.bbox[0] for r in current), current[0].bbox[1],
                               max(r.bbox[2] for r in current), current[-1].bbox[3]),
                              list(current), len(current[0].cells)))
        current.clear()

    for top, bottom in zip(ys, ys[1:]):
        if bottom - top < MIN_ROW:
            continue
        walls = [x for x in xs if _covers(vertical, x, top, bottom)]
        if len(walls) < 2:
            close()
            continue
        left, right = walls[0], walls[-1]
        if not (_covers(horizontal, top, left, right) and _covers(horizontal, bottom, left, right)):
            # Not closed above and below: a band between two tables, or rules that are no grid.
            close()
            continue
        columns = [x for x in xs if left - SNAP <= x <= right + SNAP]
        if current and (abs(current[-1].bbox[3] - top) > SNAP or len(columns) - 1 != len(current[0].cells)):
            close()
        cells: list[tuple[float, float, float, float] | None] = []
        open_at = None
        for k, x in enumerate(columns[:-1]):
            if any(abs(x - w) <= SNAP for w in walls):
                if open_at is not None:
                    cells[open_at] = (cells[open_at][0], top, x, bottom)
                open_at = k
                cells.append((x, top, right, bottom))
            else:
                cells.append(None)  # covered by the merged cell to its left
        current.append(GridRow((left, top, right, bottom), cells))
    close()
    return grids


def rows_between_cuts(page: pymupdf.Page, cuts: list[float], top: float,
                      text_top: float | None = None, text_bottom: float | None = None) -> Grid | None:
    """A table whose columns are `cuts` (x positions, left to right) and whose rows are the bands
    between horizontal rules or shading edges that span most of its width, from `top` down.
    `text_top` / `text_bottom`, the head of the table's first and the foot of its last text line, open
    a first row and close a last row that no shading bounds (unshaded bands at the top of a
    continuation page or at the end of the table). None when fewer than two boundaries are found."""
    left, right = cuts[0], cuts[-1]
    width = right - left
    horizontal, _vertical = _segments(page, fills=True)
    spans = [h for h in horizontal
             if h[0] >= top - SNAP and min(h[2], right) - max(h[1], left) >= SPAN * width]
    ys = _snap([h[0] for h in spans])
    ruled = {round(h[0]) for h in _segments(page)[0]}
    # Only a shaded band's edge can have an unshaded row beyond it; text beyond a rule is a running
    # header or a note, not a row.
    if ys and text_bottom is not None and text_bottom > ys[-1] + MIN_ROW and round(ys[-1]) not in ruled:
        ys.append(text_bottom + 1)
    if ys and text_top is not None and text_top < ys[0] - MIN_ROW and round(ys[0]) not in ruled:
        ys.insert(0, text_top - 1)
    ys = [y for a, y in zip([None] + ys, ys) if a is None or y - a >= MIN_ROW]
    if len(ys) < 2:
        return None
    rows = [GridRow((left, a, right, b), [(x0, a, x1, b) for x0, x1 in zip(cuts, cuts[1:])])
            for a, b in zip(ys, ys[1:])]
    return Grid((left, ys[0], right, ys[-1]), rows, len(cuts) - 1)


def has_vertical_rules(page: pymupdf.Page, box: tuple[float, float, float, float]) -> bool:
    """Whether at least two vertical rules stand inside `box` (a grid, not a row-ruled table)."""
    x0, y0, x1, y1 = box
    _horizontal, vertical = _segments(page)
    inside = {round(pos) for pos, s, e in vertical if x0 - SNAP <= pos <= x1 + SNAP and e > y0 and s < y1}
    return len(inside) >= 2


def rule_span_near(page: pymupdf.Page, y0: float, y1: float) -> tuple[float, float] | None:
    """(left, right) of the longest horizontal rule or shading edge between y0 and y1: the table's
    edges, when a header is ruled or shaded but its columns are not."""
    horizontal, _vertical = _segments(page, fills=True)
    near = [h for h in horizontal if y0 <= h[0] <= y1]
    if not near:
        return None
    _pos, left, right = max(near, key=lambda h: h[2] - h[1])
    return left, right
