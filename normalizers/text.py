"""Japanese text normalization: NFKC, radical code points, widths, spaces and wrapped lines."""
from __future__ import annotations

import functools
import re
import unicodedata

# CJK Radicals Supplement code points that NFKC leaves alone. Broken font maps in PDFs emit them in
# place of the ideograph (⻑ for 長); Kangxi radicals (⾏) are already folded by NFKC.
_RADICALS = str.maketrans({
    "\u2e8a": "卜", "\u2e8e": "兀", "\u2e92": "巳", "\u2e93": "幺", "\u2e9c": "日", "\u2e9d": "月",
    "\u2ea0": "民", "\u2ea7": "牛", "\u2ea9": "王", "\u2eac": "示", "\u2eae": "竹", "\u2eaf": "糸",
    "\u2eb6": "羊", "\u2eb7": "羊", "\u2ebb": "聿", "\u2ebc": "月", "\u2ebd": "臼", "\u2ec1": "虎",
    "\u2ec4": "西", "\u2ec6": "角", "\u2ecf": "阝", "\u2ed1": "長", "\u2ed7": "雨", "\u2ed8": "青",
    "\u2edc": "飛", "\u2edd": "食", "\u2ee3": "骨", "\u2ee4": "鬼", "\u2ee8": "麦", "\u2ee9": "黄",
    "\u2eeb": "斉", "\u2eed": "歯", "\u2eef": "竜", "\u2ef2": "亀", "\u2ef3": "亀",
    # not a radical, but left alone by NFKC too: the hyphenation point that a font's map gives for
    # the katakana middle dot ・ (Noto Sans CJK's shared glyph, as browsers map it)
    "\u2027": "・",
})
_ANY_RADICAL = re.compile("[" + "".join(map(chr, _RADICALS)) + "]")
# Kangxi radicals whose NFKC form is not the one Japanese writes (⼾ → 戶, not 戸; ⿊ → 黑, not 黒):
# fonts that map a glyph to the radical (browsers' PDFs of 神戸市, 黒部市) mean the Japanese ideograph.
_KANGXI_JAPANESE = str.maketrans({"\u2f3e": "戸", "\u2fad": "青", "\u2fc8": "黄", "\u2fca": "黒"})
_ANY_KANGXI_JAPANESE = re.compile("[\u2f3e\u2fad\u2fc8\u2fca]")
# Every radical code point (Kangxi and the supplement's) and ‧ to the character a reader reads: what
# MuPDF's text page gives for the same glyph, where its glyph trace gives the font map's code point.
_GLYPH_TEXT = {chr(cp): unicodedata.normalize("NFKC", chr(cp)) for cp in range(0x2F00, 0x2FD6)}
_GLYPH_TEXT.update({chr(k): v for k, v in _KANGXI_JAPANESE.items()})
_GLYPH_TEXT.update({chr(k): v for k, v in _RADICALS.items()})
ANY_RADICAL_GLYPH = re.compile("[" + "".join(_GLYPH_TEXT) + "]")


def glyph_text(ch: str) -> str:
    """One glyph's character as a reader reads it: a radical code point (⼤, ⻑, ⼾) as its ideograph
    (大, 長, 戸), ‧ as ・; anything else as it is. Fonts whose map gives the radical for the
    ideograph's glyph are common in browsers' PDFs."""
    return _GLYPH_TEXT.get(ch, ch)

# Characters that mark Japanese script (kana, CJK ideographs, full-width punctuation after NFKC).
_CJK = (r"\u3000-\u303f\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
        r"\uf900-\ufaff\uff5e\uff61-\uff9f")
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")
_WS = re.compile(r"[ \t\u00a0\u3000]+")
_ASCII_WORD_END = re.compile(r"[A-Za-z0-9.,;:)\]&'\"%]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z0-9(\[&'\"]")


# The readers of one page normalize and squash the same short strings (a line, a cell, a name) again
# and again: about three calls in four repeat an earlier one. The results for strings up to this many
# characters are kept, keyed by the string, in a cache of this many entries per function that every
# document a process reads shares (least recently used dropped first); a page's whole text is longer
# and not kept.
MEMO_MAX_CHARS = 200
MEMO_ENTRIES = 4096


def _memoized(fn):
    """`fn` (a pure function of one string) with its results on short strings kept (see MEMO_MAX_CHARS)."""
    kept = functools.lru_cache(maxsize=MEMO_ENTRIES)(fn)

    @functools.wraps(fn)
    def call(s):
        return kept(s) if s is not None and len(s) <= MEMO_MAX_CHARS else fn(s)

    call.cache_info, call.cache_clear = kept.cache_info, kept.cache_clear
    return call


def fold(s: str) -> str:
    """NFKC plus the radical maps: the character-level part of normalization."""
    if _ANY_KANGXI_JAPANESE.search(s):
        s = s.translate(_KANGXI_JAPANESE)
    s = unicodedata.normalize("NFKC", s)
    # translate looks every character up in the map: on a page's text that costs as much as NFKC,
    # and text holding none of the radicals (nearly all) is left as it is anyway
    return s.translate(_RADICALS) if _ANY_RADICAL.search(s) else s


def strip_spaces_cjk(s: str) -> str:
    """Drop spaces that touch a Japanese character; keep single spaces between Latin words."""
    return _SPACE_NEAR_CJK.sub("", _WS.sub(" ", s)).strip()


def join_lines(s: str) -> str:
    """Join lines wrapped by the layout: no space between Japanese characters, one between Latin words,
    none inside a capitalised Latin word the line end broke ("Solu" / "tions", "Lt" / "d.")."""
    out = ""
    for line in s.splitlines():
        line = line.strip()
        if not line:
            continue
        if out and _ASCII_WORD_END.search(out) and _ASCII_WORD_START.search(line) and not out.endswith("-"):
            if not _broken_word(out, line):
                out += " "
        out += line
    return out


# A word cut by a line end inside a name: the line ends in a capitalised run of letters and the next
# starts in lower case. Names in these documents are capitalised word by word (Global Solutions
# Co., Ltd.), so a lower-case start continues the word above rather than starting one.
_BROKEN_WORD_HEAD = re.compile(r"(?<![A-Za-z])[A-Z][a-z]*$")
_BROKEN_WORD_TAIL = re.compile(r"[a-z][A-Za-z]*")
# Lower-case words that follow a capitalised one inside names and titles ("Race to Zero"): a line
# starting with one starts a word.
_LOWER_CASE_WORDS = frozenset({"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on",
                               "or", "the", "to", "with", "via", "de", "la", "le", "du", "van", "von"})


def _broken_word(before: str, line: str) -> bool:
    """Whether the line end between `before` and `line` cuts a Latin word in two."""
    tail = _BROKEN_WORD_TAIL.match(line)
    return bool(tail and _BROKEN_WORD_HEAD.search(before)) and tail.group(0) not in _LOWER_CASE_WORDS

# Half-width CJK punctuation (JIS X 0201 forms) as full-width: compound cells ("ﾊﾟﾀﾔ市､ﾗﾖｰﾝ市") are
# split on 、 and ・, and a half-width separator must split them too. Kana are left as printed.
_HALF_WIDTH_PUNCTUATION = str.maketrans({"､": "、", "｡": "。", "･": "・", "｢": "「", "｣": "」"})

# Bullets drawn with a symbol font come out of the text layer as the font's own code: § (Wingdings'
# square), or a private-use code point (U+F0A7, U+F0B7, U+F06C ...) when the font maps its glyphs there.
_SYMBOL_BULLET = re.compile(r"^(\s*)(?:[\ue000-\uf8ff]|§(?!\s*\d))\s*", re.MULTILINE)


def normalize_punctuation(s: str) -> str:
    """Half-width 、。・「」 as full-width; everything else unchanged (half-width kana stay)."""
    return s.translate(_HALF_WIDTH_PUNCTUATION)


def normalize_bullets(s: str) -> str:
    """A symbol-font bullet at the start of a line (§, private-use code points) as ・; a § before a
    number (§3, a section sign) is kept."""
    return _SYMBOL_BULLET.sub(r"\1・", s)


@_memoized
def normalize_text(s: str | None) -> str:
    """The normalized form of printed text: fold, join wrapped lines, drop layout spaces."""
    if not s:
        return ""
    # Joining lines and dropping spaces can bring characters together that NFKC composes (or
    # NFKC can make a space, as from ¸): repeat until nothing changes, so the result is stable.
    for _ in range(4):
        done = strip_spaces_cjk(join_lines(fold(s)))
        if done == s:
            break
        s = done
    return done


@_memoized
def squash(s: str | None) -> str:
    """Fold and remove every whitespace character: a comparison key for printed strings."""
    return "".join(fold(s or "").split())  # (str.split's white space is the \s of a str pattern)
