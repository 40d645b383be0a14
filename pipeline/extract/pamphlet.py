"""Pamphlet extractor: a programme brochure with a participating-cities list, a project list grouped
under city-pair headings, and one detail section per project.

Everything is found by layout and wording that such brochures share (a heading naming 参加都市, a
heading naming a project list such as 事業一覧 or 案件一覧, "代表事業者 | …" or "代表提案者 | …"
labels), never by page numbers, so another year's pamphlet with more or fewer pages reads the same way.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pymupdf
from rapidfuzz import fuzz

from normalizers.countries import country_code, split_country, split_country_prefix
from normalizers.dates import fiscal_year_from_text
from normalizers.orgs import normalize_org, split_orgs
from normalizers.text import normalize_text
from pipeline import records
from pipeline.extract import layout
from pipeline.extract.layout import Line, Span
from pipeline.settings import Settings
from pipeline.extract.textlines import (first_page_title, has_kana, in_margin, is_japanese_compound, is_japanese_lg,
                                        names_places, squash)
from pipeline.vocabulary import (CO_WORDS, FOREIGN_SUFFIXES, LEAD_WORDS, PAIR_JOINERS, PROPOSER_HEADERS,
                                 PROPOSER_LABELS, TITLE_HEADERS, alternation)

# Dashes printed between the Japanese side and the partner side of a pair heading. ー (the katakana
# long vowel mark) is among them: after a kanji suffix such as 市 it cannot be a long vowel.
PAIR_SEPARATORS = "ー" + PAIR_JOINERS
_SEPARATOR = re.compile(f"[{re.escape(PAIR_SEPARATORS)}]")
# A list number as printed: "01", "1", "No.1", "No. 1", "1.", "(1)", "#1".
_NUMBER = re.compile(r"^(?:no\.?|№|#)?[(（]?(\d{1,3})[)）.．]?$", re.IGNORECASE)


def _label(words: str) -> re.Pattern:
    """A label at the start of a line, however it is set off: "代表事業者 | …", "代表事業者：…",
    "【代表事業者】…", "■代表事業者 …"."""
    return re.compile(rf"^\s*[【\[［〔〈《<■□◆◇●○・]?\s*(?:{words})\s*[】\]］〕〉》>]?\s*[|｜:：]?\s*")


_PROPOSER_LABEL = _label(alternation(PROPOSER_LABELS))
_LEAD_LABEL = _label(LEAD_WORDS)
_CO_LABEL = _label(CO_WORDS)
# Column headers of a project list printed as a table without a label in each cell.
_PROPOSER_HEADER = re.compile(rf"^{alternation(PROPOSER_HEADERS)}$")
_TITLE_HEADER = re.compile(rf"^{alternation(TITLE_HEADERS)}$")
# Decoration around a country header in the participating-cities list: 【ベトナム】, ■ベトナム, <ベトナム>.
_HEADER_MARKS = "【】[]［］〔〕〈〉《》<>＜＞■□◆◇●○▼▽▶・"
# A place unit a project title may join to the heading's partner: トゥードック市, ○○州 …
_PLACE_UNIT = rf"[\u30a0-\u30ff\u4e00-\u9fffA-Za-z]+?{alternation(FOREIGN_SUFFIXES)}"
_CONJUNCTION = r"(?:及び|および|と|並びに|・|、)"


@dataclass(frozen=True)
class PamphletSettings(Settings):
    """Every tolerance and cut-off the pamphlet extractor decides with. Distances are PDF points
    unless the comment says "× line height" (the height of the line at hand), "em" (× font size) or
    a share."""

    folio_band: int = 6  # a page number stands in the top or bottom 1/folio_band of the page
    glyph_slack: float = 0.5  # pt: text may overlap a heading, label or number this much
    edge_slack: float = 1.0  # pt: a line this near a label's edge is on its side
    row_overlap: float = 0.5  # × the lower line's height two lines must share to stand on one row
    header_size_tolerance: float = 0.1  # pt of font size: a heading this much smaller still ends the lists
    number_cluster: float = 2.0  # × line height: list numbers this close in x stand in one column
    column_lead: float = 2.0  # × line height: a page column starts this far left of its numbers
    min_list_numbers: int = 2  # numbers a column beyond the first holds at least (one alone is a wrapped "1)")
    heading_wrap_gap: float = 0.6  # × line height: a pair heading's wrapped line starts less than this below
    open_heading_gap: float = 1.0  # × line height: ... and this, when the heading leaves a bracket open
    label_align: float = 3.0  # pt: a proposer's lines start this near its label's left edge
    wrap_gap: float = 0.8  # × line height: a wider blank ends a run of lines (a cell, a value)
    min_line_height: int = 1  # pt: floor of a line height when measuring a blank below it
    size_step: float = 0.5  # pt of font size: a heading line is bigger than its label by more than this
    label_gap: float = 2.0  # × line height: a label boxed apart may stand this far below its title
    heading_gap: float = 1.2  # × line height: a wider gap between heading lines ends the title
    latin_char_em: float = 0.6  # em: about how wide a Latin character is
    cjk_char_em: float = 1.0  # em: how wide a CJK character is
    label_box_gap: float = 1.5  # × line height: a value in a box under its label starts within this
    value_size_tolerance: float = 0.3  # pt of font size: a value's wrapped lines keep its size within this
    title_match_min: int = 70  # rapidfuzz ratio (0-100) a list title and a detail title need to be paired
    card_gap: float = 3.0  # × the number's line height: a card's pair heading starts within this of its number
    min_cards: int = 2  # cards the first page of a list of cards holds at least
    section_heading_lines: int = 3  # a project page's pair heading stands within this many lines above its title


SETTINGS = PamphletSettings()


def extract_pamphlet(doc: pymupdf.Document) -> records.Parsed:
    pages = [_without_folios(page, _split_numbers(layout.page_lines(page))) for page in doc]
    parsed = records.Parsed(title=first_page_title(pages), fiscal_year=_fiscal_year(pages))
    parsed.pairs = participating_pairs(doc, pages)
    entries, last_list_page = project_list(doc, pages)
    # a card's "代表事業者：…" is its list entry's, not a detail section: cards' details follow the list
    cards = bool(entries) and all(e.card for e in entries)
    sections = detail_sections(doc, pages, start=last_list_page + 1 if cards else last_list_page)
    if not entries:
        # project pages with no list: each page headed by its pair is a project of its own
        entries = [ListEntry(sec.page, sec.number, sec.heading, sec.title_raw, None)
                   for sec in sections if sec.heading is not None]
    parsed.projects = _build_projects(entries, sections, parsed.fiscal_year, parsed.notes)
    return parsed


_FOLIO = re.compile(r"^[-–—‐\s]*\d{1,4}\s*(?:/\s*\d{1,4})?[-–—‐\s]*$")


def _without_folios(page: pymupdf.Page, lines: list[Line]) -> list[Line]:
    """The page's lines without its page number: a bare number ("4", "- 4 -", "4 / 9") alone on its
    row, below every other line in the bottom sixth of the page, or above every other line in the
    top sixth. A word
    processor sets its footer inside the page margin, often above the few percent `in_margin` drops,
    and a stray number would read as a list number or end a description."""
    h = page.rect.height
    band = SETTINGS.folio_band
    out = []
    for ln in lines:
        if _FOLIO.match(ln.text) and (
                ln.y0 > h * (band - 1) / band and all(o.y0 < ln.y0 for o in lines if o is not ln)
                or ln.y1 < h / band and all(o.y1 > ln.y1 for o in lines if o is not ln)) \
                and not any(o is not ln and min(o.y1, ln.y1) - max(o.y0, ln.y0) > SETTINGS.row_overlap
                            * min(o.height, ln.height) for o in lines):  # (a card's number has its heading beside it)
            continue
        out.append(ln)
    return out


# --- cover ---------------------------------------------------------------------------------------

def _fiscal_year(pages: list[list[Line]]) -> int | None:
    """The 年度 on the cover; else the first 年度 printed in a heading of the list section."""
    for page in pages[:1]:
        year = fiscal_year_from_text("\n".join(line.text for line in page))
        if year:
            return year
    for page in pages:
        for line in page:
            if _LIST_HEADING.search(squash(line.text)):
                year = fiscal_year_from_text(line.text)
                if year:
                    return year
    return None


# --- participating cities -------------------------------------------------------------------------

def participating_pairs(doc: pymupdf.Document, pages: list[list[Line]]) -> list[records.PairRecord]:
    """Pairs from the 参加都市 list: per country, lines "partner　Japanese municipalities".

    The list starts under its heading and may run on over the next pages; a page continues it only
    when its first line is a pair line or a country heading (the country carries over)."""
    pairs: list[records.PairRecord] = []
    open_list: _OpenList | None = None
    for pno, lines in enumerate(pages):
        page = doc[pno]
        heading = next((ln for ln in lines if re.search(r"参加(?:都市|国)", squash(ln.text))
                        and not _is_pair_line_shape(ln)), None)
        if heading is not None and not pairs:
            section = [ln for ln in lines if ln.y0 >= heading.y1 - SETTINGS.glyph_slack and not in_margin(ln, page)]
            found, open_list = _pairs_in_section(_rows(page, section), page.rect.width)
        elif pairs and open_list:
            top = heading.y1 - SETTINGS.glyph_slack if heading is not None else float("-inf")  # 参加都市（続き）
            section = [ln for ln in lines if ln.y0 >= top and not in_margin(ln, page)]
            found, open_list = _pairs_in_section(_rows(page, section), page.rect.width, open_list)
        else:
            continue
        if pairs and not found:
            break
        pairs.extend(found)
    return pairs


def _split_numbers(lines: list[Line]) -> list[Line]:
    """A list number printed in a type of its own just left of its heading ("01" then "札幌市ー…",
    one row of the page model), or before it in the same type and set off by a space ("1.　北九州市
    － ダバオ市"), becomes a line of its own, as a reader sees it."""
    out = []
    for ln in lines:
        first = ln.spans[0] if ln.spans else None
        if first is not None and not ln.vertical and (len(ln.spans) < 2 or not _NUMBER.match(squash(first.text))):
            out.extend(_split_numbered_heading(ln))
            continue
        if first is None or len(ln.spans) < 2 or not _NUMBER.match(squash(first.text)) \
                or not "".join(sp.text for sp in ln.spans[1:]).strip():
            out.append(ln)
            continue
        n = len(first.text.rstrip(" \u3000"))
        head = [c for c in ln.chars if c.text.strip()][:n]
        rest_chars = ln.chars[len(head):]
        out.append(Line(ln.page, first.bbox[0], first.bbox[1], first.bbox[2], first.bbox[3], [first], ln.block,
                        False, head))
        rest = ln.spans[1:]
        out.append(Line(ln.page, min(sp.bbox[0] for sp in rest), min(sp.bbox[1] for sp in rest),
                        max(sp.bbox[2] for sp in rest), max(sp.bbox[3] for sp in rest), rest, ln.block, False,
                        rest_chars))
    return out


_NUMBER_THEN_TEXT = re.compile(r"^\s*(\S{1,6}?)[\s\u3000]+(\S.*)$")


def _split_numbered_heading(ln: Line) -> list[Line]:
    """[number line, heading line] for a line that is a list number, a space and a pair heading in
    one type ("1.　北九州市 － ダバオ市", "No.2 横浜市 × ダナン市"); else [ln]."""
    m = _NUMBER_THEN_TEXT.match(ln.text)
    if m is None or not _NUMBER.match(squash(m.group(1))) or parse_pair_heading(m.group(2)) is None:
        return [ln]
    n = len(squash(m.group(1)))
    glyphs = [k for k, c in enumerate(ln.chars) if c.text.strip()]
    if len(glyphs) <= n:
        return [ln]
    cut = glyphs[n - 1] + 1
    rest = ln.chars[cut:]
    while rest and not rest[0].text.strip():
        rest = rest[1:]
    if not rest:
        return [ln]
    return [layout.line_of(ln.chars[:cut], ln.page, ln.block), layout.line_of(rest, ln.page, ln.block)]


def _rows(page: pymupdf.Page, lines: list[Line]) -> list[Line]:
    """The lines as a reader sees them, in reading order: a name set apart by a tab stop on the same
    row of the same block (a column of the page) is joined with a wide space before it."""
    rows: list[Line] = []
    for ln in lines:
        # a vertical heading (縦書き) beside the rows is a line of its own, not the head of a row
        row = None if ln.vertical else next((r for r in rows if r.block == ln.block and not r.vertical
                                             and 0 <= ln.x0 - r.x1
                                             and min(r.y1, ln.y1) - max(r.y0, ln.y0)
                                             > SETTINGS.row_overlap * min(r.height, ln.height)), None)
        if row is None:
            rows.append(Line(ln.page, ln.x0, ln.y0, ln.x1, ln.y1, list(ln.spans), ln.block, ln.vertical, ln.chars))
            continue
        gap = Span("\u3000", row.spans[-1].font, row.spans[-1].size, 0, False, (row.x1, row.y0, ln.x0, row.y1))
        row.spans = row.spans + [gap] + ln.spans
        row.x1, row.y0, row.y1 = ln.x1, min(row.y0, ln.y0), max(row.y1, ln.y1)
    return rows


def _is_pair_line_shape(line: Line) -> bool:
    return "\u3000" in line.text.strip()


@dataclass
class _OpenList:
    """A country's list still open at the foot of a page: its country and its heading's type size."""

    country: str
    header_size: float


def _pairs_in_section(lines: list[Line], page_width: float, continuing: _OpenList | None = None
                      ) -> tuple[list[records.PairRecord], _OpenList | None]:
    """The pairs, and the list still open at the end (None when the lists are over).

    `continuing`: the section carries on a list from the page before; it must begin with a pair
    line or a country heading, or it holds no pairs."""
    # Lines come in reading order (page columns one after the other): a country's list may run on
    # from the foot of one column to the top of the next.
    ordered = _partner_then_japanese(lines)
    pairs: list[records.PairRecord] = []
    country = continuing.country if continuing else None
    header_size = continuing.header_size if continuing else 0.0
    for k, line in enumerate(ordered):
        text = line.text.strip()
        code = country_code(text.strip(_HEADER_MARKS + " \u3000"))
        if code:
            country, header_size = code, line.size
            continue
        split = _split_pair_line(line) if country else None
        if split is None:
            if continuing and k == 0:
                return [], None  # the page does not go on with the list
            if text[:1] in "(（":
                continue  # a note under a pair, e.g. ports "(…港)　(…埠頭)"
            if country and line.size >= header_size - SETTINGS.header_size_tolerance:
                # Another heading ("海外 13 カ国 45 都市", "日本 20 自治体"): the country lists are over.
                country = None
            continue
        partner, japanese = split
        for name in japanese:
            pairs.append(records.PairRecord(
                page=line.page,
                japan=records.PlaceText(name, line.page, "japan"),
                partner=records.PlaceText(partner, line.page, "partner", country),
                country=country,
            ))
    return pairs, (_OpenList(country, header_size) if country else None)


def _partner_then_japanese(lines: list[Line]) -> list[Line]:
    """A partner whose Japanese municipalities did not fit beside it and stand on the next line,
    right of it ("クアラ Lumpur 市" / "東京都、さいたま市"), joined into one pair line."""
    out: list[Line] = []
    for ln in lines:
        prev = out[-1] if out else None
        names = [n for n in re.split(r"[\s\u3000、・,，/／]+", ln.text.strip()) if n]
        if prev is not None and prev.block == ln.block and names and all(is_japanese_lg(n) for n in names) \
                and "\u3000" not in prev.text.strip() and has_kana(prev.text) and ln.x0 > prev.x0 + ln.size \
                and 0 <= ln.y0 - prev.y1 < ln.height and not country_code(prev.text.strip(_HEADER_MARKS + " \u3000")):
            gap = Span("\u3000", prev.spans[-1].font, prev.spans[-1].size, 0, False, (prev.x1, prev.y0, ln.x0, prev.y1))
            out[-1] = Line(prev.page, prev.x0, prev.y0, max(prev.x1, ln.x1), ln.y1, prev.spans + [gap] + ln.spans,
                           prev.block, False, prev.chars + ln.chars)
            continue
        out.append(ln)
    return out


def _split_pair_line(line: Line) -> tuple[str, list[str]] | None:
    """"マレ市　富山市" → ("マレ市", ["富山市"]); None for lines that are not a city pair.

    The Japanese side is the trailing run of bold (Gothic) spans when the line has one; otherwise
    the text after the first wide space. Either way every Japanese name must have the shape of a
    Japanese local government and the partner must not, so port lines "(…港)　(…埠頭)" and the list
    of all Japanese members yield nothing.
    """
    spans = [s for s in line.spans if s.text]
    tail = len(spans)
    while tail > 0 and (spans[tail - 1].bold or not spans[tail - 1].text.strip()):
        tail -= 1
    has_switch = 0 < tail < len(spans) and any(s.text.strip() for s in spans[tail:]) \
        and not any(s.bold for s in spans[:tail] if s.text.strip())
    if has_switch:
        partner = "".join(s.text for s in spans[:tail])
        japan = "".join(s.text for s in spans[tail:])
    else:
        parts = re.split(r"\u3000+|\s{2,}", line.text.strip(), maxsplit=1)
        if len(parts) != 2:
            return None
        partner, japan = parts
    partner = partner.strip(" \u3000")
    # Several municipalities on one line: "北海道 札幌市", "北海道、札幌市", "東京都・さいたま市".
    names = [n for n in re.split(r"[\s\u3000、・,，/／]+", japan.strip()) if n]
    if not partner or not names or partner[0] in "(（":
        return None
    if not all(is_japanese_lg(n) for n in names) or is_japanese_compound(partner):
        return None
    return partner, names


# --- project list ---------------------------------------------------------------------------------

@dataclass
class PairHeading:
    japan: str  # as printed; may be compound (東京都・さいたま市)
    country: str | None
    partner: str  # as printed, without the country prefix


def parse_pair_heading(text: str) -> PairHeading | None:
    """"札幌市ーモンゴル国ウランバートル市" → PairHeading("札幌市", "MN", "ウランバートル市").

    The separator is the first dash (or ×, ⇔) that follows a Japanese local-government name (or a
    compound of them) and precedes either a country name or a partner place in katakana; the
    country may also follow the partner ("横浜市 × ダナン市（ベトナム）"). The partner may come
    first when it has a place's shape and the Japanese side follows ("ベトナム・ダナン市 － 横浜市").
    """
    raw = text.strip()
    for m in _SEPARATOR.finditer(raw):
        left, right = raw[: m.start()].strip(), raw[m.end():].strip()
        if not left or not right or not is_japanese_compound(left):
            continue
        code, rest = split_country_prefix(right)
        if code and rest:
            return PairHeading(left, code, _cut_to(right, rest)) if names_places(rest) else None
        if has_kana(right[:1]) and not is_japanese_compound(right) and names_places(right):
            code, place = split_country(right)
            return PairHeading(left, code, place) if code and place else PairHeading(left, None, right)
    for m in _SEPARATOR.finditer(raw):
        left, right = raw[: m.start()].strip(), raw[m.end():].strip()
        if not left or not right or not is_japanese_compound(right) or is_japanese_compound(left):
            continue
        code, place = split_country(left)
        if has_kana(place[:1]) and _PARTNER_SHAPE.fullmatch(squash(place)):
            return PairHeading(right, code, place)
    return None


# A partner printed before the Japanese side: one or more place units ("ダナン市", "ジョホール州
# イスカンダル開発地域"), katakana first, perhaps with a note in brackets.
_PARTNER_SHAPE = re.compile(rf"(?:{_PLACE_UNIT})+(?:[(（][^()（）]*[)）])?")


def _cut_to(raw: str, folded_rest: str) -> str:
    """The tail of `raw` (as printed) whose folded, space-free form is `folded_rest`."""
    for k in range(len(raw) + 1):
        if squash(raw[k:]) == folded_rest:
            return raw[k:].strip()
    return folded_rest


@dataclass
class ListEntry:
    page: int
    number: int | None
    heading: PairHeading | None
    title_raw: str
    proposer_raw: str | None
    card: bool = False  # its number heads its own pair heading (`_own_heading`)
    x0: float = 0.0  # where its number stands (PDF points)


# The heading of a brochure's list of projects: 実施調査事業一覧, 採択事業一覧, 案件一覧, 事業紹介 …
_LIST_HEADING = re.compile(r"(?:事業|案件|プロジェクト)の?(?:一覧|リスト|紹介)")


def project_list(doc: pymupdf.Document, pages: list[list[Line]]) -> tuple[list[ListEntry], int]:
    """The numbered entries of the 事業一覧 and the index of the last page the list is on: from the
    first page with a list heading that is followed by entries (an introduction may use the words).
    A brochure whose list has no such heading but is a list of cards (each number heading its own
    pair heading) is read from the first page holding `min_cards` of them."""
    starts = [pno for pno, lines in enumerate(pages) if any(_LIST_HEADING.search(squash(ln.text)) for ln in lines)]
    for start in starts:
        entries, last = _list_from(doc, pages, start)
        if entries:
            return entries, last
    for start in range(len(pages)):
        entries, last = _list_from(doc, pages, start, cards_only=True)
        if entries:
            return entries, last
    return [], 0


def _list_from(doc: pymupdf.Document, pages: list[list[Line]], start: int, cards_only: bool = False
               ) -> tuple[list[ListEntry], int]:
    """The entries from page `start` (or the page after it) on, while pages hold entries (with
    `cards_only`, only cards count, from page `start` itself). A page of cards begins a list only
    with `min_cards` of them (a page of one card is a project's own page), and goes on with one only
    where its numbers follow the list's (a 7th card alone on the next page)."""
    entries: list[ListEntry] = []
    last = start
    column = None  # a table's header row may be printed on the first list page only
    for pno in range(start, len(pages)):
        page_entries, column = _entries_on_page(doc[pno], pages[pno], entries[-1].heading if entries else None,
                                                column)
        if cards_only:
            page_entries = [e for e in page_entries if e.card]
        if page_entries and all(e.card for e in page_entries):
            if not entries and len(page_entries) < SETTINGS.min_cards:
                page_entries = []
            elif entries and min(e.number for e in page_entries) <= max(e.number for e in entries):
                page_entries = []
        if entries and pno > start:
            _resume_cut_cards([e for e in entries if e.page == pno], doc[pno], pages[pno])  # (pages are 1-based)
        if not page_entries:
            if pno > start or cards_only:
                break
            continue
        entries.extend(page_entries)
        last = pno
    return entries, last


def _resume_cut_cards(before: list[ListEntry], page: pymupdf.Page, lines: list[Line]) -> None:
    """Cards the page break cut (no proposer on the page before) go on at the top of this page, in
    their own column, above its first number or heading: the rest of the title, then the labelled
    proposer. Each such card takes them, matched by where its number stands."""
    cut = [e for e in before if e.card and e.proposer_raw is None]
    if not cut:
        return
    # (the rest of a card may stand as high as a running header: the margin is not left out)
    marks = [ln.y0 for ln in lines if _NUMBER.match(squash(ln.text)) or parse_pair_heading(ln.text)]
    top = min(marks, default=page.rect.height)
    leading = sorted((ln for ln in lines if ln.y1 <= top + SETTINGS.glyph_slack), key=lambda ln: ln.y0)
    for e in cut:
        mine = [ln for ln in leading if abs(ln.x0 - e.x0) < SETTINGS.column_lead * ln.height]
        label = next((k for k, ln in enumerate(mine) if _PROPOSER_LABEL.match(ln.text)), None)
        if label is None:
            continue
        proposer = _PROPOSER_LABEL.sub("", "\n".join(ln.text.strip() for ln in _contiguous(mine[label:])), count=1)
        if not proposer.strip():
            continue
        e.proposer_raw = proposer.strip()
        e.title_raw = "\n".join([e.title_raw] + [ln.text.strip() for ln in mine[:label]])


def _entries_on_page(page: pymupdf.Page, lines: list[Line], heading: PairHeading | None,
                     column: float | None = None) -> tuple[list[ListEntry], float | None]:
    body = _join_heading_wraps(sorted((ln for ln in lines if not in_margin(ln, page)), key=lambda ln: (ln.y0, ln.x0)))
    headings = [(ln, h) for ln in body if (h := parse_pair_heading(ln.text))]
    numbers = [ln for ln in body if _NUMBER.match(squash(ln.text))]
    column = _proposer_column(body) or column
    if not numbers or not headings and heading is None:
        return [], column
    # Numbers stand at the left of their list column (left- or right-aligned); a list may run in
    # several page columns, each with its own numbers. A number alone at its position (a wrapped
    # title line such as "1)" of "(フェーズ\n1)") is no list number.
    columns = [c for c in layout.cluster(numbers, key=lambda ln: ln.x0, tolerance=lambda ln: SETTINGS.number_cluster * ln.height)]
    own_of = _cards(columns, headings, body, page.rect.width)
    # (a column of cards may hold one: a single row of them)
    kept = [c for k, c in enumerate(columns) if len(c) >= SETTINGS.min_list_numbers or k == 0
            or any(own_of[id(num)] for num in c)]
    entries = []
    # a page column runs from a little left of its numbers (a heading may stand out further left)
    # to the next page column
    starts = _column_starts(kept)
    for k, col in enumerate(kept):
        left = starts[k]
        right = starts[k + 1] if k + 1 < len(kept) else page.rect.width
        mine = [ln for ln in body if left <= ln.x0 < right]
        col_headings = [(ln, h) for ln, h in headings if left <= ln.x0 < right]
        if k > 0 and entries:
            heading = None  # a new page column starts with its own heading
        # Entry boundaries: every heading and number line starts something new.
        marks = sorted([ln.y0 for ln, _ in col_headings] + [ln.y0 for ln in col])
        for num in sorted(col, key=lambda ln: ln.y0):
            for ln, h in col_headings:
                if ln.y0 < num.y0:
                    heading = h
            tol = num.height / 2
            own = own_of[id(num)]
            if own is not None and own.lines is not None and own.line.y0 > num.y0:
                # A card that is a block of its own, its title first: its lines but the number and
                # heading, whatever their order
                heading = own.heading
                band = [ln for ln in own.lines if parse_pair_heading(ln.text) is None]
            elif own is not None and own.lines is None:
                # A card: the number heads its own pair heading, and the entry's title and proposer
                # stand under that heading, from the card's left edge (often left of the number).
                heading_line, heading = own.line, own.heading
                top = heading_line.y1 - SETTINGS.glyph_slack
                end = next((y for y in marks if y > max(num.y0, heading_line.y0) + tol), page.rect.height)
                band = [ln for ln in mine if top <= ln.y0 < end - tol / 2 and ln is not num
                        and ln is not heading_line and parse_pair_heading(ln.text) is None]
            else:
                # the entry beside its number (a card's block with its heading above counts as a card)
                heading = own.heading if own is not None else heading
                end = next((y for y in marks if y > num.y0 + tol), page.rect.height)
                band = [ln for ln in mine if num.y0 - tol <= ln.y0 < end - tol / 2
                        and ln is not num and ln.x0 >= num.x1 - SETTINGS.glyph_slack
                        and parse_pair_heading(ln.text) is None]
            title_lines, proposer_lines = _split_title_and_proposer(band, column)
            if not title_lines:
                continue
            proposer = None
            if proposer_lines:
                proposer = "\n".join(ln.text.strip() for ln in proposer_lines)
                proposer = _PROPOSER_LABEL.sub("", proposer, count=1).strip() or None
            entries.append(ListEntry(num.page, int(_NUMBER.match(squash(num.text)).group(1)), heading,
                                     "\n".join(ln.text.strip() for ln in title_lines), proposer, own is not None,
                                     num.x0))
    return entries, column


def _column_starts(columns: list[list[Line]]) -> list[float]:
    """Where each page column of list numbers starts: a little left of its numbers (a heading may
    stand out further left), the first at the page's left edge."""
    return [0.0] + [min(ln.x0 for ln in c) - SETTINGS.column_lead * max(ln.height for ln in c) for c in columns[1:]]


@dataclass
class _Card:
    """A list number's card: the pair heading it heads, and, for a card that is a reading-order
    block of its own, the block's other lines (title and proposer, in any order)."""

    line: Line
    heading: PairHeading
    lines: list[Line] | None = None


def _cards(columns: list[list[Line]], headings: list[tuple[Line, PairHeading]], body: list[Line],
           width: float) -> dict[int, _Card | None]:
    """id(number) → its card, or None. A number heads a card when it heads its own pair heading
    (`_own_heading`, looked at among the lines of its own column of numbers, up to the next), or
    when it and one pair heading are the only ones in a reading-order block (the number beside the
    card, the title first: "01 ダバオ市における…" / "北九州市 × ダバオ市" / "実施主体：…")."""
    starts = _column_starts(columns) + [width]
    blocks: dict[int, list[Line]] = {}
    for ln in body:
        blocks.setdefault(ln.block, []).append(ln)
    heading_of = {id(ln): h for ln, h in headings}
    out: dict[int, _Card | None] = {}
    for k, col in enumerate(columns):
        left, right = starts[k], starts[k + 1]
        region = [ln for ln in body if left <= ln.x0 < right]
        region_headings = [(ln, h) for ln, h in headings if left <= ln.x0 < right]
        for num in col:
            own = _own_heading(num, region_headings, region)
            if own is not None:
                out[id(num)] = _Card(*own)
                continue
            block = blocks.get(num.block, [])
            in_block = [ln for ln in block if id(ln) in heading_of]
            numbers = [ln for ln in block if _NUMBER.match(squash(ln.text))]
            if len(in_block) == 1 and numbers == [num]:
                out[id(num)] = _Card(in_block[0], heading_of[id(in_block[0])],
                                     [ln for ln in block if ln is not num and ln is not in_block[0]])
            else:
                out[id(num)] = None
    return out


def _own_heading(num: Line, headings: list[tuple[Line, PairHeading]], lines: list[Line]
                 ) -> tuple[Line, PairHeading] | None:
    """The pair heading a list number heads, as on a card ("01  横浜市 × ダナン市", or "01" set
    above "横浜市 × ダナン市"): the heading on the number's row just right of it, or, when nothing
    else stands on the number's row, the heading right under it that starts about where the
    number does, with no line between them. None for a number beside its entry's title."""
    slack = SETTINGS.glyph_slack
    on_row = [ln for ln in lines if ln is not num and min(ln.y1, num.y1) - max(ln.y0, num.y0)
              > SETTINGS.row_overlap * min(ln.height, num.height)]
    for ln, h in headings:
        if ln in on_row and 0 <= ln.x0 - num.x1 + slack < SETTINGS.card_gap * num.height \
                and all(o is ln or o.x1 <= num.x0 + slack or o.x0 >= ln.x1 - slack for o in on_row):
            return ln, h
    if on_row:
        return None
    for ln, h in headings:  # (not on the row: they share less than `row_overlap` of a line)
        if ln.y0 > num.y0 and ln.y0 - num.y1 < SETTINGS.wrap_gap * max(num.height, ln.height) \
                and abs(ln.x0 - num.x0) < SETTINGS.card_gap * num.height \
                and not any(o is not ln and o is not num and num.y1 - slack <= o.y0 < ln.y0
                            and o.x1 > ln.x0 and o.x0 < ln.x1 for o in lines):
            return ln, h
    return None


def _join_heading_wraps(body: list[Line]) -> list[Line]:
    """A pair heading too long for its column wraps ("…クアラルンプール" / "市", a card's
    "北九州市 × スラバヤ市（インドネ" / "シア）"): each next line set right under it in the same type
    (font, size and colour) that is no heading itself is joined to it, from under the heading or its
    card's number. A heading may also wrap before it is one ("東京都・さいたま" / "市 × クアラルンプール
    市", "ダナン市（ベトナム）×" / "横浜市"): a line joins the next when together they are a heading.
    `body` is sorted by (y0, x0)."""
    out: list[Line] = []
    used: set[int] = set()
    for i, ln in enumerate(body):
        if id(ln) in used:
            continue
        heading = parse_pair_heading(ln.text) is not None
        if heading or ln.spans and (_SEPARATOR.search(ln.text) is not None or _has_separator_below(body, i)):
            while True:
                nxt = _wrapped_line(ln, body, i, used)
                if nxt is None:
                    break
                if parse_pair_heading(nxt.text) is not None and (heading or not _OPEN_LIST.search(ln.text)):
                    break  # the next heading; but "北海道・札幌市・" / "石狩市ー…" is one Japanese side
                joined = Line(ln.page, ln.x0, ln.y0, max(ln.x1, nxt.x1), max(ln.y1, nxt.y1), ln.spans + nxt.spans,
                              ln.block, False, ln.chars + nxt.chars)
                if not heading and parse_pair_heading(joined.text) is None:
                    break  # (a line joins into a heading, or nothing)
                used.add(id(nxt))
                ln, heading = joined, True
        out.append(ln)
    return out


def _has_separator_below(body: list[Line], i: int) -> bool:
    """Whether a line starting right under body[i] holds a pair separator (the wrapped rest of a
    heading that body[i] begins)."""
    ln = body[i]
    for o in body[i + 1:]:
        if o.y0 > ln.y1 + SETTINGS.heading_wrap_gap * ln.height:
            return False
        if _SEPARATOR.search(o.text):
            return True
    return False


def _wrapped_line(ln: Line, body: list[Line], i: int, used: set[int]) -> Line | None:
    """The line that continues `ln` (body[i], or a heading joined from it): starting below its
    middle and less than `heading_wrap_gap` below it, within its width (from under it or its card's
    number), in the type of its last span."""
    last = ln.spans[-1]
    edge = _left_edge(ln, body) - ln.size
    text = ln.text
    # a bracket left open is surely wrapped ("ウランバートル市（モンゴ" / "ル）"), with more leading
    gap = SETTINGS.open_heading_gap if text.count("（") + text.count("(") > text.count("）") + text.count(")") \
        else SETTINGS.heading_wrap_gap
    limit = ln.y1 + gap * ln.height
    for o in body[i + 1:]:
        if o.y0 >= limit:
            return None
        if id(o) in used or not o.spans or o.y0 <= ln.y0 + SETTINGS.row_overlap * ln.height \
                or not (edge <= o.x0 < ln.x1) or not _continues_type(last, o):
            continue
        return o
    return None


_OPEN_LIST = re.compile(r"[・、，,/／]\s*$")  # a line ending so goes on with the next name


def _left_edge(heading: Line, body: list[Line]) -> float:
    """Where a heading's wrapped line may start: under the heading, or under the list number set
    on its row just left of it (a card's heading wraps to the card's left edge)."""
    numbers = [o.x0 for o in body if o is not heading and o.x1 <= heading.x0 + SETTINGS.glyph_slack
               and min(o.y1, heading.y1) - max(o.y0, heading.y0) > SETTINGS.row_overlap * min(o.height, heading.height)
               and heading.x0 - o.x1 < SETTINGS.card_gap * heading.height and _NUMBER.match(squash(o.text))]
    return min([heading.x0, *numbers])


def _continues_type(last: Span, line: Line) -> bool:
    """Whether `line` goes on in the type `last` ends in: its first span set alike (`_same_type`),
    all of it in that size (a glyph the font lacks, such as ×, may come from another font)."""
    first = next((sp for sp in line.spans if sp.text.strip()), None)
    return first is not None and _same_type(first, last) and all(
        abs(sp.size - last.size) < SETTINGS.value_size_tolerance for sp in line.spans if sp.text.strip())


def _same_type(a: Span, b: Span) -> bool:
    """Set in one type: font, size and colour. A Type3 font's name says nothing (a browser makes
    one per set of glyphs it draws, bold ones too), so two Type3 spans need only agree in size,
    colour and weight."""
    if (round(a.size, 1), a.color, a.bold) != (round(b.size, 1), b.color, b.bold):
        return False
    return a.font == b.font or a.font.startswith("Type3") and b.font.startswith("Type3")


def _proposer_column(body: list[Line]) -> float | None:
    """Where the proposer column starts when the list is a table whose header row names it
    (番号 | 事業名 | 実施主体) and the cells carry no label: right of the title header, whose text
    sits inside the title column whatever its alignment; else at the proposer header itself."""
    for head in body:
        if not _PROPOSER_HEADER.match(squash(head.text)):
            continue
        titles = [ln for ln in body if _TITLE_HEADER.match(squash(ln.text)) and ln.x1 < head.x0
                  and abs(ln.y0 - head.y0) < head.height / 2]
        return max(ln.x1 for ln in titles) + SETTINGS.glyph_slack if titles else head.x0 - SETTINGS.edge_slack
    return None


def _split_title_and_proposer(band: list[Line], column: float | None = None) -> tuple[list[Line], list[Line]]:
    label = next((ln for ln in band if _PROPOSER_LABEL.match(ln.text)), None)
    proposer: list[Line] = []
    if label is not None:
        proposer = _contiguous([ln for ln in band if abs(ln.x0 - label.x0) < SETTINGS.label_align
                                       and ln.y0 >= label.y0 - SETTINGS.glyph_slack])
    elif column is not None:
        proposer = _contiguous([ln for ln in band if ln.x0 >= column])
        if proposer:
            rest = [ln for ln in band if ln.x0 < column]
            return _contiguous(rest), proposer
    # The title stands left of the labelled proposer, or above it in the same cell.
    rest = [ln for ln in band if ln not in proposer
            and (label is None or ln.x1 <= label.x0 + SETTINGS.edge_slack
                 or ln.y1 <= label.y0 + SETTINGS.glyph_slack and ln.x0 >= label.x0 - SETTINGS.label_align)]
    return _contiguous(rest), proposer


def _contiguous(lines: list[Line]) -> list[Line]:
    """The first run of lines that follow one another without a blank line between them."""
    lines = sorted(lines, key=lambda ln: ln.y0)
    run: list[Line] = []
    for ln in lines:
        if run and ln.y0 - run[-1].y1 > SETTINGS.wrap_gap * max(run[-1].height, SETTINGS.min_line_height):
            break
        run.append(ln)
    return run


# --- detail sections ------------------------------------------------------------------------------

@dataclass
class DetailSection:
    page: int
    title_raw: str
    lead_raw: str | None
    co_raw: str | None
    summary: str | None = None
    summary_raw: str | None = None  # the description's lines as printed
    heading: PairHeading | None = None  # the pair heading right above its title, if any
    number: int | None = None  # the list number on that heading's row, if any


def detail_sections(doc: pymupdf.Document, pages: list[list[Line]], start: int = 0) -> list[DetailSection]:
    """One section per "代表事業者" label: the heading above it, the 共同事業者 list, the paragraphs."""
    sections: list[DetailSection] = []
    for pno in range(start, len(pages)):
        page = doc[pno]
        body = sorted((ln for ln in pages[pno] if not in_margin(ln, page)), key=lambda ln: (ln.y0, ln.x0))
        body, value_x0 = _join_label_cells(body)
        labels = [i for i, ln in enumerate(body) if _LEAD_LABEL.match(ln.text)]
        starts = [_title_start(body, i) for i in labels]
        for k, i in enumerate(labels):
            title = body[starts[k]:i]
            if not title:
                continue
            stop = starts[k + 1] if k + 1 < len(labels) else len(body)
            lead, j = _labelled_run(body, i, stop, _LEAD_LABEL, value_x0)
            co = None
            if j < stop and _CO_LABEL.match(body[j].text):
                co, j = _labelled_run(body, j, stop, _CO_LABEL, value_x0)
            paragraphs: dict[int, list[str]] = {}
            for ln in body[j:stop]:
                paragraphs.setdefault(ln.block, []).append(ln.text)
            summary = "\n".join(normalize_text("\n".join(p)) for p in paragraphs.values()).strip()
            heading, number = _section_heading(body, starts[k], starts[k - 1] if k else 0)
            sections.append(DetailSection(body[i].page, "\n".join(ln.text.strip() for ln in title),
                                          lead, co, summary or None,
                                          "\n".join(ln.text for ln in body[j:stop]).strip() or None,
                                          heading, number))
    return sections


def _section_heading(body: list[Line], title: int, floor: int) -> tuple[PairHeading | None, int | None]:
    """The pair heading a project page sets right above its title (among the `section_heading_lines`
    lines above body[title], none above body[floor]), and the list number on its row."""
    for ln in reversed(body[max(floor, title - SETTINGS.section_heading_lines):title]):
        heading = parse_pair_heading(ln.text)
        if heading is None:
            continue
        numbers = [o for o in body if o is not ln and _NUMBER.match(squash(o.text)) and o.x1 <= ln.x0 + SETTINGS.glyph_slack
                   and min(o.y1, ln.y1) - max(o.y0, ln.y0) > SETTINGS.row_overlap * min(o.height, ln.height)]
        return heading, (int(_NUMBER.match(squash(numbers[-1].text)).group(1)) if numbers else None)
    return None, None


def _title_start(body: list[Line], label_index: int) -> int:
    """Walk up from the label over the heading lines (bigger type, no blank line between)."""
    s = SETTINGS
    label = body[label_index]
    i = label_index
    while i > 0:
        prev, nxt = body[i - 1], body[i]
        gap = nxt.y0 - prev.y1
        # a label set in a box of its own stands further below the title than a line of text
        if prev.size <= label.size + s.size_step or gap > (s.label_gap if i == label_index else s.heading_gap) * prev.height:
            break
        if i < label_index and abs(prev.size - nxt.size) > s.size_step:
            break
        i -= 1
    return i


# How a line broken by hand inside a list of names ends.
_LIST_BREAK = re.compile(r"[、,，・/／]\s*$")


def _first_word_width(line: Line) -> float:
    """About how wide the line's first unbreakable piece is: a Latin word, or one CJK character."""
    m = re.match(r"[\x21-\x7e]+", line.text.strip())
    return (SETTINGS.latin_char_em * len(m.group(0)) if m else SETTINGS.cjk_char_em) * line.size


def _join_label_cells(body: list[Line]) -> tuple[list[Line], dict[int, float]]:
    """A label printed alone in its cell ("代表事業者" | "株式会社…" as a two-column table), or in a
    box right above its value, joined with the value, so it reads like "代表事業者 | 株式会社…". Also returns, per joined
    line (by id), where the value column starts: the value's wrapped lines align there."""
    out: list[Line] = []
    value_x0: dict[int, float] = {}
    used: set[int] = set()
    for ln in body:
        if id(ln) in used:
            continue
        label = _LEAD_LABEL if _LEAD_LABEL.match(ln.text) else _CO_LABEL if _CO_LABEL.match(ln.text) else None
        if label is None or label.sub("", ln.text, count=1).strip():
            out.append(ln)
            continue
        value = next((v for v in body if id(v) not in used and v is not ln and v.x0 >= ln.x1 - SETTINGS.glyph_slack
                      and min(v.y1, ln.y1) - max(v.y0, ln.y0) > SETTINGS.row_overlap * min(v.height, ln.height)), None)
        if value is None:
            # a label in a box above its value: the first line right under it, starting about where it does
            value = next((v for v in body if id(v) not in used and v is not ln
                          and 0 <= v.y0 - ln.y1 < SETTINGS.label_box_gap * max(ln.height, v.height)
                          and abs(v.x0 - ln.x0) < max(ln.size, v.size)
                          and not (_LEAD_LABEL.match(v.text) or _CO_LABEL.match(v.text))), None)
        if value is None:
            out.append(ln)
            continue
        used.add(id(value))
        sep = Span(" | ", ln.spans[-1].font, ln.spans[-1].size, 0, False, (ln.x1, ln.y0, value.x0, ln.y1))
        joined = Line(ln.page, ln.x0, min(ln.y0, value.y0), value.x1, max(ln.y1, value.y1),
                      ln.spans + [sep] + value.spans, ln.block)
        value_x0[id(joined)] = value.x0
        out.append(joined)
    return out, value_x0


def _labelled_run(body: list[Line], i: int, stop: int, label: re.Pattern,
                  value_x0: dict[int, float] | None = None) -> tuple[str, int]:
    """The text after a label and its wrapped continuation lines (same type size, no gap).

    A word processor may set the description right under the label without any spacing, so a
    line only continues the label's text when the line before it was broken: it runs to the right
    edge of the text column, or ends inside a list of names ("…(株)、").
    """
    first = body[i]
    column = [ln for ln in body[i:stop] if ln.x0 < first.x1 and ln.x1 > first.x0]
    right = max(ln.x1 for ln in column)
    texts = [label.sub("", first.text, count=1)]
    j = i + 1
    while j < stop:
        ln, prev = body[j], body[j - 1]
        if _LEAD_LABEL.match(ln.text) or _CO_LABEL.match(ln.text):
            break
        if abs(ln.size - first.size) > SETTINGS.value_size_tolerance or ln.y0 - prev.y1 > SETTINGS.wrap_gap * first.height:
            break
        if right - prev.x1 > _first_word_width(ln) + first.size and not _LIST_BREAK.search(prev.text):
            break
        if value_x0 and id(first) in value_x0 and ln.x0 < value_x0[id(first)] - first.size / 2:
            break  # back at the left margin: the description under a label table
        texts.append(ln.text)
        j += 1
    return "\n".join(t.strip() for t in texts), j


# --- projects ----------------------------------------------------------------------------------------

def _key(title: str) -> str:
    return squash(normalize_text(title))


def _match_sections(entries: list[ListEntry], sections: list[DetailSection]) -> dict[int, DetailSection]:
    """List entry index → detail section, best title similarity first; leftovers by order."""
    # each title's key made once, not once per pairing
    entry_keys = [_key(e.title_raw) for e in entries]
    section_keys = [_key(s.title_raw) for s in sections]
    scored = sorted(((fuzz.ratio(ek, sk), i, j)
                     for i, ek in enumerate(entry_keys) for j, sk in enumerate(section_keys)), reverse=True)
    matched: dict[int, DetailSection] = {}
    used: set[int] = set()
    for score, i, j in scored:
        if score < SETTINGS.title_match_min:
            break
        if i not in matched and j not in used:
            matched[i] = sections[j]
            used.add(j)
    left_e = [i for i in range(len(entries)) if i not in matched]
    left_s = [j for j in range(len(sections)) if j not in used]
    if len(left_e) == len(left_s):
        for i, j in zip(left_e, left_s):
            matched[i] = sections[j]
    return matched


@functools.lru_cache(maxsize=1024)
def _joined_to(partner: str) -> tuple[re.Pattern, re.Pattern]:
    """The patterns of a place joined after and before `partner` (compiled once per partner: there
    are more of them in a batch than the re module's own cache holds)."""
    p = re.escape(partner)
    return (re.compile(rf"{p}{_CONJUNCTION}({_PLACE_UNIT})"),
            re.compile(rf"(?:^|[^\u30a0-\u30ff])({_PLACE_UNIT}){_CONJUNCTION}{p}"))


def title_partners(title: str, partner: str) -> list[str]:
    """A second place the title joins to the heading's partner: "P及びQ市" / "Q市及びP" → [Q市]."""
    t = normalize_text(title)
    found: list[str] = []
    for p in {squash(partner), *(x for x in re.split(r"[・、]", squash(partner)) if x)}:
        if not p:
            continue
        after, before = _joined_to(p)
        for m in after.finditer(t):
            found.append(m.group(1))
        for m in before.finditer(t):
            found.append(m.group(1))
    out = []
    for q in found:
        if has_kana(q) and not is_japanese_lg(q) and q not in out and squash(q) not in squash(partner):
            out.append(q)
    return out


def _build_projects(entries: list[ListEntry], sections: list[DetailSection], fiscal_year: int | None,
                    notes: list[records.Note]) -> list[records.ProjectRecord]:
    matched = _match_sections(entries, sections)
    projects = []
    for i, e in enumerate(entries):
        sec = matched.get(i)
        proposer = normalize_org(e.proposer_raw) if e.proposer_raw else None
        if sec and sec.lead_raw:
            lead = normalize_org(sec.lead_raw)
            if proposer is None:
                proposer = lead
            elif squash(lead) != squash(proposer):
                # The list's abbreviated form expands exactly; a detail page that spells the name
                # otherwise (dropped ・, a typo) is worth a look but does not override it.
                notes.append(records.Note("conflict", sec.page, sec.lead_raw,
                                          f"proposer: the detail page spells it otherwise than list entry "
                                          f"{e.number} ({normalize_text(e.proposer_raw)}); kept the list's"))
        japan, partners, country = [], [], None
        if e.heading:
            h = e.heading
            country = h.country
            japan = [records.PlaceText(h.japan, e.page, "japan")]
            partners = [records.PlaceText(h.partner, e.page, "partner", country)]
            partners += [records.PlaceText(q, e.page, "partner", country) for q in title_partners(e.title_raw, h.partner)]
        projects.append(records.ProjectRecord(
            pages=[e.page] + ([sec.page] if sec else []),
            fiscal_year=fiscal_year,
            round=None,
            number=e.number,
            title_raw=e.title_raw,
            title=normalize_text(e.title_raw),
            proposer_raw=e.proposer_raw,
            proposer=proposer,
            co_implementers=split_orgs(sec.co_raw) if sec and sec.co_raw else [],
            japan=japan,
            partners=partners,
            country=country,
            fields=None,
            summary=sec.summary if sec else None,
            printed={name: text for name, text in (("co_implementers", sec.co_raw if sec else None),
                                                    ("summary", sec.summary_raw if sec and sec.summary else None))
                     if text},
        ))
    return projects
