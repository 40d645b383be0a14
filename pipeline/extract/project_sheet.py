"""事業概要シート: one project per sheet, printed as a table of label | value rows.

A sheet holds rows such as 案件番号 | 3, 事業名 | …, 代表提案者 | …, 国内自治体 | …, 対象国 | …,
対象都市・地域 | …, 対象分野 | …, 事業概要 | …, in any order and with any of the label spellings
`pipeline.vocabulary.HEADER_WORDS` knows (the same words that name an adoption table's columns, read
by `adoption_table.match_header`). Values are parsed as the adoption table parses its cells
(`adoption_table.project_from_cells`), so a sheet's project is stated exactly as a table row states it.

How a page is read (page model, `pipeline/extract/layout.py`; PDF points, origin top-left):
1. Ruled sheets: each ruled table's cells (merged cells with their spans). In a row, a cell standing
   in a label column (one where most filled cells are labels), or a cell naming a role with
   something to its right, is a label; the cells right of it, up to the next label, are its value.
   A label cell merged over several rows takes the values of every row it covers; a row with no
   label (a sheet broken by a page end) continues the value above.
2. Otherwise, by geometry: the labels are the text fragments naming a role that stand in one column
   (left edges aligned), above one another; the values are the fragments right of that column. A
   row begins at its label's top, or at the rule or shading edge just above the label (a label
   centred in a shaded cell), and ends where the next begins; a line of a label column directly
   under a label, completing it, is the label wrapped ("対象都市・" / "地域").
3. Sheets: a label naming a role the sheet already has starts the next sheet (several sheets in one
   PDF, several on a page); on a new page, the label of the value in progress repeated, or value
   lines before any label, continue it (a sheet running onto a second page).

Fiscal year and round come from the sheet's 年度 row, else from the heading printed above it, else
from the document's title. A label that names no role is a `Note` (`unknown_header`); its value is
left out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pymupdf

from normalizers.text import fold, normalize_text, squash
from pipeline import records
from pipeline.extract import layout
from pipeline.extract.adoption_table import (Fragment, cell_texts, clean_cell, find_ruled_tables, header_key,
                                             is_page_number, match_header, page_fragments, project_from_cells,
                                             year_and_round_of_record, year_and_round_stated)
from pipeline.settings import Settings
from pipeline.vocabulary import HEADER_WORDS, ITEM_COLUMN_WORDS, alternation


@dataclass(frozen=True)
class SheetSettings(Settings):
    """Tolerances of the sheet reader (`_em`: in font sizes of the text concerned; otherwise PDF points)."""

    min_labels: int = 3  # labels naming distinct roles, each with a value, that make a page a sheet
    continuing_labels: int = 1  # ... that a page continuing an open sheet needs
    min_label_column_cells: int = 2  # cells naming roles a table column holds at least to be a label column
    label_column_slack: float = 4.0  # labels whose left edges are this close stand in one column
    label_column_share: float = 0.5  # share (0-1) of a table column's filled cells naming roles: a label column
    wrap_gap_em: float = 0.6  # a label-column line at most this far under a label may be its wrapped end
    beside_em: float = 1.5  # a label's value starts at most this far above or below its middle
    value_gap_em: float = 3.0  # white space under a row's last line wider than this ends the sheet's text
    edge_slack: float = 1.0  # text this near a column's or a row's edge is at it
    rule_cover: float = 0.5  # share (0-1) of the label or value column's width a rule spans to bound a row
    same_line_em: float = 0.5  # fragments whose tops are this close are one printed line


SETTINGS = SheetSettings()


@dataclass
class LabelledValue:
    """One label | value row of a page: the role its label names (None: a label naming no role, or a
    value with no label, which continues the value above), the label and value as printed (lines
    joined with "\\n"), its page (1-based) and whether it stands first on its page."""

    role: str | None
    label: str
    value: str
    page: int
    first_on_page: bool = False


@dataclass
class _Sheet:
    pages: list[int]
    heading: str
    cells: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # label keys in order: the last one is in progress
    keys: set[str] = field(default_factory=set)


def extract_project_sheets(doc: pymupdf.Document, settings: SheetSettings = SETTINGS) -> records.Parsed:
    """One project record per sheet of `doc`. The title is the first page's heading (the lines above
    its first label); a document with no label | value rows gets a `no_table` note."""
    parsed = records.Parsed()
    sheets: list[_Sheet] = []
    notes: dict[str, records.Note] = {}
    value_column: tuple[float, float] | None = None  # remembered for a page holding only a value's rest
    first_heading: str | None = None
    cover: list[str] = []  # the text of the pages before the first sheet (a cover's 令和7年度)
    for page in doc:
        heading, rows, value_column = read_page(page, value_column, settings)
        if not sheets and not rows:
            cover.append(layout.page_layout(page).text)
        if first_heading is None and (rows or heading):
            first_heading = heading
        known = next((k for k, r in enumerate(rows) if r.role), None)
        if known and sheets and _key(rows[known]) in sheets[-1].keys:
            # what comes before a label that starts the next sheet is that sheet's: its unlabelled
            # lines are its heading (not the last value's rest), its other labels are its own
            lead, rows = rows[:known], rows[known:]
            heading = normalize_text("\n".join([heading] + [r.value for r in lead if not r.label]))
            sheets.append(_Sheet([page.number + 1], heading))
            rows = [r for r in lead if r.label] + rows
        for row in rows:
            _add(sheets, row, heading, notes)
    parsed.title = first_heading or None
    document = year_and_round_stated(parsed.title)
    if document == (None, None) and cover:
        document = year_and_round_stated("\n".join(cover))
    parsed.notes.extend(notes.values())
    if not sheets:
        parsed.notes.append(records.Note("no_table", None, "", "no label | value rows of a project sheet"))
        return parsed
    for sheet in sheets:
        cells = {role: clean_cell(text) for role, text in sheet.cells.items()}
        if not cells.get("number", "").strip() and (number := _heading_number(sheet.heading)):
            cells["number"] = number  # "案件番号：16" in the sheet's heading, not in a row
        if not any(cells.get(r, "").strip() for r in ("title", "number", "proposer")):
            continue  # a sheet must say which project it is
        year, round_no = year_and_round_of_record(cells, year_and_round_stated(sheet.heading), document)
        parsed.projects.append(project_from_cells(cells, sheet.pages, year, round_no))
    years = {p.fiscal_year for p in parsed.projects if p.fiscal_year is not None}
    parsed.fiscal_year = years.pop() if len(years) == 1 else (None if years else document[0])
    return parsed


# A listing number the heading states after a number label: "案件番号：16", "No.3", "整理番号 第5号".
# (not a telephone or fax number: 電話番号：03-…)
_HEADING_NUMBER = re.compile(rf"(?<!電話)(?<!FAX)(?:{alternation(HEADER_WORDS['number'])})\s*[:：]?\s*"
                             rf"(第?\s*\d{{1,3}}\s*号?)(?![\d\-‐－ー(])")


def _heading_number(heading: str | None) -> str | None:
    """The listing number a sheet's heading states after a number label, as printed; None without one."""
    m = _HEADING_NUMBER.search(fold(heading or ""))
    return m.group(1) if m else None


def _add(sheets: list[_Sheet], row: LabelledValue, heading: str, notes: dict[str, records.Note]) -> None:
    """Put one row into the sheet it belongs to (see the module's step 3)."""
    current = sheets[-1] if sheets else None
    if row.role is None and not row.label:  # a value without a label: the rest of the value above
        if current is not None and current.order and row.value.strip():
            _append(current, current.order[-1], row)
        return
    key = _key(row)
    if current is not None and row.first_on_page and current.order and current.order[-1] == key \
            and row.page not in current.pages:
        _append(current, key, row)  # the label repeated at the top of the next page
        return
    if current is None or key in current.keys:
        current = _Sheet([row.page], heading)
        sheets.append(current)
    current.keys.add(key)
    current.order.append(key)
    if row.role is None:
        if row.value.strip() and row.label not in notes:
            notes[row.label] = records.Note("unknown_header", row.page, normalize_text(row.label),
                                            "sheet label not understood; its value is not extracted")
        return
    _append(current, key, row)


def _key(row: LabelledValue) -> str:
    """What a sheet holds once: the role a label names, else the label itself."""
    return row.role or "?" + header_key(row.label)


def _append(sheet: _Sheet, key: str, row: LabelledValue) -> None:
    if row.page not in sheet.pages:
        sheet.pages.append(row.page)
    if key.startswith("?") or not row.value.strip():
        return
    sheet.cells[key] = (sheet.cells.get(key, "") + "\n" + row.value).strip("\n")


# --- one page --------------------------------------------------------------------------------------

def read_page(page: pymupdf.Page, value_column: tuple[float, float] | None = None,
              settings: SheetSettings = SETTINGS) -> tuple[str, list[LabelledValue], tuple[float, float] | None]:
    """(the heading printed above the page's first label, its label | value rows top to bottom, the
    value column (left, right) to remember for the next page). `value_column`: the column the page
    before printed its values in, when a sheet is open: the page may continue it, with fewer labels
    than a sheet starts with, or with none (the rest of the last value in that column)."""
    page_no = page.number + 1
    least = settings.continuing_labels if value_column is not None else settings.min_labels
    # a number in the top or bottom margin is a page number, except beside its label (案件番号 | 3)
    fragments = [f for f in page_fragments(page) if f.text.strip()]
    rect = page.rect  # (MuPDF works out the page's bounds on every ask)
    folios = [f for f in fragments if is_page_number(f, rect)]
    rows, top, column, pre, lists = _ruled_rows(page, fragments, least, settings)
    if not rows:
        # (what a ruled list of items holds is no sheet by its geometry either)
        free = [f for f in fragments if not any(_inside(f, box) for box in lists)]
        rows, top, column, pre = _rows_by_geometry(page, free, folios, least, settings)
    fragments = [f for f in fragments if not any(f is g for g in folios)]
    if not rows and value_column is not None and not any(match_header(f.text) for f in fragments):
        left, right = value_column
        rest = [f for f in fragments if f.left >= left - settings.edge_slack and _right(f) <= right + settings.edge_slack]
        if rest:
            rows = [LabelledValue(None, "", _join(rest, settings), page_no)]
            top, column = min(f.top for f in rest), value_column
    heading = ""
    if rows:
        above = [f for f in sorted(fragments, key=lambda f: (f.top, f.left)) if _bottom(f) <= top + settings.edge_slack]
        heading = normalize_text("\n".join([f.text for f in above] + pre))
    for i, row in enumerate(rows):
        row.page, row.first_on_page = page_no, i == 0
    return heading, rows, column


def labelled_roles(page: pymupdf.Page, settings: SheetSettings = SETTINGS) -> int:
    """How many distinct roles the page states as label | value rows (0 when it is no sheet): the
    classifier's evidence for a project sheet."""
    _heading, rows, _column = read_page(page, None, settings)
    return len({r.role for r in rows if r.role and r.value.strip()})


def _right(f: Fragment) -> float:
    return max(c[1][2] for c in f.chars)


def _bottom(f: Fragment) -> float:
    return max(c[1][3] for c in f.chars)


def _size(f: Fragment) -> float:
    return max(c[3] for c in f.chars)


def _join(frags: list[Fragment], settings: SheetSettings = SETTINGS) -> str:
    """Fragments as printed lines, top to bottom (fragments on one row joined left to right)."""
    lines = layout.cluster(frags, key=lambda f: f.top, tolerance=lambda f: settings.same_line_em * _size(f))
    return "\n".join("".join(f.text for f in sorted(line, key=lambda f: f.left)).strip() for line in lines)


def _roles_stated(rows: list[LabelledValue]) -> int:
    return len({r.role for r in rows if r.role and r.value.strip()})


# --- ruled sheets --------------------------------------------------------------------------------

def _ruled_rows(page: pymupdf.Page, fragments: list[Fragment], least: int, settings: SheetSettings):
    """Rows of the page's ruled label | value tables (module step 1): (rows, top of the first sheet
    table, its value column, the texts of full-width rows above its first label: a title inside the
    table, the boxes of the ruled tables skipped as lists of items with a header row (`_headed`)),
    or ([], 0, None, [], those boxes) when they state fewer than `least` roles."""
    out: list[LabelledValue] = []
    top, column, pre = 0.0, None, []
    lists: list[tuple[float, float, float, float]] = []
    for grid in find_ruled_tables(page):
        texts = cell_texts(grid, fragments)
        if _headed(texts):
            lists.append(grid.bbox)
            continue  # a header row over the columns: a list of items (a form's 記載項目 | 内容), no sheet
        covered: dict[tuple[int, int], int] = {}  # (row, col) → first row of the merged cell covering it
        for first, after, col in grid.row_spans:
            value = next((texts[r][col] for r in range(first, after) if texts[r][col].strip()), "")
            for r in range(first, after):
                texts[r][col] = value
                covered[(r, col)] = first
        starts = [[j for j, box in enumerate(row.cells) if box is not None] for row in grid.rows]
        label_cols = _label_columns(texts, starts, settings)
        rows: list[LabelledValue] = []
        heading: list[str] = []
        value_lefts: list[float] = []
        for i, row_starts in enumerate(starts):
            current: LabelledValue | None = None
            for k, j in enumerate(row_starts):
                text = texts[i][j]
                box = grid.rows[i].cells[j]
                full_width = len(row_starts) == 1 and box[2] >= grid.bbox[2] - settings.edge_slack
                role = match_header(text) if text.strip() else None
                # a label: in a label column, or naming a role with its value to its right or, alone
                # across the table, below it
                is_label = bool(text.strip()) and (
                    (j in label_cols and not full_width) or (role is not None and (k + 1 < len(row_starts) or full_width)))
                merged_from = covered.get((i, j), i)
                if is_label and k + 1 < len(row_starts) and _labels_its_rows(texts, i, row_starts[k + 1], label_cols):
                    continue  # a group label (実施体制 over 代表提案者 | 共同提案者): its rows' labels say it
                if is_label:
                    current = next((r for r in reversed(rows) if r.label == text), None) if merged_from < i else None
                    if current is None:  # (a label merged over rows takes this row's value too)
                        current = LabelledValue(role, text, "", 0)
                        rows.append(current)
                    continue
                if merged_from < i or not text.strip():
                    continue  # a value merged over rows was read in its first row
                if not rows and full_width:
                    heading.append(text)  # a title row inside the table
                    continue
                if current is None:
                    current = LabelledValue(None, "", "", 0)  # a row continuing the value above
                    rows.append(current)
                current.value = (current.value + "\n" + text).strip("\n")
                value_lefts.append(box[0])
        if rows and (out or _roles_stated(rows) >= least):
            if not out:
                top, pre = grid.bbox[1], heading
                column = (min(value_lefts, default=grid.bbox[0]), grid.bbox[2])
            out.extend(rows)
    if not out:
        return [], 0.0, None, [], lists
    return out, top, column, pre, lists


def _labels_its_rows(texts: list[list[str]], i: int, j: int, label_cols: set[int]) -> bool:
    """Whether cell (i, j), right of a label, is a label itself: in a label column and naming a
    role, so the label left of it groups the rows it spans."""
    text = texts[i][j]
    return j in label_cols and bool(text.strip()) and match_header(text) is not None


def _headed(texts: list[list[str]]) -> bool:
    """Whether a ruled table's first row is a header row: two cells or more, each a column header
    (番号, 内容) or a word for a column of items (記載項目). A sheet's first row is a label and its
    value."""
    heads = [t for t in (texts[0] if texts else []) if t.strip()]
    return len(heads) >= 2 and all(match_header(t) or squash(t) in ITEM_COLUMN_WORDS for t in heads)


def _inside(f: Fragment, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= f.left and _right(f) <= box[2] and box[1] <= f.top and _bottom(f) <= box[3]


def _label_columns(texts: list[list[str]], starts: list[list[int]], settings: SheetSettings) -> set[int]:
    """Columns most of whose filled cells (at least two) name roles: every filled cell there is a label."""
    out = set()
    width = max((len(r) for r in texts), default=0)
    for j in range(width):
        filled = [texts[i][j] for i in range(len(texts)) if j in starts[i] and texts[i][j].strip()]
        named = [t for t in filled if match_header(t) is not None]
        if len(named) >= settings.min_label_column_cells and len(named) >= settings.label_column_share * len(filled):
            out.add(j)
    return out


# --- sheets without rules: by geometry -----------------------------------------------------------

def _rows_by_geometry(page: pymupdf.Page, fragments: list[Fragment], folios: list[Fragment], least: int,
                      settings: SheetSettings):
    """Rows of a label | value layout without ruled cells (module step 2): (rows, top of the first
    row, value column, []), or ([], 0, None, []) when they state fewer than `least` roles. Value
    lines above the first label, starting where the values do, continue the value of the page before."""
    s = settings
    none = ([], 0.0, None, [])
    # a label has its value beside it: text to its right, level with it or a line above or below (a
    # label centred beside a value of several lines); a heading naming a role has none
    def beside(f: Fragment) -> bool:
        return any(g.left > _right(f) and abs((g.top + _bottom(g)) - (f.top + _bottom(f))) / 2 <= s.beside_em * _size(f)
                   for g in fragments)

    candidates = [f for f in fragments if match_header(f.text) is not None and beside(f)]
    columns = layout.cluster(candidates, key=lambda f: f.left, tolerance=s.label_column_slack)
    best = max(columns, key=lambda col: (len({match_header(f.text) for f in col}), -col[0].left), default=[])
    if len({match_header(f.text) for f in best}) < least:
        return none
    column_left = min(f.left for f in best)
    label_right = max(_right(f) for f in best)
    # the label column holds every fragment starting in it left of the values, understood or not
    in_column = sorted((f for f in fragments if abs(f.left - column_left) <= s.label_column_slack
                        and _right(f) <= label_right + s.label_column_slack), key=lambda f: f.top)
    values = [f for f in fragments if f.left >= label_right - s.edge_slack and f not in in_column]
    if not values:
        return none
    value_left, value_right = min(f.left for f in values), max(_right(f) for f in values)
    bounds = _row_bounds(page, [(column_left, label_right), (value_left, value_right)], s)
    labels: list[tuple[Fragment, str]] = []  # (first fragment of the label, label text)
    for f in in_column:
        if labels and not match_header(f.text):
            prev, text = labels[-1]
            last_bottom = max(_bottom(g) for g in in_column if prev.top <= g.top < f.top)
            if f.top - last_bottom <= s.wrap_gap_em * _size(f) and match_header(text + f.text) is not None \
                    and not any(last_bottom - s.edge_slack < y < f.top + s.edge_slack for y in bounds):
                labels[-1] = (prev, text + f.text)
                continue
        if beside(f):  # (a line of the label column with no value beside it is a heading or a note)
            labels.append((f, f.text))
    if not labels:
        return none
    tops = [_row_top(f, bounds, labels[k - 1][0] if k else None, s) for k, (f, _t) in enumerate(labels)]
    rows: list[LabelledValue] = []
    taken: set[int] = set()
    lead = [f for f in values if (f.top + _bottom(f)) / 2 < tops[0] - s.edge_slack and not any(f is g for g in folios)
            and abs(f.left - value_left) <= s.label_column_slack]
    if lead:
        rows.append(LabelledValue(None, "", _join(lead, s), 0))
        taken.update(id(f) for f in lead)
    for k, (f, text) in enumerate(labels):
        top = tops[k]
        if k + 1 < len(tops):
            bottom = tops[k + 1]
        else:  # the last row ends at the next rule under its label, or where its text ends
            below = [y for y in bounds if y > _bottom(f) + s.edge_slack]
            bottom = min(below) if below else page.rect.y1
        mine = [v for v in values if id(v) not in taken and top - s.edge_slack <= (v.top + _bottom(v)) / 2 < bottom]
        mine = _contiguous(mine, f, s)
        taken.update(id(v) for v in mine)
        # a second label | value pair on the row (案件番号 | 5 | 採択年度 | 令和7年度): a fragment naming a
        # role further right than the value column's edge, with its own value beside it
        inner = sorted((v for v in mine if v.left > value_left + s.label_column_slack
                        and match_header(v.text) is not None and beside(v)), key=lambda v: v.left)
        edges = [v.left for v in inner] + [float("inf")]
        rows.append(LabelledValue(match_header(text), text, _join([v for v in mine if v.left < edges[0]], s), 0))
        for k, v in enumerate(inner):
            part = [w for w in mine if _right(v) <= w.left < edges[k + 1]]
            rows.append(LabelledValue(match_header(v.text), v.text, _join(part, s), 0))
    if _roles_stated(rows) < least:
        return none
    return rows, min([tops[0]] + [f.top for f in lead]), (value_left, value_right), []


def _row_bounds(page: pymupdf.Page, columns: list[tuple[float, float]], s: SheetSettings) -> list[float]:
    """y of the horizontal rules and shading edges spanning much of the label or of the value column
    (a shaded label cell bounds its row)."""
    return sorted({round(r.position, 1) for r in layout.ruling_lines(page, fills=True) if r.horizontal and any(
        layout.overlap(r.start, r.end, a, b) >= s.rule_cover * (b - a) for a, b in columns)})


def _row_top(label: Fragment, bounds: list[float], above: Fragment | None, s: SheetSettings) -> float:
    """Where a label's row begins: the lowest rule or shading edge above the label and below the label
    before it (a label centred in its cell), else the label's own top."""
    floor = _bottom(above) if above is not None else float("-inf")
    over = [y for y in bounds if floor - s.edge_slack < y <= label.top + s.edge_slack]
    return max(over) if over else label.top


def _contiguous(values: list[Fragment], label: Fragment, s: SheetSettings) -> list[Fragment]:
    """The value fragments of a row that follow one another from its top: a line further below the
    text above it (or the label) than `value_gap_em` (a footer, a note under the sheet) is not part
    of the value."""
    out: list[Fragment] = []
    bottom = _bottom(label)
    for f in sorted(values, key=lambda f: (f.top, f.left)):
        if f.top - bottom > s.value_gap_em * _size(f):
            break
        out.append(f)
        bottom = max(bottom, _bottom(f))
    return out
