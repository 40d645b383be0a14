"""What the readers of one page share, made once per page of an open document.

The classifier's sheet check (`project_sheet.labelled_roles`) and the extractors read the same
pages: their page model (`layout.page_layout`), drawings, rules, text fragments, ruled tables,
height (`textlines.in_margin`, asked for every line) and the folded characters provenance searches.

The memo is a dict on the PyMuPDF Document (attribute `_c2c_page_memo`), keyed by (what, 0-based
page number). It holds no Page and nothing else that refers to the document, so it goes when the
document goes; `drop(doc)` empties it, and so does `pdf.close_pdf`. Only what
is made with the default settings may be kept: the key does not name the settings. A caller must
not change what it is given (it is the next caller's too).
"""
from __future__ import annotations

from typing import Callable, TypeVar

import pymupdf

T = TypeVar("T")

_ATTR = "_c2c_page_memo"


def per_page(page: pymupdf.Page, what: str, make: Callable[[pymupdf.Page], T]) -> T:
    """`make(page)`, made once per page of the document for each `what`."""
    return per_number(page.parent, page.number, what, lambda: make(page))


def per_number(doc: pymupdf.Document, number: int, what: str, make: Callable[[], T]) -> T:
    """`make()` for page `number` (0-based) of `doc`, made once for each `what`: for a caller that
    holds the document and a page number, not a Page (loading one costs MuPDF a page lookup)."""
    memo = getattr(doc, _ATTR, None)
    if memo is None:
        memo = {}
        setattr(doc, _ATTR, memo)
    key = (what, number)
    if key not in memo:
        memo[key] = make()
    return memo[key]


def drop(doc: pymupdf.Document) -> None:
    """Forget what was kept for `doc`'s pages."""
    setattr(doc, _ATTR, None)
