"""The per-document stage: open → n-up handouts split into slides → classify → extract, for one
file, returning an `Extraction`.

This is the only stage that opens PDFs. Its result depends on the file's bytes and on the code this
module imports (directly or not), the libraries that code uses and what its modules' cache hooks
declare (the country names table), nothing else, so the manifest can cache it by
(sha256, code_version); see `cachekey.py`.
"""
from __future__ import annotations

import functools
import hashlib
import re
import signal
from contextlib import contextmanager

from . import ocr as ocr_stage
from .discover import SourceFile
from .records import DocumentError, Extraction, Note, OcrText, Parsed

# The per-document stage's entry module: its key covers everything this module imports.
PER_DOCUMENT_STAGE = ("pipeline.document",)


@functools.lru_cache(maxsize=2)
def code_version(ocr: bool = True) -> str:
    """The per-document stage's cache key (16 hex digits): a hash of the code that reads documents,
    the libraries it uses and what its modules' `cache_fingerprint()` hooks declare (the OCR engine's
    version and its model files' hashes, pipeline.ocr), and of whether scanned pages are read by OCR
    (`--no-ocr` gives another key). Change any of it and every document is read again."""
    from .cachekey import stage_key

    key = stage_key(PER_DOCUMENT_STAGE)
    return key if ocr else hashlib.sha256(f"{key} ocr off".encode()).hexdigest()[:16]


# How MuPDF reports an allocation that failed (its errors are not MemoryError).
_ALLOCATION_FAILED = re.compile(r"\b(?:malloc|calloc|realloc)\b.*\bfailed\b")


def _caused_by_memory(exc: BaseException) -> bool:
    """Whether a MemoryError lies behind `exc` (its causes and contexts, however deep)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, MemoryError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


class _TimeUp(BaseException):
    """Raised by the alarm. A BaseException, so that no library's `except Exception` swallows it."""


def _extend_time_limit(seconds: float) -> None:
    """Move the running alarm (if any) to `seconds` from now: a scan's pages each get the limit."""
    if hasattr(signal, "SIGALRM") and signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        signal.setitimer(signal.ITIMER_REAL, seconds)


@contextmanager
def _time_limit(seconds: float | None):
    """Raise _TimeUp when the block runs longer than `seconds` (main thread only)."""
    usable = seconds and seconds > 0 and hasattr(signal, "SIGALRM")
    fired = []
    if usable:
        try:
            def on_alarm(signum, frame):
                fired.append(True)
                raise _TimeUp()
            previous = signal.signal(signal.SIGALRM, on_alarm)
        except ValueError:  # not the main thread (e.g. a Dask worker thread): no alarm available
            usable = False
    if not usable:
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if fired:
        # The alarm went off but its exception did not come out: a library called back into Python
        # from C (MuPDF's message hooks) and swallowed it. Time is up all the same.
        raise _TimeUp()


def preload() -> None:
    """Import what reading a document needs. A process that forks workers calls this first, so
    that each worker starts with these modules instead of importing them itself (about 0.1 s of
    CPU each)."""
    from . import classify, handouts, pdf, provenance  # noqa: F401
    from .extract import adoption_table, layout, pamphlet, project_sheet, slides  # noqa: F401


def _extract(kind: str, pdf) -> Parsed:
    # Imported here so that a worker only loads the extractor its document needs.
    if kind == "adoption_table":
        from .extract.adoption_table import extract_adoption_table
        return extract_adoption_table(pdf)
    if kind == "pamphlet":
        from .extract.pamphlet import extract_pamphlet
        return extract_pamphlet(pdf)
    if kind == "project_sheet":
        from .extract.project_sheet import extract_project_sheets
        return extract_project_sheets(pdf)
    if kind == "slides":
        from .extract.slides import extract_slides
        return extract_slides(pdf)
    return Parsed()


def _label_roles(doc, texts: list[str]) -> list[int]:
    """For the pages the classifier asks about (`classify.sheet_pages`), how many roles each states
    as label | value rows (the classifier's evidence for a project sheet)."""
    from . import classify
    from .extract.project_sheet import labelled_roles
    return [labelled_roles(doc[i]) for i in classify.sheet_pages(texts)]


def _read_scans(doc, texts: list[str], enabled: bool, timeout: float | None, scanned: list[int]):
    """pipeline.ocr.read_scans (None when no page needs OCR). A document with pages to OCR gets
    `timeout` seconds per such page: a long scan is not stopped for being long. Their count goes
    into `scanned` (for the timeout's message)."""
    wanted = ocr_stage.pages_to_read(doc, texts)
    if not wanted:
        return None
    if enabled and timeout:
        scanned.append(len(wanted))
        _extend_time_limit(timeout * len(wanted))
    return ocr_stage.read_scans(doc, texts, enabled)


def _document_title(parsed: Parsed, page_texts: list[str]) -> str | None:
    if parsed.title:
        return parsed.title
    from normalizers.text import normalize_text
    for text in page_texts[:1]:
        for line in text.splitlines():
            line = normalize_text(line)
            if len(line) >= 4:
                return line
    return None


def read_document(src: SourceFile, timeout: float | None = 120.0, ocr: bool = True) -> Extraction:
    """Read one file; never raises for a bad document: the error lands in the Extraction.
    With `ocr`, pages without a usable text layer are read by OCR (pipeline.ocr) and say so."""
    extraction = Extraction(document=src.document, sha256=src.sha256, size_bytes=src.size_bytes)
    scanned: list[int] = []  # the number of pages read by OCR, once known
    try:
        from . import classify, pdf
        from .extract.layout import visible_spans
        from .handouts import split_handouts
        from normalizers.dates import fiscal_year_from_text

        with _time_limit(timeout):
            doc = pdf.open_pdf(src.path, scans=True)
            opened = [doc]  # every document read here, closed at the end
            try:
                extraction.pages = doc.page_count
                metadata = doc.metadata or {}
                extraction.issued = metadata.get("modDate") or metadata.get("creationDate") or None
                texts = pdf.page_texts(doc)
                rebuilt = _read_scans(doc, texts, ocr, timeout, scanned)
                if rebuilt is not None:
                    doc, read = rebuilt
                    opened.append(doc)
                    extraction.ocr = [OcrText(line.page, [round(v, 2) for v in line.bbox], line.text,
                                              line.confidence) for page in read for line in page.lines]
                    extraction.ocr_pages = [page.number for page in read]
                    texts = pdf.page_texts(doc)
                # slides printed n-up are read one slide a page; `handout` maps them back
                handout = split_handouts(doc)
                if handout is not None:
                    doc, page_map = handout
                    opened.append(doc)
                    texts = pdf.page_texts(doc)
                sizes = pdf.page_sizes(doc)
                extraction.kind = classify.classify(texts, sizes, label_roles=_label_roles(doc, texts))
                parsed = _extract(extraction.kind, doc)
                if not (parsed.projects or parsed.pairs or parsed.jcm or parsed.notes) and classify.names_programme(texts):
                    # a shape no extractor knows: worth a person's look rather than a silent nothing
                    parsed.notes.append(Note("no_records", None, "", f"read as {extraction.kind}: the document "
                                             "names the programme, but no projects, city pairs or JCM projects "
                                             "were found in it"))
                from .provenance import locate_fields

                locate_fields(doc, parsed)
                extraction.spans = visible_spans(doc)  # no text a reader cannot see
                if handout is not None:  # the handout's pages and coordinates, not the slides'
                    page_map.restore(parsed, extraction.spans)
            finally:
                for opened_doc in reversed(opened):
                    pdf.close_pdf(opened_doc)
        extraction.parsed = parsed
        extraction.title = _document_title(parsed, texts)
        years = {p.fiscal_year for p in parsed.projects if p.fiscal_year is not None}
        # a document listing the projects of several years has no one fiscal year, whatever its title
        extraction.fiscal_year = None if len(years) > 1 else (
            parsed.fiscal_year or fiscal_year_from_text(extraction.title))
    except DocumentError as e:
        extraction.status, extraction.error_kind, extraction.error = "error", e.kind, e.message
        extraction.pages = e.pages if e.pages is not None else extraction.pages
        extraction.parsed, extraction.spans = Parsed(), []
    except _TimeUp:
        extraction.status, extraction.error_kind = "error", "timeout"
        extraction.error = f"reading took longer than the {timeout:g} s limit (--timeout)"
        if scanned:
            extraction.error = (f"reading took longer than the {timeout * scanned[0]:g} s limit (--timeout "
                                f"{timeout:g} s for each of its {scanned[0]} scanned page(s))")
        extraction.parsed, extraction.spans = Parsed(), []
    except MemoryError:
        extraction.status, extraction.error_kind, extraction.error = "error", "internal", "ran out of memory"
        extraction.parsed, extraction.spans = Parsed(), []
    except Exception as e:  # a bug or an input we did not foresee: report it, keep the batch going
        extraction.status, extraction.error_kind = "error", "internal"
        extraction.error = f"{type(e).__name__}: {e}".splitlines()[0][:300]
        # MuPDF's own allocator hit the worker memory limit, or Python's did inside a C extension
        # (which then reports a SystemError caused by the MemoryError)
        if _ALLOCATION_FAILED.search(str(e)) or _caused_by_memory(e):
            extraction.error = f"ran out of memory ({extraction.error})"
        extraction.parsed, extraction.spans = Parsed(), []
    return extraction


def read_document_without_ocr(src: SourceFile, timeout: float | None = 120.0) -> Extraction:
    """read_document with OCR off (--no-ocr): a scanned document is `no_text_layer`."""
    return read_document(src, timeout, ocr=False)
