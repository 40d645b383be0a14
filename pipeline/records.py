"""The plain data that flows between stages.

Per-document stages (open → classify → extract) produce an `Extraction`; it serializes to JSON so a
rerun can reuse it without opening the PDF. Cross-document stages (resolve → dedupe → emit) read
`Extraction`s and never look at PDFs.

Place names are carried as printed (`PlaceText`); turning them into place ids is the resolve stage's
job, so a gazetteer change never forces a re-parse.
"""
from __future__ import annotations

import dataclasses
import functools
import sys
import types
import typing
from dataclasses import dataclass, field

DOCUMENT_KINDS = ("adoption_table", "pamphlet", "slides", "other")
ERROR_KINDS = ("encrypted", "corrupt", "not_pdf", "empty", "no_text_layer", "timeout", "internal")


class DocumentError(Exception):
    """A document that cannot be read; `kind` is one of ERROR_KINDS."""

    def __init__(self, kind: str, message: str, pages: int | None = None):
        assert kind in ERROR_KINDS, kind
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.pages = pages  # when the file opened far enough to count them


@dataclass
class PlaceText:
    """A place name field as printed in one record; may be compound (堺市・大阪市)."""

    text: str  # as extracted, line breaks included
    page: int  # 1-based
    side: str  # "japan" | "partner"
    country: str | None = None  # ISO alpha-2 the context gives (row's 対象国, heading's country)


@dataclass
class ProjectRecord:
    """One project as one document states it."""

    pages: list[int]
    fiscal_year: int | None
    round: int | None
    number: int | None
    title_raw: str
    title: str  # normalized: NFKC, layout spaces removed
    proposer_raw: str | None
    proposer: str | None  # full legal name
    co_implementers: list[str] = field(default_factory=list)
    japan: list[PlaceText] = field(default_factory=list)
    partners: list[PlaceText] = field(default_factory=list)
    country: str | None = None  # ISO alpha-2
    fields: list[str] | None = None
    summary: str | None = None


@dataclass
class PairRecord:
    """A city pair as listed (each side may be compound; resolve splits them into atoms)."""

    page: int
    japan: PlaceText
    partner: PlaceText
    country: str | None = None
    fiscal_years: list[int] = field(default_factory=list)


@dataclass
class JcmRecord:
    """A JCM project formed from the programme."""

    page: int
    title: str
    country: str | None = None
    japan: PlaceText | None = None
    partner: PlaceText | None = None
    fiscal_year: int | None = None


@dataclass
class TextSpan:
    """Running text to scan for place mentions (a text block, a table cell, a heading)."""

    page: int
    text: str  # as extracted, line breaks kept
    country: str | None = None  # context country, when the layout gives one


@dataclass
class Proposal:
    """A name the NER model thinks is a place; the resolve stage keeps those the gazetteer lacks."""

    page: int
    text: str
    label: str


@dataclass
class Note:
    """Something an extractor wants a person to look at (e.g. a column header it did not understand)."""

    kind: str
    page: int | None
    text: str
    detail: str


@dataclass
class Parsed:
    """What an extractor returns for one document."""

    title: str | None = None
    fiscal_year: int | None = None
    projects: list[ProjectRecord] = field(default_factory=list)
    pairs: list[PairRecord] = field(default_factory=list)
    jcm: list[JcmRecord] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


@dataclass
class Extraction:
    """Everything the per-document stages learned about one file; cached by the manifest."""

    document: str  # path relative to raw/, "/" separators
    sha256: str
    size_bytes: int
    kind: str = "other"
    status: str = "ok"
    error_kind: str | None = None
    error: str | None = None
    pages: int | None = None
    issued: str | None = None  # the PDF's modification (or creation) date, D:YYYYMMDD...
    title: str | None = None
    fiscal_year: int | None = None
    parsed: Parsed = field(default_factory=Parsed)
    spans: list[TextSpan] = field(default_factory=list)


# --- (de)serialization -------------------------------------------------------------------------

def to_dict(obj) -> dict:
    return dataclasses.asdict(obj)


def from_dict(cls, data):
    """Rebuild a dataclass tree from `to_dict` output (only the shapes used in this module)."""
    return _build(cls, data)


def _build(tp, value):
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _build(args[0], value)
    if origin is list:
        (item,) = typing.get_args(tp)
        return [_build(item, v) for v in value]
    if origin is dict:
        return dict(value)
    if dataclasses.is_dataclass(tp):
        return tp(**{name: _build(hint, value[name]) for name, hint in _fields(tp) if name in value})
    if isinstance(value, str):
        # Documents of a series repeat their strings (names, places, fields, whole summaries in a
        # re-issue): one copy each keeps memory from growing with the number of documents.
        return sys.intern(value)
    return value


@functools.lru_cache(maxsize=None)
def _fields(tp) -> tuple[tuple[str, object], ...]:
    """A dataclass's fields with their resolved types (resolving is slow: once per class)."""
    hints = typing.get_type_hints(tp)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(tp))
