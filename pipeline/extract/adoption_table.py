"""採択案件一覧: a bordered table of adopted projects, one row per project, spanning pages.

How it reads a table:
1. PyMuPDF's line-based table finder gives each page's grid (rows × columns of cell boxes). The
   layout model is switched off (`use_layout=False`): ruled grids need no model, and it is ~7× slower.
2. Text comes from the page's own lines (rawdict), each character placed in the cell holding its
   centre. The table finder's own cell text re-sorts characters by height, which scrambles Japanese
   lines whose glyph boxes differ (punctuation), so it is not used.
3. The header row is found by its words and each column mapped to a role through synonyms, then
   fuzzy matching, because the Ministry renames and reorders columns between years. A header that
   maps to no role becomes a `Note` for the review table; the column is left out of the records.
4. Header rows repeated on later pages are dropped; a row with an empty 番号 continues the row above.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pymupdf
from rapidfuzz import fuzz

from normalizers.countries import country_code, split_country_prefix
from normalizers.dates import fiscal_year_from_text, round_from_text
from normalizers.orgs import normalize_org
from normalizers.text import fold, join_lines, normalize_text, strip_spaces_cjk
from pipeline import records
from pipeline.extract.ruled_grid import find_ruled_tables

# Column roles and the header words that name them. Longer, more specific words first does not
# matter: an exact match beats containment, and among containments the longest synonym wins.
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "number": ("番号", "No", "No.", "案件番号", "整理番号", "通し番号", "採択番号", "項番", "#"),
    "proposer": ("提案者", "代表事業者", "代表提案者", "実施主体", "応募者", "事業者", "事業者名",
                 "提案団体", "申請者", "受託者", "実施団体", "代表団体", "提案事業者"),
    "japan": ("国内都市", "国内自治体", "日本側都市", "日本側自治体", "本邦自治体", "国内の都市",
              "国内連携都市", "連携自治体", "日本の自治体", "自治体"),
    "partner": ("対象都市・地域", "対象都市", "対象地域", "相手都市", "相手都市・地域", "海外都市",
                "海外自治体", "相手国都市", "連携先都市", "海外の都市", "相手自治体", "対象自治体"),
    "country": ("対象国", "相手国", "国名", "国", "実施国", "対象国名"),
    "title": ("事業名", "案件名", "業務名", "事業の名称", "提案事業名", "件名", "調査名", "事業名称",
              "案件名称"),
    "fields": ("対象分野", "分野", "事業分野", "対象領域", "技術分野"),
    "summary": ("事業概要", "概要", "事業内容", "事業の概要", "内容", "提案概要", "案件概要"),
}
MAX_HEADER_CHARS = 16  # a header is a short label; a long cell holding a header word is body text
FUZZY_MIN = 75  # rapidfuzz ratio (0-100) for a header that matches no synonym exactly or by containment
BULLETS = "・•●○◆◇■□▪-－"
_PAGE_NUMBER = re.compile(r"^\s*[-‐]?\s*\d+\s*(/\s*\d+)?\s*[-‐]?\s*$")
_HEADER_PUNCT = re.compile(r"[\s・･/／()（）「」【】\[\]:：.．,，、]+")


@dataclass
class _Row:
    page: int
    cells: list[str]  # one string per column, lines joined with "\n"


@dataclass
class _Record:
    """A table row being assembled, possibly over continuation rows."""

    pages: list[int]
    cells: dict[str, str] = field(default_factory=dict)


def extract_adoption_table(doc: pymupdf.Document) -> records.Parsed:
    parsed = records.Parsed()
    mapping: dict[int, str] | None = None  # column index → role, from the last header seen
    ncols: int | None = None  # column count of the table the header came from
    columns: list[float] | None = None  # column cuts of the last header printed without column rules
    noted: set[str] = set()
    title_lines: list[str] | None = None
    rows: list[_Row] = []
    for page in doc:
        page_no = page.number + 1
        lines = _page_lines(page)
        grids, columns = _page_grids(page, lines, ncols, columns)
        if not grids:
            continue
        if title_lines is None:
            top = grids[0][0]
            above = sorted((ln for ln in lines if ln.top < top), key=lambda ln: (ln.top, ln.left))
            title_lines = [ln.text for ln in above if ln.text.strip() and not _PAGE_NUMBER.match(ln.text)]
        for _top, grid in grids:
            for cells in grid:
                header = _map_header(cells)
                if header is not None:
                    mapping, ncols = header.mapping, len(cells)
                    for note in header.notes:
                        if note.text not in noted:
                            noted.add(note.text)
                            note.page = page_no
                            parsed.notes.append(note)
                    continue
                if mapping is None:
                    # rows above the first header: a merged title row inside the grid
                    title_lines.extend(c for c in cells if c.strip())
                    continue
                if len(cells) == ncols:  # another table (a legend, notes) is not a project row
                    rows.append(_Row(page_no, cells))

    parsed.title = normalize_text("\n".join(title_lines or [])) or None
    parsed.fiscal_year = fiscal_year_from_text(parsed.title)
    round_no = round_from_text(parsed.title)
    if parsed.fiscal_year is None and doc.page_count:
        # the year may sit in a heading or note away from the table (a cover page, a subtitle)
        first_page = normalize_text(doc[0].get_text("text"))
        parsed.fiscal_year = fiscal_year_from_text(first_page)
        round_no = round_no or round_from_text(first_page)
    if mapping is None:
        parsed.notes.append(records.Note("no_table", None, "", "no table with a recognisable header row"))
        return parsed
    for record in _assemble(rows, mapping):
        parsed.projects.append(_project(record, parsed.fiscal_year, round_no))
    return parsed


def _page_grids(page: pymupdf.Page, lines: list[_Line], ncols: int | None,
                columns: list[float] | None = None):
    """(the page's tables as (top, rows of cell texts), the column cuts to remember for the next page),
    from the first strategy that finds a usable table:
    a table holding a header row, or one with the column count of the header already seen.

    Ruled grids first. Then tables whose rows are ruled but whose columns are not (word processors'
    and "light" table styles): the columns are cut at the left edges of the header words, found on
    this page or remembered (`columns`) from the page that printed the header."""
    # Fully ruled grids straight from the page's rules first: cheap. find_tables() builds a
    # character model of the page before it looks at rules and costs ten times as much.
    for finder in (find_ruled_tables, lambda p: p.find_tables(use_layout=False).tables):
        grids = _grids(finder(page), lines)
        if any(_usable(grid, ncols) for _top, grid in grids):
            return grids, columns
    cuts = _header_cuts(lines, page.rect.width) or columns
    if cuts:
        tables = page.find_tables(use_layout=False, vertical_strategy="explicit", vertical_lines=cuts,
                                  horizontal_strategy="lines")
        grids = _grids(tables.tables, lines)
        if any(_usable(grid, ncols) for _top, grid in grids):
            return grids, cuts
    return [], columns


def _grids(tables, lines: list[_Line]) -> list[tuple[float, list[list[str]]]]:
    tables = sorted(tables, key=lambda t: (t.bbox[1], t.bbox[0]))
    return [(t.bbox[1], _cell_texts(t, lines)) for t in tables]


def _header_cuts(lines: list[_Line], page_width: float) -> list[float] | None:
    """x positions separating the columns of a header printed as one row of short labels."""
    rows: list[list[_Line]] = []
    for line in sorted(lines, key=lambda ln: (round(ln.top), ln.left)):
        if rows and abs(rows[-1][0].top - line.top) < 3:
            rows[-1].append(line)
        else:
            rows.append([line])
    for row in rows:
        labels = [ln for ln in row if ln.text.strip()]
        if len(labels) >= 3 and _map_header([ln.text for ln in labels]) is not None:
            lefts = sorted(min(c[1][0] for c in ln.chars) for ln in labels)
            right = max(c[1][2] for ln in lines for c in ln.chars)
            return [x - 2 for x in lefts] + [min(right + 2, page_width)]
    return None


def _usable(grid: list[list[str]], ncols: int | None) -> bool:
    if any(_map_header(cells) is not None for cells in grid[:5]):
        return True
    return ncols is not None and bool(grid) and len(grid[0]) == ncols


# --- page text -----------------------------------------------------------------------------------

@dataclass
class _Line:
    """One line of the page's text as MuPDF groups it, with each character's box."""

    top: float
    left: float
    chars: list[tuple[str, tuple[float, float, float, float], float, float]]  # (c, bbox, baseline y, size)

    @property
    def text(self) -> str:
        return "".join(c[0] for c in self.chars)


def _page_lines(page: pymupdf.Page) -> list[_Line]:
    out = []
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", []):
            chars = [(ch["c"], ch["bbox"], ch["origin"][1], span["size"])
                     for span in line["spans"] for ch in span["chars"]]
            if chars:
                out.append(_Line(line["bbox"][1], line["bbox"][0], chars))
    return out


def _cell_texts(table, lines: list[_Line]) -> list[list[str]]:
    """The text of every cell of `table`, row by row, from the characters inside each cell box."""
    rows = table.rows  # a property that rebuilds the rows on every access
    row_boxes = [(row.bbox, row.cells) for row in rows]
    right = table.bbox[2]
    # per row, per column: fragments (baseline y, x, size, text) of the page's lines inside the cell
    frags: list[list[list[tuple[float, float, float, str]]]] = [
        [[] for _ in range(table.col_count)] for _ in row_boxes]
    for line in lines:
        current: dict[tuple[int, int], list] = {}
        for c, (x0, y0, x1, y1), baseline, size in line.chars:
            where = _locate(row_boxes, right, (x0 + x1) / 2, (y0 + y1) / 2)
            if where is None:
                continue
            bucket = current.setdefault(where, [baseline, x0, size, ""])
            bucket[3] += c
        for (r, col), (y, x, size, text) in current.items():
            frags[r][col].append((y, x, size, text))
    return [[_join_fragments(cell) for cell in row] for row in frags]


def _locate(row_boxes, right: float, cx: float, cy: float) -> tuple[int, int] | None:
    """(row, column) of the cell holding point (cx, cy), or None when it is outside the table."""
    for r, ((_x0, top, _x1, bottom), cells) in enumerate(row_boxes):
        if top <= cy <= bottom:
            col = None
            for c, box in enumerate(cells):
                if box is None:
                    continue
                if box[0] <= cx <= box[2]:
                    return (r, c)
                if box[0] <= cx:
                    col = c  # a merged cell spills over columns whose boxes are None
            return (r, col) if col is not None and cx <= right else None
    return None


def _join_fragments(frags: list[tuple[float, float, float, str]]) -> str:
    """Fragments on one baseline form one printed line (a font change splits MuPDF's lines)."""
    lines: list[list[tuple[float, float, float, str]]] = []
    for frag in sorted(frags):
        if lines and abs(frag[0] - lines[-1][0][0]) < frag[2] * 0.5:
            lines[-1].append(frag)
        else:
            lines.append([frag])
    out = []
    for line in lines:
        line.sort(key=lambda f: f[1])
        out.append("".join(f[3] for f in line))
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


def match_header(text: str) -> str | None:
    """The column role a header cell names, or None."""
    key = header_key(text)
    if not key or len(key) > MAX_HEADER_CHARS:
        return None
    for role, keys in _SYNONYM_KEYS.items():
        if key in keys:
            return role
    # containment ("代表事業者名" holds "代表事業者"); one-character synonyms (国) only match exactly
    best = max(((len(k), role) for role, keys in _SYNONYM_KEYS.items() for k in keys
                if len(k) >= 2 and k in key), default=None)
    if best:
        return best[1]
    score, role = max((fuzz.ratio(key, k), role) for role, keys in _SYNONYM_KEYS.items() for k in keys)
    return role if score >= FUZZY_MIN else None


def _map_header(cells: list[str]) -> _Header | None:
    """The column mapping if `cells` is a header row: at least half its filled cells (and 3) name roles."""
    filled = [(i, c) for i, c in enumerate(cells) if c.strip()]
    roles = {i: match_header(c) for i, c in filled}
    known = [i for i, r in roles.items() if r]
    if len(known) < min(3, len(filled)) or len(known) * 2 < len(filled) or len(filled) < 2:
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
        cells = {role: row.cells[i] for i, role in mapping.items() if i < len(row.cells)}
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
        out.append(_Record([row.page], dict(cells)))
    return out


def _project(rec: _Record, fiscal_year: int | None, round_no: int | None) -> records.ProjectRecord:
    cells = rec.cells
    page = rec.pages[0]
    title_raw = cells.get("title", "")
    proposer_raw = cells.get("proposer") or None
    country = country_code(normalize_text(cells.get("country"))) if cells.get("country") else None
    partner_raw = cells.get("partner", "")
    if country is None and partner_raw:
        # no country column: a long country name may prefix the place (インドネシア共和国バリ州)
        country, _rest = split_country_prefix(normalize_text(partner_raw))
    japan_raw = cells.get("japan", "")
    return records.ProjectRecord(
        pages=list(rec.pages),
        fiscal_year=fiscal_year,
        round=round_no,
        number=_number(cells.get("number")),
        title_raw=title_raw,
        title=normalize_text(title_raw),
        proposer_raw=proposer_raw,
        proposer=normalize_org(proposer_raw) if proposer_raw else None,
        co_implementers=[],
        japan=[records.PlaceText(japan_raw, page, "japan", None)] if japan_raw.strip() else [],
        partners=[records.PlaceText(partner_raw, page, "partner", country)] if partner_raw.strip() else [],
        country=country,
        fields=split_fields(cells["fields"]) if "fields" in cells else None,
        summary=strip_spaces_cjk(join_lines(cells.get("summary", ""))) or None,
    )


def _number(text: str | None) -> int | None:
    m = re.match(r"\s*(\d+)", fold(text or ""))
    return int(m.group(1)) if m else None


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
    else:
        items = [part for ln in lines for part in re.split(r"[、,;，；]", ln)]
    return [normalize_text(i) for i in items if i.strip()]
