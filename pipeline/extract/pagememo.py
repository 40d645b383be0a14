"""What the readers of one page share, made once per page of an open document.

The classifier's sheet check (`project_sheet.labelled_roles`) and the extractors read the same
pages: their text fragments, their ruled tables, their rules, their height (`textlines.in_margin`,
asked for every line). The page model itself is kept by `layout.page_layout`; what is made from it
(and from the page's drawings and bounds) is kept here.

The memo is a dict on the PyMuPDF Document (attribute `_c2c_page_memo`), keyed by (what, 0-based
page number). It holds no Page and nothing else that refers to the document, so it goes when the
document goes; `drop(doc)` empties it as soon as the document is read (pipeline.document). Only what
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
    doc = page.parent
    memo = getattr(doc, _ATTR, None)
    if memo is None:
        memo = {}
        setattr(doc, _ATTR, memo)
    key = (what, page.number)
    if key not in memo:
        memo[key] = make(page)
    return memo[key]


def drop(doc: pymupdf.Document) -> None:
    """Forget what was kept for `doc`'s pages."""
    setattr(doc, _ATTR, None)
