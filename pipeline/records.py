"""The plain data that flows between stages.

Per-document stages (open → classify → extract) produce an `Extraction`; it serializes to JSON so a
rerun can reuse it without opening the PDF. Cross-document stages (resolve → dedupe → emit) read
`Extraction`s and never look at PDFs.

Place names are carried as printed (`PlaceText`); turning them into place ids is the resolve stage's
job, so a gazetteer change never forces a re-parse.

The output tables' rows are dataclasses here too (`DocumentRow` … `ReviewRow`, listed in
`OUTPUT_TABLES` in table order). Their fields are the tables' columns, in order, and their types the
columns' types: emit derives the CSV header, the Parquet schema, the SQLite tables and the data
package from them. Nested values (sources, place references, candidates, record counts) are plain
dicts typed by the `TypedDict`s below, so they serialize as they are.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import sys
import types
import typing
from dataclasses import dataclass, field
from typing import TypedDict

DOCUMENT_KINDS = ("adoption_table", "project_sheet", "pamphlet", "slides", "other")
ERROR_KINDS = ("encrypted", "corrupt", "not_pdf", "empty", "no_text_layer", "bad_text_layer", "timeout",
               "internal")


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
class FieldBox:
    """Where a project field's value is printed: page (1-based), box (PDF points, origin top-left,
    as PyMuPDF gives them: x0, y0, x1, y1) and the text as printed there."""

    field: str  # a column of the projects table
    page: int
    bbox: list[float]
    text: str


# The fields whose printed text an extractor hands over in `ProjectRecord.printed`.
PRINTED_FIELDS = ("co_implementers", "country", "fields", "summary")


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
    # The text a field was read from, as printed (line breaks kept), for provenance.py to find:
    # "co_implementers", "country" (a cell naming the country alone), "fields", "summary" (a cell,
    # a labelled run, the description's lines).
    printed: dict[str, str] = field(default_factory=dict)
    boxes: list[FieldBox] = field(default_factory=list)  # provenance.py: where fields are printed


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
class OcrText:
    """A line of text read by OCR off a scanned page (pipeline.ocr): page 1-based, bbox in PDF
    points, confidence 0-100."""

    page: int
    bbox: list[float]
    text: str
    confidence: float


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
    ocr_pages: list[int] = field(default_factory=list)  # 1-based pages whose text was read by OCR
    ocr: list[OcrText] = field(default_factory=list)  # what OCR read on them, line by line


# --- output rows -------------------------------------------------------------------------------

def _primary_key(references: str | None = None):
    """A column of the table's primary key (several make a composite key); `references` as below."""
    return field(metadata={"primary_key": True, **({"references": references} if references else {})})


def _references(table: str):
    """A column holding the primary key of a row of `table` (a foreign key; empty is allowed)."""
    return field(metadata={"references": table})


class SourceRef(TypedDict):
    """One document stating a row, and on which pages (1-based); `ocr` when they were read by OCR
    off scanned pages."""

    document: str
    sha256: str
    pages: list[int]
    ocr: bool


class PlaceRef(TypedDict):
    """A Japanese place a project names; `place_id` is None when the name did not resolve."""

    place_id: str | None
    name_ja: str | None


class PartnerPlaceRef(TypedDict):
    """A partner place a project names; `place_id` is None when the name did not resolve."""

    place_id: str | None
    name_ja: str | None
    name_en: str | None
    country: str | None


class Candidate(TypedDict):
    """A gazetteer place a review item might mean; `score` 0–100."""

    place_id: str
    score: float


class RecordCounts(TypedDict):
    """How many rows of each table a document is a source of."""

    projects: int
    city_pairs: int
    jcm_projects: int
    mentions: int


# The tables whose rows a document's `records` counts.
RECORD_TABLES: tuple[str, ...] = tuple(RecordCounts.__annotations__)


@dataclass(slots=True)
class DocumentRow:
    """One input file: what it is, whether it could be read, how many rows it gave."""

    document: str = _primary_key()  # path relative to raw/, "/" separators
    sha256: str
    size_bytes: int
    kind: str  # one of DOCUMENT_KINDS
    title: str | None
    fiscal_year: int | None
    pages: int | None
    status: str  # "ok" | "error"
    error_kind: str | None  # one of ERROR_KINDS
    error: str | None
    records: RecordCounts


@dataclass(slots=True)
class ProjectRow:
    """One project, deduplicated across documents."""

    project_id: str = _primary_key()
    fiscal_year: int | None
    round: int | None
    number: int | None
    title: str
    proposer: str | None
    co_implementers: list[str]
    japan_municipalities: list[PlaceRef]
    partner_places: list[PartnerPlaceRef]
    country: str | None  # ISO alpha-2
    fields: list[str]
    summary: str | None
    sources: list[SourceRef]
    # Fields whose value a person set by hand (`c2c review set`), overriding what the sources state.
    set_by_hand: list[str] = field(default_factory=list)


@dataclass(slots=True)
class CityPairRow:
    """A (Japanese place, partner place) pair, deduplicated across documents."""

    pair_id: str = _primary_key()  # "<japan_place_id>~<partner_place_id>"
    japan_place_id: str = _references("places")
    partner_place_id: str = _references("places")
    country: str | None
    fiscal_years: list[int]
    sources: list[SourceRef]


@dataclass(slots=True)
class JcmProjectRow:
    """A JCM project formed from the programme, deduplicated across documents."""

    jcm_id: str = _primary_key()
    title: str
    country: str | None
    japan_place_id: str | None = _references("places")
    partner_place_id: str | None = _references("places")
    fiscal_year: int | None
    sources: list[SourceRef]


@dataclass(slots=True)
class PlaceRow:
    """A gazetteer place another table refers to, with every spelling seen."""

    place_id: str = _primary_key()
    name_ja: str
    name_en: str
    kind: str
    country: str
    parent_id: str | None = _references("places")
    jis_code: str | None
    variants: list[str]
    lat: float | None = None  # WGS84 degrees, where the gazetteer's sources give them
    lon: float | None = None


@dataclass(slots=True)
class MentionRow:
    """A place name found in a document, and what it resolved to."""

    document: str = _references("documents")
    page: int
    text: str  # as printed, line breaks removed
    key: str | None  # the gazetteer's match key
    place_id: str | None = _references("places")
    method: str  # how it resolved ("exact", "variant", "fuzzy", "context", ...) or "unresolved"
    score: float  # 0–100
    ocr: bool = False  # read by OCR off a scanned page
    confidence: float | None = None  # 0–100, how sure OCR was of the text (None when not OCR'd)


@dataclass(slots=True)
class ReviewRow:
    """Something a person should look at. `review_id` is a hash of (kind, document, page, text), so it
    stays the same from run to run while those do, and a decision can refer to it."""

    review_id: str = field(init=False)
    kind: str
    document: str | None = _references("documents")
    page: int | None
    text: str
    candidates: list[Candidate]
    detail: str

    def __post_init__(self):
        self.review_id = review_id(self.kind, self.document, self.page, self.text)


def review_id(kind: str, document: str | None, page: int | None, text: str) -> str:
    """The stable id of a review item: 16 hex digits of the SHA-1 of its kind, document, page and text."""
    key = json.dumps([kind, document, page, text], ensure_ascii=False)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


# --- link tables: the many-to-many facts of the rows above, one row each -----------------------
# Derived from the rows by `links.link_rows`, so a spreadsheet or SQL user needs no list parsing and
# the foreign keys are real. JSONL keeps the nested rows as well.

@dataclass(slots=True)
class ProjectPlaceRow:
    """A place a project names: its Japanese local governments (role `japan`) and its partner places
    (role `partner`), in the project's order (`position`, 1-based). `place_id` is empty for a name
    that did not resolve; `name_ja` is the place's name (or the name as printed)."""

    project_id: str = _primary_key("projects")
    role: str = _primary_key()  # "japan" | "partner"
    position: int = _primary_key()
    place_id: str | None = _references("places")
    name_ja: str | None


@dataclass(slots=True)
class ProjectSourceRow:
    """A document stating a project: its sha256 and the pages (1-based) the project is on."""

    project_id: str = _primary_key("projects")
    document: str = _primary_key("documents")
    sha256: str
    pages: list[int]
    ocr: bool  # its pages were read by OCR off a scan


@dataclass(slots=True)
class PairSourceRow:
    """A document listing a city pair: its sha256 and the pages (1-based) the pair is on."""

    pair_id: str = _primary_key("city_pairs")
    document: str = _primary_key("documents")
    sha256: str
    pages: list[int]
    ocr: bool  # its pages were read by OCR off a scan


@dataclass(slots=True)
class JcmSourceRow:
    """A document naming a JCM project: its sha256 and the pages (1-based) it is on."""

    jcm_id: str = _primary_key("jcm_projects")
    document: str = _primary_key("documents")
    sha256: str
    pages: list[int]
    ocr: bool  # its pages were read by OCR off a scan


@dataclass(slots=True)
class FieldSourceRow:
    """Where a project field's value is printed: the page, the box (PDF points, origin top-left, as
    PyMuPDF gives them) and the text as printed there (`令和7年度` behind fiscal_year 2025), as
    `provenance.py` finds it on the pages of the project's most authoritative document."""

    project_id: str = _primary_key("projects")
    field: str = _primary_key()  # a column of projects
    document: str = _primary_key("documents")
    page: int = _primary_key()
    x0: float = _primary_key()
    y0: float = _primary_key()
    x1: float
    y1: float
    text: str  # as printed, line breaks kept


# Every output table, in the order they are written, with its row type.
OUTPUT_TABLES: dict[str, type] = {
    "documents": DocumentRow,
    "projects": ProjectRow,
    "city_pairs": CityPairRow,
    "jcm_projects": JcmProjectRow,
    "places": PlaceRow,
    "mentions": MentionRow,
    "review": ReviewRow,
    "project_places": ProjectPlaceRow,
    "project_sources": ProjectSourceRow,
    "pair_sources": PairSourceRow,
    "jcm_sources": JcmSourceRow,
    "field_sources": FieldSourceRow,
}
# The link tables among them (made from the others' rows, not by dedupe).
LINK_TABLES: tuple[str, ...] = ("project_places", "project_sources", "pair_sources", "jcm_sources", "field_sources")


def unwrap_optional(hint):
    """`X | None` → X (every column may be empty); any other type as it is."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        (hint,) = [a for a in typing.get_args(hint) if a is not type(None)]
    return hint


def is_typed_dict(hint) -> bool:
    """Whether a column's type is one of the TypedDicts above (a nested object)."""
    return isinstance(hint, type) and issubclass(hint, dict) and hasattr(hint, "__annotations__")


@functools.lru_cache(maxsize=None)
def columns(row_type: type) -> tuple[tuple[str, object], ...]:
    """A row type's columns in order, each with its type (`str | None`, `list[SourceRef]`, ...)."""
    return _fields(row_type)


def primary_key(row_type: type) -> str | None:
    """The column that identifies a row of the table, if it has one (the first of a composite key)."""
    return next((f.name for f in dataclasses.fields(row_type) if f.metadata.get("primary_key")), None)


def primary_keys(row_type: type) -> tuple[str, ...]:
    """Every column of the table's primary key, in order (empty when it has none)."""
    return tuple(f.name for f in dataclasses.fields(row_type) if f.metadata.get("primary_key"))


def foreign_keys(row_type: type) -> tuple[tuple[str, str], ...]:
    """(column, referenced table) for each column holding another row's primary key."""
    return tuple((f.name, f.metadata["references"]) for f in dataclasses.fields(row_type)
                 if f.metadata.get("references"))


def row_dict(row) -> dict:
    """A row as the dict its JSON line holds, columns in order (nested values are shared, not copied)."""
    return {name: getattr(row, name) for name in _names(type(row))}


@functools.lru_cache(maxsize=None)
def _names(row_type: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(row_type))


# --- (de)serialization -------------------------------------------------------------------------

def to_dict(obj) -> dict:
    """A dataclass tree as plain JSON-ready values (dicts, lists, atoms): what `dataclasses.asdict`
    gives, with tuples as lists, about twice as fast (no deep copies of atoms; field names looked
    up once per type). The cache holds one of these per document."""
    return _plain(obj)


_ATOMS = (str, int, float, bool, type(None))


def _plain(value):
    if isinstance(value, _ATOMS):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value):
        return {name: _plain(getattr(value, name)) for name in _names(type(value))}
    return value


def from_dict(cls, data):
    """Rebuild a dataclass tree from `to_dict` output (only the shapes used in this module)."""
    return _builder(cls)(data)


@functools.lru_cache(maxsize=None)
def _builder(tp):
    """A function rebuilding a value of type `tp` from its `to_dict` form, made once per type (the
    type's shape is looked at once, not once per value: a document's cache entry has thousands)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _builder(args[0])
    if origin is list:
        (item,) = typing.get_args(tp)
        build_item = _builder(item)
        return lambda value: None if value is None else [build_item(v) for v in value]
    if origin is dict:
        return lambda value: None if value is None else dict(value)
    if dataclasses.is_dataclass(tp):
        fields = [(name, _builder(hint)) for name, hint in _fields(tp)]

        def build(value):
            if value is None:
                return None
            return tp(**{name: b(value[name]) for name, b in fields if name in value})
        return build
    return _atom


def _atom(value):
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
