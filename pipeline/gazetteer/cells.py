"""A table cell naming several places (ウボンラチャタニ県・ワリンチャムラップ市, タイ・東部経済回廊(EEC)及び
バンコク都) → one resolution per place named, in reading order, each place once."""
from __future__ import annotations

import re

from .index import clean
from .resolver import NameResolver, Resolution, unwrap

_LIST_SEPARATOR = re.compile(r"[・、,，/／;；()（）]|及び")
_PIECE = re.compile(r"[^・、,，/／;；()（）]+")


class CellSplitter:
    def __init__(self, names: NameResolver, max_run: int = 4):
        self.names = names
        self.max_run = max_run  # pieces: the longest list-separated run tried as one name

    def resolve_cell(self, text: str, country: str | None = None, side: str | None = None) -> list[Resolution]:
        """The places a cell names. A country named in the cell is context for the names after it
        and gives no resolution of its own; an empty cell gives []."""
        names = self.names
        printed = unwrap(text)
        if not clean(printed):
            return []
        # A separator between two names makes a list, never nesting: ウボンラチャタニ県・ワリンチャムラップ市
        # is the province and the city, whereas バリ州ギャンヤール県 is the regency alone.
        listed = bool(_LIST_SEPARATOR.search(printed))
        whole = names.resolve(printed, country, side, allow_fuzzy=False, nested=not listed)
        if whole.place_id:
            return [whole]
        pieces = split_words(printed, [(m.start(), m.end()) for m in _PIECE.finditer(printed)])
        out: list[Resolution] = []
        i = 0
        while i < len(pieces):
            taken = None
            # Longest run of pieces that is one name (アーンドラ・プラデーシュ州 spans a ・).
            for j in range(min(len(pieces) - 1, i + self.max_run - 1), i, -1):
                span = printed[pieces[i][0]:pieces[j][1]]
                if re.search(r"[()（）、,，]", span):
                    continue
                res = names.resolve(span, country, side, allow_fuzzy=False, nested=False)
                if res.place_id:
                    taken, i = res, j + 1
                    break
            if taken is None:
                span = printed[pieces[i][0]:pieces[i][1]].strip()
                i += 1
                cleaned = clean(span)
                if not cleaned or not re.search(r"[^\W\d_]", cleaned):
                    continue
                cc = names.country_only(cleaned)
                if cc:  # a country name in a cell is context for the names after it
                    country = cc
                    continue
                taken = names.resolve(span, country, side, allow_fuzzy=True)
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


def split_words(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
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
