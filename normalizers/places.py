"""The match key for place names: spelling-insensitive, but the admin suffix is kept as the kind.

Transliterations of one foreign name differ in long vowels (ラヨン / ラヨーン), the ヴ-row (ヴィエンチャン /
ビエンチャン), small kana (トゥブ / トウブ), sokuon (マカッサル / マカサル) and middle dots
(アーンドラ・プラデーシュ). The key folds all of these. The administrative suffix (省 州 県 市 区 …) is
split off and returned beside the stem, never dropped: ラヨン県 (a province) and ラヨーン市 (a city)
share a stem but are different places.

`fold` works character by character and `fold_with_offsets` remembers where each folded character
came from, so a scanner can search folded text and still report offsets into the original.
"""
from __future__ import annotations

import functools
import re
import unicodedata

from pipeline.vocabulary import ADMIN_SUFFIXES as SUFFIXES, SUFFIX_KINDS  # noqa: F401 (re-exported)

from .text import fold as fold_text

_VU_ROW = {"ヴァ": "バ", "ヴィ": "ビ", "ヴェ": "ベ", "ヴォ": "ボ", "ヴュ": "ビユ"}
# Small kana are written large by some authors (トゥブ / トウブ); fold them all to large.
_SMALL = str.maketrans("ァィゥェォャュョヮヵヶ", "アイウエオヤユヨワカケ")
_OLD = str.maketrans("ヂヅヲヰヱ", "ジズオイエ")
# Characters that carry no identity in a name: long vowel marks, dots, equals signs, sokuon, dashes.
_DROP = set("ー－‐-–—―・･=＝ッ.。 \t\r\n\u3000'’`")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "［": "[", "］": "]"})


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold `text` for matching; offsets[i] is the index in `text` of folded character i."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        norm = fold_text(ch)  # NFKC and the radical map (⻑ → 長)
        # Half-width voiced marks arrive as separate characters: compose with the previous one.
        if norm in ("\u3099", "\u309a", "゛", "゜") and chars:
            composed = unicodedata.normalize("NFC", chars[-1] + ("\u3099" if norm in ("\u3099", "゛") else "\u309a"))
            if len(composed) == 1:
                chars[-1] = composed
            continue
        for c in norm:
            c = c.casefold() if c.isascii() else c
            chars.append(c)
            offsets.append(i)
    out: list[str] = []
    out_offsets: list[int] = []
    j = 0
    while j < len(chars):
        c = chars[j]
        pair = c + chars[j + 1] if j + 1 < len(chars) else ""
        if pair in _VU_ROW:
            for r in _VU_ROW[pair]:
                out.append(r)
                out_offsets.append(offsets[j])
            j += 2
            continue
        if c == "ヴ":
            c = "ブ"
        if c in _DROP:
            j += 1
            continue
        c = c.translate(_SMALL).translate(_OLD)
        out.append(c)
        out_offsets.append(offsets[j])
        j += 1
    return "".join(out), out_offsets


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """The spelling-insensitive form of `text` (suffix included). Remembered: the resolver and the
    gazetteer fold the same names over and over, one character at a time."""
    return fold_with_offsets(text)[0]


# Suffixes spelled out in katakana, as folded: ケソン・シティ is ケソン市.
_SPELLED_SUFFIXES = {"シテイ": "市"}


def split_suffix(folded: str) -> tuple[str, str | None]:
    """Split an admin suffix off a folded name; a name that is only a suffix keeps it as its stem."""
    for spelled, suffix in _SPELLED_SUFFIXES.items():
        if folded.endswith(spelled) and len(folded) > len(spelled):
            return folded[: -len(spelled)], suffix
    for suffix in SUFFIXES:
        if folded.endswith(suffix) and len(folded) > len(suffix):
            return folded[: -len(suffix)], suffix
    return folded, None


# Older transliterations write foreign sounds with native kana: サンティアゴ / サンチアゴ, ハイフォン /
# ハイホン, ディエン / ジエン. On folded text (small kana already large, so ティ is テイ here).
_NATIVE_KANA = re.compile("テイ|デイ|フア|フイ|フエ|フオ")
_NATIVE_KANA_OF = {"テイ": "チ", "デイ": "ジ", "フア": "ハ", "フイ": "ヒ", "フエ": "ヘ", "フオ": "ホ"}


def native_kana(stem: str) -> str:
    """A folded stem with foreign sounds written in native kana: the key for a second, looser lookup.
    Not part of `match_key`: テイ is also a sound of its own, so only a name that matches nothing
    otherwise is tried this way."""
    return _NATIVE_KANA.sub(lambda m: _NATIVE_KANA_OF[m.group()], stem)


@functools.lru_cache(maxsize=1 << 16)
def match_key(text: str) -> tuple[str, str | None]:
    """(stem key, admin suffix or None). Idempotent on the stem: match_key(stem)[0] == stem."""
    stem, suffix = split_suffix(fold(text or ""))
    return stem, suffix


def kinds_for_suffix(suffix: str | None) -> frozenset[str] | None:
    """Place kinds a suffix may name; None means the printed name gave no suffix (any kind)."""
    if suffix is None:
        return None
    return SUFFIX_KINDS.get(suffix, frozenset())


# --- romaji, for comparing names printed in mixed scripts with English names -------------------

_KANA_ROMAJI = {
    "キャ": "kya", "キュ": "kyu", "キョ": "kyo", "シャ": "sha", "シュ": "shu", "ショ": "sho",
    "チャ": "cha", "チュ": "chu", "チョ": "cho", "ニャ": "nya", "ニュ": "nyu", "ニョ": "nyo",
    "ヒャ": "hya", "ヒュ": "hyu", "ヒョ": "hyo", "ミャ": "mya", "ミュ": "myu", "ミョ": "myo",
    "リャ": "rya", "リュ": "ryu", "リョ": "ryo", "ギャ": "gya", "ギュ": "gyu", "ギョ": "gyo",
    "ジャ": "ja", "ジュ": "ju", "ジョ": "jo", "ビャ": "bya", "ビュ": "byu", "ビョ": "byo",
    "ピャ": "pya", "ピュ": "pyu", "ピョ": "pyo", "ファ": "fa", "フィ": "fi", "フェ": "fe",
    "フォ": "fo", "ティ": "ti", "ディ": "di", "トゥ": "tu", "ドゥ": "du", "ウィ": "wi",
    "ウェ": "we", "ウォ": "wo", "シェ": "she", "ジェ": "je", "チェ": "che", "ヴァ": "va",
    "ヴィ": "vi", "ヴェ": "ve", "ヴォ": "vo", "ツァ": "tsa", "イェ": "ye",
}
_KANA1 = dict(zip(
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
    "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴァィゥェォャュョ",
    ["a", "i", "u", "e", "o", "ka", "ki", "ku", "ke", "ko", "sa", "shi", "su", "se", "so",
     "ta", "chi", "tsu", "te", "to", "na", "ni", "nu", "ne", "no", "ha", "hi", "fu", "he", "ho",
     "ma", "mi", "mu", "me", "mo", "ya", "yu", "yo", "ra", "ri", "ru", "re", "ro", "wa", "o", "n",
     "ga", "gi", "gu", "ge", "go", "za", "ji", "zu", "ze", "zo", "da", "ji", "zu", "de", "do",
     "ba", "bi", "bu", "be", "bo", "pa", "pi", "pu", "pe", "po", "vu", "a", "i", "u", "e", "o",
     "ya", "yu", "yo"],
))


def to_romaji(text: str) -> str:
    """Rough Hepburn for katakana (hiragana is read as katakana); Latin letters are kept lowercased;
    everything else is dropped. Good enough to compare names, not to print them."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)
    out: list[str] = []
    i = 0
    double_next = False
    while i < len(text):
        two, one = text[i:i + 2], text[i]
        if two in _KANA_ROMAJI:
            syl, i = _KANA_ROMAJI[two], i + 2
        elif one in _KANA1:
            syl, i = _KANA1[one], i + 1
        elif one == "ッ":
            double_next, i = True, i + 1
            continue
        else:
            i += 1
            if one.isascii() and one.isalpha():
                out.append(one.lower())
            continue
        if double_next and syl[0] not in "aiueon":
            syl = syl[0] + syl
        double_next = False
        out.append(syl)
    return "".join(out)


def latin_key(text: str) -> str:
    """Lowercase ASCII letters only (diacritics stripped), for comparing with romaji."""
    text = unicodedata.normalize("NFKD", (text or "").replace("Đ", "D").replace("đ", "d"))
    return re.sub(r"[^a-z]", "", text.lower())
