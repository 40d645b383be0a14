"""The per-document stage: open → classify → extract, for one file, returning an `Extraction`.

This is the only stage that opens PDFs. Its result depends on the file's bytes and on the code of
the modules listed in `_PER_DOCUMENT_CODE`, nothing else, so the manifest can cache it by
(sha256, code_version).
"""
from __future__ import annotations

import functools
import hashlib
import signal
from contextlib import contextmanager
from pathlib import Path

from .discover import SourceFile
from .records import DocumentError, Extraction, Parsed

_ROOT = Path(__file__).resolve().parent
_PER_DOCUMENT_CODE = [
    _ROOT / "records.py", _ROOT / "pdf.py", _ROOT / "classify.py", _ROOT / "document.py",
    *sorted((_ROOT / "extract").glob("*.py")),
    *sorted((_ROOT.parent / "normalizers").glob("*.py")),
]


_PER_DOCUMENT_PACKAGES = ["pymupdf", "rapidfuzz"]


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the code that reads documents (and the PDF library's version): change it and every
    document is read again."""
    from importlib import metadata

    from gazetteer import countries_file

    digest = hashlib.sha256()
    for path in [*_PER_DOCUMENT_CODE, countries_file()]:  # extractors read country names
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    for package in _PER_DOCUMENT_PACKAGES:
        try:
            digest.update(f"{package}=={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package} missing".encode())
    return digest.hexdigest()[:16]


class _TimeUp(BaseException):
    """Raised by the alarm. A BaseException, so that no library's `except Exception` swallows it."""


@contextmanager
def _time_limit(seconds: float | None):
    """Raise _TimeUp when the block runs longer than `seconds` (main thread only)."""
    usable = seconds and seconds > 0 and hasattr(signal, "SIGALRM")
    if usable:
        try:
            def on_alarm(signum, frame):
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


def _extract(kind: str, pdf) -> Parsed:
    # Imported here so that a worker only loads the extractor its document needs.
    if kind == "adoption_table":
        from .extract.adoption_table import extract_adoption_table
        return extract_adoption_table(pdf)
    if kind == "pamphlet":
        from .extract.pamphlet import extract_pamphlet
        return extract_pamphlet(pdf)
    if kind == "slides":
        from .extract.slides import extract_slides
        return extract_slides(pdf)
    return Parsed()


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


def read_document(src: SourceFile, timeout: float | None = 120.0) -> Extraction:
    """Read one file; never raises for a bad document: the error lands in the Extraction."""
    extraction = Extraction(document=src.document, sha256=src.sha256, size_bytes=src.size_bytes)
    try:
        from . import classify, pdf
        from normalizers.dates import fiscal_year_from_text

        with _time_limit(timeout):
            doc = pdf.open_pdf(src.path)
            try:
                extraction.pages = doc.page_count
                metadata = doc.metadata or {}
                extraction.issued = metadata.get("modDate") or metadata.get("creationDate") or None
                texts = pdf.page_texts(doc)
                sizes = pdf.page_sizes(doc)
                extraction.kind = classify.classify(texts, sizes)
                parsed = _extract(extraction.kind, doc)
                extraction.spans = pdf.page_spans(doc)
            finally:
                pdf.close_pdf(doc)
        extraction.parsed = parsed
        extraction.title = _document_title(parsed, texts)
        extraction.fiscal_year = parsed.fiscal_year or fiscal_year_from_text(extraction.title)
    except DocumentError as e:
        extraction.status, extraction.error_kind, extraction.error = "error", e.kind, e.message
        extraction.pages = e.pages if e.pages is not None else extraction.pages
        extraction.parsed, extraction.spans = Parsed(), []
    except _TimeUp:
        extraction.status, extraction.error_kind = "error", "timeout"
        extraction.error = f"reading took longer than the {timeout:g} s limit (--timeout)"
        extraction.parsed, extraction.spans = Parsed(), []
    except MemoryError:
        extraction.status, extraction.error_kind, extraction.error = "error", "internal", "ran out of memory"
        extraction.parsed, extraction.spans = Parsed(), []
    except Exception as e:  # a bug or an input we did not foresee: report it, keep the batch going
        extraction.status, extraction.error_kind = "error", "internal"
        extraction.error = f"{type(e).__name__}: {e}".splitlines()[0][:300]
        extraction.parsed, extraction.spans = Parsed(), []
    return extraction
