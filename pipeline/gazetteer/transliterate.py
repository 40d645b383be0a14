"""Transliteration as evidence: a katakana name no listed spelling matches, romanized (pykakasi,
Hepburn) and compared (rapidfuzz) with the English and other Latin names of the places of the
context's country and of a kind its suffix allows.

Both sides are reduced to a rough sound key first (`sound_key`), so that what Japanese cannot write
does not count against a match: l/r, v/b, th/t, kh/k, ph/f, the final vowel Japanese adds after a
consonant (ナコンパトム nakonpatomu ~ Nakhon Pathom), doubled letters and long vowels. The resolver
accepts the best place only above a cut-off and with a clear margin over the runner-up
(`ResolverSettings.transliteration_*`); otherwise the candidates go to review.
"""
from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

from normalizers.places import latin_key

from .index import PlaceIndex

_KATAKANA_STEM = re.compile(r"^[ァ-ヺー・=＝]+$")
_KANA_ONLY = re.compile(r"^[ァ-ヺー]+$")

# Letter groups Japanese hears as one sound, applied to both sides in this order.
_SOUNDS = [
    (re.compile(r"ph"), "f"), (re.compile(r"([tdkgb])h"), r"\1"), (re.compile(r"sh"), "s"),
    (re.compile(r"ch"), "C"), (re.compile(r"zh|dz"), "j"), (re.compile(r"c(?=[ei])"), "s"),
    (re.compile(r"[cq]"), "k"), (re.compile(r"x"), "ks"), (re.compile(r"v"), "b"), (re.compile(r"l"), "r"),
    (re.compile(r"f"), "h"),
    (re.compile(r"ng(?![aeiouy])"), "n"), (re.compile(r"m(?=[bp])"), "n"), (re.compile(r"y(?=[aeiou])"), "i"),
    (re.compile(r"(?<=[^aeiou])[uo]$"), ""), (re.compile(r"(.)\1+"), r"\1"),
]


# Words of an English name that only say the kind of unit (Sabaragamuwa Province → Sabaragamuwa).
_GENERIC_WORDS = re.compile(r"\b(province|state|region|division|county|district|municipality|city|"
                            r"capital|metropolitan|special|autonomous|administrative|territory|rayon)\b",
                            re.IGNORECASE)


def sound_key(latin: str) -> str:
    """A rough sound key of a Latin-script name (or a romanization): lowercase letters only."""
    key = latin_key(latin)
    for pattern, repl in _SOUNDS:
        key = pattern.sub(repl, key)
    return key.lower()


def is_katakana(stem: str) -> bool:
    return bool(_KATAKANA_STEM.match(unicodedata.normalize("NFKC", stem)))


class Transliterator:
    """Romanizes katakana with pykakasi (its kana converter; the whole of pykakasi, whose kanji
    dictionary takes a noticeable part of a second to load, only for text with other scripts)
    and scores places by their Latin names. Keys are computed once per country."""

    def __init__(self, index: PlaceIndex):
        self.index = index
        self._kakasi = None
        self._kana = None
        self._romaji: dict[str, str] = {}
        self._keys: dict[str, dict[str, tuple[str, ...]]] = {}  # country → place → sound keys

    def romanize(self, katakana: str) -> str:
        """Hepburn romaji of a katakana name (pykakasi)."""
        if katakana not in self._romaji:
            text = re.sub(r"[・=＝\s]", "", unicodedata.normalize("NFKC", katakana))
            if not text:
                self._romaji[katakana] = ""
            elif _KANA_ONLY.match(text):
                # Kana only: pykakasi's kana converter, which is what its kakasi() does with a kana
                # run, without loading the kanji dictionary (about 0.45 s) that kakasi() loads first.
                if self._kana is None:
                    from pykakasi.scripts import IConv

                    self._kana = IConv()
                self._romaji[katakana] = self._kana.convert(text, text)["hepburn"]
            else:
                if self._kakasi is None:
                    import pykakasi

                    self._kakasi = pykakasi.kakasi()
                self._romaji[katakana] = "".join(part["hepburn"] for part in self._kakasi.convert(text))
        return self._romaji[katakana]

    def _country_keys(self, country: str) -> dict[str, tuple[str, ...]]:
        if country not in self._keys:
            keys: dict[str, tuple[str, ...]] = {}
            for pid in self.index.in_country(country):
                p = self.index.places[pid]
                if p.kind == "country":
                    continue
                latin = (p.name_en, *p.names_en)
                names = {sound_key(n) for n in latin} | {sound_key(_GENERIC_WORDS.sub(" ", n)) for n in latin}
                names |= {sound_key(self.romanize(stem)) for stem, _ in self.index.keys_of(pid) if is_katakana(stem)}
                keys[pid] = tuple(k for k in names if len(k) >= 2)
            self._keys[country] = keys
        return self._keys[country]

    def scores(self, stem: str, country: str, ok, kinds) -> list[tuple[str, float]]:
        """(place id, 0–100) for the places of `country` that `ok` allows and whose kind is in
        `kinds` (None: any), best first, by the sound keys of the katakana `stem` and their names."""
        key = sound_key(self.romanize(stem))
        if len(key) < 2:
            return []
        out = []
        for pid, keys in self._country_keys(country).items():
            if not keys or not ok(pid) or (kinds is not None and self.index.places[pid].kind not in kinds):
                continue
            best = max(fuzz.ratio(key, k) for k in keys)
            if best > 0:
                out.append((pid, round(float(best), 1)))
        out.sort(key=lambda x: (-x[1], x[0]))
        return out
