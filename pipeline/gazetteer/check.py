"""Validation of the place data (`c2c gazetteer check`)."""
from __future__ import annotations

import re

from normalizers.places import fold, split_suffix

from .data import KINDS, PlaceData
from .index import PlaceIndex


def check(data: PlaceData, index: PlaceIndex) -> list[str]:
    """Problems with the data, sorted, each once; [] when it is sound."""
    places = data.places
    problems = list(data.problems)
    jp_stems = {split_suffix(fold(p.name_ja))[0] for p in places.values()
                if p.country == "JP" and p.kind in ("municipality", "prefecture")}
    for p in places.values():
        if p.kind not in KINDS:
            problems.append(f"{p.place_id}: unknown kind {p.kind!r}")
        if not re.fullmatch(r"[A-Z]{2}", p.country or ""):
            problems.append(f"{p.place_id}: country {p.country!r} is not an ISO alpha-2 code")
        if p.parent_id and p.parent_id not in places:
            problems.append(f"{p.place_id}: parent {p.parent_id} does not exist")
        if p.place_id in index.ancestors(p.place_id):
            problems.append(f"{p.place_id}: its parents form a cycle")
        if p.jis_code and not re.fullmatch(r"\d{6}", p.jis_code):
            problems.append(f"{p.place_id}: jis_code {p.jis_code!r} is not 6 digits")
        if not p.name_ja or not fold(p.name_ja):
            problems.append(f"{p.place_id}: empty name_ja")
        for v in p.variants:
            if split_suffix(fold(v))[1] is None and fold(v) in jp_stems:
                problems.append(f"{p.place_id}: variant {v!r} is a bare stem of a Japanese local government")
    # A variant spelling must name one place only.
    for surface, ids in index.spellings():
        if len(set(ids)) < 2:
            continue
        claimants = [i for i in set(ids) if any(fold(v) == surface for v in places[i].variants)]
        if claimants:
            problems.append(f"spelling {surface!r} is claimed by {', '.join(sorted(set(ids)))}")
    # Two places of one country whose keys collide cannot be told apart, except homonymous
    # canonical names under different parents (府中市 in Tokyo and in Hiroshima), which the
    # resolver reports as ambiguous.
    for key, ids in index.key_groups():
        ids = sorted(set(ids))
        for a_i, a in enumerate(ids):
            for b in ids[a_i + 1:]:
                pa, pb = places[a], places[b]
                if pa.country != pb.country:
                    continue
                homonyms = (split_suffix(fold(pa.name_ja)) == key == split_suffix(fold(pb.name_ja))
                            and pa.parent_id != pb.parent_id)
                if not homonyms:
                    problems.append(f"{a} and {b} ({pa.country}) share the match key {key[0]}|{key[1]}")
    return sorted(set(problems))
