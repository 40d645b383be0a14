"""Japanese text normalization: NFKC, radical code points, widths, spaces and wrapped lines."""
from __future__ import annotations

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
})

# Characters that mark Japanese script (kana, CJK ideographs, full-width punctuation after NFKC).
_CJK = (r"\u3000-\u303f\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
        r"\uf900-\ufaff\uff5e\uff61-\uff9f")
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")
_WS = re.compile(r"[ \t\u00a0\u3000]+")
_ASCII_WORD_END = re.compile(r"[A-Za-z0-9.,;:)\]&'\"%]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z0-9(\[&'\"]")


def fold(s: str) -> str:
    """NFKC plus the radical map: the character-level part of normalization."""
    return unicodedata.normalize("NFKC", s).translate(_RADICALS)


def strip_spaces_cjk(s: str) -> str:
    """Drop spaces that touch a Japanese character; keep single spaces between Latin words."""
    return _SPACE_NEAR_CJK.sub("", _WS.sub(" ", s)).strip()


def join_lines(s: str) -> str:
    """Join lines wrapped by the layout: no space between Japanese characters, one between Latin words."""
    out = ""
    for line in s.splitlines():
        line = line.strip()
        if not line:
            continue
        if out and _ASCII_WORD_END.search(out) and _ASCII_WORD_START.search(line) and not out.endswith("-"):
            out += " "
        out += line
    return out


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


def squash(s: str | None) -> str:
    """Fold and remove every whitespace character: a comparison key for printed strings."""
    return re.sub(r"\s+", "", fold(s or ""))
