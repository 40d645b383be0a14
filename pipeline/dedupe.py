"""The dedupe stage: one row per project, city pair and JCM project, with every source, and stable ids.

Ids come from what a record says about itself (fiscal year, round, number, title, places), never
from its position in the input, so they survive reruns, reordering and unrelated documents.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import tempfile
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from normalizers.text import squash

from .records import (RECORD_TABLES, CityPairRow, DocumentRow, Extraction, FieldSourceRow, JcmProjectRow, MentionRow,
                      PartnerPlaceRef,
                      PlaceRef, PlaceRow, ProjectRow, RecordCounts, ReviewRow, SourceRef)
from .resolve import Resolved, ResolvedJcm, ResolvedProject, Resolver, unique_sorted
from .settings import Settings


@dataclass(frozen=True)
class DedupeSettings(Settings):
    """The rules that merge listings into one row. Similarities are rapidfuzz ratios (0–100) of
    titles squashed (NFKC, layout spaces removed)."""

    # Which kind of document wins when sources disagree, most authoritative first (others after).
    authority: tuple[str, ...] = ("adoption_table", "project_sheet", "pamphlet", "slides", "other")
    title_similarity: float = 90.0  # two listings of one fiscal year whose places agree are one project
    same_pair_title_similarity: float = 60.0  # ... when both sides' places are the same
    jcm_title_similarity: float = 90.0  # two JCM projects are one
    # A row without a title and without a number joins a project when at least this many of its
    # proposer, Japanese and partner places are stated, and all agree (a place among them).
    untitled_facts: int = 2


SETTINGS = DedupeSettings()
# Lengths (hex digits) of the title hashes in ids: part of the ids' format, so fixed.
PROJECT_ID_HASH = 8  # FY2025-<hash> for a project listed without a number
PROJECT_ID_SUFFIX_HASH = 6  # FY2025-R1-01-<hash> for distinct projects sharing a listing number
JCM_ID_HASH = 10  # jcm-<hash>


@dataclass
class Tables:
    """Every output table's rows, each table in its sort order (fields as in records.OUTPUT_TABLES)."""

    documents: list[DocumentRow] = field(default_factory=list)
    projects: list[ProjectRow] = field(default_factory=list)
    city_pairs: list[CityPairRow] = field(default_factory=list)
    jcm_projects: list[JcmProjectRow] = field(default_factory=list)
    places: list[PlaceRow] = field(default_factory=list)
    mentions: list[MentionRow] = field(default_factory=list)
    review: list[ReviewRow] = field(default_factory=list)
    # Where the projects' fields are printed (a link table; see links.py and provenance.py).
    field_sources: list[FieldSourceRow] = field(default_factory=list)


def _short_hash(text: str, n: int) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def _issued_key(issued: str | None) -> str:
    # PDF dates look like D:20250401120000+09'00'; later issues sort first below.
    return (issued or "").removeprefix("D:")[:14]


def _invert(s: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in s)


def _partner_ids(p: ResolvedProject) -> set[str]:
    return {a.place_id for a in p.partners if a.place_id}


def _japan_ids(p: ResolvedProject) -> set[str]:
    return {a.place_id for a in p.japan if a.place_id}


def _same_project(a: ResolvedProject, b: ResolvedProject, settings: DedupeSettings) -> bool:
    if a.document == b.document:
        return False  # two rows of one listing are two projects
    ra, rb = a.record, b.record
    if ra.fiscal_year != rb.fiscal_year:
        return False
    pa, pb = _partner_ids(a), _partner_ids(b)
    places_agree = not pa or not pb or bool(pa & pb)
    if a.kind == b.kind == "adoption_table" and ra.round is not None and rb.round is not None:
        if ra.round != rb.round:
            return False  # each call round adopts its own projects
        if ra.number is not None and ra.number == rb.number:
            return True  # the same row of the same call's table (a re-issue, possibly corrected)
    if {a.kind, b.kind} == {"adoption_table", "project_sheet"} and ra.round is not None \
            and ra.round == rb.round and ra.number is not None and ra.number == rb.number and places_agree:
        return True  # a sheet's 案件番号 is its listing number in that call's table
    ta, tb = squash(ra.title), squash(rb.title)
    if ta == tb:
        return places_agree
    if places_agree and fuzz.ratio(ta, tb) >= settings.title_similarity:
        return True
    # A pamphlet may retitle a project more freely than a typo; the same city pair on both sides
    # in the same fiscal year, with titles still alike, is the same project.
    ja, jb = _japan_ids(a), _japan_ids(b)
    return (bool(pa) and pa == pb and bool(ja) and ja == jb
            and fuzz.ratio(ta, tb) >= settings.same_pair_title_similarity)


def _signature(p: ResolvedProject) -> tuple:
    """What `_same_project` looks at, but the document: records alike in it answer alike."""
    r = p.record
    return (p.kind, r.fiscal_year, r.round, r.number, squash(r.title),
            tuple(sorted(_partner_ids(p))), tuple(sorted(_japan_ids(p))))


class _Sources:
    """The documents stating one record, and on which pages: two flat arrays, because a record may
    be stated by every document of a large batch (a document number, a shared page tuple each)."""

    __slots__ = ("documents", "pages")

    def __init__(self):
        self.documents = array("l")
        self.pages: list[tuple[int, ...]] = []


class _DocumentIndex:
    """Document numbers in document order, and one shared tuple per distinct set of pages."""

    def __init__(self):
        self.documents: list[tuple[str, str]] = []  # (document, sha256) by number
        self.numbers: dict[str, int] = {}
        self._pages: dict[tuple[int, ...], tuple[int, ...]] = {}
        self.ocr: set[int] = set()  # documents with pages read by OCR

    def number(self, document: str, sha256: str, ocr: bool = False) -> int:
        if document not in self.numbers:
            if ocr:
                self.ocr.add(len(self.documents))
            self.numbers[document] = len(self.documents)
            self.documents.append((document, sha256))
        return self.numbers[document]

    def add(self, sources: _Sources, document: str, pages) -> None:
        n = self.numbers[document]
        if sources.documents and sources.documents[-1] == n:  # more pages of the document just added
            pages = set(pages) | set(sources.pages[-1])
        else:
            sources.documents.append(n)
            sources.pages.append(())
        key = tuple(sorted(set(pages)))
        sources.pages[-1] = self._pages.setdefault(key, key)

    def rows(self, sources: _Sources) -> list[SourceRef]:
        """The `sources` column, in document order."""
        rows = []
        for n, pages in sorted(zip(sources.documents, sources.pages)):
            document, sha256 = self.documents[n]
            rows.append(SourceRef(document=document, sha256=sha256, pages=list(pages), ocr=n in self.ocr))
        return rows


def _project_id(p: ResolvedProject) -> str:
    r = p.record
    fy = f"FY{r.fiscal_year}" if r.fiscal_year else "FY0000"
    if r.number is not None and r.round is not None:
        return f"{fy}-R{r.round}-{r.number:02d}"
    if r.number is not None:
        return f"{fy}-{r.number:02d}"
    return f"{fy}-{_short_hash(squash(r.title), PROJECT_ID_HASH)}"


def _place_refs(atoms, gazetteer, partner: bool) -> list[PlaceRef] | list[PartnerPlaceRef]:
    refs, seen = [], set()
    for a in atoms:
        key = a.place_id or a.text
        if key in seen:
            continue
        seen.add(key)
        place = gazetteer.places.get(a.place_id) if a.place_id else None
        name_ja = place.name_ja if place else a.text
        if partner:
            refs.append(PartnerPlaceRef(place_id=a.place_id, name_ja=name_ja,
                                        name_en=place.name_en if place else None,
                                        country=place.country if place else None))
        else:
            refs.append(PlaceRef(place_id=a.place_id, name_ja=name_ja))
    return refs


def document_row(ex: Extraction, counts: RecordCounts) -> DocumentRow:
    return DocumentRow(
        document=ex.document, sha256=ex.sha256, size_bytes=ex.size_bytes, kind=ex.kind,
        title=ex.title, fiscal_year=ex.fiscal_year, pages=ex.pages, status=ex.status,
        error_kind=ex.error_kind, error=ex.error, records=counts,
    )


# --- projects ----------------------------------------------------------------------------------

# What a project row takes from the most authoritative of its sources that states it.
_FIRST_VALUES = {
    "round": lambda p: p.record.round,
    "proposer": lambda p: p.record.proposer,
    "co_implementers": lambda p: p.record.co_implementers,
    "japan": lambda p: p.japan,
    "partners": lambda p: p.partners,
    "country": lambda p: p.record.country,
    "fields": lambda p: p.record.fields,
    "summary": lambda p: p.record.summary,
}
# Where a less authoritative source disagrees with the one kept, a person takes a look.
_CHECKED_VALUES = {
    "title": lambda p: squash(p.record.title) or None,
    "proposer": lambda p: squash(p.record.proposer) or None,
    "country": lambda p: p.record.country,
    "partner_places": lambda p: tuple(sorted(_partner_ids(p))) or None,
    "japan_municipalities": lambda p: tuple(sorted(_japan_ids(p))) or None,
}


@dataclass
class _Disagreement:
    document: str
    page: int
    kind: str
    field: str
    kept: object
    stated: object


class _ProjectCluster:
    """One project: its most authoritative record, one record per distinct way it is stated (what
    matching compares with), the first value of each field in order of authority, and its sources.
    Other members are not kept: a thousand copies of a listing cost a thousand source entries."""

    def __init__(self, primary: ResolvedProject, index: _DocumentIndex):
        self.primary = primary
        self.index = index
        self.distinct: dict[tuple, ResolvedProject] = {}
        self.values: dict[str, object] = {}
        self.sources = _Sources()
        self.disagreements: list[_Disagreement] = []
        self.last_document = ""
        self.add(primary)

    def add(self, p: ResolvedProject) -> None:
        self.last_document = p.document
        self.distinct.setdefault(_signature(p), p)
        for name, get in _FIRST_VALUES.items():
            if name not in self.values:
                value = get(p)
                if value not in (None, [], ""):
                    self.values[name] = value
        self.index.add(self.sources, p.document, p.record.pages)
        if p is self.primary:
            return
        for name, get in _CHECKED_VALUES.items():
            kept, stated = get(self.primary), get(p)
            if kept is not None and stated is not None and kept != stated:
                self.disagreements.append(_Disagreement(p.document, min(p.record.pages or [0]), p.kind, name,
                                                        kept, stated))


def _document_preference(p: ResolvedProject, authority: tuple[str, ...]) -> tuple:
    """Most authoritative document first: a digital one before one read by OCR (an OCR'd value never
    overrides a digital one), then kind, then a revised issue, then the latest issue date."""
    rank = authority.index(p.kind) if p.kind in authority else len(authority)
    return (p.ocr, rank, not p.revised, _invert(_issued_key(p.issued)), p.document)


def _cluster(ordered, index: _DocumentIndex,
             settings: DedupeSettings) -> tuple[list[_ProjectCluster], list[ReviewRow]]:
    """Each record joins the first cluster of its fiscal year it is the same project as, never one
    that already holds a record of its own document; records come most authoritative first.
    Records without a title (a notice listing number, proposer and places) wait until every titled
    record is in, then join the project they name (`_join_untitled`). Returns the clusters and the
    review rows of untitled records that name a project but disagree with it.

    A record is compared with one member per distinct signature, so a thousand copies of one
    listing cost a thousand comparisons, not a million."""
    by_year: dict[int | None, list[_ProjectCluster]] = defaultdict(list)
    clusters: list[_ProjectCluster] = []
    untitled: list[ResolvedProject] = []
    for p in ordered:
        if not squash(p.record.title):
            untitled.append(p)
            continue
        home = None
        for c in by_year[p.record.fiscal_year]:
            # A document's records arrive together, so its last member tells if it is in the cluster.
            if c.last_document == p.document:
                continue
            if any(_same_project(q, p, settings) for q in c.distinct.values()):
                home = c
                break
        _settle(p, home, clusters, by_year, index)
    review: list[ReviewRow] = []
    for p in untitled:
        home, conflict = _join_untitled(p, by_year[p.record.fiscal_year], index, settings)
        if conflict:
            review.append(conflict)
        _settle(p, home, clusters, by_year, index)
    return clusters, review



def _settle(p, home, clusters: list, by_year: dict, index) -> None:
    """`p` joins `home`, or starts a cluster of its own (kept in `clusters` and its year's list)."""
    if home is None:
        home = _ProjectCluster(p, index)
        clusters.append(home)
        by_year[p.record.fiscal_year].append(home)
    else:
        home.add(p)

# --- rows without titles -----------------------------------------------------------------------

def _facts(p: ResolvedProject) -> dict[str, object]:
    """What an untitled row and a project can agree on, each None when not stated."""
    r = p.record
    return {"number": r.number, "proposer": squash(r.proposer) or None,
            "japan": frozenset(_japan_ids(p)) or None, "partners": frozenset(_partner_ids(p)) or None}


def _agreement(row: dict[str, object], member: dict[str, object]) -> tuple[set[str], set[str]]:
    """(facts both state alike, facts both state differently); places agree when they overlap."""
    agree, differ = set(), set()
    for name, value in row.items():
        other = member[name]
        if value is None or other is None:
            continue
        same = bool(value & other) if isinstance(value, frozenset) else value == other
        (agree if same else differ).add(name)
    return agree, differ


def _join_untitled(p: ResolvedProject, candidates: list[_ProjectCluster], index: _DocumentIndex,
                   settings: DedupeSettings) -> tuple[_ProjectCluster | None, ReviewRow | None]:
    """The project an untitled row names, among the clusters of its fiscal year (and round, when both
    state one) that hold no record of its document: the one agreeing on most of number, proposer,
    Japanese and partner places. The number must be backed by the proposer or a place; with no
    number, the proposer and the places must all agree. A project it names by number alone while
    disagreeing on the rest is not joined: a `conflict` review row says so. (cluster, review row)."""
    row = _facts(p)
    document = index.numbers.get(p.document)
    best, best_score, named = None, 0, None
    for cluster in candidates:
        if document in cluster.sources.documents:
            continue
        for member in cluster.distinct.values():
            if None not in (p.record.round, member.record.round) and p.record.round != member.record.round:
                continue
            agree, differ = _agreement(row, _facts(member))
            places = {"japan", "partners"} & agree
            if "number" in agree:
                joined = bool(agree - {"number"}) or not differ
            else:
                stated = {name for name in ("proposer", "japan", "partners") if row[name] is not None}
                joined = ("number" not in differ and len(stated) >= settings.untitled_facts and stated <= agree
                          and bool(places))
            if joined and len(agree) > best_score:
                best, best_score = cluster, len(agree)
            elif "number" in agree and not joined and named is None:
                named = (cluster, differ)
    if best is not None or named is None:
        return best, None
    cluster, differ = named
    primary = cluster.primary
    return None, ReviewRow(
        kind="conflict", document=p.document, page=min(p.record.pages or [0]),
        text=" | ".join(f"{name}={_stated(p, name)}" for name in sorted(differ)), candidates=[],
        detail=f"a row without a title has the number of «{primary.record.title}» ({primary.document}) "
               f"but disagrees on {', '.join(sorted(differ))}; it is kept apart")


def _stated(p: ResolvedProject, fact: str) -> str:
    """A fact of an untitled row as its document prints it (places as printed, not as ids)."""
    if fact in ("japan", "partners"):
        return "・".join(squash(a.text) for a in getattr(p, fact))
    return str(getattr(p.record, fact))


class _ProjectSpill:
    """Each document's resolved projects, pickled to a temporary file until every document is in:
    clustering takes documents in order of authority, known only at the end, and holding every
    record meanwhile would make memory grow with the number of documents."""

    def __init__(self, folder: Path | None, authority: tuple[str, ...]):
        self.file = tempfile.TemporaryFile(prefix="c2c-projects-", dir=folder)
        self.authority = authority
        self.where: list[tuple[tuple, int]] = []  # (document preference, offset)

    def add(self, projects: list[ResolvedProject]) -> None:
        if not projects:
            return
        offset = self.file.seek(0, os.SEEK_END)
        pickle.dump(projects, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.where.append((_document_preference(projects[0], self.authority), offset))

    def in_preference_order(self):
        for _, offset in sorted(self.where):
            self.file.seek(offset)
            yield from sorted(pickle.load(self.file), key=lambda p: p.record.number or 0)

    def close(self) -> None:
        self.file.close()


def _project_rows(clusters: list[_ProjectCluster], index: _DocumentIndex,
                  gazetteer) -> tuple[list[ProjectRow], list[ReviewRow], list[FieldSourceRow]]:
    rows, review, boxes = [], [], []
    ids: dict[str, list[_ProjectCluster]] = defaultdict(list)
    for cluster in clusters:
        ids[_project_id(cluster.primary)].append(cluster)
    taken: set[str] = set()
    for base, same in sorted(ids.items()):
        for cluster in same:
            primary = cluster.primary
            project_id = base
            if len(same) > 1:
                # What tells the clusters apart, so the suffix does not depend on input order;
                # a counter settles the (odd) case of two clusters alike in all of it.
                tell = "|".join([squash(primary.record.title), primary.document,
                                 *sorted(_partner_ids(primary)), *sorted(_japan_ids(primary))])
                project_id = f"{base}-{_short_hash(tell, PROJECT_ID_SUFFIX_HASH)}"
                n = 2
                while project_id in taken:
                    project_id, n = f"{base}-{_short_hash(tell, PROJECT_ID_SUFFIX_HASH)}-{n}", n + 1
            taken.add(project_id)
            if len(same) > 1:
                review.append(ReviewRow(kind="possible_duplicate", document=primary.document,
                                        page=min(primary.record.pages or [0]), text=primary.record.title,
                                        candidates=[], detail=f"{len(same)} distinct projects share the "
                                                              f"listing {base}; ids were given a title suffix"))
            r, values = primary.record, cluster.values
            partners = _place_refs(values.get("partners") or [], gazetteer, True)
            rows.append(ProjectRow(
                project_id=project_id,
                fiscal_year=r.fiscal_year,
                round=values.get("round"),
                number=r.number,
                title=r.title,
                proposer=values.get("proposer"),
                co_implementers=values.get("co_implementers") or [],
                japan_municipalities=_place_refs(values.get("japan") or [], gazetteer, False),
                partner_places=partners,
                country=values.get("country") or _partner_country(partners),
                fields=values.get("fields") or [],
                summary=values.get("summary"),
                sources=index.rows(cluster.sources),
            ))
            review += [_conflict_row(d, project_id, primary) for d in cluster.disagreements]
            boxes += _field_sources(project_id, primary, rows[-1])
            if primary.ocr:  # the most authoritative source is a scan: no digital one states it
                review += [dataclasses.replace(row, detail=f"{project_id}: {row.detail}")
                           for row in primary.low_confidence]
    return sorted(rows, key=lambda r: r.project_id), review, boxes


def _partner_country(partners: list[PartnerPlaceRef]) -> str | None:
    """The partner country when no source prints it: the country of the resolved partner places,
    when they all resolved and lie in one foreign country (a heading "横浜市 × ダナン市" names none)."""
    countries = {p["country"] for p in partners}
    if not partners or len(countries) != 1 or None in countries or "JP" in countries:
        return None
    return countries.pop()


def _field_sources(project_id: str, primary: ResolvedProject, row: ProjectRow) -> list[FieldSourceRow]:
    """The boxes the primary record's document prints the row's values in (a value taken from
    another document, such as a proposer an adoption table spells otherwise, has none here; a value
    set by hand loses its box later, in `decisions.apply`)."""
    record = primary.record
    stated = {"proposer": record.proposer, "co_implementers": record.co_implementers or [],
              "country": record.country, "fields": record.fields or [], "summary": record.summary}
    out = []
    for box in record.boxes:
        if box.field in stated and getattr(row, box.field) != stated[box.field]:
            continue
        x0, y0, x1, y1 = box.bbox
        out.append(FieldSourceRow(project_id=project_id, field=box.field, document=primary.document, page=box.page,
                                  x0=x0, y0=y0, x1=x1, y1=y1, text=box.text))
    return out


def _shown(value) -> str:
    return " | ".join(value) if isinstance(value, tuple) else str(value)


def _conflict_row(d: _Disagreement, project_id: str, primary: ResolvedProject) -> ReviewRow:
    return ReviewRow(kind="conflict", document=d.document, page=d.page, text=_shown(d.stated), candidates=[],
                     detail=f"{project_id} {d.field}: kept «{_shown(d.kept)}» from {primary.document} "
                            f"({primary.kind}) over this {d.kind}")


# --- city pairs and JCM projects ---------------------------------------------------------------

@dataclass
class _PairGroup:
    country: str | None = None  # the first stated, in document order
    fiscal_years: set[int] = field(default_factory=set)
    sources: _Sources = field(default_factory=_Sources)


@dataclass
class _JcmGroup:
    first: ResolvedJcm
    title_key: str
    values: dict[str, object] = field(default_factory=dict)
    sources: _Sources = field(default_factory=_Sources)

    def add(self, item: ResolvedJcm, index: _DocumentIndex) -> None:
        for name, value in (("country", item.record.country), ("japan_place_id", item.japan_place_id),
                            ("partner_place_id", item.partner_place_id),
                            ("fiscal_year", item.record.fiscal_year)):
            if name not in self.values and value not in (None, [], ""):
                self.values[name] = value
        index.add(self.sources, item.document, [item.record.page])


def _pair_rows(groups: dict[tuple[str, str], _PairGroup], index: _DocumentIndex, gazetteer) -> list[CityPairRow]:
    rows = []
    for (japan, partner), group in groups.items():
        place = gazetteer.places.get(partner)
        rows.append(CityPairRow(
            pair_id=f"{japan}~{partner}",
            japan_place_id=japan,
            partner_place_id=partner,
            country=place.country if place else group.country,
            fiscal_years=sorted(group.fiscal_years),
            sources=index.rows(group.sources),
        ))
    return sorted(rows, key=lambda r: r.pair_id)


def _jcm_rows(groups: list[_JcmGroup], index: _DocumentIndex) -> list[JcmProjectRow]:
    rows = [JcmProjectRow(
        jcm_id=f"jcm-{_short_hash(g.title_key, JCM_ID_HASH)}",
        title=g.first.record.title,
        country=g.values.get("country"),
        japan_place_id=g.values.get("japan_place_id"),
        partner_place_id=g.values.get("partner_place_id"),
        fiscal_year=g.values.get("fiscal_year"),
        sources=index.rows(g.sources),
    ) for g in groups]
    return sorted(rows, key=lambda r: r.jcm_id)


# --- the tables --------------------------------------------------------------------------------

class TableBuilder:
    """Takes resolved documents one at a time, in document order, and builds the deduplicated tables.

    Memory holds one entry per distinct project, pair and JCM project, a compact source entry per
    document that states one, and one row per document; records wait for clustering in a temporary
    file inside `spill_folder`. Mention rows are not kept (the caller streams them out); only their
    counts and spellings are.
    """

    def __init__(self, gazetteer, spill_folder: Path | None = None, settings: DedupeSettings = SETTINGS):
        self.gazetteer = gazetteer
        self.settings = settings
        self._spill = _ProjectSpill(spill_folder, settings.authority)
        self._index = _DocumentIndex()
        self._documents: list[DocumentRow] = []
        self._mention_counts: dict[str, int] = {}
        self._spellings: dict[str, set[str]] = defaultdict(set)
        self._pairs: dict[tuple[str, str], _PairGroup] = {}
        # The fiscal years in which a project joins a (Japanese, partner) pair: the years a pair row
        # lists, since the participating lists and slides that give the pairs state none.
        self._project_years: dict[tuple[str, str], set[int]] = defaultdict(set)
        self._jcm: list[_JcmGroup] = []
        self._review: list[ReviewRow] = []

    def add(self, extraction: Extraction, part: Resolved) -> None:
        if self._documents and extraction.document <= self._documents[-1].document:
            raise ValueError(f"documents must come once each, in order: {extraction.document} after "
                             f"{self._documents[-1].document}")
        self._documents.append(document_row(extraction, RecordCounts()))
        self._index.number(extraction.document, extraction.sha256, bool(extraction.ocr_pages))
        self._mention_counts[extraction.document] = len(part.mentions)
        for m in part.mentions:
            if m.place_id:
                self._spellings[m.place_id].add(m.text)
        for pair in part.pairs:
            group = self._pairs.setdefault((pair.japan_place_id, pair.partner_place_id), _PairGroup())
            group.country = group.country or pair.country
            group.fiscal_years.update(pair.fiscal_years)
            self._index.add(group.sources, pair.document, [pair.page])
        for item in sorted(part.jcm, key=lambda j: j.record.page):
            title = squash(item.record.title)
            similarity = self.settings.jcm_title_similarity
            group = next((g for g in self._jcm if fuzz.ratio(title, g.title_key) >= similarity), None)
            if group is None:
                group = _JcmGroup(item, title)
                self._jcm.append(group)
            group.add(item, self._index)
        for project in part.projects:
            if project.record.fiscal_year is not None:
                for japan in _japan_ids(project):
                    for partner in _partner_ids(project):
                        self._project_years[(japan, partner)].add(project.record.fiscal_year)
        self._spill.add(part.projects)
        self._review += part.review

    def add_review(self, rows: list[ReviewRow]) -> None:
        self._review += rows

    def finish(self, mentions: list[MentionRow] | None = None) -> Tables:
        """The tables; `mentions` are the mention rows when the caller kept them (else none)."""
        try:
            clusters, untitled_review = _cluster(self._spill.in_preference_order(), self._index, self.settings)
        finally:
            self._spill.close()
        tables = Tables()
        tables.projects, review, tables.field_sources = _project_rows(clusters, self._index, self.gazetteer)
        review += untitled_review
        for key, group in self._pairs.items():
            group.fiscal_years |= self._project_years.get(key, set())
        tables.city_pairs = _pair_rows(self._pairs, self._index, self.gazetteer)
        tables.jcm_projects = _jcm_rows(self._jcm, self._index)
        tables.mentions = mentions or []
        tables.places = build_places(tables, self._spellings, self.gazetteer)
        tables.review = unique_sorted(self._review + review, lambda r: (
            r.kind, r.document or "", r.page or 0, r.text or "", r.detail or ""))
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for name in ("projects", "city_pairs", "jcm_projects"):
            for row in getattr(tables, name):
                for s in row.sources:
                    counts[s["document"]][name] += 1
        for document, n in self._mention_counts.items():
            counts[document]["mentions"] = n
        for row in self._documents:
            row.records = RecordCounts(**{t: counts[row.document][t] for t in RECORD_TABLES})
        tables.documents = self._documents
        return tables


def build_tables(extractions, gazetteer, resolver: Resolver | None = None, spill_folder: Path | None = None,
                 stream_mentions=None, settings: DedupeSettings = SETTINGS) -> Tables:
    """Every table from `extractions` (an iterable of `Extraction`, in document order, each once:
    ValueError otherwise), resolved with `resolver` (default: the gazetteer without the NER model)
    and merged by `settings`.

    The run and the tests both come this way. Extractions are taken one at a time, so an iterable
    that loads each from the cache keeps memory flat; with `stream_mentions` (a callable taking each
    document's mention rows) the mentions are handed over as they are made instead of being kept,
    and `Tables.mentions` stays empty."""
    resolver = resolver or Resolver(gazetteer, use_ner=False)
    builder = TableBuilder(gazetteer, spill_folder=spill_folder, settings=settings)
    mentions: list[MentionRow] = []
    for extraction in extractions:
        part = resolver.resolve(extraction)
        if stream_mentions is None:
            mentions += part.mentions
        else:
            stream_mentions(part.mentions)
        builder.add(extraction, part)
    builder.add_review(resolver.proposals())
    return builder.finish(mentions)


def build_places(tables: Tables, spellings: dict[str, set[str]], gazetteer) -> list[PlaceRow]:
    """Every place another table references, with its ancestors, and every spelling seen."""
    wanted: set[str] = set()
    for row in tables.projects:
        wanted.update(ref["place_id"] for ref in row.japan_municipalities + row.partner_places)
    for row in tables.city_pairs:
        wanted.update((row.japan_place_id, row.partner_place_id))
    for row in tables.jcm_projects:
        wanted.update((row.japan_place_id, row.partner_place_id))
    wanted.update(spellings)
    wanted.discard(None)
    for pid in list(wanted):  # parents, so that every parent_id points at a row
        place = gazetteer.places.get(pid)
        while place and place.parent_id and place.parent_id not in wanted:
            wanted.add(place.parent_id)
            place = gazetteer.places.get(place.parent_id)
    rows = []
    for pid in sorted(wanted):
        place = gazetteer.places.get(pid)
        if place is None:
            continue
        rows.append(PlaceRow(
            place_id=pid, name_ja=place.name_ja, name_en=place.name_en, kind=place.kind,
            country=place.country, parent_id=place.parent_id, jis_code=place.jis_code,
            variants=sorted(set(place.variants) | spellings.get(pid, set())),
            lat=place.lat, lon=place.lon,
        ))
    return rows
