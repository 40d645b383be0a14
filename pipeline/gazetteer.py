"""The gazetteer and the place resolver: printed place names → one canonical place, or a person.

A wrong merge is worse than a miss, so every step only accepts a single, clear answer; anything else
comes back unresolved with its top candidates for review.

Resolution of one name, in order:
  exact     the canonical name (name_ja), as printed (NFKC, spaces removed)
  variant   a listed variant, or the same match key (normalizers.places.match_key) as a listed name
            with an admin suffix compatible with the place's kind
  context   several places share the name and the context (country, an enclosing unit written
            before it: 北海道伊達市, バリ州ギャンヤール県) leaves exactly one
  fuzzy     rapidfuzz similarity of match keys (and of romaji, for names printed partly in Latin),
            only within the country the context gives, only for compatible kinds, above a cutoff
            and with a clear margin over the runner-up
  unresolved otherwise, with candidates
The data lives in plain CSV files in gazetteer/ (see gazetteer/README.md); loading builds every
index once.
"""
from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from gazetteer import data_folder
from normalizers.places import (SUFFIXES, fold, fold_with_offsets, kinds_for_suffix, latin_key,
                                match_key, native_kana, split_suffix, to_romaji)

# The data ships inside the `gazetteer` package, so an installed c2c finds it too.
DEFAULT_FOLDER = data_folder()

FIELDS = ["place_id", "name_ja", "name_en", "kind", "country", "parent_id", "jis_code", "variants"]
KINDS = ("country", "prefecture", "municipality", "province", "state", "region", "regency", "city",
         "district", "other")
CURATED_FILE = "places.csv"
VARIANTS_FILE = "variants.csv"

FUZZY_CUTOFF = 85.0
FUZZY_MARGIN = 8.0
FUZZY_MIN_STEM = 3
MAX_CANDIDATES = 5

_NOISE = str.maketrans("", "", "※*＊†‡\r\n\t \u3000")
_PAREN_ALIAS = re.compile(r"^(?P<head>.+?)[(（](?P<alias>[^()（）]{1,16})[)）](?P<suffix>%s)$"
                          % "|".join(SUFFIXES))
_SCAN_PAREN_ALIAS = re.compile(r"(?P<head>[ァ-ヺー・]{2,})[(（](?P<alias>[A-Za-z0-9ァ-ヺー]{1,12})[)）](?P<suffix>%s)"
                               % "|".join(SUFFIXES))
_SCAN_MIXED = re.compile(r"[ァ-ヺーA-Za-z][ァ-ヺー・A-Za-z \u3000]*?(?:%s)" % "|".join(SUFFIXES))


_LIST_SEPARATOR = re.compile(r"[・、,，/／;；()（）]|及び")


# What may stand between a country's name and a place name: ベトナム・ダナン市, ベトナム：ダナン市,
# ベトナム／ダナン市.
_COUNTRY_SEPARATORS = "・ー-—:：/／|｜"
_BRACKETED_PREFIX = re.compile(r"^[【\[(（〔<＜《]\s*(?P<inside>[^】\])）〕>＞》]+?)\s*[】\])）〕>＞》]\s*(?P<rest>.*)$")


def _is_kana(ch: str) -> bool:
    return "ァ" <= ch <= "ヺ"


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _clean(text: str) -> str:
    """NFKC, no whitespace, no footnote marks: the form exact and variant lookups compare."""
    return unicodedata.normalize("NFKC", text or "").translate(_NOISE)


def _unwrap(text: str) -> str:
    """Rejoin a cell's wrapped lines: line breaks are layout, not separators."""
    return re.sub(r"\s*[\r\n]+\s*", "", text or "").strip()


@dataclass(frozen=True)
class Place:
    place_id: str
    name_ja: str
    name_en: str
    kind: str
    country: str
    parent_id: str | None
    jis_code: str | None
    variants: tuple[str, ...]


@dataclass
class Resolution:
    text: str
    key: str
    place_id: str | None
    method: str  # exact | variant | fuzzy | context | unresolved
    score: float
    candidates: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class Match:
    start: int
    end: int
    text: str
    resolution: Resolution


def _key_text(text: str) -> str:
    stem, suffix = match_key(text)
    return stem + (suffix or "")


class Gazetteer:
    def __init__(self, places: dict[str, Place], version: str, problems: list[str],
                 sources: dict[str, str]):
        self.places = places
        self.version = version
        self._load_problems = problems
        self._sources = sources  # place_id → file it came from (relative to the folder)
        self._build_indexes()

    # --- loading -------------------------------------------------------------------------------

    @classmethod
    def load(cls, folder: Path | None = None) -> "Gazetteer":
        folder = Path(folder or DEFAULT_FOLDER)
        files = data_files(folder)
        digest = hashlib.sha256()
        places: dict[str, Place] = {}
        sources: dict[str, str] = {}
        problems: list[str] = []
        extra_variants: list[tuple[str, str]] = []
        for path in files:
            rel = path.relative_to(folder).as_posix()
            raw = path.read_bytes()
            _digest_file(digest, rel, raw)
            rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
            if path.name == VARIANTS_FILE:
                extra_variants += [(r["place_id"].strip(), r["variant"].strip()) for r in rows]
                continue
            for r in rows:
                pid = (r.get("place_id") or "").strip()
                if not pid:
                    continue
                if pid in places:
                    problems.append(f"duplicate place_id {pid} in {rel} and {sources[pid]}")
                    continue
                places[pid] = Place(
                    place_id=pid, name_ja=r["name_ja"].strip(), name_en=r["name_en"].strip(),
                    kind=r["kind"].strip(), country=r["country"].strip(),
                    parent_id=r["parent_id"].strip() or None, jis_code=r["jis_code"].strip() or None,
                    variants=tuple(v.strip() for v in r["variants"].split("|") if v.strip()))
                sources[pid] = rel
        for pid, variant in extra_variants:
            if pid not in places:
                problems.append(f"{VARIANTS_FILE}: variant {variant!r} for unknown place {pid}")
                continue
            p = places[pid]
            if variant not in p.variants:
                places[pid] = Place(**{**p.__dict__, "variants": p.variants + (variant,)})
        return cls(places, digest.hexdigest()[:16], problems, sources)

    def _build_indexes(self) -> None:
        self._by_name: dict[str, list[str]] = {}
        self._by_variant: dict[str, list[str]] = {}
        self._by_key: dict[tuple[str, str | None], list[str]] = {}
        self._by_stem: dict[str, list[str]] = {}
        self._by_native_kana: dict[tuple[str, str | None], list[str]] = {}  # foreign places only
        self._surface: dict[str, list[str]] = {}
        self._by_country: dict[str, list[str]] = {}
        self._country_of_name: dict[str, str] = {}
        self._names: dict[str, list[tuple[str, str | None]]] = {}  # place → [(stem, suffix)]
        for p in self.places.values():
            self._by_country.setdefault(p.country, []).append(p.place_id)
            self._by_name.setdefault(_clean(p.name_ja), []).append(p.place_id)
            for v in p.variants:
                self._by_variant.setdefault(_clean(v), []).append(p.place_id)
            keys = []
            for name in (p.name_ja, *p.variants):
                folded = fold(name)
                if not folded:
                    continue
                key = split_suffix(folded)
                if key not in keys:
                    keys.append(key)
                    _add(self._by_key, key, p.place_id)
                    _add(self._by_stem, key[0], p.place_id)
                    if p.country != "JP":
                        _add(self._by_native_kana, (native_kana(key[0]), key[1]), p.place_id)
                _add(self._surface, folded, p.place_id)
                if p.kind == "country":
                    self._country_of_name[folded] = p.country
            self._names[p.place_id] = keys
        first: dict[str, set[int]] = {}
        for s in self._surface:
            first.setdefault(s[0], set()).add(len(s))
        self._lengths = {c: sorted(ls, reverse=True) for c, ls in first.items()}

    # --- helpers -------------------------------------------------------------------------------

    def ancestors(self, place_id: str) -> list[str]:
        out, seen = [], set()
        p = self.places.get(place_id)
        while p and p.parent_id and p.parent_id not in seen:
            seen.add(p.parent_id)
            out.append(p.parent_id)
            p = self.places.get(p.parent_id)
        return out

    def _allowed(self, country: str | None, side: str | None):
        def ok(pid: str) -> bool:
            p = self.places[pid]
            if side in ("japan", "partner") and p.kind == "country":
                return False
            if side == "japan" and p.country != "JP":
                return False
            if side == "partner" and p.country == "JP":
                return False
            return not country or p.country == country
        return ok

    def _split_country(self, cleaned: str) -> tuple[str | None, str]:
        """'インドネシア共和国バリ州' → ('ID', 'バリ州'); the longest country name wins. A country in
        brackets before the name counts too: '【ベトナム】ダナン市'."""
        bracketed = _BRACKETED_PREFIX.match(cleaned)
        if bracketed:
            cc = self._country_only(bracketed["inside"])
            if cc and bracketed["rest"]:
                return cc, bracketed["rest"]
        folded, offsets = fold_with_offsets(cleaned)
        for n in range(len(folded) - 1, 1, -1):
            cc = self._country_of_name.get(folded[:n])
            if cc:
                after = cleaned[offsets[n]:]
                rest = after.lstrip(_COUNTRY_SEPARATORS)
                # Katakana running straight on from a country's name may be one word (ニジェール…):
                # only a separator, or a change of script, ends the country there.
                joined = len(rest) == len(after)
                if rest and not (joined and _is_kana(rest[0]) and _is_kana(cleaned[offsets[n] - 1])):
                    return cc, rest
        return None, cleaned

    def _resolution(self, text: str, ids: list[str], method: str, score: float = 100.0) -> Resolution:
        key = _key_text(text)
        ids = list(dict.fromkeys(ids))
        if len(ids) == 1:
            return Resolution(text, key, ids[0], method, score, [(ids[0], score)])
        return Resolution(text, key, None, "unresolved", 0.0, [(i, score) for i in sorted(ids)])

    # --- one name ------------------------------------------------------------------------------

    def resolve(self, text: str, country: str | None = None, side: str | None = None) -> Resolution:
        return self._resolve(text, country, side, allow_fuzzy=True)

    def _resolve(self, text: str, country: str | None, side: str | None, allow_fuzzy: bool,
                 nested: bool = True) -> Resolution:
        printed = _unwrap(text)
        cleaned = _clean(printed)
        if not cleaned:
            return Resolution(printed, "", None, "unresolved", 0.0, [])
        ok = self._allowed(country, side)
        found = self._strict(cleaned, ok, nested=nested)
        if found is None:
            # A country written before the name (インドネシア共和国バリ州) is context, not part of it;
            # tried second because some names begin with a country's name (アーンドラ…, ベトナム南部).
            prefix_country, rest = self._split_country(cleaned)
            if prefix_country and (country is None or country == prefix_country):
                country, cleaned = prefix_country, rest
                ok = self._allowed(country, side)
                found = self._strict(cleaned, ok, nested=nested)
        if found is not None:
            ids, method = found
            # Several places sharing this name come back unresolved: a person decides, never fuzzy.
            return self._resolution(printed, ids, method)
        candidates = self._fuzzy_scores(cleaned, country, ok)
        if allow_fuzzy and country and candidates:
            best_id, best = candidates[0]
            runner = candidates[1][1] if len(candidates) > 1 else 0.0
            if best >= FUZZY_CUTOFF and best - runner >= FUZZY_MARGIN \
                    and len(match_key(cleaned)[0]) >= FUZZY_MIN_STEM:
                return Resolution(printed, _key_text(cleaned), best_id, "fuzzy", round(best, 1),
                                  candidates[:MAX_CANDIDATES])
        return Resolution(printed, _key_text(cleaned), None, "unresolved", 0.0, candidates[:MAX_CANDIDATES])

    def _strict(self, cleaned: str, ok, nested: bool) -> tuple[list[str], str] | None:
        """Place ids for a name by exact name, listed variant, match key, X(alias)suffix or nesting."""
        ids = [i for i in self._by_name.get(cleaned, ()) if ok(i)]
        if ids:
            return ids, "exact"
        ids = [i for i in self._by_variant.get(cleaned, ()) if ok(i)]
        if ids:
            return ids, "variant"
        stem, suffix = match_key(cleaned)
        ids = [i for i in self._by_key.get((stem, suffix), ()) if ok(i)]
        if not ids and suffix is not None:
            kinds = kinds_for_suffix(suffix)
            # Another suffix of the same kind family (ハノイ都 → Hanoi city) is accepted for foreign
            # places only: Japanese names are official and printed exactly.
            ids = [i for i in self._by_stem.get(stem, ()) if ok(i) and self.places[i].country != "JP"
                   and self.places[i].kind in kinds]
        loose = native_kana(stem)
        if not ids and len(loose) >= 2:  # サンチアゴ市 for サンティアゴ市: foreign sounds in native kana
            ids = [i for i in self._by_native_kana.get((loose, suffix), ()) if ok(i)]
        if ids:
            return ids, "variant"
        m = _PAREN_ALIAS.match(cleaned)
        if m:  # ウランバートル(UB)市: the name with its alias in brackets before the suffix
            found = self._strict(m["head"] + m["suffix"], ok, nested=False)
            if found:
                return found
        if nested:
            return self._nested(cleaned, ok)
        return None

    def _nested(self, cleaned: str, ok) -> tuple[list[str], str] | None:
        """X+Y where X is an enclosing unit of Y (サンティアゴ市レンカ区 → Renca): the most specific."""
        if len(cleaned) > 60:
            return None
        for i in range(2, len(cleaned) - 1):
            head = self._strict(cleaned[:i], lambda pid: True, nested=False)
            if not head or len(head[0]) != 1:
                continue
            outer = head[0][0]
            tail = self._strict(cleaned[i:], ok, nested=True)
            if not tail:
                continue
            inner = [pid for pid in tail[0] if outer in self.ancestors(pid)]
            if len(inner) == 1:
                return inner, ("context" if len(tail[0]) > 1 else tail[1])
        return None

    def _fuzzy_scores(self, cleaned: str, country: str | None, ok) -> list[tuple[str, float]]:
        stem, suffix = match_key(cleaned)
        if not stem:
            return []
        kinds = kinds_for_suffix(suffix)
        has_latin = any(c.isascii() and c.isalpha() for c in cleaned)
        raw_stem = cleaned
        if suffix and cleaned.endswith(suffix):
            raw_stem = cleaned[: -len(suffix)]
        romaji = to_romaji(raw_stem) if has_latin else ""
        pool = self._by_country.get(country, ()) if country else self.places.keys()
        scores: list[tuple[str, float]] = []
        for pid in pool:
            if not ok(pid):
                continue
            p = self.places[pid]
            if kinds is not None and p.kind not in kinds:
                continue
            best = max((fuzz.ratio(stem, s) for s, _ in self._names[pid]), default=0.0)
            if romaji:
                best = max(best, fuzz.ratio(romaji, latin_key(p.name_en)),
                           *(fuzz.ratio(romaji, to_romaji(s)) for s, _ in self._names[pid]))
            scores.append((pid, float(best)))
        scores.sort(key=lambda x: (-x[1], x[0]))
        return [(pid, round(s, 1)) for pid, s in scores[:MAX_CANDIDATES] if s > 0]

    # --- compound cells ------------------------------------------------------------------------

    def resolve_cell(self, text: str, country: str | None = None, side: str | None = None) -> list[Resolution]:
        printed = _unwrap(text)
        if not _clean(printed):
            return []
        # A separator between two names makes a list, never nesting: ウボンラチャタニ県・ワリンチャムラップ市
        # is the province and the city, whereas バリ州ギャンヤール県 is the regency alone.
        listed = bool(_LIST_SEPARATOR.search(printed))
        whole = self._resolve(printed, country, side, allow_fuzzy=False, nested=not listed)
        if whole.place_id:
            return [whole]
        pieces = [(m.start(), m.end()) for m in re.finditer(r"[^・、,，/／;；()（）]+", printed)]
        pieces = _split_words(printed, pieces)
        out: list[Resolution] = []
        i = 0
        while i < len(pieces):
            taken = None
            # Longest run of pieces that is one name (アーンドラ・プラデーシュ州 spans a ・).
            for j in range(min(len(pieces) - 1, i + 3), i, -1):
                span = printed[pieces[i][0]:pieces[j][1]]
                if re.search(r"[()（）、,，]", span):
                    continue
                res = self._resolve(span, country, side, allow_fuzzy=False, nested=False)
                if res.place_id:
                    taken, i = res, j + 1
                    break
            if taken is None:
                span = printed[pieces[i][0]:pieces[i][1]].strip()
                i += 1
                cleaned = _clean(span)
                if not cleaned or not re.search(r"[^\W\d_]", cleaned):
                    continue
                cc = self._country_only(cleaned)
                if cc:  # a country name in a cell is context for the names after it
                    country = cc
                    continue
                taken = self._resolve(span, country, side, allow_fuzzy=True)
            out.append(taken)
        seen: set[str] = set()
        result = []
        for r in out:
            if r.place_id and r.place_id in seen:
                continue
            if r.place_id:
                seen.add(r.place_id)
            result.append(r)
        return result

    def _country_only(self, cleaned: str) -> str | None:
        return self._country_of_name.get(fold(cleaned))

    # --- running text --------------------------------------------------------------------------

    def scan(self, text: str, country: str | None = None) -> list[Match]:
        """Place names in running text: leftmost-longest, non-overlapping, offsets into `text`."""
        if not text:
            return []
        folded, offsets = fold_with_offsets(text)
        found: list[tuple[int, int, int, int, list[str]]] = []  # fstart, fend, start, end, ids
        i = 0
        n = len(folded)
        while i < n:
            hit = None
            for length in self._lengths.get(folded[i], ()):
                if i + length > n:
                    continue
                ids = self._surface.get(folded[i:i + length])
                if ids is None:
                    continue
                span = self._original_span(text, offsets, i, i + length)
                if span and self._bounded(text, span[0], span[1]):
                    hit = (i, i + length, span[0], span[1], ids)
                    break
            if hit:
                found.append(hit)
                i = hit[1]
            else:
                i += 1
        return self._matches(text, found, country)

    def _original_span(self, text: str, offsets: list[int], fs: int, fe: int) -> tuple[int, int] | None:
        start, end = offsets[fs], offsets[fe - 1] + 1
        # A folded name ends before dropped long-vowel marks it owns (マンダレー).
        while end < len(text) and text[end] in "ーｰ" and _is_kana(text[end - 1]):
            end += 1
        return start, end

    def _bounded(self, text: str, start: int, end: int) -> bool:
        """A name must not start or end inside a longer katakana or Latin word."""
        first, last = text[start], text[end - 1]
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        if _is_latin(first) and before and _is_latin(before):
            return False
        if _is_latin(last) and after and _is_latin(after):
            return False
        if _is_kana(unicodedata.normalize("NFKC", last)) and after and _is_kana(unicodedata.normalize("NFKC", after)):
            return False
        if _is_kana(unicodedata.normalize("NFKC", first)) and before and _is_kana(unicodedata.normalize("NFKC", before)):
            # Allowed when the katakana run before it is itself a name (インドネシアデンパサル市).
            k = start
            while k > 0 and (_is_kana(text[k - 1]) or text[k - 1] == "ー"):
                k -= 1
            if fold(text[k:start]) not in self._surface:
                return False
        return True

    def _matches(self, text: str, found, country: str | None) -> list[Match]:
        out: list[Match] = []
        prev = None  # (fend, place_id, match, end) of the previous resolved match, for nesting
        context = country
        for fs, fe, start, end, ids in found:
            printed = re.sub(r"[\r\n]", "", text[start:end])
            if all(self.places[i].kind == "country" for i in ids):
                context = self.places[ids[0]].country if len(ids) == 1 else context
                prev = (fe, ids[0] if len(ids) == 1 else None, None, end)
                continue
            ids = [i for i in ids if self.places[i].kind != "country"]
            res = self._scan_resolution(printed, ids, context if context else None)
            # Nesting needs the two names written together (only a line break between): a list
            # such as ホーチミン市・トゥードック市 names two places.
            if prev and prev[0] == fs and prev[1] and not text[prev[3]:start].strip("\r\n"):
                outer = prev[1]
                inner = [pid for pid in ids if outer in self.ancestors(pid)]
                if len(inner) == 1:
                    method = "context" if len(ids) > 1 else res.method
                    res = Resolution(printed, res.key, inner[0], method, 100.0, [(inner[0], 100.0)])
                if len(inner) == 1 and prev[2] is not None:
                    # X+Y with X enclosing Y: a match for the whole text (→ Y) beside X's and Y's own.
                    outer_match = prev[2]
                    whole = re.sub(r"[\r\n]", "", text[outer_match.start:end])
                    out.append(Match(outer_match.start, end, whole,
                                     Resolution(whole, _key_text(whole), inner[0], method, 100.0,
                                                [(inner[0], 100.0)])))
            m = Match(start, end, printed, res)
            out.append(m)
            prev = (fe, res.place_id, m, end)
        out += self._scan_extras(text, out, country)
        out.sort(key=lambda m: (m.start, -m.end))
        return out

    def _scan_resolution(self, printed: str, ids: list[str], country: str | None) -> Resolution:
        if len(ids) > 1 and country:
            narrowed = [i for i in ids if self.places[i].country == country]
            if len(narrowed) == 1:
                return self._resolution(printed, narrowed, "context")
        if len(ids) == 1:
            p = self.places[ids[0]]
            method = "exact" if _clean(p.name_ja) == _clean(printed) else "variant"
            return self._resolution(printed, ids, method)
        return self._resolution(printed, ids, "unresolved")

    def _scan_extras(self, text: str, matches: list[Match], country: str | None) -> list[Match]:
        """Spellings the surface index cannot see: X(alias)suffix, and mixed-script names."""
        covered = [(m.start, m.end) for m in matches]
        extras: list[Match] = []

        def free(s: int, e: int) -> bool:
            return not any(s < ce and cs < e for cs, ce in covered)

        for m in _SCAN_PAREN_ALIAS.finditer(text):
            res = self._resolve(m.group(0), country, None, allow_fuzzy=False)
            if res.place_id:
                extras.append(Match(m.start(), m.end(), m.group(0), res))
        if country:
            for m in _SCAN_MIXED.finditer(text):
                span = m.group(0)
                if not re.search(r"[A-Za-z]", span) or not re.search(r"[ァ-ヺ]", span) \
                        or not free(m.start(), m.end()):
                    continue
                res = self._resolve(span, country, "partner", allow_fuzzy=True)
                if res.place_id:
                    extras.append(Match(m.start(), m.end(), re.sub(r"[\r\n]", "", span), res))
        return extras

    # --- validation ----------------------------------------------------------------------------

    def check(self) -> list[str]:
        problems = list(self._load_problems)
        jp_stems = {split_suffix(fold(p.name_ja))[0] for p in self.places.values()
                    if p.country == "JP" and p.kind in ("municipality", "prefecture")}
        for p in self.places.values():
            if p.kind not in KINDS:
                problems.append(f"{p.place_id}: unknown kind {p.kind!r}")
            if not re.fullmatch(r"[A-Z]{2}", p.country or ""):
                problems.append(f"{p.place_id}: country {p.country!r} is not an ISO alpha-2 code")
            if p.parent_id and p.parent_id not in self.places:
                problems.append(f"{p.place_id}: parent {p.parent_id} does not exist")
            if p.place_id in self.ancestors(p.place_id):
                problems.append(f"{p.place_id}: its parents form a cycle")
            if p.jis_code and not re.fullmatch(r"\d{6}", p.jis_code):
                problems.append(f"{p.place_id}: jis_code {p.jis_code!r} is not 6 digits")
            if not p.name_ja or not fold(p.name_ja):
                problems.append(f"{p.place_id}: empty name_ja")
            for v in p.variants:
                if split_suffix(fold(v))[1] is None and fold(v) in jp_stems:
                    problems.append(f"{p.place_id}: variant {v!r} is a bare stem of a Japanese local government")
        # A variant spelling must name one place only.
        for surface, ids in self._surface.items():
            if len(set(ids)) < 2:
                continue
            claimants = [i for i in set(ids) if any(fold(v) == surface for v in self.places[i].variants)]
            if claimants:
                problems.append(f"spelling {surface!r} is claimed by {', '.join(sorted(set(ids)))}")
        # Two places of one country whose keys collide cannot be told apart, except homonymous
        # canonical names under different parents (府中市 in Tokyo and in Hiroshima), which the
        # resolver reports as ambiguous.
        for key, ids in self._by_key.items():
            ids = sorted(set(ids))
            for a_i, a in enumerate(ids):
                for b in ids[a_i + 1:]:
                    pa, pb = self.places[a], self.places[b]
                    if pa.country != pb.country:
                        continue
                    homonyms = (split_suffix(fold(pa.name_ja)) == key == split_suffix(fold(pb.name_ja))
                                and pa.parent_id != pb.parent_id)
                    if not homonyms:
                        problems.append(f"{a} and {b} ({pa.country}) share the match key {key[0]}|{key[1]}")
        return sorted(set(problems))


def _add(index: dict, key, value: str) -> None:
    bucket = index.setdefault(key, [])
    if value not in bucket:
        bucket.append(value)


def _split_words(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Split pieces further on 及び / 並びに (word separators) and trim spaces."""
    out = []
    for s, e in pieces:
        last = s
        for m in re.finditer(r"及び|並びに", text[s:e]):
            out.append((last, s + m.start()))
            last = s + m.end()
        out.append((last, e))
    trimmed = []
    for s, e in out:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            trimmed.append((s, e))
    return trimmed


def _digest_file(digest, rel: str, raw: bytes) -> None:
    digest.update(rel.encode() + b"\0" + raw + b"\0")


def content_version(folder: Path | None = None) -> str:
    """`Gazetteer.version` without loading the places: what a rerun checks to know whether places
    must be resolved again."""
    folder = Path(folder or DEFAULT_FOLDER)
    digest = hashlib.sha256()
    for path in data_files(folder):
        _digest_file(digest, path.relative_to(folder).as_posix(), path.read_bytes())
    return digest.hexdigest()[:16]


def data_files(folder: Path) -> list[Path]:
    """The gazetteer's data files, in a fixed order (generated first, then hand-curated)."""
    generated = sorted((folder / "generated").glob("*.csv"))
    curated = sorted(p for p in folder.glob("*.csv"))
    return generated + curated


# --- review: recording a new variant -----------------------------------------------------------

def accept_variant(folder: Path, text: str, place_id: str) -> None:
    """Record `text` as a variant of `place_id` in the gazetteer files (a person confirmed it).

    Hand-curated places get it in their row of places.csv; generated places (Japanese local
    governments, countries) in variants.csv, so that regenerating never loses it. Files stay sorted.
    """
    folder = Path(folder)
    gaz = Gazetteer.load(folder)
    if place_id not in gaz.places:
        raise KeyError(f"unknown place {place_id}")
    variant = re.sub(r"\s*[\r\n]+\s*", "", unicodedata.normalize("NFKC", text)).strip()
    if not variant or not fold(variant):
        raise ValueError("empty variant")
    place = gaz.places[place_id]
    others = [i for i in gaz._surface.get(fold(variant), ()) if i != place_id]
    if others:
        raise ValueError(f"{variant!r} already names {', '.join(sorted(others))}")
    if variant in (place.name_ja, *place.variants):
        return
    curated = folder / CURATED_FILE
    if gaz._sources.get(place_id) == CURATED_FILE:
        with curated.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        for r in rows:
            if r["place_id"] == place_id:
                vs = {v for v in r["variants"].split("|") if v}
                vs.add(variant)
                r["variants"] = "|".join(sorted(vs))
        rows.sort(key=lambda r: r["place_id"])
        _write_csv(curated, FIELDS, rows)
        return
    path = folder / VARIANTS_FILE
    rows = []
    if path.exists():
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    rows.append({"place_id": place_id, "variant": variant})
    rows = sorted({(r["place_id"], r["variant"]) for r in rows})
    _write_csv(path, ["place_id", "variant"], [{"place_id": a, "variant": b} for a, b in rows])


def _write_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)
