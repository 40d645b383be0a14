"""Listing numbers as tables print them: 3, ３, 03, No.3, No 3, #3, 第3号, 3番, (3)."""
from __future__ import annotations

import re

from .text import fold

# The number a row has in its list, with the marks that may surround it. Anything after the mark
# ("No.3 (再掲)") is left alone: the number is what the cell starts with.
_LISTING_NUMBER = re.compile(
    r"\s*(?:No\s*\.?|NO\s*\.?|no\s*\.?|№|#|第)?\s*[(\[]?\s*(\d{1,4})\s*[)\]]?\s*(?:号|番)?")


def listing_number(text: str | None) -> int | None:
    """The number a cell gives its row: "No.3", "第3号", "３", "03" → 3; None when the cell starts
    with anything else."""
    m = _LISTING_NUMBER.match(fold(text or ""))
    return int(m.group(1)) if m else None


def is_listing_number(text: str | None) -> bool:
    """Whether the cell holds a listing number and nothing else ("No.3", "第3号", "12.")."""
    s = fold(text or "").strip()
    m = _LISTING_NUMBER.match(s)
    return bool(m) and re.fullmatch(r"[.．:：]?\s*", s[m.end():]) is not None
