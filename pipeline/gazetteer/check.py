"""Validation of the place data (`c2c gazetteer check`): errors that make the data unsound, and
warnings about what is sound but worth knowing (homonyms)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from normalizers.places import fold, split_suffix

from .data import KINDS, PlaceData
from .index import PlaceIndex


@dataclass(frozen=True)
class CheckResult:
    errors: list[str]    # duplicate ids, missing parents, a spelling two places claim, bad fields
    warnings: list[str]  # homonyms: they resolve only with context that picks one


def check(data: PlaceData, index: PlaceIndex) -> CheckResult:
    """Errors and warnings about the data, each sorted and once."""
    places = data.places
    errors = list(data.problems)
    warnings: list[str] = []
    jp_stems = {split_suffix(fold(p.name_ja))[0] for p in places.values()
                if p.country == "JP" and p.kind in ("municipality", "prefecture")}
    for p in places.values():
        if p.kind not in KINDS:
            errors.append(f"{p.place_id}: unknown kind {p.kind!r}")
        if not re.fullmatch(r"[A-Z]{2}", p.country or ""):
            errors.append(f"{p.place_id}: country {p.country!r} is not an ISO alpha-2 code")
        if p.parent_id and p.parent_id not in places:
            errors.append(f"{p.place_id}: parent {p.parent_id} does not exist")
        if p.place_id in index.ancestors(p.place_id):
            errors.append(f"{p.place_id}: its parents form a cycle")
        if p.jis_code and not re.fullmatch(r"\d{6}", p.jis_code):
            errors.append(f"{p.place_id}: jis_code {p.jis_code!r} is not 6 digits")
        # Generated foreign places may lack a Japanese name (transliteration reaches them by
        # their English ones); a place with no name at all is an error.
        if not fold(p.name_ja) and not (p.name_en and not p.country == "JP" and p.kind != "country"):
            errors.append(f"{p.place_id}: empty name_ja")
        if p.name_ja == "" and p.variants:
            errors.append(f"{p.place_id}: variants without a name_ja")
        for v in p.variants:
            if split_suffix(fold(v))[1] is None and fold(v) in jp_stems:
                errors.append(f"{p.place_id}: variant {v!r} is a bare stem of a Japanese local government")
    # A spelling listed as a variant must name one place only.
    for surface, ids in index.spellings():
        if len(set(ids)) < 2:
            continue
        claimants = [i for i in set(ids) if any(fold(v) == surface for v in places[i].variants)]
        same = _same_country_and_kind(places, sorted(set(ids)))
        if claimants and same and not all(places[i].homonym for i in same):
            errors.append(f"spelling {surface!r} is claimed by {', '.join(sorted(set(ids)))}")
    # Two places of one country and kind whose keys collide cannot be told apart: an error unless
    # they are homonyms — marked so in the data, or canonical names under different parents (府中市
    # in Tokyo and in Hiroshima). The resolver reports homonyms as ambiguous.
    for key, ids in index.key_groups():
        ids = sorted(set(ids))
        for a_i, a in enumerate(ids):
            for b in ids[a_i + 1:]:
                pa, pb = places[a], places[b]
                if pa.country != pb.country:
                    continue
                label = f"{a} and {b} ({pa.country}) share the match key {key[0]}|{key[1]}"
                if pa.kind != pb.kind:
                    warnings.append(f"{label} (a {pa.kind} and a {pb.kind})")
                    continue
                homonyms = (pa.homonym and pb.homonym) or (
                    split_suffix(fold(pa.name_ja)) == key == split_suffix(fold(pb.name_ja))
                    and pa.parent_id != pb.parent_id)
                if homonyms:
                    warnings.append(f"homonyms: {label}")
                else:
                    errors.append(label)
    return CheckResult(sorted(set(errors)), sorted(set(warnings)))


def _same_country_and_kind(places, ids: list[str]) -> list[str]:
    """The ids that share a country and kind with another id of the list."""
    groups: dict[tuple[str, str], list[str]] = {}
    for i in ids:
        groups.setdefault((places[i].country, places[i].kind), []).append(i)
    return [i for members in groups.values() if len(members) > 1 for i in members]
