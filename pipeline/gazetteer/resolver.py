"""One printed place name → one place, or unresolved with candidates.

A wrong merge is worse than a miss, so every step only accepts a single, clear answer. In order:
  exact     the canonical name (name_ja), as printed (NFKC, spaces removed)
  variant   a listed variant, or the same match key (normalizers.places.match_key) as a listed name
            with an admin suffix compatible with the place's kind
  context   several places share the name and the context (country, an enclosing unit written
            before it: 北海道伊達市, バリ州ギャンヤール県) leaves exactly one
  fuzzy     rapidfuzz similarity of match keys (and of romaji, for names printed partly in Latin),
            only within the country the context gives, only for compatible kinds, above a cut-off
            and with a clear margin over the runner-up (`ResolverSettings`)
  unresolved otherwise, with candidates
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from normalizers.places import (SUFFIXES, fold_with_offsets, kinds_for_suffix, latin_key, match_key,
                                native_kana, to_romaji)

from .index import PlaceIndex, clean
from .settings import ResolverSettings
from .transliterate import Transliterator, is_katakana, sound_key

_PAREN_ALIAS = re.compile(r"^(?P<head>.+?)[(（](?P<alias>[^()（）]{1,16})[)）](?P<suffix>%s)$"
                          % "|".join(SUFFIXES))
# What may stand between a country's name and a place name: ベトナム・ダナン市, ベトナム：ダナン市,
# ベトナム／ダナン市.
_COUNTRY_SEPARATORS = "・ー-—:：/／|｜"
_BRACKETED_PREFIX = re.compile(r"^[【\[(（〔<＜《]\s*(?P<inside>[^】\])）〕>＞》]+?)\s*[】\])）〕>＞》]\s*(?P<rest>.*)$")


@dataclass
class Resolution:
    text: str                  # as printed (line breaks removed)
    key: str                   # match key: stem + suffix
    place_id: str | None
    method: str                # exact | variant | fuzzy | context | unresolved
    score: float               # 0–100
    candidates: list[tuple[str, float]] = field(default_factory=list)  # (place_id, 0–100), best first
    evidence: str = ""         # what a fuzzy match rests on: "" (spelling) or "transliteration"


def is_kana(ch: str) -> bool:
    return "ァ" <= ch <= "ヺ"


def unwrap(text: str) -> str:
    """Rejoin a cell's wrapped lines: line breaks are layout, not separators."""
    return re.sub(r"\s*[\r\n]+\s*", "", text or "").strip()


def key_text(text: str) -> str:
    stem, suffix = match_key(text)
    return stem + (suffix or "")


class NameResolver:
    def __init__(self, index: PlaceIndex, settings: ResolverSettings | dict | None = None):
        self.index = index
        self.places = index.places
        self.settings = ResolverSettings.resolve(settings)
        self.transliterator = Transliterator(index)

    def allowed(self, country: str | None, side: str | None, running_text: bool = False):
        """A filter on place ids: the context's country; 'japan' / 'partner' sides exclude countries
        and places of the other side; running text names generated world places only within the
        context's country (PlaceIndex.readable_in_text)."""
        world = self.index.world if running_text and not country else ()

        def ok(pid: str) -> bool:
            if pid in world:
                return False
            p = self.places[pid]
            if side in ("japan", "partner") and p.kind == "country":
                return False
            if side == "japan" and p.country != "JP":
                return False
            if side == "partner" and p.country == "JP":
                return False
            return not country or p.country == country
        return ok

    def country_only(self, cleaned: str) -> str | None:
        """The ISO code when the whole text is a country's name."""
        return self.index.country_named(fold_with_offsets(cleaned)[0])

    def split_country(self, cleaned: str) -> tuple[str | None, str]:
        """'インドネシア共和国バリ州' → ('ID', 'バリ州'); the longest country name wins. A country in
        brackets before the name counts too: '【ベトナム】ダナン市'."""
        bracketed = _BRACKETED_PREFIX.match(cleaned)
        if bracketed:
            cc = self.country_only(bracketed["inside"])
            if cc and bracketed["rest"]:
                return cc, bracketed["rest"]
        folded, offsets = fold_with_offsets(cleaned)
        for n in range(len(folded) - 1, 1, -1):
            cc = self.index.country_named(folded[:n])
            if cc:
                after = cleaned[offsets[n]:]
                rest = after.lstrip(_COUNTRY_SEPARATORS)
                # Katakana running straight on from a country's name may be one word (ニジェール…):
                # only a separator, or a change of script, ends the country there.
                joined = len(rest) == len(after)
                if rest and not (joined and is_kana(rest[0]) and is_kana(cleaned[offsets[n] - 1])):
                    return cc, rest
        return None, cleaned

    def resolution(self, text: str, ids, method: str, score: float = 100.0) -> Resolution:
        """One id: resolved by `method`; several: unresolved with all of them as candidates."""
        key = key_text(text)
        ids = list(dict.fromkeys(ids))
        if len(ids) == 1:
            return Resolution(text, key, ids[0], method, score, [(ids[0], score)])
        return Resolution(text, key, None, "unresolved", 0.0, [(i, score) for i in sorted(ids)])

    # --- one name ------------------------------------------------------------------------------

    def resolve(self, text: str, country: str | None = None, side: str | None = None,
                allow_fuzzy: bool = True, nested: bool = True, running_text: bool = False) -> Resolution:
        """Resolve one printed name; `country` (ISO alpha-2) and `side` ('japan' / 'partner') narrow
        the places it may name. Fuzzy matching needs a country and can be turned off."""
        printed = unwrap(text)
        cleaned = clean(printed)
        if not cleaned:
            return Resolution(printed, "", None, "unresolved", 0.0, [])
        ok = self.allowed(country, side, running_text)
        found = self.strict(cleaned, ok, nested=nested)
        if found is None:
            # A country written before the name (インドネシア共和国バリ州) is context, not part of it;
            # tried second because some names begin with a country's name (アーンドラ…, ベトナム南部).
            prefix_country, rest = self.split_country(cleaned)
            if prefix_country and (country is None or country == prefix_country):
                country, cleaned = prefix_country, rest
                ok = self.allowed(country, side, running_text)
                found = self.strict(cleaned, ok, nested=nested)
        if found is not None:
            ids, method = found
            # Several places sharing this name come back unresolved: a person decides, never fuzzy.
            return self.resolution(printed, ids, method)
        s = self.settings
        candidates = self.fuzzy_scores(cleaned, country, ok)
        if allow_fuzzy and country and candidates:
            best_id, best = candidates[0]
            runner = candidates[1][1] if len(candidates) > 1 else 0.0
            if best >= s.fuzzy_cutoff and best - runner >= s.fuzzy_margin \
                    and len(match_key(cleaned)[0]) >= s.fuzzy_min_stem:
                return Resolution(printed, key_text(cleaned), best_id, "fuzzy", round(best, 1),
                                  candidates[:s.max_candidates])
        if allow_fuzzy and country:
            heard = self.transliteration_scores(cleaned, country, ok)
            if heard:
                best_id, best = heard[0]
                runner = heard[1][1] if len(heard) > 1 else 0.0
                if best >= s.transliteration_cutoff and best - runner >= s.transliteration_margin:
                    return Resolution(printed, key_text(cleaned), best_id, "fuzzy", best,
                                      heard[:s.max_candidates], evidence="transliteration")
                candidates = _merge(candidates, heard)
        return Resolution(printed, key_text(cleaned), None, "unresolved", 0.0, candidates[:s.max_candidates])

    def transliteration_scores(self, cleaned: str, country: str, ok) -> list[tuple[str, float]]:
        """Places by how their Latin names sound like the romanized katakana name (0–100), best
        first; [] for a name that is not katakana or too short to judge."""
        stem, suffix = match_key(cleaned)
        raw = cleaned[: -len(suffix)] if suffix and cleaned.endswith(suffix) else cleaned
        if not is_katakana(raw):
            return []
        if len(sound_key(self.transliterator.romanize(raw))) < self.settings.transliteration_min_key:
            return []
        return self.transliterator.scores(raw, country, ok, kinds_for_suffix(suffix))

    def strict(self, cleaned: str, ok, nested: bool) -> tuple[list[str], str] | None:
        """Place ids for a name by exact name, listed variant, match key, X(alias)suffix or nesting."""
        index = self.index
        ids = [i for i in index.named(cleaned) if ok(i)]
        if ids:
            return ids, "exact"
        ids = [i for i in index.with_variant(cleaned) if ok(i)]
        if ids:
            return ids, "variant"
        stem, suffix = match_key(cleaned)
        ids = [i for i in index.with_key((stem, suffix)) if ok(i)]
        if not ids and suffix is not None:
            kinds = kinds_for_suffix(suffix)
            # Another suffix of the same kind family (ハノイ都 → Hanoi city) is accepted for foreign
            # places only: Japanese names are official and printed exactly.
            ids = [i for i in index.with_stem(stem) if ok(i) and self.places[i].country != "JP"
                   and self.places[i].kind in kinds]
        loose = native_kana(stem)
        if not ids and len(loose) >= 2:  # サンチアゴ市 for サンティアゴ市: foreign sounds in native kana
            ids = [i for i in index.with_native_kana_key((loose, suffix)) if ok(i)]
        if ids:
            return ids, "variant"
        m = _PAREN_ALIAS.match(cleaned)
        if m:  # ウランバートル(UB)市: the name with its alias in brackets before the suffix
            found = self.strict(m["head"] + m["suffix"], ok, nested=False)
            if found:
                return found
        if nested:
            return self.nested(cleaned, ok)
        return None

    def nested(self, cleaned: str, ok) -> tuple[list[str], str] | None:
        """X+Y where X is an enclosing unit of Y (サンティアゴ市レンカ区 → Renca): the most specific."""
        if len(cleaned) > self.settings.nested_max_length:
            return None
        for i in range(2, len(cleaned) - 1):
            head = self.strict(cleaned[:i], lambda pid: True, nested=False)
            if not head or len(head[0]) != 1:
                continue
            outer = head[0][0]
            tail = self.strict(cleaned[i:], ok, nested=True)
            if not tail:
                continue
            inner = [pid for pid in tail[0] if outer in self.index.ancestors(pid)]
            if len(inner) == 1:
                return inner, ("context" if len(tail[0]) > 1 else tail[1])
        return None

    def fuzzy_scores(self, cleaned: str, country: str | None, ok) -> list[tuple[str, float]]:
        """The best `max_candidates` places by rapidfuzz ratio (0–100) of match keys, and of romaji
        for a name printed partly in Latin letters; kinds must fit the printed suffix."""
        stem, suffix = match_key(cleaned)
        if not stem:
            return []
        kinds = kinds_for_suffix(suffix)
        has_latin = any(c.isascii() and c.isalpha() for c in cleaned)
        raw_stem = cleaned
        if suffix and cleaned.endswith(suffix):
            raw_stem = cleaned[: -len(suffix)]
        romaji = to_romaji(raw_stem) if has_latin else ""
        pool = self.index.in_country(country) if country else self.places.keys()
        scores: list[tuple[str, float]] = []
        for pid in pool:
            if not ok(pid):
                continue
            p = self.places[pid]
            if kinds is not None and p.kind not in kinds:
                continue
            keys = self.index.keys_of(pid)
            best = max((fuzz.ratio(stem, s) for s, _ in keys), default=0.0)
            if romaji:
                best = max(best, fuzz.ratio(romaji, latin_key(p.name_en)),
                           *(fuzz.ratio(romaji, to_romaji(s)) for s, _ in keys))
            scores.append((pid, float(best)))
        scores.sort(key=lambda x: (-x[1], x[0]))
        return [(pid, round(s, 1)) for pid, s in scores[:self.settings.max_candidates] if s > 0]


def _merge(*lists: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Candidate lists joined, each place once with its best score, best first."""
    best: dict[str, float] = {}
    for items in lists:
        for pid, score in items:
            best[pid] = max(score, best.get(pid, 0.0))
    return sorted(best.items(), key=lambda x: (-x[1], x[0]))
