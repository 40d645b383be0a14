"""Place names in running text: every known spelling, leftmost-longest and non-overlapping, with
offsets into the original text, then the spellings a surface lookup cannot see (X(alias)suffix,
names printed in mixed scripts)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from normalizers.places import SUFFIXES, fold, fold_with_offsets

from .index import PlaceIndex, clean
from .resolver import NameResolver, Resolution, is_kana, key_text

_SCAN_PAREN_ALIAS = re.compile(r"(?P<head>[ァ-ヺー・]{2,})[(（](?P<alias>[A-Za-z0-9ァ-ヺー]{1,12})[)）](?P<suffix>%s)"
                               % "|".join(SUFFIXES))
_SCAN_MIXED = re.compile(r"[ァ-ヺーA-Za-z][ァ-ヺー・A-Za-z \u3000]*?(?:%s)" % "|".join(SUFFIXES))


@dataclass
class Match:
    start: int   # offset into the scanned text
    end: int     # exclusive
    text: str    # as printed, line breaks removed
    resolution: Resolution


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class TextScanner:
    def __init__(self, index: PlaceIndex, names: NameResolver):
        self.index = index
        self.names = names
        self.places = index.places

    def scan(self, text: str, country: str | None = None) -> list[Match]:
        """Place names in running text: leftmost-longest, non-overlapping, offsets into `text`.
        A country named in the text is context for the names after it (not a match of its own)."""
        if not text:
            return []
        folded, offsets = fold_with_offsets(text)
        found: list[tuple[int, int, int, int, tuple[str, ...]]] = []  # fstart, fend, start, end, ids
        i = 0
        n = len(folded)
        context = country  # as _matches follows it: the last country named
        while i < n:
            hit = None
            for length in self.index.spelling_lengths(folded[i]):
                if i + length > n:
                    continue
                ids = self.index.readable_in_text(self.index.spelled(folded[i:i + length]), context)
                if not ids:
                    continue
                span = self._original_span(text, offsets, i, i + length)
                if span and self._bounded(text, span[0], span[1]):
                    hit = (i, i + length, span[0], span[1], tuple(ids))
                    break
            if hit:
                found.append(hit)
                if all(self.places[p].kind == "country" for p in hit[4]) and len(hit[4]) == 1:
                    context = self.places[hit[4][0]].country
                i = hit[1]
            else:
                i += 1
        return self._matches(text, found, country)

    def _original_span(self, text: str, offsets: list[int], fs: int, fe: int) -> tuple[int, int] | None:
        start, end = offsets[fs], offsets[fe - 1] + 1
        # A folded name ends before dropped long-vowel marks it owns (マンダレー).
        while end < len(text) and text[end] in "ーｰ" and is_kana(text[end - 1]):
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
        if is_kana(unicodedata.normalize("NFKC", last)) and after and is_kana(unicodedata.normalize("NFKC", after)):
            return False
        if is_kana(unicodedata.normalize("NFKC", first)) and before and is_kana(unicodedata.normalize("NFKC", before)):
            # Allowed when the katakana run before it is itself a name (インドネシアデンパサル市).
            k = start
            while k > 0 and (is_kana(text[k - 1]) or text[k - 1] == "ー"):
                k -= 1
            if not self.index.is_spelling(fold(text[k:start])):
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
                inner = [pid for pid in ids if outer in self.index.ancestors(pid)]
                if len(inner) == 1:
                    method = "context" if len(ids) > 1 else res.method
                    res = Resolution(printed, res.key, inner[0], method, 100.0, [(inner[0], 100.0)])
                if len(inner) == 1 and prev[2] is not None:
                    # X+Y with X enclosing Y: a match for the whole text (→ Y) beside X's and Y's own.
                    outer_match = prev[2]
                    whole = re.sub(r"[\r\n]", "", text[outer_match.start:end])
                    out.append(Match(outer_match.start, end, whole,
                                     Resolution(whole, key_text(whole), inner[0], method, 100.0,
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
                return self.names.resolution(printed, narrowed, "context")
        if len(ids) == 1:
            p = self.places[ids[0]]
            method = "exact" if clean(p.name_ja) == clean(printed) else "variant"
            return self.names.resolution(printed, ids, method)
        return self.names.resolution(printed, ids, "unresolved")

    def _scan_extras(self, text: str, matches: list[Match], country: str | None) -> list[Match]:
        """Spellings the surface index cannot see: X(alias)suffix, and mixed-script names."""
        covered = [(m.start, m.end) for m in matches]
        extras: list[Match] = []

        def free(s: int, e: int) -> bool:
            return not any(s < ce and cs < e for cs, ce in covered)

        for m in _SCAN_PAREN_ALIAS.finditer(text):
            res = self.names.resolve(m.group(0), country, None, allow_fuzzy=False, running_text=True)
            if res.place_id:
                extras.append(Match(m.start(), m.end(), m.group(0), res))
        if country:
            for m in _SCAN_MIXED.finditer(text):
                span = m.group(0)
                if not re.search(r"[A-Za-z]", span) or not re.search(r"[ァ-ヺ]", span) \
                        or not free(m.start(), m.end()):
                    continue
                res = self.names.resolve(span, country, "partner", allow_fuzzy=True, running_text=True)
                if res.place_id:
                    extras.append(Match(m.start(), m.end(), re.sub(r"[\r\n]", "", span), res))
        return extras
