"""Open a PDF safely; every way a file can fail to be read becomes a `records.DocumentError` kind here.

The checks run from cheapest to dearest, and the raw bytes are checked before any library sees them:
PyMuPDF opens HTML, XPS, EPUB and images as "documents", and it silently repairs a truncated PDF —
sometimes into a document with zero pages — so neither its success nor its page count proves the
file is a readable PDF.

Nothing here writes: the file is read once into memory and opened from that buffer.
"""
from __future__ import annotations

import re
from pathlib import Path

import pymupdf

from pipeline import records
from pipeline.extract import pagememo

# The `%PDF-` header may be preceded by junk (some servers prepend bytes); readers look in the first KB.
HEADER_WINDOW = 1024
# What only a PDF revision holds: seen after the last `%%EOF`, it means the file was cut short.
_PDF_STRUCTURE = re.compile(rb"\d+\s+\d+\s+obj\b|\bendobj\b|\bxref\b|\btrailer\b|\bstartxref\b")
# Hostile or absurd input: a document with more pages than this is refused as corrupt rather than
# read for minutes. No real programme document comes near it.
MAX_PAGES = 5000

# MuPDF's warnings when an object of a page cannot be loaded (as opposed to a page with no text).
_BROKEN_PAGE = re.compile(r"cannot load object|limit error|page tree|non-page object|stack overflow")

# MuPDF prints repair warnings to stderr by default; we collect them through TOOLS.mupdf_warnings()
# and put them into the error message instead.
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)
# Character boxes as MuPDF records them, without PyMuPDF's ascender/descender correction. Every
# box, line and table of the page model (and the tests' and truth's coordinates) was made this way:
# pymupdf4llm sets it when imported, which `import pymupdf` did until pipeline/__init__.py kept the
# layout model out; said here, it no longer depends on what else is installed.
pymupdf.TOOLS.unset_quad_corrections(True)
# `page.find_tables` prints a recommendation of PyMuPDF Layout to stdout once per process (the
# layout model is kept out, see pipeline/__init__.py): stdout is the run's summary, so it is off.
pymupdf.no_recommend_layout()


def open_pdf(path: Path, scans: bool = False) -> pymupdf.Document:
    """Open `path` as a PDF with a text layer, or raise DocumentError(kind, one-line message).
    With `scans`, a PDF without any text is returned too: the caller OCRs its pages (pipeline.ocr)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise records.DocumentError("internal", f"cannot be read: {exc.strerror or exc}") from None
    check_bytes(data)
    pymupdf.TOOLS.mupdf_warnings()  # drop warnings left over from earlier documents
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # pymupdf raises FileDataError, RuntimeError, ValueError ... on garbage
        raise records.DocumentError("corrupt", f"cannot be parsed as PDF: {_one_line(exc)}") from None
    if doc.needs_pass:
        doc.close()
        raise records.DocumentError("encrypted", "encrypted: a password is needed to open it")
    try:
        # A page tree whose /Count is absurd, or that loops back on itself, fails here or when a page
        # is looked up: the file is broken (the same next run), not our fault.
        count = doc.page_count
        if count > MAX_PAGES:
            raise records.DocumentError("corrupt", f"{count} pages is more than the {MAX_PAGES} this pipeline reads")
        _check_text_layer(doc)  # before any text is read: a repaired font must be the one read
        has_text = False
        for page in doc:  # every page is looked up, text is read only until some is found
            has_text = has_text or bool(page_text(page).strip())
    except records.DocumentError:
        close_pdf(doc)
        raise
    except Exception as exc:  # a page tree or page object broken beyond repair
        close_pdf(doc)
        raise records.DocumentError("corrupt", f"a page cannot be read: {_one_line(exc)}") from None
    if count == 0:
        warnings = _warnings()
        close_pdf(doc)
        raise records.DocumentError("corrupt", "no pages could be read" + (f" ({warnings})" if warnings else ""))
    if not has_text:
        warnings = pymupdf.TOOLS.mupdf_warnings()
        # Objects MuPDF could not load (nesting past its limits, a broken page tree) leave a page
        # without text too; that is a broken file, not a scan.
        broken = [line for line in warnings.splitlines() if _BROKEN_PAGE.search(line)]
        if broken:
            close_pdf(doc)
            raise records.DocumentError("corrupt", f"its pages cannot be loaded ({_one_line(broken[0])})", count)
        if scans:  # the caller reads its scanned pages
            return doc
        close_pdf(doc)
        raise records.DocumentError(
            "no_text_layer", f"no extractable text on any of its {count} page(s) (scanned images?)", count)
    return doc


# A page whose visible characters come this much (0-1) from fonts whose glyphs name no character is
# unreadable: its text would be glyph ids posing as characters.
UNREADABLE_TEXT_SHARE = 0.5


def _check_text_layer(doc: pymupdf.Document) -> None:
    """Composite fonts whose text extracts as glyph ids get a character map rebuilt from the font
    itself (`text_layer`), before any text is read; a page drawn mostly in fonts that cannot be
    mapped makes the document `bad_text_layer`."""
    from pipeline import text_layer

    repairs = text_layer.repair_text_layer(doc)  # a broken page or font object raises: the file is corrupt
    lost = {r.name for r in repairs if not r.mapped}
    if not lost:
        return
    for page in doc:
        if text_layer.unreadable_share(page, lost) >= UNREADABLE_TEXT_SHARE:
            raise records.DocumentError(
                "bad_text_layer", f"page {page.number + 1}: its text is in a font with no character map "
                f"({', '.join(sorted(lost))}), so it extracts as glyph ids", doc.page_count)


def check_bytes(data: bytes) -> None:
    """The checks that need only the bytes: empty, not a PDF, truncated."""
    if not data:
        raise records.DocumentError("empty", "the file is empty (0 bytes)")
    if b"%PDF-" not in data[:HEADER_WINDOW]:
        head = data[:HEADER_WINDOW].lstrip()[:15]
        what = "an HTML page" if head.lower().startswith((b"<!doctype html", b"<html")) else "not a PDF"
        raise records.DocumentError("not_pdf", f"no %PDF- header: the file is {what}")
    # Truncation shows as a missing end-of-file marker. MuPDF would "repair" such a file and hand back
    # whatever pages it could salvage (or none), losing the rest without an error — so refuse it here.
    # Bytes after the last marker are allowed (web servers append padding or an error page) unless
    # they hold PDF structure: then a later revision (an incremental update) was cut short.
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise records.DocumentError("corrupt", "truncated: no %%EOF marker at the end of the file")
    if _PDF_STRUCTURE.search(data, end + 5):
        raise records.DocumentError("corrupt", "truncated: its last revision has no %%EOF marker")


# Every reader here extracts with TEXTFLAGS_TEXT (plain text, the "dict" and "rawdict" forms), and
# building MuPDF's text page is the dear part of get_text: each page's is built once per document.
# Up to this many pages, that is: a huge document does not hold all of them at once.
SHARED_TEXT_PAGES = 300


def page_text(page: pymupdf.Page, option: str = "text"):
    """`page.get_text(option, flags=TEXTFLAGS_TEXT)`, from the page's text page built only once."""
    doc = page.parent
    # Kept on the document itself, so they go with it (a Document takes attributes, not weak refs).
    shared = getattr(doc, "_c2c_text_pages", None)
    if shared is None:
        shared = {} if doc.page_count <= SHARED_TEXT_PAGES else False
        doc._c2c_text_pages = shared
    if shared is False:
        return page.get_text(option, flags=pymupdf.TEXTFLAGS_TEXT)
    if page.number not in shared:
        shared[page.number] = (page, page.get_textpage(flags=pymupdf.TEXTFLAGS_TEXT))
    owner, text_page = shared[page.number]
    return owner.get_text(option, textpage=text_page)


def close_pdf(doc: pymupdf.Document) -> None:
    """Close a document opened with open_pdf, dropping its shared text pages first."""
    doc._c2c_text_pages = None
    pagememo.drop(doc)  # what the readers of its pages keep
    doc.close()


def page_texts(doc: pymupdf.Document) -> list[str]:
    """Plain text of each page, in page order."""
    return [page_text(page) for page in doc]


def page_sizes(doc: pymupdf.Document) -> list[tuple[float, float]]:
    """(width, height) in points of each page as displayed (rotation applied)."""
    return [(page.rect.width, page.rect.height) for page in doc]


def page_spans(doc: pymupdf.Document) -> list[records.TextSpan]:
    """One TextSpan per text block, pages in order and blocks in content-stream order.

    Content-stream order is what the producing program wrote, so it is the same on every run and
    keeps a table cell's or a paragraph's lines together; image blocks are skipped.
    """
    return [span for page in doc for span in page_spans_of(page)]


def page_spans_of(page: pymupdf.Page) -> list[records.TextSpan]:
    """One page's TextSpans (see `page_spans`)."""
    spans: list[records.TextSpan] = []
    # get_text("blocks") rebuilt from its "dict" form (same flags, same text): "blocks" leaks a
    # string per block in PyMuPDF 2.0 (pymupdf/PyMuPDF#5067), so a worker grew with every page.
    for block in page_text(page, "dict")["blocks"]:  # TEXTFLAGS_BLOCKS is TEXTFLAGS_TEXT
        if block["type"] != 0:
            continue
        lines = ("".join(span["text"] for span in line["spans"]) for line in block["lines"])
        text = "\n".join(lines).rstrip("\n")
        if text.strip():
            spans.append(records.TextSpan(page=page.number + 1, text=text))
    return spans


def _warnings() -> str:
    return _one_line(pymupdf.TOOLS.mupdf_warnings())


def _one_line(value) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 200 else text[:197] + "..."
