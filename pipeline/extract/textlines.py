"""Helpers over the page model's text lines (`layout.Line`), plus generic place-name shape tests.

Shared by the pamphlet and slide extractors: both need running headers, a cover's title, and to
tell a Japanese local government from a partner place without lists of names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pymupdf

from normalizers.text import normalize_text, squash  # noqa: F401 (squash is re-exported)
from pipeline.extract import pagememo
from pipeline.settings import Settings
from pipeline.vocabulary import (FOREIGN_SUFFIXES, JAPAN_BODY_SUFFIXES, JAPAN_SUFFIXES, LONG_VOWEL_JOINERS,
                                 PAIR_JOINER, PLACE_NAME_ENDINGS, alternation)

if TYPE_CHECKING:  # the lines these helpers take are the page model's
    from pipeline.extract.layout import Line


@dataclass(frozen=True)
class TextLineSettings(Settings):
    """The cut-offs of the shared line helpers below."""

    margin_share: float = 0.06  # share of the page height at top and bottom where running headers stand
    title_size_tolerance: float = 0.5  # pt of font size: cover lines this near the biggest type are its title


SETTINGS = TextLineSettings()


def in_margin(line: Line, page: pymupdf.Page, share: float | None = None) -> bool:
    """Running headers and page numbers live in the top and bottom `share` of the page height
    (`SETTINGS.margin_share` unless given)."""
    share = SETTINGS.margin_share if share is None else share
    # (asked for every line of a page: `page.rect` asks MuPDF for the page's bounds each time)
    h = pagememo.per_page(page, "height", _height)
    return line.y1 < h * share or line.y0 > h * (1 - share)


def _height(page: pymupdf.Page) -> float:
    return page.rect.height


def first_page_title(pages: list[list["Line"]]) -> str | None:
    """The biggest type on the first page: a cover's or a title slide's title."""
    if not pages or not pages[0]:
        return None
    biggest = max(line.size for line in pages[0])
    return normalize_text(" ".join(line.text for line in pages[0] if line.size >= biggest - SETTINGS.title_size_tolerance)) or None


# --- place-name shapes --------------------------------------------------------------------------

_KANJI = r"\u3005\u4e00-\u9fff"
_HIRAGANA = r"\u3041-\u309f"
# A Japanese local government as printed: kanji (and hiragana: さいたま市) ending in a suffix of
# Japanese local administration, or a partial-affairs association (…組合, abbreviated …一組), or a
# prefectural office (北海道庁).
JAPANESE_LG = re.compile(rf"^[{_KANJI}{_HIRAGANA}]{{1,20}}?{alternation(JAPAN_BODY_SUFFIXES)}$")
# Separators a printed compound of Japanese municipalities uses.
_JP_COMPOUND_SEP = re.compile(r"[・、,，/]")


def is_japanese_lg(text: str) -> bool:
    """札幌市, 東京都, 北海道庁, 東京一組, さいたま市 → True; ウランバートル市, 西ジャワ州 → False."""
    s = squash(text)
    return bool(s) and bool(JAPANESE_LG.match(s))


def is_japanese_compound(text: str) -> bool:
    """Every part of a printed compound (東京都・さいたま市, 札幌市、北海道庁) is a Japanese local government."""
    parts = [p for p in _JP_COMPOUND_SEP.split(squash(text)) if p]
    return bool(parts) and all(is_japanese_lg(p) for p in parts)


def has_kana(text: str) -> bool:
    return bool(re.search(r"[\u30a1-\u30fa]", text))


# --- a city pair named inside a title ------------------------------------------------------------

_KATAKANA = r"\u30a0-\u30ff"
# A foreign place as titles print it: katakana-led, ending in a unit of administration.
_FOREIGN_UNIT = rf"[{_KATAKANA}][{_KATAKANA}{_KANJI}]*?{alternation(FOREIGN_SUFFIXES)}"
# Not led by a particle (ハノイ市と|の都市間…) and not the common noun 都市 (…と脱炭素都市).
_JP_UNIT = rf"(?![のとにをはがでへやも])[{_KANJI}{_HIRAGANA}]{{1,8}}?(?<!都市){alternation(JAPAN_SUFFIXES)}(?<!都市)"
# Between the two places of a title: と / 及び / ・ / a joiner (ー only right after a kanji unit
# suffix, elsewhere it is a katakana long vowel).
_TITLE_JOIN = rf"\s*(?:と|及び|・|{PAIR_JOINER}|(?<=[{PLACE_NAME_ENDINGS}])[{LONG_VOWEL_JOINERS}])\s*"
# What follows a pair in a title: "の都市間連携", "における", "連携による", "都市間連携".
_AFTER_PAIR = r"(?=の|における|による|との|連携|都市間|間)"
# A pair starts a title or follows a comma, a space or an opening bracket.
_PAIR_START = r"(?:^|(?<=[、,，\s「『(（【]))"
_JP_THEN_FOREIGN = re.compile(
    rf"{_PAIR_START}(?P<jp>{_JP_UNIT}){_TITLE_JOIN}(?P<partner>(?:[{_KATAKANA}]+・)?{_FOREIGN_UNIT}){_AFTER_PAIR}")
_FOREIGN_THEN_JP = re.compile(
    rf"{_PAIR_START}(?P<partner>(?:[{_KATAKANA}]+・)?{_FOREIGN_UNIT}){_TITLE_JOIN}(?P<jp>{_JP_UNIT}){_AFTER_PAIR}")


_CELL_JOIN = re.compile(rf"\s*(?:{PAIR_JOINER}|(?<=[{PLACE_NAME_ENDINGS}])[{LONG_VOWEL_JOINERS}])\s*")


def pair_cell(text: str) -> tuple[str, str] | None:
    """(Japanese side, partner side) of a cell that holds a whole city pair, either side first:
    "横浜市－ダナン市", "ダナン市（ベトナム）⇔ 横浜市", "東京都・さいたま市ークアラルンプール市"; the
    partner side keeps a country it names. None for a cell that is not one pair."""
    flat = "".join(ln.strip() for ln in text.splitlines())
    for m in _CELL_JOIN.finditer(flat):
        left, right = flat[:m.start()].strip(), flat[m.end():].strip()
        if not left or not right:
            continue
        if is_japanese_compound(left) and has_kana(right) and names_places(right) and not is_japanese_compound(right):
            return left, right
        if is_japanese_compound(right) and has_kana(left) and names_places(left) and not is_japanese_compound(left):
            return right, left
    return None


_BRACKETED = re.compile(r"[(（][^()（）]*[)）]")
_PLACE_CONJUNCTIONS = re.compile(r"及び|および|並びに")


def names_places(text: str) -> bool:
    """Whether a partner side names places, not a sentence: no hiragana outside brackets but the
    conjunctions that join places (及び). A title that begins with a pair ("北九州市－ダバオ市の
    都市間連携による…事業") names no partner place."""
    return not re.search(f"[{_HIRAGANA}]", _PLACE_CONJUNCTIONS.sub("", _BRACKETED.sub("", text)))


@dataclass
class TitlePair:
    japan: str  # as printed
    partner: str  # as printed, a country prefix ("ベトナム・") left on
    start: int  # offsets of the pair in the text searched
    end: int


def title_pair(text: str) -> TitlePair | None:
    """The one (Japanese local government, foreign place) pair a title names side by side:
    "横浜市とダナン市の都市間連携による…", "クアンニン省と滋賀県の…", "富山市-バドゥン県における…",
    "…、マハラシュトラ州・大阪市連携による…". None when the title names no such pair or two of them
    (which pair the project is about is then not for a shape test to decide). `text` should be one
    line (wrapped lines joined) so that offsets are meaningful."""
    found = []
    for rx in (_JP_THEN_FOREIGN, _FOREIGN_THEN_JP):
        for m in rx.finditer(text):
            jp, partner = m["jp"], m["partner"]
            if is_japanese_lg(jp) and has_kana(partner) and not is_japanese_lg(partner):
                found.append(TitlePair(jp, partner, m.start(), m.end()))
    return found[0] if len(found) == 1 else None
