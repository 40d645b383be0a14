"""採択案件一覧: a bordered table of adopted projects, one row per project, spanning pages.

How it reads a table:
1. Each page's grid (rows × columns of cell boxes) comes from the first reader that finds a usable
   table: the page model's ruled cells (`layout.table_cells`, a merged cell's value carried to
   every row it spans; a merge the page's end cuts carries on into the empty cell at the top of
   the next page's table); rows ruled or shaded but
   columns not (word processors, spreadsheet table styles): columns cut in the white space under the
   header labels (centred or left-aligned), rows from the rules and band edges; then PyMuPDF's
   line-based table finder with the layout model switched off (`use_layout=False`, ~7× faster);
   last, for a table with no rules and no shading at all, the same header-label columns with rows
   read from the text (a new row at each number alone in the 番号 column, else at wider white space).
2. Text comes from the page model's visible characters (`layout`), each placed in the cell holding
   its centre. The table finder's own cell text re-sorts characters by height, which scrambles Japanese
   lines whose glyph boxes differ (punctuation), so it is not used.
3. The header row is found by its words and each column mapped to a role through synonyms, then
   fuzzy matching, because the Ministry renames and reorders columns between years. A header that
   maps to no role becomes a `Note` for the review table; the column is left out of the records.
4. Header rows repeated on later pages are dropped; a row with an empty 番号 continues the row above.
   Rows take the year and round of the heading above their own table ("【2次公募】"), then the title's.
"""
from __future__ import annotations

import bisect
import functools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import pymupdf
from rapidfuzz import fuzz

from normalizers.countries import country_code, split_country
from normalizers.dates import fiscal_year_from_text, fiscal_years_in_text, round_from_text, year_and_round_of_cell
from normalizers.numbers import is_listing_number, listing_number
from normalizers.orgs import normalize_org, split_orgs
from normalizers.text import (fold, join_lines, normalize_bullets, normalize_punctuation, normalize_text,
                              strip_spaces_cjk)
from pipeline import records
from pipeline.extract import layout, pagememo
from pipeline.extract.textlines import pair_cell
from pipeline.pdf import page_text
from pipeline.settings import Settings
from pipeline.vocabulary import FOREIGN_SUFFIXES, HEADER_WORDS, JAPAN_SUFFIXES, alternation

# Column roles and the header words that name them (the shared vocabulary). Longer, more specific
# words first does not matter: an exact match beats containment, and among containments the longest
# synonym wins.
COLUMN_SYNONYMS = HEADER_WORDS


@dataclass(frozen=True)
class TableSettings(Settings):
    """Tolerances of the adoption-table reader (`_em`: in font sizes; otherwise PDF points unless said)."""

    max_header_chars: int = 16  # a header is a short label; a long cell holding a header word is body text
    fuzzy_min: int = 75  # rapidfuzz ratio (0-100) for a header matching no synonym exactly or by containment
    fragment_gap_em: float = 0.6  # white space this wide parts two cells' texts on one row
    max_row_gap_em: float = 4.0  # white space between rows of a table without rules; more ends it
    row_gap_excess_em: float = 0.25  # by which the space between rows exceeds that between a cell's lines
    min_column_gap: float = 1.0  # points of white space that can separate two columns
    header_row: float = 3.0  # points: header labels whose tops are this close are one row
    text_block_gap_em: float = 2.5  # a line further below the table's text than this is a footer or note
    page_margin: float = 0.08  # share of the page height at top and bottom where page numbers stand
    same_line_em: float = 0.5  # fragments whose baselines are this close are one printed line
    row_rule_span: float = 0.6  # share of the table's width a row rule of a table without column rules spans
    snap: float = 1.5  # points: rules this close are one rule
    min_row: float = 4.0  # points: a band thinner than this between two rules is a double line
    edge_slack: float = 1.0  # points: text or a rule this near an edge (a header's top, a column's side) is at it
    glyph_slack: float = 0.5  # points: a glyph may overlap a band or cross a column cut this much
    column_pad: float = 2.0  # points: a column without a rule starts this far left of its text
    row_pad: float = 1.0  # points: an unruled first or last row reaches this far beyond its text
    min_header_labels: int = 3  # labels a header row holds at least (fewer when the row has fewer cells)
    min_header_cells: int = 2  # filled cells a header row holds at least
    header_search_rows: int = 5  # rows from the top of a grid where its header row is looked for
    min_contained_synonym: int = 2  # characters: shorter synonyms (国) match a header only exactly
    min_grid_vrules: int = 2  # vertical rules inside a table that make it a grid, not a row-ruled table
    column_type_share: float = 0.8  # share (0-1) of a column's filled cells that must be of one type to type it
    column_type_min_cells: int = 2  # fewer filled cells than this tell nothing about a column's type

    @classmethod
    def from_mapping(cls, values) -> "TableSettings":
        """Same as `from_dict`: unknown keys raise ValueError naming them."""
        return cls.from_dict(values)


SETTINGS = TableSettings()
BULLETS = "・•●○◆◇■□▪-－"
_PAGE_NUMBER = re.compile(r"^\s*[-‐]?\s*\d+\s*(/\s*\d+)?\s*[-‐]?\s*$")
_HEADER_PUNCT = re.compile(r"[\s・･/／()（）「」【】\[\]:：.．,，、]+")


@dataclass
class _Row:
    page: int
    cells: list[str]  # one string per column, lines joined with "\n"
    section: tuple[int | None, int | None] = (None, None)  # (fiscal year, round) its page heading states


@dataclass
class _Record:
    """A table row being assembled, possibly over continuation rows."""

    pages: list[int]
    cells: dict[str, str] = field(default_factory=dict)
    section: tuple[int | None, int | None] = (None, None)


def extract_adoption_table(doc: pymupdf.Document) -> records.Parsed:
    parsed = records.Parsed()
    mapping: dict[int, str] | None = None  # column index → role, from the last header seen
    ncols: int | None = None  # column count of the table the header came from
    columns: list[float] | None = None  # column cuts of the last header printed without column rules
    noted: set[str] = set()
    title_lines: list[str] | None = None
    rows: list[_Row] = []
    section: tuple[int | None, int | None] = (None, None)
    carried: dict[int, str] = {}  # column → value of a merged cell the last page's end cut
    for page in doc:
        page_no = page.number + 1
        lines = page_fragments(page)
        grids, columns = _page_grids(page, lines, ncols, columns, mapping)
        if not grids:
            carried = {}
            continue
        rect = page.rect  # (MuPDF works out the page's bounds on every ask)
        for g, grid in enumerate(grids):
            # One document may hold the tables of several calls, each under its own heading
            # ("2次公募 採択案件", "【2次公募】" between two tables of a page): rows take the year and
            # round of the last heading that states them.
            heading = _heading(lines, rect, grids[g - 1].bottom if g else None, grid.top)
            if g == 0 and title_lines is None:
                title_lines = heading
            stated = normalize_text("\n".join(heading))
            if fiscal_years_in_text(stated) or round_from_text(stated):
                section = year_and_round_stated(stated)
            header_rows: list[str] | None = None  # the header read so far: it may take two rows
            resume = carried if g == 0 else {}
            for k, cells in enumerate([*grid.texts, None]):
                if cells is not None and (_map_header(cells) is not None or (
                        header_rows is not None and _continues_header(header_rows, cells))):
                    header_rows = cells if header_rows is None else _stack_header(header_rows, cells)
                    continue
                if header_rows is not None:
                    header = _map_header(header_rows)
                    mapping, ncols = header.mapping, len(header_rows)
                    for note in header.notes:
                        if note.text not in noted:
                            noted.add(note.text)
                            note.page = page_no
                            parsed.notes.append(note)
                    header_rows = None
                if cells is None:
                    break
                if mapping is None:
                    # rows above the first header: a merged title row inside the grid
                    title_lines.extend(c for c in cells if c.strip())
                    continue
                if len(cells) == ncols:  # another table (a legend, notes) is not a project row
                    if resume:  # the first body row: where a merge the last page's end cut goes on
                        _resume_merges(grid, k, resume, mapping)
                        resume = {}
                    rows.append(_Row(page_no, cells, section))
            last = grid.texts[-1] if grid.texts else []
            carried = {col: last[col] for col in grid.open_below if last[col].strip()} if len(last) == ncols else {}

    parsed.title = normalize_text("\n".join(title_lines or [])) or None
    parsed.fiscal_year, round_no = year_and_round_stated(parsed.title)
    if parsed.fiscal_year is None and doc.page_count:
        # the year may sit in a heading or note away from the table (a cover page, a subtitle)
        first_page = normalize_text(page_text(doc[0]))
        parsed.fiscal_year, round_on_page = year_and_round_stated(first_page)
        round_no = round_no or round_on_page
    if mapping is None:
        parsed.notes.append(records.Note("no_table", None, "", "no table with a recognisable header row"))
        return parsed
    typed = type_columns([row.cells for row in rows], mapping)
    if typed:
        # a column its header did not name but its cells do (a column of years, of countries) is read
        mapping = {**mapping, **typed}
        parsed.notes = [n for n in parsed.notes if not _notes_column(n, typed)]
    for record in _assemble(rows, mapping):
        year, round_of_row = _row_year_and_round(record, (parsed.fiscal_year, round_no))
        parsed.projects.append(_project(record, year, round_of_row))
    years = {p.fiscal_year for p in parsed.projects if p.fiscal_year is not None}
    if len(years) > 1:
        parsed.fiscal_year = None  # a table of several years: no one year is the document's
    elif years and "fiscal_year" in mapping.values():
        parsed.fiscal_year = years.pop()  # every row states the same year: it wins over the title
    return parsed


def _heading(lines: list[Fragment], rect, above: float | None, below: float) -> list[str]:
    """The lines between `above` (a table's bottom, None for the page's top) and `below` (the next
    table's top), PDF points, in reading order, page numbers left out."""
    return [ln.text for ln in sorted(lines, key=lambda ln: (ln.top, ln.left))
            if (above is None or above <= ln.top) and ln.top < below and ln.text.strip()
            and not is_page_number(ln, rect)]


def _resume_merges(grid: _GridTexts, k: int, carried: dict[int, str], mapping: dict[int, str]) -> None:
    """Give the rows that the cell of each `carried` column at body row `k` covers (the top of this
    page's table) the value of the merged cell the last page's end cut, when that cell is empty: the
    value was printed once, before the break. A row without its number continues the record above,
    which has the value already. Changes `grid.texts` in place."""
    key = next((i for i, role in mapping.items() if role == "number"), None)
    texts = grid.texts
    for col, value in carried.items():
        if col >= len(texts[k]) or texts[k][col].strip():
            continue
        end = next((b for a, b, c in grid.row_spans if a == k and c == col), k + 1)
        for r in range(k, end):
            if key is None or texts[r][key].strip():
                texts[r][col] = value


def year_and_round_stated(text: str | None) -> tuple[int | None, int | None]:
    """(fiscal year, round) a title or heading states; (None, None) when it names several years
    ("採択案件（2022年度・2025年度）"): neither is the year of every row, nor can a round be told to
    belong to one of them."""
    years = fiscal_years_in_text(text)
    if len(years) > 1:
        return None, None
    return (years[0] if years else None), round_from_text(text)


def _row_year_and_round(rec: _Record, document: tuple[int | None, int | None]) -> tuple[int | None, int | None]:
    return year_and_round_of_record(rec.cells, rec.section, document)


def year_and_round_of_record(cells: dict[str, str], section: tuple[int | None, int | None],
                             document: tuple[int | None, int | None]) -> tuple[int | None, int | None]:
    """A record's (fiscal year, round) from its cells by role: its own 年度 cell first ("2025年度（1次）"
    wins over the title), then `section` (the heading above its table), then `document` (the
    document's title). A record that states its year takes a round from elsewhere only when that
    states the same year."""
    section = tuple(a or b for a, b in zip(section, document))
    cell = cells.get("fiscal_year", "")
    year, round_no = year_and_round_of_cell(cell)
    if year is None and cell.strip():
        year, round_no = fiscal_year_from_text(cell), round_from_text(cell)
    if year is None:
        return section
    if round_no is None and section[0] == year:
        round_no = section[1]
    return year, round_no


# --- columns typed by their content ------------------------------------------------------------

# Place names by their script: Japanese municipalities are written in kanji and hiragana
# (横浜市, さいたま市), foreign places in katakana (ダナン市, バリ州バドゥン県). A cell of several places
# separates them with ・、 or line breaks.
_JAPANESE_PLACE = re.compile(r"[\u3041-\u309f\u4e00-\u9fff々ヶケ]+" + alternation(JAPAN_SUFFIXES))
_FOREIGN_PLACE = re.compile(r"[\u30a1-\u30ffー][\u30a1-\u30ff\u4e00-\u9fffー・]*" + alternation(FOREIGN_SUFFIXES))
_PLACE_SEPARATORS = re.compile(r"[・、,，/\s]+")


def _places_of_one_side(text: str) -> str | None:
    """"japan" when every name in the cell is a Japanese municipality by its script, "partner" when
    every one is a foreign place, else None."""
    names = [n for n in _PLACE_SEPARATORS.split(normalize_text(text).replace("及び", "、")) if n]
    if names and all(_JAPANESE_PLACE.fullmatch(n) for n in names):
        return "japan"
    if names and all(_FOREIGN_PLACE.fullmatch(n) for n in names):
        return "partner"
    return None


def _cell_type(text: str) -> str | None:
    """What one body cell holds, read from its content alone: a year, a listing number, a country,
    a foreign place with its country ("ベトナム／ダナン市"), Japanese or foreign places by their script."""
    flat = normalize_text(text)
    if not flat:
        return None
    if year_and_round_of_cell(flat)[0] is not None:
        return "fiscal_year"
    if is_listing_number(flat):
        return "number"
    if country_code(flat):
        return "country"
    if split_country(text)[0]:
        return "partner"
    return _places_of_one_side(text)


def type_columns(rows: list[list[str]], mapping: dict[int, str]) -> dict[int, str]:
    """Roles for the columns the header left unmapped, from what their cells hold: a column of
    years, of listing numbers, of countries, of "country／place" cells. A role another column
    already has is not given twice."""
    taken = set(mapping.values())
    width = max((len(r) for r in rows), default=0)
    typed: dict[int, str] = {}
    for col in range(width):
        if col in mapping:
            continue
        kinds = [_cell_type(r[col]) for r in rows if col < len(r) and r[col].strip()]
        if len(kinds) < SETTINGS.column_type_min_cells:
            continue
        best = max(set(kinds), key=lambda k: (kinds.count(k), str(k)))
        if best and best not in taken and kinds.count(best) >= SETTINGS.column_type_share * len(kinds):
            typed[col] = best
            taken.add(best)
    return typed


def _notes_column(note: records.Note, columns: dict[int, str]) -> bool:
    """Whether `note` is the unknown-header note of one of `columns`."""
    return note.kind == "unknown_header" and any(
        note.detail.startswith(f"column {col + 1} ") for col in columns)


def _page_grids(page: pymupdf.Page, lines: list[Fragment], ncols: int | None,
                columns: list[float] | None = None, mapping: dict[int, str] | None = None):
    """(the page's tables (`_GridTexts`, top to bottom), the column cuts to remember for the next page),
    from the first strategy that finds a usable table:
    a table holding a header row, or one with the column count of the header already seen.

    Fully ruled grids first, straight from the page's rules: cheap. Then tables whose rows are ruled
    or shaded but whose columns are not (word processors' and spreadsheets' "light" table styles):
    the columns are cut in the white space between the header labels' columns, found on this page or
    remembered (`columns`) from the page that printed the header. Last, PyMuPDF's table finder, which
    builds a character model of the page first and costs ten times as much. When nothing is ruled
    or shaded at all, the rows come from the text itself (`_rows_from_text`)."""
    grids = _grids(find_ruled_tables(page), lines)
    if any(_usable(g.texts, ncols) for g in grids):
        return grids, columns
    found = _header_cuts(lines, page)
    cuts, top = found if found else (columns, page.rect.y0)
    if cuts:
        block = _text_block(lines, cuts, top, page.rect)
        grid = rows_between_cuts(page, cuts, top, *(block or (None, None)))
        if grid is not None and not has_vertical_rules(page, grid.bbox):
            grids = _grids([grid], lines)
            if any(_usable(g.texts, ncols) for g in grids):
                return grids, cuts
    # the table finder reads rules and shading: on a page that draws nothing it finds nothing
    drawn = bool(layout.page_drawings(page))
    if drawn:
        grids = _grids(page.find_tables(use_layout=False).tables, lines)
        if any(_usable(g.texts, ncols) for g in grids):
            return grids, columns
    if cuts and drawn:
        tables = page.find_tables(use_layout=False, vertical_strategy="explicit", vertical_lines=cuts,
                                  horizontal_strategy="lines")
        grids = _grids(tables.tables, lines)
        if any(_usable(g.texts, ncols) for g in grids):
            return grids, cuts
    if cuts:
        grid = _rows_from_text(page, lines, cuts, top, mapping)
        if grid is not None:
            grids = _grids([grid], lines)
            if any(_usable(g.texts, ncols) for g in grids):
                return grids, cuts
    return [], columns




def _rows_from_text(page: pymupdf.Page, lines: list[Fragment], cuts: list[float], top: float,
                    mapping: dict[int, str] | None) -> Grid | None:
    """A table printed with no rules and no shading, its rows read from the text alone.

    The text below `top` is cut into bands (runs of text with white space across the whole table
    above and below). A band holding the header labels starts the table. With a number column, a new
    row starts at each band whose number cell is a number alone when cells are top-aligned (the number
    shares its band with the first line of its row), or after the widest white space above a number
    centred in a taller row; bands above the first row continue the header, or on a page without a
    header the row left open on the page before. Without a number column, a row
    ends where the white space between bands is wider than the line spacing inside cells.
    The table ends at a band whose text runs across a column boundary (running text below it) or a
    gap of several lines. None when no header row is known or no row can be told apart: nothing is
    invented from text that is not laid out as a table."""
    inner = cuts[1:-1]
    # (char, box, size, whether its line looks like a page number in a margin)
    rect = page.rect
    chars = [(c, box, size, folio) for ln in lines
             if ln.top >= top - SETTINGS.edge_slack and cuts[0] <= ln.left <= cuts[-1]
             for folio in (is_page_number(ln, rect),)
             for c, box, _base, size in ln.chars if c.strip()]
    bands: list[list] = []  # [y0, y1, size, chars, all page-number chars]
    for c, box, size, folio in sorted(chars, key=lambda t: t[1][1]):
        if bands and box[1] < bands[-1][1] - SETTINGS.glyph_slack:
            band = bands[-1]
            band[1], band[2] = max(band[1], box[3]), max(band[2], size)
            band[3].append((c, box))
            band[4] = band[4] and folio
        else:
            bands.append([box[1], box[3], size, [(c, box)], folio])
    # a number in the margin is a page number when nothing else is printed beside it, else a 番号 cell
    bands = [b for b in bands if not b[4]]
    table: list[tuple[float, float, list[str]]] = []  # (y0, y1, cell texts) of the table's bands
    header_seen = False
    for y0, y1, size, band_chars, _folio in bands:
        if table and y0 - table[-1][1] > SETTINGS.max_row_gap_em * size:
            break
        if any(box[0] < x - SETTINGS.glyph_slack and box[2] > x + SETTINGS.glyph_slack for _c, box in band_chars for x in inner):
            break  # text across a column boundary: not a table row
        cells = [""] * (len(cuts) - 1)
        for c, box in sorted(band_chars, key=lambda t: t[1][0]):
            cx = (box[0] + box[2]) / 2
            col = next((i for i, x in enumerate(cuts[1:]) if cx <= x), len(cuts) - 2)
            cells[col] += c
        header = None if header_seen else _map_header(cells)
        if header is not None:
            table, header_seen = [], True  # whatever came above the header is not part of the table
            mapping = header.mapping
        table.append((y0, y1, cells))
    if not table or not mapping:
        return None
    gaps = [b[0] - a[1] for a, b in zip(table, table[1:])]  # gaps[k - 1]: white space above band k
    size = max(b[2] for b in bands)
    line_gap = min(gaps, default=0.0)  # between two lines of one cell
    wide = [gap > line_gap + SETTINGS.row_gap_excess_em * size for gap in gaps]
    number_col = next((i for i, role in mapping.items() if role == "number"), None)
    if number_col is not None and number_col < len(cuts) - 1:
        numbers = [k for k, (_y0, _y1, cells) in enumerate(table)
                   if is_listing_number(cells[number_col])]
        if not numbers:
            return None
        starts = []
        for prev, k in zip([0] + numbers, numbers):
            # top-aligned cells: the row starts at its number. A number centred in a taller row starts
            # below the row's head: the row starts after the widest gap above the number instead.
            between = [j for j in range(prev + 1, k + 1) if wide[j - 1]]
            if k == 0 or wide[k - 1] or not between:
                starts.append(k)
            else:
                starts.append(max(between, key=lambda j: gaps[j - 1]))
    else:
        # gaps all alike: every band is a row of one line (nothing shows otherwise)
        uniform = not any(wide)
        starts = [k for k in range(1, len(table)) if wide[k - 1] or uniform]
    starts = sorted({0, *starts})
    ys = [table[k][0] - SETTINGS.glyph_slack for k in starts] + [table[-1][1] + SETTINGS.glyph_slack]
    rows = [GridRow((cuts[0], a, cuts[-1], b), [(x0, a, x1, b) for x0, x1 in zip(cuts, cuts[1:])])
            for a, b in zip(ys, ys[1:])]
    return Grid((cuts[0], ys[0], cuts[-1], ys[-1]), rows, len(cuts) - 1)


class _GridTexts(NamedTuple):
    """A table's cell texts row by row, its top and bottom (PDF points), and from a ruled grid its
    merged cells (`Grid.row_spans`) and the columns whose merge the page's end cuts (`Grid.open_below`)."""

    top: float
    texts: list[list[str]]
    bottom: float
    row_spans: Sequence[tuple[int, int, int]] = ()
    open_below: Sequence[int] = ()


def _grids(tables, lines: list[Fragment]) -> list[_GridTexts]:
    """The texts of each table (ruled `Grid`s or PyMuPDF's tables), top to bottom."""
    tables = sorted(tables, key=lambda t: (t.bbox[1], t.bbox[0]))
    out = []
    for t in tables:
        texts = cell_texts(t, lines)
        spans = getattr(t, "row_spans", ())
        # A cell merged over several rows carries its value to every row it covers (国内都市 printed
        # once, centred, for three projects of one city).
        for top, bottom, col in spans:
            # all of its text: a name wrapped over two lines may have them in two rows' bands
            value = "\n".join(texts[r][col] for r in range(top, bottom) if texts[r][col].strip())
            for r in range(top, bottom):
                texts[r][col] = value
        out.append(_GridTexts(t.bbox[1], texts, t.bbox[3], spans, getattr(t, "open_below", ())))
    return out




def _header_cuts(lines: list[Fragment], page: pymupdf.Page) -> tuple[list[float], float] | None:
    """(x positions separating the columns, the header's top) for a header printed as one row of short
    labels over columns without rules.

    A column boundary lies in white space that runs down the whole table (gaps in the union of the
    header's and the body's character boxes), between two neighbouring labels. Which gap:
    - a label whose left edge some body line shares is left-aligned like its cells: the gap just
      before it;
    - a centred label (the usual style) sits in the middle of its column, so the column's right edge
      is as far right of the label's centre as its left edge is left of it; the gap nearest that
      point is taken. The first left edge is the header's rule or shading, else the text's edge."""
    page_rect = page.rect
    rows: list[list[Fragment]] = []
    for line in sorted(lines, key=lambda ln: (round(ln.top), ln.left)):
        if rows and abs(rows[-1][0].top - line.top) < SETTINGS.header_row:
            rows[-1].append(line)
        else:
            rows.append([line])
    for row in rows:
        labels = [ln for ln in row if ln.text.strip()]
        if len(labels) < SETTINGS.min_header_labels or _map_header([ln.text for ln in labels]) is None:
            continue
        labels.sort(key=lambda ln: ln.left)
        # the rule or shading above the header sits up to a line's height above its text
        top = min(ln.top for ln in labels) - max(c[3] for ln in labels for c in ln.chars)
        head_bottom = max(c[1][3] for ln in labels for c in ln.chars)
        body = [ln for ln in lines if ln.top >= head_bottom - SETTINGS.edge_slack and not is_page_number(ln, page_rect)]
        boxes = sorted((c[1][0], c[1][2]) for ln in labels + body for c in ln.chars if c[0].strip())
        covered: list[list[float]] = []
        for x0, x1 in boxes:
            if covered and x0 <= covered[-1][1] + SETTINGS.min_column_gap:
                covered[-1][1] = max(covered[-1][1], x1)
            else:
                covered.append([x0, x1])
        gaps = [(a[1], b[0]) for a, b in zip(covered, covered[1:])]
        spans = [(min(c[1][0] for c in ln.chars if c[0].strip()), max(c[1][2] for c in ln.chars if c[0].strip()))
                 for ln in labels]
        size = max(c[3] for ln in labels for c in ln.chars)
        edges = rule_span_near(page, top, head_bottom + size)
        slack, pad = SETTINGS.edge_slack, SETTINGS.column_pad
        left = edges[0] if edges and edges[0] <= covered[0][0] + slack else covered[0][0] - pad
        right = edges[1] if edges and edges[1] >= covered[-1][1] - slack else min(covered[-1][1] + pad, page_rect.x1)
        starts = [ln.left for ln in body]
        cuts = [left]
        for (l0, l1), (r0, _r1) in zip(spans, spans[1:]):
            between = [g for g in gaps if g[0] >= l1 - SETTINGS.glyph_slack and g[1] <= r0 + SETTINGS.glyph_slack]
            if not between:  # text runs across: fall back to just left of the label
                cuts.append(r0 - pad)
                continue
            if any(abs(x - r0) <= slack for x in starts):
                g0, g1 = min(between, key=lambda g: abs(g[1] - r0))
                cuts.append((g0 + g1) / 2)
                continue
            edge = 2 * (l0 + l1) / 2 - cuts[-1]  # mirror of the column's left edge about its label's centre
            g0, g1 = min(between, key=lambda g: 0 if g[0] <= edge <= g[1] else min(abs(g[0] - edge), abs(g[1] - edge)))
            cuts.append(min(max(edge, g0), g1))
        cuts.append(right)
        return cuts, top
    return None


def _text_block(lines: list[Fragment], cuts: list[float], top: float,
                page_rect: pymupdf.Rect) -> tuple[float, float] | None:
    """(head, foot) of the block of text lines that starts at `top` within the columns: lines follow
    each other with no more than a couple of line heights between them (a footer or a note further
    down is not part of the table)."""
    head = bottom = None
    for ln in sorted(lines, key=lambda ln: ln.top):
        if ln.top < top - SETTINGS.edge_slack or not cuts[0] <= ln.left <= cuts[-1] or is_page_number(ln, page_rect):
            continue
        y1 = max(c[1][3] for c in ln.chars)
        size = max(c[3] for c in ln.chars)
        if bottom is not None and ln.top - bottom > SETTINGS.text_block_gap_em * size:
            break
        head = ln.top if head is None else head
        bottom = y1 if bottom is None else max(bottom, y1)
    return (head, bottom) if head is not None else None


def is_page_number(line: Fragment, page_rect: pymupdf.Rect) -> bool:
    """A page number ("3", "- 3 -", "3 / 12") in the top or bottom margin; the same digits inside
    the page are a 番号 cell."""
    margin = SETTINGS.page_margin * page_rect.height
    in_margin = line.top < page_rect.y0 + margin or line.top > page_rect.y1 - margin
    return in_margin and bool(_PAGE_NUMBER.match(line.text))


def _usable(grid: list[list[str]], ncols: int | None) -> bool:
    if any(_map_header(cells) is not None for cells in grid[:SETTINGS.header_search_rows]):
        return True
    return ncols is not None and bool(grid) and len(grid[0]) == ncols


# --- ruled tables -------------------------------------------------------------------------------

@dataclass
class GridRow:
    bbox: tuple[float, float, float, float]
    cells: list[tuple[float, float, float, float] | None]  # None where a cell merged from the left covers it


@dataclass
class Grid:
    """A table as rows of cell boxes. `row_spans`: (first row, row after the last, column) of each
    cell merged over several rows, whose value every row it covers takes."""

    bbox: tuple[float, float, float, float]
    rows: list[GridRow]
    col_count: int
    row_spans: list[tuple[int, int, int]] = field(default_factory=list)
    # columns whose last cell the page's end cuts (no rule below it): its merge goes on next page
    open_below: list[int] = field(default_factory=list)
    # (fragments, cell texts) of the last `cell_texts` of this grid: the sheet check and the table
    # reader read a page's ruled grids (kept per page) from the same fragments
    texts_read: tuple[tuple, list[list[str]]] | None = field(default=None, repr=False, compare=False)


def find_ruled_tables(page: pymupdf.Page) -> list[Grid]:
    """The page model's ruled tables (cells closed by rules, merged cells as spans) as grids. Made
    once per page (`pagememo`; the sheet check reads them too): not to be changed."""
    return pagememo.per_page(page, "ruled tables", _find_ruled_tables)


def _find_ruled_tables(page: pymupdf.Page) -> list[Grid]:
    grids = []
    for t in layout.table_cells(layout.ruling_lines(page)):
        rows = []
        for i in range(t.row_count):
            cells: list[tuple[float, float, float, float] | None] = []
            for j in range(t.col_count):
                cell = t.cell_at(i, j)
                cells.append(cell.bbox if cell.col == j else None)
            rows.append(GridRow((t.xs[0], t.ys[i], t.xs[-1], t.ys[i + 1]), cells))
        spans = [(c.row, c.row + c.rowspan, c.col) for c in t.cells if c.rowspan > 1]
        # only a merged cell carries on: a row the page's end splits is one record, its rest on the
        # next page a row without a number that continues it
        grids.append(Grid(t.bbox, rows, t.col_count, spans,
                          sorted(c.col for c in t.cells if c.open_below and c.rowspan > 1)))
    return grids


def _segments(page: pymupdf.Page, fills: bool = False):
    """(horizontal, vertical) rules of the page model as (position, start, end). Made once per page
    (`pagememo`; a table without column rules asks several times): not to be changed."""
    return pagememo.per_page(page, "segments with fills" if fills else "segments",
                             lambda p: _read_segments(p, fills))


def _read_segments(page: pymupdf.Page, fills: bool):
    horizontal, vertical = [], []
    for r in layout.ruling_lines(page, fills=fills):
        (horizontal if r.horizontal else vertical).append((r.position, r.start, r.end))
    return horizontal, vertical


def _snap(values: list[float]) -> list[float]:
    return [group[0] for group in layout.cluster(values, key=lambda v: v, tolerance=SETTINGS.snap)]


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
             if h[0] >= top - SETTINGS.snap and min(h[2], right) - max(h[1], left) >= SETTINGS.row_rule_span * width]
    ys = _snap([h[0] for h in spans])
    ruled = {round(h[0]) for h in _segments(page)[0]}
    # Only a shaded band's edge can have an unshaded row beyond it; text beyond a rule is a running
    # header or a note, not a row.
    min_row = SETTINGS.min_row
    if ys and text_bottom is not None and text_bottom > ys[-1] + min_row and round(ys[-1]) not in ruled:
        ys.append(text_bottom + SETTINGS.row_pad)
    if ys and text_top is not None and text_top < ys[0] - min_row and round(ys[0]) not in ruled:
        ys.insert(0, text_top - SETTINGS.row_pad)
    ys = [y for a, y in zip([None] + ys, ys) if a is None or y - a >= min_row]
    if len(ys) < 2:
        return None
    rows = [GridRow((left, a, right, b), [(x0, a, x1, b) for x0, x1 in zip(cuts, cuts[1:])])
            for a, b in zip(ys, ys[1:])]
    return Grid((left, ys[0], right, ys[-1]), rows, len(cuts) - 1)


def has_vertical_rules(page: pymupdf.Page, box: tuple[float, float, float, float]) -> bool:
    """Whether at least two vertical rules stand inside `box` (a grid, not a row-ruled table)."""
    x0, y0, x1, y1 = box
    _horizontal, vertical = _segments(page)
    snap = SETTINGS.snap
    inside = {round(pos) for pos, s, e in vertical if x0 - snap <= pos <= x1 + snap and e > y0 and s < y1}
    return len(inside) >= SETTINGS.min_grid_vrules


def rule_span_near(page: pymupdf.Page, y0: float, y1: float) -> tuple[float, float] | None:
    """(left, right) of the longest horizontal rule or shading edge between y0 and y1: the table's
    edges, when a header is ruled or shaded but its columns are not."""
    horizontal, _vertical = _segments(page, fills=True)
    near = [h for h in horizontal if y0 <= h[0] <= y1]
    if not near:
        return None
    _pos, left, right = max(near, key=lambda h: h[2] - h[1])
    return left, right


# --- page text -----------------------------------------------------------------------------------

@dataclass
class Fragment:
    """One line of the page's text as MuPDF groups it, with each character's box."""

    top: float
    left: float
    chars: list[tuple[str, tuple[float, float, float, float], float, float]]  # (c, bbox, baseline y, size)

    @property
    def text(self) -> str:
        return "".join(c[0] for c in self.chars)


def page_fragments(page: pymupdf.Page) -> list[Fragment]:
    """The page model's lines cut into fragments at white space wider than a space (so neighbouring
    cells' texts stay apart); a vertical or rotated line is one fragment in its reading order.
    Made once per page (`pagememo`; the sheet check reads them too): not to be changed."""
    return pagememo.per_page(page, "fragments", _page_fragments)


def _page_fragments(page: pymupdf.Page) -> list[Fragment]:
    out = []
    gap = SETTINGS.fragment_gap_em
    for ln in layout.page_layout(page).lines:
        frag: list = []
        prev_seq = None
        for ch in ln.chars:
            if frag and not ln.vertical and ch.seqno != prev_seq and ch.x0 - frag[-1][1][2] > gap * ch.size:
                out.append(Fragment(min(c[1][1] for c in frag), frag[0][1][0], frag))
                frag = []
            frag.append((ch.text, (ch.x0, ch.y0, ch.x1, ch.y1), ln.y1 if ln.vertical else ch.baseline, ch.size))
            prev_seq = ch.seqno
        if frag:
            out.append(Fragment(min(c[1][1] for c in frag), frag[0][1][0], frag))
    return out


def cell_texts(table, lines: list[Fragment]) -> list[list[str]]:
    """The text of every cell of `table`, row by row, from the characters inside each cell box
    (lists of the caller's own). A `Grid` read again from the same fragments (the same objects in
    the same order) gives the texts it gave before."""
    kept = getattr(table, "texts_read", None)  # (PyMuPDF's tables keep none)
    if kept is not None and len(kept[0]) == len(lines) and all(map(operator.is_, kept[0], lines)):
        return [row[:] for row in kept[1]]
    texts = _read_cell_texts(table, lines)
    if isinstance(table, Grid):
        table.texts_read = (tuple(lines), texts)
        return [row[:] for row in texts]
    return texts


def _read_cell_texts(table, lines: list[Fragment]) -> list[list[str]]:
    rows = table.rows  # a property that rebuilds the rows on every access
    row_boxes = [(row.bbox, row.cells) for row in rows]
    right = table.bbox[2]
    # per row, per column: fragments (baseline y, x, size, text) of the page's lines inside the cell
    frags: list[list[list[tuple[float, float, float, str]]]] = [
        [[] for _ in range(table.col_count)] for _ in row_boxes]
    # rows top to bottom (a Grid's are): a point's rows are found by bisection, not by a scan
    tops, bottoms = [b[1] for b, _cells in row_boxes], [b[3] for b, _cells in row_boxes]
    ordered = (tops, bottoms) if tops == sorted(tops) and bottoms == sorted(bottoms) else None
    for line in lines:
        current: dict[tuple[int, int], list] = {}
        for c, (x0, y0, x1, y1), baseline, size in line.chars:
            where = _locate(row_boxes, right, (x0 + x1) / 2, (y0 + y1) / 2, ordered)
            if where is None:
                continue
            bucket = current.setdefault(where, [baseline, x0, size, ""])
            bucket[3] += c
        for (r, col), (y, x, size, text) in current.items():
            frags[r][col].append((y, x, size, text))
    return [[_join_fragments(cell) for cell in row] for row in frags]


def _locate(row_boxes, right: float, cx: float, cy: float,
            ordered: tuple[list[float], list[float]] | None = None) -> tuple[int, int] | None:
    """(row, column) of the cell holding point (cx, cy), or None when it is outside the table.
    `ordered`: the rows' tops and bottoms when both are sorted; then only the rows whose span holds
    cy are looked at (the same rows, in the same order, as a scan of all)."""
    first_row = None
    rows = range(len(row_boxes))
    if ordered is not None:
        tops, bottoms = ordered
        rows = range(bisect.bisect_left(bottoms, cy), bisect.bisect_right(tops, cy))
    for r in rows:
        (_x0, top, _x1, bottom), cells = row_boxes[r]
        if not top <= cy <= bottom:
            continue
        first_row = r if first_row is None else first_row
        # A cell shorter than its row (a merged 実施体制 over a sub-row 代表事業者 | 共同事業者) holds
        # only what lies inside it: the sub-row's labels belong to the sub-row.
        for c, box in enumerate(cells):
            if box is not None and box[0] <= cx <= box[2] and box[1] <= cy <= box[3]:
                return (r, c)
    if first_row is None:
        return None
    col = None
    for c, box in enumerate(row_boxes[first_row][1]):
        if box is None:
            continue
        if box[0] <= cx <= box[2]:
            return (first_row, c)
        if box[0] <= cx:
            col = c  # a merged cell spills over columns whose boxes are None
    return (first_row, col) if col is not None and cx <= right else None


def _join_fragments(frags: list[tuple[float, float, float, str]]) -> str:
    """Fragments on one baseline form one printed line (a font change splits MuPDF's lines)."""
    lines: list[list[tuple[float, float, float, str]]] = []
    for frag in sorted(frags):
        if lines and abs(frag[0] - lines[-1][0][0]) < frag[2] * SETTINGS.same_line_em:
            lines[-1].append(frag)
        else:
            lines.append([frag])
    out = []
    for line in lines:
        line.sort(key=lambda f: f[1])
        text = ""
        for f in line:
            # Latin words set apart by white space are separate fragments: keep the space
            if text and re.match(r"[A-Za-z0-9(]", f[3]) and re.search(r"[A-Za-z0-9.,)]$", text):
                text += " "
            text += f[3]
        out.append(text)
    return "\n".join(s.rstrip() for s in out if s.strip())


# --- header --------------------------------------------------------------------------------------

@dataclass
class _Header:
    mapping: dict[int, str]
    notes: list[records.Note]


def header_key(text: str) -> str:
    """A header cell reduced for matching: folded, no spaces, no punctuation."""
    return _HEADER_PUNCT.sub("", fold(text)).lower()


_SYNONYM_KEYS = {role: tuple(header_key(s) for s in words) for role, words in COLUMN_SYNONYMS.items()}


# A bilingual label: the Japanese words, then their English ("代表提案者 / Lead Proposer").
_JAPANESE_THEN_LATIN = re.compile(r"^(.*?[^\x00-\x7f])[\s/／|｜()（）]*[A-Za-z][\x00-\x7f]*$", re.DOTALL)


@functools.lru_cache(maxsize=4096)  # the sheet reader asks about every fragment of a page, often twice
def match_header(text: str) -> str | None:
    """The column role a header cell names, or None. A bilingual label is read by its Japanese."""
    role = _match_header(text)
    if role is None and (m := _JAPANESE_THEN_LATIN.match(text.strip())):
        role = _match_header(m.group(1))
    return role


def _match_header(text: str) -> str | None:
    key = header_key(text)
    if not key or len(key) > SETTINGS.max_header_chars:
        return None
    for role, keys in _SYNONYM_KEYS.items():
        if key in keys:
            return role
    # containment ("代表事業者名" holds "代表事業者"); one-character synonyms (国) only match exactly
    best = max(((len(k), role) for role, keys in _SYNONYM_KEYS.items() for k in keys
                if len(k) >= SETTINGS.min_contained_synonym and k in key), default=None)
    if best:
        return best[1]
    score, role = max((fuzz.ratio(key, k), role) for role, keys in _SYNONYM_KEYS.items() for k in keys)
    return role if score >= SETTINGS.fuzzy_min else None


def _continues_header(above: list[str], cells: list[str]) -> bool:
    """Whether `cells` is the lower row of a two-row header: every label it holds names a role (the
    sub-columns of a merged "実施体制" cell: 代表事業者 | 共同事業者)."""
    filled = [c for c in cells if c.strip()]
    return len(cells) == len(above) and bool(filled) and all(match_header(c) for c in filled)


def _stack_header(above: list[str], below: list[str]) -> list[str]:
    """One header row from two rows of one table: the lower label where there is one (it names the
    sub-column), else the upper one (a label spanning both rows)."""
    return [lo if lo.strip() else up for up, lo in zip(above, below)]


def _map_header(cells: list[str]) -> _Header | None:
    """The column mapping if `cells` is a header row: at least half its filled cells (and 3) name roles."""
    filled = [(i, c) for i, c in enumerate(cells) if c.strip()]
    roles = {i: match_header(c) for i, c in filled}
    known = [i for i, r in roles.items() if r]
    if (len(known) < min(SETTINGS.min_header_labels, len(filled)) or len(known) * 2 < len(filled)
            or len(filled) < SETTINGS.min_header_cells):
        return None
    # a data row can hold a header word by chance (an org called 事業者); headers have no digits-only cell
    if any(re.fullmatch(r"\s*\d+\s*", c) for _i, c in filled):
        return None
    mapping: dict[int, str] = {}
    notes = []
    for i, c in filled:
        role = roles[i]
        text = normalize_text(c)
        if role is None:
            notes.append(records.Note("unknown_header", None, text,
                                      f"column {i + 1} header not understood; its cells are not extracted"))
        elif role in mapping.values():
            notes.append(records.Note("unknown_header", None, text,
                                      f"column {i + 1} names '{role}' again; only the first such column is used"))
        else:
            mapping[i] = role
    return _Header(mapping, notes)


# --- rows → records ------------------------------------------------------------------------------

def _assemble(rows: list[_Row], mapping: dict[int, str]) -> list[_Record]:
    """One record per row, a row without a key cell (番号, else 事業名) appended to the one above."""
    key_role = "number" if "number" in mapping.values() else "title"
    out: list[_Record] = []
    for row in rows:
        cells = {role: clean_cell(row.cells[i]) for i, role in mapping.items() if i < len(row.cells)}
        if not any(v.strip() for v in cells.values()):
            continue
        if not cells.get(key_role, "").strip() and out:
            last = out[-1]
            if row.page not in last.pages:
                last.pages.append(row.page)
            for role, text in cells.items():
                if text.strip():
                    last.cells[role] = (last.cells.get(role, "") + "\n" + text).strip("\n")
            continue
        out.append(_Record([row.page], dict(cells), row.section))
    return out


def clean_cell(text: str) -> str:
    """A cell's text with half-width 、・ as full-width and symbol-font bullets as ・, so that compound
    cells and bullet lists split the same whatever font and width printed them."""
    return normalize_bullets(normalize_punctuation(text))


def _project(rec: _Record, fiscal_year: int | None, round_no: int | None) -> records.ProjectRecord:
    return project_from_cells(rec.cells, rec.pages, fiscal_year, round_no)


def project_from_cells(cells: dict[str, str], pages: list[int], fiscal_year: int | None,
                       round_no: int | None) -> records.ProjectRecord:
    """One project record from its cell texts by column role (`HEADER_WORDS`' roles; lines joined
    with "\n", cleaned by `clean_cell`), printed on `pages` (1-based; its places are placed on the
    first): the number parsed, the proposer and co-implementers as legal names, the country read
    from a country cell or from a place cell naming it, the fields split into items."""
    page = pages[0]
    title_raw = cells.get("title", "")
    proposer_raw = cells.get("proposer") or None
    country = country_code(normalize_text(cells.get("country"))) if cells.get("country") else None
    printed = {role: cells[role] for role in records.PRINTED_FIELDS if cells.get(role, "").strip()}
    if country is None:
        printed.pop("country", None)  # the cell names a place too: the country is found by its name
    partner_raw = cells.get("partner", "")
    japan_raw = cells.get("japan", "")
    pair = pair_cell(partner_raw) if partner_raw and not japan_raw.strip() else None
    if pair is not None:  # one column for the pair (連携都市: "横浜市－ダナン市")
        japan_raw, partner_raw = pair
    if country is None and not partner_raw and cells.get("country"):
        # one column for both (対象国・都市): "ベトナム・ダナン市", "ベトナム\nダナン市", "ダナン市(ベトナム)"
        country, partner_raw = split_country(cells["country"])
        partner_raw = partner_raw if country else ""
    elif partner_raw:
        # the place cell may name its country too ("ベトナム／ダナン市", "バドゥン県（インドネシア）"):
        # the country is read from it, and the place goes on without it
        stated, place = split_country(partner_raw)
        if stated and (country is None or stated == country):
            country, partner_raw = stated, place
    return records.ProjectRecord(
        pages=list(pages),
        fiscal_year=fiscal_year,
        round=round_no,
        number=listing_number(cells.get("number")),
        title_raw=title_raw,
        title=normalize_text(title_raw),
        proposer_raw=proposer_raw,
        proposer=normalize_org(proposer_raw) if proposer_raw else None,
        co_implementers=split_co_implementers(cells.get("co_implementers", "")),
        japan=[records.PlaceText(japan_raw, page, "japan", None)] if japan_raw.strip() else [],
        partners=[records.PlaceText(partner_raw, page, "partner", country)] if partner_raw.strip() else [],
        country=country,
        fields=split_fields(cells["fields"]) if "fields" in cells else None,
        summary=strip_spaces_cjk(join_lines(cells.get("summary", ""))) or None,
        printed=printed,
    )


def split_co_implementers(text: str) -> list[str]:
    """A 共同事業者 cell → full legal names: one per bullet item ("・(株)A\n・B市"), else as
    `split_orgs` splits a list (、, one name a line, ・ between whole names)."""
    lines = [ln.strip() for ln in fold(text).splitlines() if ln.strip()]
    if not any(ln[0] in BULLETS for ln in lines):
        return split_orgs("\n".join(lines))
    items: list[str] = []
    for ln in lines:
        if ln[0] in BULLETS or not items:
            items.append(ln.lstrip(BULLETS).strip())
        else:
            items[-1] = join_lines(items[-1] + "\n" + ln)  # a name wrapped inside the cell
    return [name for item in items for name in split_orgs(item)]


def split_fields(text: str) -> list[str]:
    """A 対象分野 cell → its items. Lines starting with a bullet start items, other lines continue the
    item above (a wrapped "・その他(グリーンインフ\\nラ)"); a cell without bullets splits on lines and 、."""
    lines = [ln.strip() for ln in fold(text).splitlines() if ln.strip()]
    if any(ln[0] in BULLETS for ln in lines):
        items: list[str] = []
        for ln in lines:
            if ln[0] in BULLETS or not items:
                items.append(ln.lstrip(BULLETS).strip())
            else:
                items[-1] = join_lines(items[-1] + "\n" + ln)
    elif any(re.search(_FIELD_SEPARATORS, ln) for ln in lines):
        # a run-on list ("省エネルギー、再生可\nエネルギー"): line breaks are only wrapping
        items = re.split(_FIELD_SEPARATORS, join_lines("\n".join(lines)))
    else:
        items = lines
    return [normalize_text(i) for i in items if i.strip()]


_FIELD_SEPARATORS = r"[、,;，；]"
