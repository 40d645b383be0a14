"""Pamphlet extractor: a programme brochure with a participating-cities list, a project list grouped
under city-pair headings, and one detail section per project.

Everything is found by layout and wording that such brochures share (a heading naming 参加都市, a
heading naming 事業一覧, "代表事業者 | …" labels), never by page numbers, so another year's
pamphlet with more or fewer pages reads the same way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pymupdf
from rapidfuzz import fuzz

from normalizers.countries import country_code, split_country_prefix
from normalizers.dates import fiscal_year_from_text
from normalizers.orgs import normalize_org, split_orgs
from normalizers.text import normalize_text
from pipeline import records
from pipeline.extract.textlines import (Line, has_kana, in_margin, is_japanese_compound, is_japanese_lg,
                                        page_lines, squash)

# Dashes printed between the Japanese side and the partner side of a pair heading. ー (the katakana
# long vowel mark) is among them: after a kanji suffix such as 市 it cannot be a long vowel.
PAIR_SEPARATORS = "ー—－-―‐–−"
_SEPARATOR = re.compile(f"[{re.escape(PAIR_SEPARATORS)}]")
_NUMBER = re.compile(r"^\d{1,3}$")
_PROPOSER_LABEL = re.compile(r"^\s*(?:実施主体|提案者|代表事業者)\s*[|｜:：]?\s*")
_LEAD_LABEL = re.compile(r"^\s*代表事業者\s*[|｜:：]?\s*")
_CO_LABEL = re.compile(r"^\s*共同(?:事業者|実施者)\s*[|｜:：]?\s*")
# A place unit a project title may join to the heading's partner: トゥードック市, ○○州 …
_PLACE_UNIT = r"[\u30a0-\u30ff\u4e00-\u9fffA-Za-z]+?(?:特別州|地域|市|州|省|県|都|区|郡)"
_CONJUNCTION = r"(?:及び|および|と|並びに|・|、)"


def extract_pamphlet(doc: pymupdf.Document) -> records.Parsed:
    pages = [page_lines(page) for page in doc]
    parsed = records.Parsed(title=_cover_title(pages), fiscal_year=_fiscal_year(pages))
    parsed.pairs = participating_pairs(doc, pages)
    entries, last_list_page = project_list(doc, pages)
    sections = detail_sections(doc, pages, start=last_list_page)
    parsed.projects = _build_projects(entries, sections, parsed.fiscal_year, parsed.notes)
    return parsed


# --- cover ---------------------------------------------------------------------------------------

def _cover_title(pages: list[list[Line]]) -> str | None:
    if not pages or not pages[0]:
        return None
    biggest = max(line.size for line in pages[0])
    return normalize_text(" ".join(line.text for line in pages[0] if line.size >= biggest - 0.5)) or None


def _fiscal_year(pages: list[list[Line]]) -> int | None:
    """The 年度 on the cover; else the first 年度 printed in a heading of the list section."""
    for page in pages[:1]:
        year = fiscal_year_from_text("\n".join(line.text for line in page))
        if year:
            return year
    for page in pages:
        for line in page:
            if "事業一覧" in squash(line.text):
                year = fiscal_year_from_text(line.text)
                if year:
                    return year
    return None


# --- participating cities -------------------------------------------------------------------------

def participating_pairs(doc: pymupdf.Document, pages: list[list[Line]]) -> list[records.PairRecord]:
    """Pairs from the 参加都市 list: per country, lines "partner　Japanese municipalities"."""
    pairs: list[records.PairRecord] = []
    for pno, lines in enumerate(pages):
        heading = next((ln for ln in lines if re.search(r"参加(?:都市|国)", squash(ln.text))
                        and not _is_pair_line_shape(ln)), None)
        if heading is None:
            continue
        page = doc[pno]
        section = [ln for ln in lines if ln.y0 >= heading.y1 - 0.5 and not in_margin(ln, page)]
        pairs.extend(_pairs_in_section(section, page.rect.width))
        if pairs:
            break
    return pairs


def _is_pair_line_shape(line: Line) -> bool:
    return "\u3000" in line.text.strip()


def _pairs_in_section(lines: list[Line], page_width: float) -> list[records.PairRecord]:
    # Two page columns: read the left one top to bottom, then the right one; a country's list may
    # run on from the foot of the left column to the top of the right one.
    ordered = sorted(lines, key=lambda ln: (ln.x0 >= page_width / 2, ln.y0, ln.x0))
    pairs: list[records.PairRecord] = []
    country: str | None = None
    header_size = 0.0
    for line in ordered:
        text = line.text.strip()
        code = country_code(text)
        if code:
            country, header_size = code, line.size
            continue
        split = _split_pair_line(line) if country else None
        if split is None:
            if country and line.size >= header_size - 0.1:
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
    return pairs


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
    names = [n for n in re.split(r"[\s\u3000]+", japan.strip()) if n]
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

    The separator is the first dash that follows a Japanese local-government name (or a compound
    of them) and precedes either a country name or a partner place in katakana.
    """
    raw = text.strip()
    for m in _SEPARATOR.finditer(raw):
        left, right = raw[: m.start()].strip(), raw[m.end():].strip()
        if not left or not right or not is_japanese_compound(left):
            continue
        code, rest = split_country_prefix(right)
        if code and rest:
            return PairHeading(left, code, _cut_to(right, rest))
        if has_kana(right[:1]) and not is_japanese_compound(right):
            return PairHeading(left, None, right)
    return None


def _cut_to(raw: str, folded_rest: str) -> str:
    """The tail of `raw` (as printed) whose folded, space-free form is `folded_rest`."""
    for k in range(len(raw) + 1):
        if squash(raw[k:]) == folded_rest:
            return raw[k:].strip()
    return folded_rest


@dataclass
class ListEntry:
    page: int
    number: int
    heading: PairHeading | None
    title_raw: str
    proposer_raw: str | None


def project_list(doc: pymupdf.Document, pages: list[list[Line]]) -> tuple[list[ListEntry], int]:
    """The numbered entries of the 事業一覧 and the index of the last page the list is on."""
    start = None
    for pno, lines in enumerate(pages):
        if any("事業一覧" in squash(ln.text) for ln in lines):
            start = pno
            break
    if start is None:
        return [], 0
    entries: list[ListEntry] = []
    last = start
    for pno in range(start, len(pages)):
        page_entries = _entries_on_page(doc[pno], pages[pno], entries[-1].heading if entries else None)
        if not page_entries:
            if pno > start:
                break
            continue
        entries.extend(page_entries)
        last = pno
    return entries, last


def _entries_on_page(page: pymupdf.Page, lines: list[Line], heading: PairHeading | None) -> list[ListEntry]:
    body = sorted((ln for ln in lines if not in_margin(ln, page)), key=lambda ln: (ln.y0, ln.x0))
    headings = [(ln, h) for ln in body if (h := parse_pair_heading(ln.text))]
    numbers = [ln for ln in body if _NUMBER.match(squash(ln.text))]
    if not numbers or not headings and heading is None:
        return []
    # Entry boundaries: every heading and number line starts something new.
    marks = sorted([ln.y0 for ln, _ in headings] + [ln.y0 for ln in numbers])
    entries = []
    for num in numbers:
        for ln, h in headings:
            if ln.y0 < num.y0:
                heading = h
        tol = num.height / 2
        end = next((y for y in marks if y > num.y0 + tol), page.rect.height)
        band = [ln for ln in body if num.y0 - tol <= ln.y0 < end - tol / 2
                and ln is not num and ln.x0 >= num.x1 - 0.5]
        title_lines, proposer_lines = _split_title_and_proposer(band)
        if not title_lines:
            continue
        proposer = None
        if proposer_lines:
            proposer = "\n".join(ln.text.strip() for ln in proposer_lines)
            proposer = _PROPOSER_LABEL.sub("", proposer, count=1).strip() or None
        entries.append(ListEntry(num.page, int(squash(num.text)), heading,
                                 "\n".join(ln.text.strip() for ln in title_lines), proposer))
    return entries


def _split_title_and_proposer(band: list[Line]) -> tuple[list[Line], list[Line]]:
    label = next((ln for ln in band if _PROPOSER_LABEL.match(ln.text)), None)
    proposer: list[Line] = []
    if label is not None:
        proposer = _contiguous([ln for ln in band if abs(ln.x0 - label.x0) < 3 and ln.y0 >= label.y0 - 0.5])
    rest = [ln for ln in band if ln not in proposer and (label is None or ln.x1 <= label.x0 + 1)]
    return _contiguous(rest), proposer


def _contiguous(lines: list[Line]) -> list[Line]:
    """The first run of lines that follow one another without a blank line between them."""
    lines = sorted(lines, key=lambda ln: ln.y0)
    run: list[Line] = []
    for ln in lines:
        if run and ln.y0 - run[-1].y1 > 0.8 * max(run[-1].height, 1):
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


def detail_sections(doc: pymupdf.Document, pages: list[list[Line]], start: int = 0) -> list[DetailSection]:
    """One section per "代表事業者" label: the heading above it, the 共同事業者 list, the paragraphs."""
    sections: list[DetailSection] = []
    for pno in range(start, len(pages)):
        page = doc[pno]
        body = sorted((ln for ln in pages[pno] if not in_margin(ln, page)), key=lambda ln: (ln.y0, ln.x0))
        labels = [i for i, ln in enumerate(body) if _LEAD_LABEL.match(ln.text)]
        starts = [_title_start(body, i) for i in labels]
        for k, i in enumerate(labels):
            title = body[starts[k]:i]
            if not title:
                continue
            stop = starts[k + 1] if k + 1 < len(labels) else len(body)
            lead, j = _labelled_run(body, i, stop, _LEAD_LABEL)
            co = None
            if j < stop and _CO_LABEL.match(body[j].text):
                co, j = _labelled_run(body, j, stop, _CO_LABEL)
            paragraphs: dict[int, list[str]] = {}
            for ln in body[j:stop]:
                paragraphs.setdefault(ln.block, []).append(ln.text)
            summary = "\n".join(normalize_text("\n".join(p)) for p in paragraphs.values()).strip()
            sections.append(DetailSection(body[i].page, "\n".join(ln.text.strip() for ln in title),
                                          lead, co, summary or None))
    return sections


def _title_start(body: list[Line], label_index: int) -> int:
    """Walk up from the label over the heading lines (bigger type, no blank line between)."""
    label = body[label_index]
    i = label_index
    while i > 0:
        prev, nxt = body[i - 1], body[i]
        gap = nxt.y0 - prev.y1
        if prev.size <= label.size + 0.5 or gap > 1.2 * prev.height:
            break
        if i < label_index and abs(prev.size - nxt.size) > 0.5:
            break
        i -= 1
    return i


def _labelled_run(body: list[Line], i: int, stop: int, label: re.Pattern) -> tuple[str, int]:
    """The text after a label and its wrapped continuation lines (same type size, no gap)."""
    first = body[i]
    texts = [label.sub("", first.text, count=1)]
    j = i + 1
    while j < stop:
        ln = body[j]
        if _LEAD_LABEL.match(ln.text) or _CO_LABEL.match(ln.text):
            break
        if abs(ln.size - first.size) > 0.3 or ln.y0 - body[j - 1].y1 > 0.8 * first.height:
            break
        texts.append(ln.text)
        j += 1
    return "\n".join(t.strip() for t in texts), j


# --- projects ----------------------------------------------------------------------------------------

def _key(title: str) -> str:
    return squash(normalize_text(title))


def _match_sections(entries: list[ListEntry], sections: list[DetailSection]) -> dict[int, DetailSection]:
    """List entry index → detail section, best title similarity first; leftovers by order."""
    scored = sorted(((fuzz.ratio(_key(e.title_raw), _key(s.title_raw)), i, j)
                     for i, e in enumerate(entries) for j, s in enumerate(sections)), reverse=True)
    matched: dict[int, DetailSection] = {}
    used: set[int] = set()
    for score, i, j in scored:
        if score < 70:
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


def title_partners(title: str, partner: str) -> list[str]:
    """A second place the title joins to the heading's partner: "P及びQ市" / "Q市及びP" → [Q市]."""
    t = normalize_text(title)
    found: list[str] = []
    for p in {squash(partner), *(x for x in re.split(r"[・、]", squash(partner)) if x)}:
        if not p:
            continue
        p = re.escape(p)
        for m in re.finditer(rf"{p}{_CONJUNCTION}({_PLACE_UNIT})", t):
            found.append(m.group(1))
        for m in re.finditer(rf"(?:^|[^\u30a0-\u30ff])({_PLACE_UNIT}){_CONJUNCTION}{p}", t):
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
        ))
    return projects
