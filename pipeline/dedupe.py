"""The dedupe stage: one row per project, city pair and JCM project, with every source, and stable ids.

Ids come from what a record says about itself (fiscal year, round, number, title, places), never
from its position in the input, so they survive reruns, reordering and unrelated documents.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from normalizers.text import squash

from .records import Extraction
from .resolve import Resolved, ResolvedProject, unique_mentions, unique_sorted

# Which kind of document wins when sources disagree.
AUTHORITY = {"adoption_table": 0, "pamphlet": 1, "slides": 2, "other": 3}
TITLE_SIMILARITY = 90.0
SAME_PAIR_TITLE_SIMILARITY = 60.0  # ... when both sides' places are the same
RECORD_TABLES = ("projects", "city_pairs", "jcm_projects", "mentions")  # rapidfuzz ratio on normalized titles to call two listings one project


@dataclass
class Tables:
    documents: list[dict] = field(default_factory=list)
    projects: list[dict] = field(default_factory=list)
    city_pairs: list[dict] = field(default_factory=list)
    jcm_projects: list[dict] = field(default_factory=list)
    places: list[dict] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)
    review: list[dict] = field(default_factory=list)


def _short_hash(text: str, n: int = 8) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def _issued_key(issued: str | None) -> str:
    # PDF dates look like D:20250401120000+09'00'; later issues sort first below.
    return (issued or "").removeprefix("D:")[:14]


def _preference(p: ResolvedProject):
    """Most authoritative first: kind, then a revised issue, then the latest issue date."""
    return (AUTHORITY.get(p.kind, 9), not p.revised, _invert(_issued_key(p.issued)), p.document,
            p.record.number or 0)


def _invert(s: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in s)


def _partner_ids(p: ResolvedProject) -> set[str]:
    return {a.place_id for a in p.partners if a.place_id}


def _japan_ids(p: ResolvedProject) -> set[str]:
    return {a.place_id for a in p.japan if a.place_id}


def _same_project(a: ResolvedProject, b: ResolvedProject) -> bool:
    if a.document == b.document:
        return False  # two rows of one listing are two projects
    ra, rb = a.record, b.record
    if ra.fiscal_year != rb.fiscal_year:
        return False
    if a.kind == b.kind == "adoption_table" and ra.round is not None and rb.round is not None:
        if ra.round != rb.round:
            return False  # each call round adopts its own projects
        if ra.number is not None and ra.number == rb.number:
            return True  # the same row of the same call's table (a re-issue, possibly corrected)
    ta, tb = squash(ra.title), squash(rb.title)
    pa, pb = _partner_ids(a), _partner_ids(b)
    places_agree = not pa or not pb or bool(pa & pb)
    if ta == tb:
        return places_agree
    if places_agree and fuzz.ratio(ta, tb) >= TITLE_SIMILARITY:
        return True
    # A pamphlet may retitle a project more freely than a typo; the same city pair on both sides
    # in the same fiscal year, with titles still alike, is the same project.
    ja, jb = _japan_ids(a), _japan_ids(b)
    return (bool(pa) and pa == pb and bool(ja) and ja == jb
            and fuzz.ratio(ta, tb) >= SAME_PAIR_TITLE_SIMILARITY)


def _signature(p: ResolvedProject) -> tuple:
    """What `_same_project` looks at, but the document: records alike in it answer alike."""
    r = p.record
    return (p.kind, r.fiscal_year, r.round, r.number, squash(r.title),
            tuple(sorted(_partner_ids(p))), tuple(sorted(_japan_ids(p))))


@dataclass
class _Cluster:
    members: list[ResolvedProject] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)
    distinct: dict[tuple, ResolvedProject] = field(default_factory=dict)  # one member per signature

    def add(self, p: ResolvedProject) -> None:
        self.members.append(p)
        self.documents.add(p.document)
        self.distinct.setdefault(_signature(p), p)


def _clusters(projects: list[ResolvedProject]) -> list[list[ResolvedProject]]:
    """Union of same-project pairs, never putting two records of one document together.

    Each record is compared with one member per distinct signature of the clusters of its fiscal
    year, so a thousand copies of one listing cost a thousand comparisons, not a million."""
    order = sorted(projects, key=_preference)
    by_year: dict[int | None, list[_Cluster]] = defaultdict(list)
    clusters: list[_Cluster] = []
    for p in order:
        home = None
        for c in by_year[p.record.fiscal_year]:
            if p.document in c.documents:
                continue
            if any(_same_project(q, p) for q in c.distinct.values()):
                home = c
                break
        if home is None:
            home = _Cluster()
            clusters.append(home)
            by_year[p.record.fiscal_year].append(home)
        home.add(p)
    return [c.members for c in clusters]


def _source(document: str, sha256: str, pages) -> dict:
    return {"document": document, "sha256": sha256, "pages": sorted(set(pages))}


def _merge_sources(items: list[tuple[str, str, list[int]]]) -> list[dict]:
    by_doc: dict[tuple[str, str], set] = defaultdict(set)
    for document, sha, pages in items:
        by_doc[(document, sha)].update(pages)
    return [_source(d, s, p) for (d, s), p in sorted(by_doc.items())]


def _project_id(p: ResolvedProject) -> str:
    r = p.record
    fy = f"FY{r.fiscal_year}" if r.fiscal_year else "FY0000"
    if r.number is not None and r.round is not None:
        return f"{fy}-R{r.round}-{r.number:02d}"
    if r.number is not None:
        return f"{fy}-{r.number:02d}"
    return f"{fy}-{_short_hash(squash(r.title))}"


def _place_refs(atoms, gazetteer, partner: bool) -> list[dict]:
    refs, seen = [], set()
    for a in atoms:
        key = a.place_id or a.text
        if key in seen:
            continue
        seen.add(key)
        place = gazetteer.places.get(a.place_id) if a.place_id else None
        ref = {"place_id": a.place_id, "name_ja": place.name_ja if place else a.text}
        if partner:
            ref.update(name_en=place.name_en if place else None, country=place.country if place else None)
        refs.append(ref)
    return refs


def _conflicts(cluster: list[ResolvedProject], project_id: str) -> list[dict]:
    primary, rows = cluster[0], []
    checks = {
        "title": lambda p: squash(p.record.title) or None,
        "proposer": lambda p: squash(p.record.proposer) or None,
        "country": lambda p: p.record.country,
        "partner_places": lambda p: tuple(sorted(_partner_ids(p))) or None,
        "japan_municipalities": lambda p: tuple(sorted(a.place_id for a in p.japan if a.place_id)) or None,
    }
    for other in cluster[1:]:
        for name, get in checks.items():
            a, b = get(primary), get(other)
            if a is not None and b is not None and a != b:
                rows.append({
                    "kind": "conflict", "document": other.document, "page": min(other.record.pages or [0]),
                    "text": str(b if not isinstance(b, tuple) else " | ".join(b)), "candidates": [],
                    "detail": f"{project_id} {name}: kept «{a if not isinstance(a, tuple) else ' | '.join(a)}» "
                              f"from {primary.document} ({primary.kind}) over this {other.kind}",
                })
    return rows


def _first(cluster, get):
    for p in cluster:
        value = get(p)
        if value not in (None, [], ""):
            return value
    return None


def build_projects(resolved: Resolved, gazetteer) -> tuple[list[dict], list[dict]]:
    rows, review = [], []
    clusters = _clusters(resolved.projects)
    ids: dict[str, list] = defaultdict(list)
    for cluster in clusters:
        ids[_project_id(cluster[0])].append(cluster)
    taken: set[str] = set()
    for base, same in sorted(ids.items()):
        for cluster in same:
            primary = cluster[0]
            project_id = base
            if len(same) > 1:
                # What tells the clusters apart, so the suffix does not depend on input order;
                # a counter settles the (odd) case of two clusters alike in all of it.
                tell = "|".join([squash(primary.record.title), primary.document,
                                 *sorted(_partner_ids(primary)), *sorted(_japan_ids(primary))])
                project_id = f"{base}-{_short_hash(tell, 6)}"
                n = 2
                while project_id in taken:
                    project_id, n = f"{base}-{_short_hash(tell, 6)}-{n}", n + 1
            taken.add(project_id)
            if len(same) > 1:
                review.append({"kind": "possible_duplicate", "document": primary.document,
                               "page": min(primary.record.pages or [0]), "text": primary.record.title,
                               "candidates": [], "detail": f"{len(same)} distinct projects share the listing "
                                                           f"{base}; ids were given a title suffix"})
            r = primary.record
            rows.append({
                "project_id": project_id,
                "fiscal_year": r.fiscal_year,
                "round": _first(cluster, lambda p: p.record.round),
                "number": r.number,
                "title": r.title,
                "proposer": _first(cluster, lambda p: p.record.proposer),
                "co_implementers": _first(cluster, lambda p: p.record.co_implementers) or [],
                "japan_municipalities": _place_refs(_first(cluster, lambda p: p.japan) or [], gazetteer, False),
                "partner_places": _place_refs(_first(cluster, lambda p: p.partners) or [], gazetteer, True),
                "country": _first(cluster, lambda p: p.record.country),
                "fields": _first(cluster, lambda p: p.record.fields) or [],
                "summary": _first(cluster, lambda p: p.record.summary),
                "sources": _merge_sources([(p.document, p.sha256, p.record.pages) for p in cluster]),
            })
            review += _conflicts(cluster, project_id)
    return sorted(rows, key=lambda r: r["project_id"]), review


def build_pairs(resolved: Resolved, gazetteer) -> list[dict]:
    grouped: dict[tuple[str, str], list] = defaultdict(list)
    for pair in resolved.pairs:
        grouped[(pair.japan_place_id, pair.partner_place_id)].append(pair)
    rows = []
    for (japan, partner), pairs in grouped.items():
        place = gazetteer.places.get(partner)
        rows.append({
            "pair_id": f"{japan}~{partner}",
            "japan_place_id": japan,
            "partner_place_id": partner,
            "country": place.country if place else _first(pairs, lambda p: p.country),
            "fiscal_years": sorted({y for p in pairs for y in p.fiscal_years}),
            "sources": _merge_sources([(p.document, p.sha256, [p.page]) for p in pairs]),
        })
    return sorted(rows, key=lambda r: r["pair_id"])


def build_jcm(resolved: Resolved) -> list[dict]:
    groups: list[list] = []
    for item in sorted(resolved.jcm, key=lambda j: (j.document, j.record.page)):
        title = squash(item.record.title)
        for g in groups:
            if fuzz.ratio(title, squash(g[0].record.title)) >= TITLE_SIMILARITY:
                g.append(item)
                break
        else:
            groups.append([item])
    rows = []
    for g in groups:
        first = g[0]
        rows.append({
            "jcm_id": f"jcm-{_short_hash(squash(first.record.title), 10)}",
            "title": first.record.title,
            "country": _first(g, lambda j: j.record.country),
            "japan_place_id": _first(g, lambda j: j.japan_place_id),
            "partner_place_id": _first(g, lambda j: j.partner_place_id),
            "fiscal_year": _first(g, lambda j: j.record.fiscal_year),
            "sources": _merge_sources([(j.document, j.sha256, [j.record.page]) for j in g]),
        })
    return sorted(rows, key=lambda r: r["jcm_id"])


def build_places(tables: Tables, spellings: dict[str, set[str]], gazetteer) -> list[dict]:
    """Every place another table references, with its ancestors, and every spelling seen."""
    wanted: set[str] = set()
    for row in tables.projects:
        wanted.update(ref["place_id"] for ref in row["japan_municipalities"] + row["partner_places"])
    for row in tables.city_pairs:
        wanted.update((row["japan_place_id"], row["partner_place_id"]))
    for row in tables.jcm_projects:
        wanted.update((row["japan_place_id"], row["partner_place_id"]))
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
        rows.append({
            "place_id": pid, "name_ja": place.name_ja, "name_en": place.name_en, "kind": place.kind,
            "country": place.country, "parent_id": place.parent_id, "jis_code": place.jis_code,
            "variants": sorted(set(place.variants) | spellings.get(pid, set())),
        })
    return rows


def document_row(ex: Extraction, counts: dict[str, int]) -> dict:
    return {
        "document": ex.document, "sha256": ex.sha256, "size_bytes": ex.size_bytes, "kind": ex.kind,
        "title": ex.title, "fiscal_year": ex.fiscal_year, "pages": ex.pages, "status": ex.status,
        "error_kind": ex.error_kind, "error": ex.error, "records": counts,
    }


def build_tables(extractions: list[Extraction], resolved: Resolved, gazetteer) -> Tables:
    tables = Tables()
    tables.projects, review = build_projects(resolved, gazetteer)
    tables.city_pairs = build_pairs(resolved, gazetteer)
    tables.jcm_projects = build_jcm(resolved)
    tables.mentions = unique_mentions(resolved.mentions)  # none when they were streamed out
    tables.places = build_places(tables, resolved.spellings, gazetteer)
    tables.review = unique_sorted(resolved.review + review, lambda r: (
        r["kind"], r["document"] or "", r["page"] or 0, r["text"] or "", r["detail"] or ""))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in tables.projects:
        for s in row["sources"]:
            counts[s["document"]]["projects"] += 1
    for row in tables.city_pairs:
        for s in row["sources"]:
            counts[s["document"]]["city_pairs"] += 1
    for row in tables.jcm_projects:
        for s in row["sources"]:
            counts[s["document"]]["jcm_projects"] += 1
    for document, n in resolved.mention_counts.items():
        counts[document]["mentions"] = n
    tables.documents = [document_row(ex, {t: counts[ex.document][t] for t in RECORD_TABLES})
                        for ex in sorted(extractions, key=lambda e: e.document)]
    return tables
