"""The gazetteer's lookup tables, built once from the places: by name, by variant, by match key, by
stem, by native-kana key, by folded spelling (for scanning text), by country, and country names.

Every lookup returns place ids in the order the places were read; an unknown key gives an empty
tuple. The index never changes after it is built.
"""
from __future__ import annotations

from normalizers.places import fold, native_kana, split_suffix
from normalizers.text import fold as fold_text

from .data import Place

_NOISE = str.maketrans("", "", "※*＊†‡\r\n\t \u3000")


def clean(text: str) -> str:
    """NFKC with the radical maps (`normalizers.text.fold`: ⼾ is 戸, not NFKC's 戶), no whitespace, no
    footnote marks: the form exact and variant lookups compare."""
    return fold_text(text or "").translate(_NOISE)


Key = tuple[str, str | None]  # (folded stem, admin suffix or None): normalizers.places.match_key


class PlaceIndex:
    def __init__(self, places: dict[str, Place], world: frozenset[str] = frozenset()):
        self.places = places
        self.world = world  # ids of generated world places (PlaceData.world_places)
        self._by_name: dict[str, list[str]] = {}
        self._by_variant: dict[str, list[str]] = {}
        self._by_key: dict[Key, list[str]] = {}
        self._by_stem: dict[str, list[str]] = {}
        self._by_native_kana: dict[Key, list[str]] = {}  # foreign places only
        self._surface: dict[str, list[str]] = {}
        self._by_country: dict[str, list[str]] = {}
        self._country_of_name: dict[str, str] = {}
        self._keys: dict[str, list[Key]] = {}  # place → its (stem, suffix) keys
        for p in places.values():
            self._by_country.setdefault(p.country, []).append(p.place_id)
            if p.name_ja:
                self._by_name.setdefault(clean(p.name_ja), []).append(p.place_id)
            for v in p.variants:
                self._by_variant.setdefault(clean(v), []).append(p.place_id)
            keys: list[Key] = []
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
            self._keys[p.place_id] = keys
        first: dict[str, set[int]] = {}
        for s in self._surface:
            first.setdefault(s[0], set()).add(len(s))
        self._lengths = {c: tuple(sorted(ls, reverse=True)) for c, ls in first.items()}

    # --- a cached copy (see cache.py) ----------------------------------------------------------

    _STATE = ("_by_name", "_by_variant", "_by_key", "_by_stem", "_by_native_kana", "_surface",
              "_by_country", "_country_of_name", "_keys", "_lengths")

    def state(self) -> dict:
        """The lookup tables as plain dicts, lists and tuples (marshal can write them)."""
        return {name: getattr(self, name) for name in self._STATE}

    @classmethod
    def from_state(cls, places: dict[str, Place], world: frozenset[str], state: dict) -> "PlaceIndex":
        """The index `state()` gave, for these places, without computing a key."""
        index = cls.__new__(cls)
        index.places, index.world = places, world
        for name in cls._STATE:
            setattr(index, name, state[name])
        return index

    # --- lookups -------------------------------------------------------------------------------

    def named(self, cleaned: str) -> tuple[str, ...]:
        """Places whose canonical name_ja is `cleaned` (see `clean`)."""
        return tuple(self._by_name.get(cleaned, ()))

    def with_variant(self, cleaned: str) -> tuple[str, ...]:
        """Places listing `cleaned` as a variant spelling."""
        return tuple(self._by_variant.get(cleaned, ()))

    def with_key(self, key: Key) -> tuple[str, ...]:
        """Places one of whose names has this (stem, suffix) match key."""
        return tuple(self._by_key.get(key, ()))

    def with_stem(self, stem: str) -> tuple[str, ...]:
        """Places one of whose names has this folded stem, whatever its suffix."""
        return tuple(self._by_stem.get(stem, ()))

    def with_native_kana_key(self, key: Key) -> tuple[str, ...]:
        """Foreign places whose key, with foreign sounds in native kana, is `key`."""
        return tuple(self._by_native_kana.get(key, ()))

    def spelled(self, folded: str) -> tuple[str, ...]:
        """Places one of whose names folds to `folded` (suffix included)."""
        return tuple(self._surface.get(folded, ()))

    def is_spelling(self, folded: str) -> bool:
        return folded in self._surface

    def spelling_lengths(self, first: str) -> tuple[int, ...]:
        """Lengths of the folded spellings that start with `first`, longest first (for scanning)."""
        return self._lengths.get(first, ())

    def country_named(self, folded: str) -> str | None:
        """The ISO code of the country one of whose names folds to `folded`."""
        return self._country_of_name.get(folded)

    def in_country(self, country: str) -> tuple[str, ...]:
        return tuple(self._by_country.get(country, ()))

    def keys_of(self, place_id: str) -> tuple[Key, ...]:
        return tuple(self._keys.get(place_id, ()))

    def readable_in_text(self, ids, country: str | None) -> list[str]:
        """The ids running text may name: a generated world place only within the country the
        text's context gives (パートナー都市 is no Patna, マレー市 in a US state no Malé)."""
        return [i for i in ids if i not in self.world or self.places[i].country == country]

    def ancestors(self, place_id: str) -> list[str]:
        """Enclosing units of a place, nearest first (a cycle stops the walk)."""
        out, seen = [], set()
        p = self.places.get(place_id)
        while p and p.parent_id and p.parent_id not in seen:
            seen.add(p.parent_id)
            out.append(p.parent_id)
            p = self.places.get(p.parent_id)
        return out

    # --- for validation ------------------------------------------------------------------------

    def spellings(self):
        """(folded spelling, place ids) for every spelling."""
        return ((s, tuple(ids)) for s, ids in self._surface.items())

    def key_groups(self):
        """(match key, place ids) for every key."""
        return ((k, tuple(ids)) for k, ids in self._by_key.items())


def _add(index: dict, key, value: str) -> None:
    bucket = index.setdefault(key, [])
    if value not in bucket:
        bucket.append(value)
