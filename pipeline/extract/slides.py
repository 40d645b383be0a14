"""Slide-deck extractor: city pairs from per-country two-column tables, from "country : partner-
Japanese" bullets and bullets that are one pair either way round ("横浜市 ⇔ バンコク都（タイ）"), and
from slide titles that are a pair and the programme's name; JCM projects the
programme formed; and projects a slide presents under a fiscal year's commission heading.

Slides are read by geometry (a country name alone on a line heads a small table; rows are bands of
lines between rules or blank space; columns split at the widest horizontal gap), and which side is
Japanese is decided by the shape of the names, not by lists of places.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pymupdf

from normalizers.countries import country_code, split_country, split_country_prefix
from normalizers.dates import date_from_text, fiscal_year_from_text, fiscal_year_of_date
from normalizers.text import join_lines, normalize_text
from pipeline import records
from pipeline.extract import layout
from pipeline.extract.layout import Line, page_lines, upright_drawings
from pipeline.extract.textlines import first_page_title, in_margin, is_japanese_compound, squash, title_pair
from pipeline.settings import Settings
from pipeline.vocabulary import (FOREIGN_SUFFIXES, LONG_VOWEL_JOINERS, PAIR_JOINER, PLACE_NAME_ENDINGS, TITLE_LABELS,
                                 alternation)


@dataclass(frozen=True)
class SlideSettings(Settings):
    """Every tolerance and cut-off the slide-deck extractor decides with. Distances are PDF points
    unless the comment says "× line height" (the height of the line at hand) or a share."""

    margin_share: float = 0.04  # share of the page height at top and bottom read as header/footer
    # Drawings → table borders
    min_fill_size: float = 5.0  # pt: a filled rectangle narrower or lower than this is not cell shading
    rule_straightness: float = 1.0  # pt: a line whose ends differ less than this across it is straight
    min_hrule_length: float = 10.0  # pt: shorter horizontal lines are not rules (underlines, ticks)
    min_vrule_length: float = 5.0  # pt: shorter vertical lines or boxes are not cell borders
    # Headed tables
    max_header_fill_share: float = 0.9  # share of the page width: a wider fill is the slide background
    rule_snap: float = 1.0  # pt: how far a rule may miss the edge or centre it borders
    table_margin: float = 5.0  # pt: a table reaches this far left of its header and stops this short of the next
    next_table_gap: float = 10.0  # pt: a header at least this far right of another heads a table of its own
    rule_span_slack: float = 5.0  # pt: a rule spanning the table's x range within this is one of its rules
    cell_slack_x: float = 2.0  # pt: a line may stick out of its table this far sideways
    cell_slack_y: float = 0.5  # pt: ... and this far above or below
    row_gap: float = 0.4  # × line height: a vertical gap wider than this starts a new row
    min_column_gap: float = 8.0  # pt: the widest gap between left edges must exceed this to split columns
    # Bullets and wrapped lines
    beside_slack: float = 2.0  # pt: a line starting this near the bullet's right end or beyond is beside it
    min_indent: float = 2.0  # pt: a continuation line is indented at least this far past the bullet
    wrap_overlap: float = 1.0  # pt: a wrapped line may overlap the one above by this much
    wrap_gap: float = 0.8  # × line height: a wrapped line starts less than this below the one above
    size_tolerance: float = 0.5  # pt of font size: sizes closer than this are the same type size
    min_bare_pair_bullets: int = 2  # bullets that are one pair with no country: a slide lists this many
    # Slide title
    title_band: float = 200.0  # pt below the topmost line of the slide where the title is looked for
    title_gap: float = 1.0  # × line height: a wider gap ends the title's run of lines
    # JCM project lists
    year_tail_chars: int = 8  # characters at the end of a bullet searched for its 年度
    header_slack: float = 1.0  # pt: a country header may start this far below the bullet it heads
    year_above: float = 2.0  # pt: a 年度 beside a bullet may start this far above it
    year_below: float = 2.0  # × line height: ... or this far below it (beside its wrapped lines)
    # Commissioned projects
    min_title_chars: int = 15  # characters: a project title names both places and the work; shorter are labels


SETTINGS = SlideSettings()

_BULLET = "•・◦▪■◆●○✓➢▶⚫►◼➔-"
_COUNTRY_BULLET = re.compile(rf"^\s*[{re.escape(_BULLET)}]?\s*(?P<country>[^:：]{{2,20}}?)\s*[:：]\s*(?P<rest>.+)$", re.S)
# Between the two places of a pair: a dash (ー only right after a unit suffix, elsewhere it is a long
# vowel), or a two-way arrow or a cross as slides draw them (北九州市 ⇔ ハイフォン市, 横浜市×ダナン市);
# a prefectural office (北海道庁) is a side too.
_PAIR_DASH = re.compile(rf"\s*(?:(?<=[{PLACE_NAME_ENDINGS}庁])[{LONG_VOWEL_JOINERS}]|{PAIR_JOINER})\s*")
_LIST_END = re.compile(r"(?:など|等)\s*$")
_NOTE_MARK = re.compile(r"\s*[※＊*]+\s*\d*\s*$")
_JCM_TITLE = re.compile(r"JCM[^:：]{0,20}[:：]\s*(?P<title>.+)$", re.S)
_YEAR_MONTH = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(1[0-2]|0?[1-9])\s*月")
_FY = re.compile(r"((?:19|20)\d{2})\s*年度")


def bullet_mark(text: str) -> str:
    """The bullet glyph a line starts with, or "". Besides the usual marks, a symbol (Unicode So) or
    a glyph a symbol font exports as a control, private-use or replacement character (Wingdings
    bullets often come out as U+F0A7, U+0000 or U+FFFD) counts when followed by a space."""
    t = text.lstrip(" \u3000")
    if not t:
        return ""
    ch = t[0]
    if ch == "-":  # a hyphen leads a bullet only before a space; else it is a wrapped "place-place"
        return ch if t[1:2] in (" ", "\u3000") else ""
    if ch in _BULLET:
        return ch
    if len(t) > 1 and t[1] in " \u3000" and (ch == "\ufffd" or unicodedata.category(ch) in ("So", "Co", "Cc", "Cn")):
        return ch
    return ""


def strip_bullet(text: str) -> str:
    t = text.lstrip(" \u3000")
    mark = bullet_mark(t)
    return t[len(mark):].strip() if mark else text.strip()


def extract_slides(doc: pymupdf.Document, settings: SlideSettings = SETTINGS) -> records.Parsed:
    s = settings
    parsed = records.Parsed()
    # one Page per page, read through: its drawings, read for the page model, serve the table
    # readers too (they are kept per Page object), and no more than one page's are held at a time
    for pno, page in enumerate(doc):
        lines = page_lines(page)
        if pno == 0:  # the title slide
            parsed.title, parsed.fiscal_year = first_page_title([lines]), _fiscal_year([lines])
        body = [ln for ln in lines if not in_margin(ln, page, s.margin_share)]
        parsed.pairs.extend(table_pairs(page, body, s))
        parsed.pairs.extend(bullet_pairs(body, s))
        parsed.jcm.extend(jcm_records(page, body, s))
        parsed.pairs.extend(slide_title_pairs(body, s))
        parsed.projects.extend(commissioned_projects(body, s))
    parsed.projects = _one_per_project(parsed.projects)
    return parsed


# --- title slide --------------------------------------------------------------------------------------

def _fiscal_year(pages: list[list[Line]]) -> int | None:
    """An explicit 年度 on the title slide, else the fiscal year of the date printed there."""
    if not pages:
        return None
    text = "\n".join(ln.text for ln in pages[0])
    year = fiscal_year_from_text(text)
    if year:
        return year
    date = date_from_text(text)
    if date:
        return fiscal_year_of_date(date[0], date[1])
    month = _YEAR_MONTH.search(normalize_text(text))  # a lecture dated only "2025年7月"
    return fiscal_year_of_date(int(month[1]), int(month[2])) if month else None


# --- tables ------------------------------------------------------------------------------------------

def _rules(page: pymupdf.Page, s: SlideSettings) -> tuple[list[tuple[float, float, float]], list[pymupdf.Rect]]:
    """Horizontal rules (y, x0, x1) and filled rectangles: the table borders and cell shading."""
    hrules, fills = [], []
    for d in upright_drawings(page):
        r = d["rect"]
        if d.get("fill") is not None and r.width > s.min_fill_size and r.height > s.min_fill_size:
            fills.append(r)
            hrules += [(r.y0, r.x0, r.x1), (r.y1, r.x0, r.x1)]
        for item in d["items"]:
            if (item[0] == "l" and abs(item[1].y - item[2].y) < s.rule_straightness
                    and abs(item[1].x - item[2].x) > s.min_hrule_length):
                hrules.append((item[1].y, min(item[1].x, item[2].x), max(item[1].x, item[2].x)))
    return hrules, fills


def _vrules(page: pymupdf.Page, s: SlideSettings) -> list[tuple[float, float, float]]:
    """Vertical rules (x, y0, y1): the cell borders of a table drawn with lines and no shading."""
    out = []
    for d in upright_drawings(page):
        for item in d["items"]:
            if (item[0] == "l" and abs(item[1].x - item[2].x) < s.rule_straightness
                    and abs(item[1].y - item[2].y) > s.min_vrule_length):
                out.append((item[1].x, min(item[1].y, item[2].y), max(item[1].y, item[2].y)))
            elif item[0] == "re" and d.get("fill") is None and item[1].height > s.min_vrule_length:
                r = item[1]
                out += [(r.x0, r.y0, r.y1), (r.x1, r.y0, r.y1)]
    return out


def table_pairs(page: pymupdf.Page, body: list[Line], settings: SlideSettings = SETTINGS) -> list[records.PairRecord]:
    """Pairs from small tables: ruled tables with a country column (a merged cell, its name often
    turned 90°, gives the country of every row it spans), then tables headed by a country row, each
    row "place | place"."""
    pairs, done = _country_column_pairs(page, body)
    body = [ln for ln in body if not any(_inside(ln, box) for box in done)]
    return pairs + _headed_table_pairs(page, body, settings)


def _inside(line: Line, box: tuple[float, float, float, float]) -> bool:
    cx, cy = (line.x0 + line.x1) / 2, (line.y0 + line.y1) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def _country_column_pairs(page: pymupdf.Page, body: list[Line]
                          ) -> tuple[list[records.PairRecord], list[tuple[float, float, float, float]]]:
    """Pairs from ruled tables of three columns, one of which names a country on every row (through
    a merged cell or not): (pairs, boxes of the tables read)."""
    pairs: list[records.PairRecord] = []
    done = []
    for table in layout.table_cells(layout.ruling_lines(page)):
        if table.col_count != 3:
            continue
        texts: dict[tuple, list[Line]] = {}
        for ln in body:
            for cell in table.cells:
                if _inside(ln, cell.bbox):
                    texts.setdefault(cell.bbox, []).append(ln)
                    break
        grid = [[_cell_text(texts.get(table.cell_at(i, j).bbox, [])) for j in range(3)]
                for i in range(table.row_count)]
        codes = [[country_code(normalize_text(t)) if t else None for t in row] for row in grid]
        column = next((j for j in range(3) if all(row[j] for row in codes)), None)
        if column is None:
            continue
        others = [j for j in range(3) if j != column]
        rows_by_country: dict[str, list[tuple[str, str]]] = {}
        for row, code_row in zip(grid, codes):
            rows_by_country.setdefault(code_row[column], []).append((row[others[0]], row[others[1]]))
        found = [p for code, cells in rows_by_country.items() for p in _cell_pairs(cells, code, page.number + 1)]
        if found:
            pairs.extend(found)
            done.append(table.bbox)
    return pairs, done


def _headed_table_pairs(page: pymupdf.Page, body: list[Line], s: SlideSettings) -> list[records.PairRecord]:
    """Pairs from small tables headed by a country row, each row "place | place"."""
    headers = [(ln, code) for ln in body if (code := country_code(ln.text.strip()))]
    if not headers:
        return []
    hrules, fills = _rules(page, s)
    vrules = _vrules(page, s)
    pairs: list[records.PairRecord] = []
    for ln, code in headers:
        x0, x1 = _table_extent(ln, headers, fills, vrules, page.rect.width, s)
        below = [h for h, _ in headers if h is not ln and h.y0 > ln.y0 and h.x0 < x1 and h.x1 > x0]
        y1 = min((h.y0 for h in below), default=page.rect.height)
        cells = [c for c in body if c.y0 >= ln.y1 - s.cell_slack_y and c.y1 <= y1 + s.cell_slack_y
                 and c.x0 >= x0 - s.cell_slack_x and c.x1 <= x1 + s.cell_slack_x and c is not ln]
        rules = [y for y, rx0, rx1 in hrules
                 if rx0 <= x0 + s.rule_span_slack and rx1 >= x1 - s.rule_span_slack or rx0 < x1 and rx1 > x0]
        rows = _rows(cells, rules, s)
        pairs.extend(_row_pairs(rows, code, page.number + 1, s))
    return pairs


def _table_extent(header: Line, headers, fills: list[pymupdf.Rect], vrules, page_width: float,
                  s: SlideSettings) -> tuple[float, float]:
    """The table's x range: the shaded header cell around the country name, else the nearest
    vertical rules on either side of it (a merged header cell drawn with lines), else up to the
    next table to the right."""
    cx, cy = (header.x0 + header.x1) / 2, (header.y0 + header.y1) / 2
    around = [r for r in fills if r.x0 <= cx <= r.x1 and r.y0 <= cy <= r.y1 and r.width < page_width * s.max_header_fill_share]
    if around:
        r = min(around, key=lambda r: r.width * r.height)
        return r.x0, r.x1
    crossing = [x for x, y0, y1 in vrules if y0 - s.rule_snap <= cy <= y1 + s.rule_snap]
    left = [x for x in crossing if x <= header.x0 + s.rule_snap]
    right_rule = [x for x in crossing if x >= header.x1 - s.rule_snap]
    if left and right_rule:
        return max(left), min(right_rule)
    right = [h.x0 for h, _ in headers if h.x0 > header.x1 + s.next_table_gap]
    return header.x0 - s.table_margin, min(right, default=page_width) - s.table_margin


def _rows(cells: list[Line], rules: list[float], s: SlideSettings) -> list[list[Line]]:
    """Bands of lines: a new row starts after a rule or a vertical gap wider than `row_gap` of a line."""
    rows: list[list[Line]] = []
    bottom = None
    for c in sorted(cells, key=lambda c: c.y0):
        ruled = bottom is not None and any(bottom - s.rule_snap <= y <= c.y0 + s.rule_snap for y in rules)
        if bottom is None or c.y0 > bottom + s.row_gap * c.height or ruled:
            rows.append([c])
            bottom = c.y1
        else:
            rows[-1].append(c)
            bottom = max(bottom, c.y1)
    return rows


def _split_x(rows: list[list[Line]], s: SlideSettings) -> float | None:
    """Where the two columns part: the widest gap between the left edges of the lines."""
    # Rows holding both cells define the columns; a stray line (a note, a slide number) must not.
    full = [row for row in rows if len({round(c.x0) for c in row}) >= 2] or rows
    xs = sorted({round(c.x0) for row in full for c in row})
    if len(xs) < 2:
        return None
    gap, at = max((b - a, (a + b) / 2) for a, b in zip(xs, xs[1:]))
    return at if gap > s.min_column_gap else None


def _cell_text(lines: list[Line]) -> str:
    text = "\n".join(ln.text.strip() for ln in sorted(lines, key=lambda ln: ln.y0))
    return _NOTE_MARK.sub("", text).strip()


def _row_pairs(rows: list[list[Line]], code: str, page: int, s: SlideSettings) -> list[records.PairRecord]:
    split = _split_x(rows, s)
    if split is None:
        return []
    cells = []
    for row in rows:
        left = _cell_text([c for c in row if c.x0 < split])
        right = _cell_text([c for c in row if c.x0 >= split])
        cells.append((left, right))
    return _cell_pairs(cells, code, page)


def _cell_pairs(cells: list[tuple[str, str]], code: str, page: int) -> list[records.PairRecord]:
    """Pairs from rows of two cells, one side Japanese local governments (by their shape)."""
    cells = [(a, b) for a, b in cells if a and b]
    if not cells:
        return []
    # The Japanese column is the one whose cells look like Japanese local governments.
    left_jp = sum(is_japanese_compound(join_lines(a)) for a, _ in cells)
    right_jp = sum(is_japanese_compound(join_lines(b)) for _, b in cells)
    if max(left_jp, right_jp) * 2 < len(cells):
        return []
    japan_right = right_jp >= left_jp
    out = []
    for a, b in cells:
        jp, partner = (b, a) if japan_right else (a, b)
        out.append(records.PairRecord(page=page, japan=records.PlaceText(jp, page, "japan"),
                                      partner=records.PlaceText(partner, page, "partner", code), country=code))
    return out


# --- bullets ------------------------------------------------------------------------------------------

def _bullet_items(body: list[Line], s: SlideSettings) -> list[tuple[int, str]]:
    return [(head.page, text) for head, text in _bullet_runs(body, s)]


def _bullet_runs(body: list[Line], s: SlideSettings) -> list[tuple[Line, str]]:
    """Bullet texts with their wrapped continuation lines: later lines of the same text block, or
    an indented line right below the last one (a presentation program may put it in a block of
    its own)."""
    items: list[tuple[Line, list[Line]]] = []
    for ln in sorted(body, key=lambda ln: (ln.block, ln.y0, ln.x0)):
        text = ln.text.strip()
        m = _COUNTRY_BULLET.match(strip_bullet(text))
        if bullet_mark(text) or (m and country_code(m["country"])):
            items.append((ln, [ln]))
            continue
        if not items:
            continue
        head, run = items[-1]
        last = run[-1]
        if ln.x0 >= head.x1 - s.beside_slack:
            continue  # beside the bullet, not below it: a column of its own (a 年度, a note)
        same_block = ln.block == last.block
        below = (head.x0 + s.min_indent < ln.x0 < head.x1
                 and -s.wrap_overlap <= ln.y0 - last.y1 < s.wrap_gap * last.height)
        if same_block or below:
            run.append(ln)
    return [(head, join_lines("\n".join(x.text.strip() for x in run))) for head, run in items]


def parse_pair_bullet(text: str) -> tuple[str | None, list[tuple[str, str]]] | None:
    """"ベトナム : ハノイ市- 福岡県、バリアブントウ省- 堺市" → ("VN", [("福岡県", "ハノイ市"), ("堺市", …)]).

    Returns (country, [(japan, partner)]). Items are separated by 、; in each item the places are
    joined by dashes, and every partner place is paired with every Japanese one
    ("西ジャワ州- バンテン州- 北九州市" → two pairs with 北九州市). A bullet with no country heading it
    is one pair (`_pair_bullet_without_country`), its country None unless printed with the partner.
    """
    return _country_pair_bullet(text) or _pair_bullet_without_country(text)


def _country_pair_bullet(text: str) -> tuple[str, list[tuple[str, str]]] | None:
    m = _COUNTRY_BULLET.match(strip_bullet(text))
    code = country_code(m["country"].strip(_BULLET + " \u3000")) if m else None
    if not code:
        return None
    rest = _LIST_END.sub("", m["rest"].strip())
    out = []
    for item in re.split(r"[、，,;；]", rest):
        parts = [p.strip() for p in _PAIR_DASH.split(item.strip()) if p.strip()]
        if len(parts) < 2:
            continue
        japan = [p for p in parts if is_japanese_compound(p)]
        partners = [p for p in parts if p not in japan]
        out.extend((j, p) for p in partners for j in japan)
    return (code, out) if out else None


def _pair_bullet_without_country(text: str) -> tuple[str | None, list[tuple[str, str]]] | None:
    """A bullet that is one pair with no country heading it, either side first: "横浜市 ⇔ バンコク都（タイ）",
    "北九州市 - スラバヤ市". The country is the one printed with the partner, else None (the partner's
    place in the gazetteer tells it). Both sides must look like places: Japanese local governments
    on one side, a foreign place (katakana, a place suffix) on the other."""
    if not bullet_mark(text):
        return None
    parts = [p.strip() for p in _PAIR_DASH.split(_LIST_END.sub("", normalize_text(strip_bullet(text)).strip()))
             if p.strip()]
    if len(parts) != 2 or is_japanese_compound(parts[0]) == is_japanese_compound(parts[1]):
        return None
    japan, partner = parts if is_japanese_compound(parts[0]) else parts[::-1]
    code, place = split_country(partner)  # (None, partner) when it names no country
    if not _trim_japanese(japan) or not re.fullmatch(_PARTNER_SIDE, place):
        return None
    return code, [(japan, place)]


def bullet_pairs(body: list[Line], settings: SlideSettings = SETTINGS) -> list[records.PairRecord]:
    """The pairs a slide's bullets list: "country : pairs" bullets, and bullets that are one pair
    with no country when the slide lists at least `min_bare_pair_bullets` of them (one such line
    alone is an example in running text, a JCM project's places, not a list of participants)."""
    found: list[tuple[int, str | None, list[tuple[str, str]], bool]] = []  # (page, country, pairs, bare)
    for page, text in _bullet_items(body, settings):
        if parsed := _country_pair_bullet(text):
            found.append((page, *parsed, False))
        elif parsed := _pair_bullet_without_country(text):
            found.append((page, *parsed, True))
    listed = sum(1 for *_x, bare in found if bare) >= settings.min_bare_pair_bullets
    pairs = []
    for page, code, items, bare in found:
        if bare and not listed:
            continue
        for jp, partner in items:
            pairs.append(records.PairRecord(page=page, japan=records.PlaceText(jp, page, "japan"),
                                            partner=records.PlaceText(partner, page, "partner", code),
                                            country=code))
    return pairs


# --- JCM projects -----------------------------------------------------------------------------------

# A pair written in prose or in brackets: Japanese side (kanji names joined by ・) – partner side
# (optionally "country・", then a katakana-led place ending in a place suffix).
_JP_SIDE = r"(?P<jp>[\u3005\u4e00-\u9fff]+(?:・[\u3005\u4e00-\u9fff]+)*)"
_PARTNER_SIDE = (r"(?P<partner>(?:[\u30a0-\u30ff]+・)?[\u30a0-\u30ff][\u30a0-\u30ff\u4e00-\u9fff]*?"
                 rf"{alternation(FOREIGN_SUFFIXES)})")
_DASH = rf"\s*(?:[{LONG_VOWEL_JOINERS}]|{PAIR_JOINER})\s*"
_PAIR_JP_FIRST = re.compile(_JP_SIDE + _DASH + _PARTNER_SIDE)
_PAIR_PARTNER_FIRST = re.compile(_PARTNER_SIDE + _DASH + _JP_SIDE)


@dataclass
class PairMention:
    japan: str
    partner: str
    country: str | None


def pair_mentions(text: str) -> list[PairMention]:
    """City pairs written inside running text: "沖縄県・浦添市ーパラオ・アイライ州", "(スラバヤ市-北九州市)"."""
    flat = normalize_text(text)
    found: list[PairMention] = []
    for rx in (_PAIR_JP_FIRST, _PAIR_PARTNER_FIRST):
        for m in rx.finditer(flat):
            jp = _trim_japanese(m["jp"])
            if not jp:
                continue
            code, partner = split_country_prefix(m["partner"])
            found.append(PairMention(jp, partner, code))
    return found


def split_bracket_pair(text: str) -> PairMention | None:
    """"スラバヤ市-北九州市" / "横浜市ーダナン市" → the pair; the side that looks like Japanese local
    governments is Japanese, whatever the order."""
    flat = normalize_text(text)
    for m in re.finditer(rf"[{LONG_VOWEL_JOINERS}]|{PAIR_JOINER}", flat):
        a, b = flat[: m.start()].strip(), flat[m.end():].strip()
        if not a or not b:
            continue
        a_jp, b_jp = is_japanese_compound(a), is_japanese_compound(b)
        if a_jp != b_jp:
            jp, partner = (a, b) if a_jp else (b, a)
            code, place = split_country_prefix(partner)
            return PairMention(jp, place if code else partner, code)
    return None


def _trim_japanese(side: str) -> str | None:
    parts = side.split("・")
    keep = [p for p in parts if is_japanese_compound(p)]
    return "・".join(keep) if keep and len(keep) == len(parts) else None


def _common(values: list[str]) -> str:
    """The names every mention shares (沖縄県・浦添市 and 浦添市 → 浦添市); else the first mention."""
    sets = [set(v.split("・")) for v in values]
    common = set.intersection(*sets)
    if common:
        return "・".join(p for p in values[0].split("・") if p in common)
    return values[0]


def jcm_records(page: pymupdf.Page, body: list[Line], settings: SlideSettings = SETTINGS) -> list[records.JcmRecord]:
    """A slide about one JCM project ("JCM プロジェクト：<title>") or a list of JCM projects formed
    from the programme, each bullet ending in its city pair in brackets."""
    if not body:
        return []
    title_lines = _slide_title(body, settings)
    title_text = join_lines("\n".join(ln.text for ln in title_lines))
    if "JCM" not in title_text.upper():
        return []
    m = _JCM_TITLE.search(title_text)
    if m:
        rest = [ln for ln in body if ln not in title_lines]
        record = _single_project(page.number + 1, normalize_text(m["title"]), rest)
        return [record] if record else []
    return _project_list(page.number + 1, body, title_lines, settings)


def _slide_title(body: list[Line], s: SlideSettings) -> list[Line]:
    """The slide title: the topmost run of the biggest type within `title_band` points below the
    slide's topmost line."""
    top = [ln for ln in body if ln.y0 < min(ln.y0 for ln in body) + s.title_band]
    biggest = max(ln.size for ln in top)
    run = sorted((ln for ln in top if ln.size >= biggest - s.size_tolerance), key=lambda ln: ln.y0)
    out = run[:1]
    for ln in run[1:]:
        if ln.y0 - out[-1].y1 > s.title_gap * out[-1].height:
            break
        out.append(ln)
    return out


def _single_project(page: int, title: str, rest: list[Line]) -> records.JcmRecord | None:
    text = "\n".join(ln.text for ln in sorted(rest, key=lambda ln: (ln.y0, ln.x0)))
    mentions = pair_mentions(text)
    if not mentions:
        return None
    japan = _common([x.japan for x in mentions])
    partner = _common([x.partner for x in mentions])
    country = next((x.country for x in mentions if x.country), None)
    return records.JcmRecord(page=page, title=title, country=country,
                             japan=records.PlaceText(japan, page, "japan"),
                             partner=records.PlaceText(partner, page, "partner", country),
                             fiscal_year=_adoption_year(text))


def _adoption_year(text: str) -> int | None:
    """The 年度 of the sentence that says the project was adopted (採択) as a JCM project."""
    flat = normalize_text(text)
    for sentence in re.split(r"[。\n]", flat):
        if "採択" in sentence or "JCM" in sentence:
            years = [int(y) for y in _FY.findall(sentence)]
            near = re.search(r"((?:19|20)\d{2})年度(?:の)?JCM", sentence)
            if near:
                return int(near.group(1))
            if "採択" in sentence and years:
                return years[-1]
    return None


def _project_list(page: int, body: list[Line], title_lines: list[Line], s: SlideSettings) -> list[records.JcmRecord]:
    """Bullets "<project title>（partner-Japanese）" under country headers, a 年度 beside each."""
    rest = [ln for ln in body if ln not in title_lines]
    headers = [(ln, code) for ln in rest if (code := country_code(ln.text.strip()))]
    years = [(ln, int(m.group(1))) for ln in rest if (m := re.fullmatch(r"\s*((?:19|20)\d{2})\s*年度\s*", ln.text))]
    out = []
    for first, text in _bullet_runs(rest, s):
        flat = normalize_text(strip_bullet(text))
        year_m = _FY.search(flat[-s.year_tail_chars:]) if flat else None
        m = re.search(r"[（(]([^（()）]+)[）)]\s*((?:19|20)\d{2}年度)?\s*$", flat)
        if not m:
            continue
        pm = split_bracket_pair(m.group(1))
        if pm is None:
            continue
        title = flat[: m.start()].strip()
        country = pm.country or _nearest_above(first, headers, s)
        year = int(m.group(2)[:4]) if m.group(2) else _beside(first, years, s)
        if year is None and year_m:
            year = int(year_m.group(1))
        out.append(records.JcmRecord(page=page, title=title, country=country,
                                     japan=records.PlaceText(pm.japan, page, "japan"),
                                     partner=records.PlaceText(pm.partner, page, "partner", country),
                                     fiscal_year=year))
    return out


def _nearest_above(line: Line, headers: list[tuple[Line, str]], s: SlideSettings) -> str | None:
    above = [(h.y0, code) for h, code in headers if h.y0 <= line.y0 + s.header_slack and h.x0 <= line.x1]
    return max(above)[1] if above else None


def _beside(line: Line, years: list[tuple[Line, int]], s: SlideSettings) -> int | None:
    """A 年度 printed on the same row as the bullet (or its wrapped lines just below)."""
    cands = [(abs(y.y0 - line.y0), v) for y, v in years
             if y.x0 > line.x0 and -s.year_above <= y.y0 - line.y0 <= s.year_below * line.height]
    return min(cands)[1] if cands else None


# --- projects a deck presents ------------------------------------------------------------------

# The programme's commission of one fiscal year, as a heading: "令和4年度脱炭素社会実現のための
# 都市間連携事業委託業務", possibly in 【】. Its name carries no brackets, no places and no "～" (a
# "(2022年度～) 横浜市・バンコク都による…" heading is a period of work, not a commission).
_COMMISSION = re.compile(
    r"[【\[(]?\s*(?P<fy>(?:令和|平成)\s*(?:\d{1,2}|元)\s*年度|(?:19|20)\d{2}\s*年度)\s*"
    r"(?P<name>[^()【】\[\]「」～〜~]{0,40}都市間連携事業(?:[^()【】\[\]「」～〜~]{0,12}(?:業務|事業))?)\s*[】\])]?")
_OVERVIEW_TAIL = re.compile(r"\s*の\s*概要\s*$")
_PROJECT_END = re.compile(r"(?:事業|業務)$")
# A title of the programme itself once its city pair is taken away: "(横浜市・バンコク都)による都市間連携事業".
_PROGRAMME_ONLY = re.compile(r"(?:による|の|間の?)?\s*都市間連携(?:事業)?")
_YEAR_PREFIX = re.compile(r"^[(（][^()（）]*年度[^()（）]*[)）]\s*")


def commission_year(text: str) -> int | None:
    """The fiscal year of a programme-commission heading, or None when `text` is not one."""
    m = _COMMISSION.fullmatch(normalize_text(text).strip())
    if not m or title_pair(m["name"]):  # "令和4年度横浜市・バンコク都による都市間連携事業" is a collaboration's
        return None
    return fiscal_year_from_text(m["fy"])


def _text_runs(body: list[Line], s: SlideSettings) -> list[list[Line]]:
    """Lines grouped into the text boxes they were typed in: a line continues the run above it
    when it is in the same block, or in the same type size right below it and overlapping it
    horizontally (a wrapped title a presentation program split into blocks)."""
    runs: list[list[Line]] = []
    for ln in sorted(body, key=lambda ln: (ln.y0, ln.x0)):
        for run in reversed(runs):
            last = run[-1]
            same_block = ln.block == last.block and ln.y0 >= last.y0
            below = (abs(ln.size - last.size) <= s.size_tolerance
                     and -s.wrap_overlap <= ln.y0 - last.y1 < s.wrap_gap * last.height
                     and ln.x0 < last.x1 and ln.x1 > last.x0)
            if same_block or below:
                run.append(ln)
                break
        else:
            runs.append([ln])
    return runs


def project_title(text: str, settings: SlideSettings = SETTINGS) -> tuple[str, str, str] | None:
    """A project title naming its city pair → (title, japan, partner) as printed, else None.

    "横浜市とダナン市の都市間連携による…支援事業の概要" → the title without "の概要". A heading that is
    only the pair and the programme's name ("横浜市・バンコク都による都市間連携事業") or that starts
    with a period ("(2022年度～) …") is about the collaboration, not a project."""
    flat = _OVERVIEW_TAIL.sub("", normalize_text(text)).strip()
    if len(flat) < settings.min_title_chars or not _PROJECT_END.search(flat) or _YEAR_PREFIX.match(flat):
        return None
    if commission_year(flat):
        return None
    pair = title_pair(flat)
    if pair is None or _PROGRAMME_ONLY.fullmatch(flat[pair.end:]):
        return None
    return flat, pair.japan, pair.partner


def commissioned_projects(body: list[Line], settings: SlideSettings = SETTINGS) -> list[records.ProjectRecord]:
    """A slide presenting one project of a fiscal year's commission: the commission heading and a
    title that names a Japanese local government and a foreign place, both on the slide. Nothing when
    either is missing, or when the slide holds several such titles (which one is the project's is
    not for a guess)."""
    # The heading may share a text box with the title below it: take its lines out first.
    heading_lines = [(ln, y) for ln in body if (y := commission_year(ln.text))]
    rest = [ln for ln in body if all(ln is not h for h, _ in heading_lines)]
    runs = [(run, join_lines("\n".join(ln.text.strip() for ln in run))) for run in _text_runs(rest, settings)]
    years = {y for _, y in heading_lines} | {y for _, text in runs if (y := commission_year(text))}
    if len(years) != 1:
        return []
    titles = [(run, t) for run, text in runs if (t := project_title(text, settings))]
    if not titles:
        return _labelled_project(body, rest, years.pop(), settings)
    if len(titles) != 1:
        return []
    run, (title, japan, partner) = titles[0]
    page = run[0].page
    code, _ = split_country_prefix(partner)
    raw = _OVERVIEW_TAIL.sub("", "\n".join(ln.text.strip() for ln in run))
    return [records.ProjectRecord(
        pages=[page], fiscal_year=years.pop(), round=None, number=None, title_raw=raw, title=title,
        proposer_raw=None, proposer=None,
        japan=[records.PlaceText(japan, page, "japan")],
        partners=[records.PlaceText(partner, page, "partner", code)],
        country=code)]


_LABEL = re.compile(r"^\s*(?P<label>[^\s:：()（）]{1,8})\s*[:：]\s*(?P<value>.*)$")


def _labelled_project(body: list[Line], rest: list[Line], year: int, s: SlideSettings) -> list[records.ProjectRecord]:
    """A commission slide that labels the project's name ("事業名：…", wrapped until the next "label：")
    and whose slide title is the city pair of the collaboration ("横浜市・バンコク都による都市間連携
    事業"): the name need not repeat the places, the title gives them."""
    pairs = slide_title_pairs(body, s)
    if len(pairs) != 1:
        return []
    found = []
    for run in _text_runs(rest, s):
        lines = sorted(run, key=lambda ln: ln.y0)
        for i, ln in enumerate(lines):
            m = _LABEL.match(normalize_text(ln.text))
            if not m or m["label"] not in TITLE_LABELS:
                continue
            taken = [m["value"]]
            for nxt in lines[i + 1:]:
                if _LABEL.match(normalize_text(nxt.text)):
                    break
                taken.append(nxt.text.strip())
            found.append((ln.page, "\n".join(taken).strip()))
    if len(found) != 1 or len(normalize_text(found[0][1])) < s.min_title_chars:
        return []
    page, raw = found[0]
    pair = pairs[0]
    return [records.ProjectRecord(
        pages=[page], fiscal_year=year, round=None, number=None, title_raw=raw,
        title=normalize_text(join_lines(raw)), proposer_raw=None, proposer=None,
        japan=[records.PlaceText(pair.japan.text, page, "japan")],
        partners=[records.PlaceText(pair.partner.text, page, "partner", pair.country)], country=pair.country)]


def _one_per_project(projects: list[records.ProjectRecord]) -> list[records.ProjectRecord]:
    """A deck presents a project on several slides; the document states it once (dedupe never joins
    two records of one document)."""
    out: dict[tuple, records.ProjectRecord] = {}
    for p in projects:
        key = (p.fiscal_year, squash(p.title))
        if key in out:
            out[key].pages = sorted(set(out[key].pages) | set(p.pages))
        else:
            out[key] = p
    return list(out.values())


# --- city pairs a slide title states ---------------------------------------------------------------

def slide_title_pairs(body: list[Line], settings: SlideSettings = SETTINGS) -> list[records.PairRecord]:
    """A slide titled with a city pair and nothing but the programme's name: "横浜市とダナン市の
    都市間連携", "(2022年度～) 横浜市・バンコク都による都市間連携事業", "バンコク都ー横浜市都市間連携".
    The whole title must have this form: a pair in running text or in a longer title (a project's
    name, "…都市間連携事業セッション") is not a statement that the two cities collaborate."""
    if not body:
        return []
    lines = _slide_title(body, settings)
    flat = _YEAR_PREFIX.sub("", normalize_text(join_lines("\n".join(ln.text.strip() for ln in lines))).strip())
    pair = title_pair(flat)
    if pair is None or pair.start != 0 or not _PROGRAMME_ONLY.fullmatch(flat[pair.end:]):
        return []
    page = lines[0].page
    code, _ = split_country_prefix(pair.partner)
    return [records.PairRecord(page=page, japan=records.PlaceText(pair.japan, page, "japan"),
                               partner=records.PlaceText(pair.partner, page, "partner", code), country=code)]
