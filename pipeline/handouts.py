"""Slides printed several to a page (handouts, n-up) read as one slide each.

A handout page — PowerPoint's or a browser's handout printing, `pdfjam --nup`, PyMuPDF's
`page.show_pdf_page` — draws each slide as a Form XObject, scaled down into its place on the page.
Read as one page, the extractors would see two slides' titles and tables mixed. So before anything
reads the pages, `split_handouts` finds such pages and gives a derived document in which each slide
is a page of its own, at the slide's own size and upright (the Form drawn unscaled, turned so its
text reads left to right: the slide rules — title sizes, table geometry — work as on a full-size
deck), and a `PageMap` back to the real file. After extraction, `PageMap.restore` puts every
record's page numbers back to the handout's (1-based) and every provenance box into the handout
page's coordinates (PDF points, upright, origin top-left), through the placement's transformation
and the turn.

The rule (`HandoutSettings`): a page is n-up when its content stream draws at least `min_slides`
Form XObjects of similar size and aspect ratio (`size_tolerance`), each scaled down (below
`max_scale`), lying on the page (`min_on_page`), not overlapping (`max_overlap`), together holding
the page's text (`min_text_share` of its glyphs; a header or footer — text wholly above the
topmost slide or below the lowest, within `band_share` of the page's height from its edge — does
not count) and covering `min_area_share` of the box holding them and that text and
`min_page_share` of the page. Smaller forms beside the slides (a logo) are not slides and do not
count, nor are Forms showing the same content under different boxes (pieces of one page, e.g. its
two halves). When some page is n-up, the document's other pages are looked at again: Forms of the
size and scale of a slide found there are slides, however few and however little of the page
they cover (a last page partly filled, a lone last slide). The slides are read in rows, top to
bottom, each row left to right, each turned so that most of its text reads left to right. Text
outside the slides (a handout header) is not read. A page without clip boxes of similar size,
apart and holding its text — nearly every page — costs a look at the clip boxes the page model
reads anyway; only the others have their resources and content stream read.

Not detected: slides drawn inline (no Form XObject), even inside a frame of slide shape; slides
drawn through a Form that wraps the whole page (only the page's own content stream is read).
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import pymupdf

from . import pdf, records
from .settings import Settings


@dataclass(frozen=True)
class HandoutSettings(Settings):
    """What makes a page n-up. Shares are 0–1; sizes compare the placements on the page."""

    min_slides: int = 2  # Form XObjects a page draws at least to be a handout
    max_scale: float = 1.0  # a slide is drawn smaller than this (linear scale of its Form)
    # Slides are the placements whose width and height are within this share of the largest's;
    # on the document's other pages, placements within it of a slide found (size and scale).
    size_tolerance: float = 0.1
    max_overlap: float = 0.02  # share of the smaller of two slides' area they may share
    min_on_page: float = 0.9  # share of a slide's area that lies on the page
    min_text_share: float = 0.9  # share of the page's glyphs (header and footer aside) the slides hold
    # A handout's header and footer: text wholly above the topmost slide or below the lowest,
    # within this share of the page's height from its top or bottom edge.
    band_share: float = 0.1
    # Share of the box holding the slides and the page's text (header and footer aside) the slides
    # cover together (photos or logos beside a page's text do not) ...
    min_area_share: float = 0.2
    min_page_share: float = 0.1  # ... and of the whole page
    # Slides whose tops differ by less than this share of their height stand in one row.
    row_share: float = 0.5


SETTINGS = HandoutSettings()


# --- where Form XObjects are drawn ------------------------------------------------------------

@dataclass(frozen=True)
class Placement:
    """One Form XObject drawn by a page's content stream. `bbox` is the Form's /BBox (form space,
    PDF points); `to_page` maps form space to the page's upright space (the page model's: PDF
    points, y down, /Rotate applied), `to_unrotated` to its unrotated space (where the text trace
    lies); `rect` is the Form's box on the upright page."""

    name: str
    xref: int
    bbox: pymupdf.Rect
    matrix: pymupdf.Matrix  # the Form's own /Matrix
    to_unrotated: pymupdf.Matrix
    to_page: pymupdf.Matrix

    @property
    def rect(self) -> pymupdf.Rect:
        return self.bbox * self.to_page

    @property
    def scale(self) -> float:
        """The linear scale the slide is drawn at (1: its own size)."""
        m = self.to_page
        return abs(m.a * m.d - m.b * m.c) ** 0.5


class _FormsDrawn(pymupdf.mupdf.PdfProcessor2):
    """A processor for MuPDF's content-stream interpreter (`pdf_process_contents`) that only
    follows the graphics state stack and the CTM, and notes each Form XObject drawn. MuPDF does
    the parsing (strings, inline images, marked content, broken streams); nothing is drawn."""

    def __init__(self):
        super().__init__()
        self.use_virtual_op_q()
        self.use_virtual_op_Q()
        self.use_virtual_op_cm()
        self.use_virtual_op_Do_form()
        self.ctm, self.stack = pymupdf.Matrix(1, 0, 0, 1, 0, 0), []
        self.drawn: list[tuple[str, int, pymupdf.Matrix]] = []

    def op_q(self, *_ctx):
        self.stack.append(self.ctm)

    def op_Q(self, *_ctx):
        self.ctm = self.stack.pop() if self.stack else self.ctm

    def op_cm(self, *args):  # (context,) a, b, c, d, e, f
        self.ctm = pymupdf.Matrix(*args[-6:]) * self.ctm

    def op_Do_form(self, *args):  # (context,) name, the Form (a low-level pdf_obj)
        name, form = args[-2], args[-1]
        self.drawn.append((name, pymupdf.mupdf.ll_pdf_to_num(form), pymupdf.Matrix(self.ctm)))


def _forms_drawn(pdf_doc, resources, contents) -> list[tuple[str, int, pymupdf.Matrix]]:
    """(name, xref, CTM) of every Form XObject a content stream (a page's, or a Form's: `contents`)
    draws with `resources`, in drawing order; [] when MuPDF cannot follow it to its end."""
    mupdf = pymupdf.mupdf
    processor = _FormsDrawn()
    try:
        mupdf.pdf_process_contents(processor, pdf_doc, resources, contents, mupdf.FzCookie())
    except mupdf.FzErrorBase:  # a stream MuPDF cannot follow to its end: no evidence of slides
        return []
    return processor.drawn


def drawn_forms(page: pymupdf.Page) -> list[tuple[str, int, pymupdf.Matrix]]:
    """(name, xref, CTM) of every Form XObject the page's own content stream draws, in drawing
    order; the CTM is in PDF user space (y up). Images, and Forms a Form draws, are not listed."""
    mupdf = pymupdf.mupdf
    pdf_page = mupdf.pdf_page_from_fz_page(page.this)
    return _forms_drawn(pdf_page.doc(), mupdf.pdf_page_resources(pdf_page), mupdf.pdf_page_contents(pdf_page))


def _pdf_array(doc: pymupdf.Document, xref: int, key: str) -> tuple[float, ...] | None:
    """An array of numbers under `key` of object `xref`, None when absent or not numbers."""
    kind, value = doc.xref_get_key(xref, key)
    if kind != "array":
        return None
    try:
        return tuple(float(v) for v in value.strip("[]").split())
    except ValueError:
        return None


def _form_box(doc: pymupdf.Document, xref: int) -> pymupdf.Rect | None:
    """A Form's /BBox, None when it has none."""
    bbox = _pdf_array(doc, xref, "BBox") if xref > 0 else None
    return pymupdf.Rect(bbox) if bbox is not None and len(bbox) == 4 else None


def _form_matrix(doc: pymupdf.Document, xref: int) -> pymupdf.Matrix:
    """A Form's /Matrix (identity when it has none)."""
    matrix = _pdf_array(doc, xref, "Matrix")
    return pymupdf.Matrix(*matrix) if matrix and len(matrix) == 6 else pymupdf.Matrix(1, 0, 0, 1, 0, 0)


def form_placements(page: pymupdf.Page) -> list[Placement]:
    """The Form XObjects the page's own content stream draws, in drawing order (a Form drawn twice
    is two placements)."""
    doc = page.parent
    to_mupdf, rotation = page.transformation_matrix, page.rotation_matrix
    out = []
    for name, xref, ctm in drawn_forms(page):
        bbox = _form_box(doc, xref)
        if bbox is None:
            continue
        matrix = _form_matrix(doc, xref)
        to_unrotated = matrix * ctm * to_mupdf
        out.append(Placement(name, xref, bbox, matrix, to_unrotated, to_unrotated * rotation))
    return out


# --- what a Form shows: pieces of one page are not slides ---------------------------------------

# What a wrapper's resources may hold besides the one Form it draws: nothing that draws by itself.
_WRAPPER_RESOURCES = {"XObject", "ExtGState", "ProcSet"}


def _wrapped(doc: pymupdf.Document, xref: int) -> tuple[int, pymupdf.Matrix] | None:
    """The Form a wrapper Form draws, and the matrix from that Form's /BBox space to the wrapper's;
    None for any other Form. A wrapper (PyMuPDF's `show_pdf_page` makes one per placement, its
    /BBox the clip) has one XObject in its resources, no fonts, images or shadings, and draws it
    once."""
    mupdf = pymupdf.mupdf
    pdf_doc = mupdf.pdf_document_from_fz_document(doc.this)
    form = mupdf.pdf_new_indirect(pdf_doc, xref, 0)
    resources = mupdf.pdf_dict_gets(form, "Resources")
    keys = {mupdf.pdf_to_name(mupdf.pdf_dict_get_key(resources, i))
            for i in range(mupdf.pdf_dict_len(resources))}
    if not keys <= _WRAPPER_RESOURCES or mupdf.pdf_dict_len(mupdf.pdf_dict_gets(resources, "XObject")) != 1:
        return None
    drawn = _forms_drawn(pdf_doc, resources, form)
    if len(drawn) != 1 or drawn[0][1] <= 0:
        return None
    _name, inner, ctm = drawn[0]
    return inner, _form_matrix(doc, inner) * ctm


def _shown(doc: pymupdf.Document, xref: int) -> tuple[tuple, tuple[float, ...]]:
    """What a Form shows: a key for its content — the same for the same Form, for Forms with
    identical content streams and resources, and for wrappers of such Forms (followed inwards) —
    and the box of that content shown (its clips: the /BBoxes, in the innermost Form's space,
    to 0.1 pt)."""
    box = _form_box(doc, xref) or pymupdf.Rect()
    seen = {xref}
    while (wrapped := _wrapped(doc, xref)) is not None and wrapped[0] not in seen:
        inner, matrix = wrapped
        inner_box = _form_box(doc, inner)
        if inner_box is None or abs(matrix.a * matrix.d - matrix.b * matrix.c) < 1e-9:
            break
        box, xref = (box * ~matrix) & inner_box, inner
        seen.add(xref)
    content = hashlib.sha1(doc.xref_stream_raw(xref) or b"").hexdigest()
    return (content, doc.xref_get_key(xref, "Resources")), tuple(round(v, 1) for v in box)


def _without_pieces(placed: list[Placement], doc: pymupdf.Document) -> list[Placement]:
    """The placements that are not pieces of one page: Forms showing the same content under
    different boxes (a page drawn as its left and right halves) are none of them a slide; the same
    content under the same box (the same slide printed twice) stays."""
    shown = {xref: _shown(doc, xref) for xref in {p.xref for p in placed}}
    boxes: dict[tuple, set] = {}
    for key, box in shown.values():
        boxes.setdefault(key, set()).add(box)
    return [p for p in placed if len(boxes[shown[p.xref][0]]) == 1]


# --- which placements are slides ------------------------------------------------------------

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points


@dataclass(frozen=True)
class SlideShape:
    """A slide found on an n-up page: its size on the page (upright, points) and its scale."""

    width: float
    height: float
    scale: float


def slide_placements(page: pymupdf.Page, settings: HandoutSettings = SETTINGS) -> list[Placement]:
    """The slides of an n-up page in reading order (rows top to bottom, each left to right); []
    when the page is not n-up (see the module's rule)."""
    if not _may_be_n_up(page, settings):  # nearly every page: nothing more to look at
        return []
    placed = form_placements(page)
    if len(placed) < settings.min_slides:
        return []
    placed = _without_pieces(placed, page.parent)
    if len(placed) < settings.min_slides:
        return []
    slides = _similar_to_largest(placed, settings)
    if len(slides) < settings.min_slides or not all(
            p.scale < settings.max_scale and _on_page(p, page) >= settings.min_on_page for p in slides):
        return []
    boxes = [tuple(p.bbox * p.to_unrotated) for p in slides]
    if not _slides_like(boxes, page, settings):
        return []
    return reading_order(slides, settings)


def matching_placements(page: pymupdf.Page, shapes: list[SlideShape],
                        settings: HandoutSettings = SETTINGS) -> list[Placement]:
    """The slides of a page of a handout whose other pages are n-up, in reading order: the
    placements of the size and scale of a slide found there (`size_tolerance`), on the page, apart
    and holding the page's text, however few (a last page only partly filled, a lone last slide)
    and however little of the page they cover; [] when there are none."""
    if not shapes or not _may_hold(page, shapes, settings):
        return []
    placed = [p for p in form_placements(page) if _of_shape(p, shapes, settings)]
    slides = [p for p in _without_pieces(placed, page.parent)
              if p.scale < settings.max_scale and _on_page(p, page) >= settings.min_on_page]
    boxes = [tuple(p.bbox * p.to_unrotated) for p in slides]
    if not slides or not _slides_like(boxes, page, settings, fill=False):
        return []
    return reading_order(slides, settings)


def _of_shape(p: Placement, shapes: list[SlideShape], s: HandoutSettings) -> bool:
    """Whether a placement has the size (upright) and scale of one of `shapes`."""
    rect, tol = p.rect, s.size_tolerance
    return any(_similar((0, 0, rect.width, rect.height), (0, 0, k.width, k.height), s)
               and abs(p.scale - k.scale) <= tol * k.scale for k in shapes)


def _may_hold(page: pymupdf.Page, shapes: list[SlideShape], s: HandoutSettings) -> bool:
    """Whether some clip box of the page (unrotated, either way round) has the size of one of
    `shapes`: the cheap look before a page's content stream is read (see `_may_be_n_up`)."""
    from .extract.layout import page_clips

    sizes = [(0, 0, k.width, k.height) for k in shapes] + [(0, 0, k.height, k.width) for k in shapes]
    return any(_similar((0, 0, r.width, r.height), size, s) for r in page_clips(page) for size in sizes)


def _slides_like(boxes: list[Box], page: pymupdf.Page, s: HandoutSettings, fill: bool = True) -> bool:
    """Whether boxes (unrotated page space) could be a handout's slides: apart and holding
    `min_text_share` of the page's text (its header and footer aside); with `fill`, at least
    `min_slides` of them, covering `min_area_share` of the box holding them and that text and
    `min_page_share` of the page."""
    if len(boxes) < (s.min_slides if fill else 1) or any(
            _overlap_share(a, b) > s.max_overlap for i, a in enumerate(boxes) for b in boxes[i + 1:]):
        return False
    share, content = _text_share(page, boxes, s)
    if share < s.min_text_share:
        return False
    area = sum(map(_area, boxes))
    return not fill or (area >= s.min_area_share * _area(content)
                        and area >= s.min_page_share * page.rect.get_area())


def _may_be_n_up(page: pymupdf.Page, s: HandoutSettings) -> bool:
    """Whether some of the page's clip boxes of similar size could be its slides (`_slides_like`):
    MuPDF clips every Form XObject to its box. The clip boxes come with the page's drawings, which
    the page model reads anyway (`layout.page_clips`, made once per page), and the text from the
    text page the classifier built, so this costs next to nothing; only a page passing it has its
    resources and content stream read."""
    from .extract.layout import page_clips

    boxes = sorted({tuple(round(v, 1) for v in r) for r in page_clips(page)}, key=_area)
    for i, a in enumerate(boxes):
        similar = [a]
        for b in boxes[i + 1:]:
            if _area(b) > _area(a) * (1 + s.size_tolerance) ** 2:
                break  # sorted by area: none further is similar to `a`
            if _similar(a, b, s) and all(_overlap_share(b, c) <= s.max_overlap for c in similar):
                similar.append(b)
        if len(similar) >= s.min_slides and _slides_like(similar, page, s):
            return True
    return False


def _area(b: Box) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _similar(a: Box, b: Box, s: HandoutSettings) -> bool:
    """Widths and heights within `size_tolerance` of the larger one's."""
    wa, ha, wb, hb = a[2] - a[0], a[3] - a[1], b[2] - b[0], b[3] - b[1]
    return abs(wa - wb) <= s.size_tolerance * max(wa, wb) and abs(ha - hb) <= s.size_tolerance * max(ha, hb)


def _overlap_share(a: Box, b: Box) -> float:
    """The area two boxes share, as a share of the smaller one's (1 for an empty box)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    smaller = min(_area(a), _area(b))
    if smaller <= 0:
        return 1.0
    return max(0.0, w) * max(0.0, h) / smaller


def _text_share(page: pymupdf.Page, boxes: list[Box], s: HandoutSettings) -> tuple[float, Box]:
    """Share of the page's characters (by their word's centre; unrotated page space, as MuPDF's
    text page gives words) inside some box, 0 for a page without text; and the box holding the
    boxes and the text counted. Text wholly above the topmost box or below the lowest, within
    `band_share` of the page's height from its top or bottom edge (upright), is a header or footer:
    not counted."""
    turn = page.rotation_matrix if page.rotation else None
    upright = [pymupdf.Rect(b) * turn for b in boxes] if turn else [pymupdf.Rect(b) for b in boxes]
    band = s.band_share * page.rect.height
    head = min(min(r.y0 for r in upright), band)
    foot = max(max(r.y1 for r in upright), page.rect.height - band)
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    total = held = 0
    for wx0, wy0, wx1, wy1, text, *_ in pdf.page_text(page, "words"):
        cx, cy = (wx0 + wx1) / 2, (wy0 + wy1) / 2
        if any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes):
            held += len(text)
        else:
            top, bottom = wy0, wy1
            if turn:
                word = pymupdf.Rect(wx0, wy0, wx1, wy1) * turn
                top, bottom = word.y0, word.y1
            if bottom <= head or top >= foot:
                continue  # a header or footer
            x0, y0, x1, y1 = min(x0, wx0), min(y0, wy0), max(x1, wx1), max(y1, wy1)
        total += len(text)
    return (held / total if total else 0.0), (x0, y0, x1, y1)


def _similar_to_largest(placed: list[Placement], s: HandoutSettings) -> list[Placement]:
    """The placements as wide and high as the largest one, within `size_tolerance`."""
    largest = tuple(max(placed, key=lambda p: p.rect.get_area()).rect)
    return [p for p in placed if _similar(tuple(p.rect), largest, s)]


def _on_page(p: Placement, page: pymupdf.Page) -> float:
    """Share of the placement's area on the page (0–1)."""
    rect = p.rect
    area = rect.get_area()
    return (rect & page.rect).get_area() / area if area > 0 else 0.0


def reading_order(slides: list[Placement], settings: HandoutSettings = SETTINGS) -> list[Placement]:
    """Rows top to bottom (tops within `row_share` of the lowest slide's height), each left to right."""
    from .extract.layout import cluster

    tolerance = settings.row_share * min(p.rect.height for p in slides)
    rows = cluster(slides, key=lambda p: p.rect.y0, tolerance=tolerance)
    return [p for row in rows for p in sorted(row, key=lambda p: p.rect.x0)]


# --- the derived document and the way back ----------------------------------------------------

@dataclass
class PageMap:
    """Per page of the derived document (0-based): the handout's page number (1-based) and the
    transformation from the derived page's space to the handout page's upright space (None: the
    page itself, unchanged)."""

    origins: list[tuple[int, pymupdf.Matrix | None]] = field(default_factory=list)

    def page(self, number: int | None) -> int | None:
        """The handout's page number (1-based) of derived page `number` (1-based)."""
        if number is None or not 1 <= number <= len(self.origins):
            return number
        return self.origins[number - 1][0]

    def box(self, number: int, bbox: list[float]) -> list[float]:
        """A box (x0, y0, x1, y1, PDF points) on derived page `number` in the handout page's
        upright coordinates, rounded to 0.01 pt as provenance gives them."""
        if not 1 <= number <= len(self.origins) or self.origins[number - 1][1] is None:
            return bbox
        rect = pymupdf.Rect(bbox) * self.origins[number - 1][1]
        return [round(v, 2) for v in (rect.x0, rect.y0, rect.x1, rect.y1)]

    def restore(self, parsed: records.Parsed, spans: list[records.TextSpan]) -> None:
        """Put the handout's page numbers and coordinates into every record, in place."""
        page = self.page
        for project in parsed.projects:
            project.pages = list(dict.fromkeys(page(p) for p in project.pages))
            for place in project.japan + project.partners:
                place.page = page(place.page)
            for box in project.boxes:
                box.bbox = self.box(box.page, box.bbox)
                box.page = page(box.page)
        for pair in parsed.pairs:
            pair.page = page(pair.page)
            pair.japan.page, pair.partner.page = page(pair.japan.page), page(pair.partner.page)
        for jcm in parsed.jcm:
            jcm.page = page(jcm.page)
            for place in (jcm.japan, jcm.partner):
                if place is not None:
                    place.page = page(place.page)
        for note in parsed.notes:
            note.page = page(note.page)
        for span in spans:
            span.page = page(span.page)


_SLIDE_NAME = "C2CSlide"


def _number(v: float) -> str:
    """A PDF number (no exponent), precise enough that a slide's coordinates come out unchanged."""
    text = f"{v:.9f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _turn(page: pymupdf.Page, p: Placement) -> int:
    """The turn (degrees anticlockwise, a multiple of 90) that makes the slide's text read left to
    right in its Form's own space: the direction most of its characters run in there (MuPDF's
    lines inside the placement, their direction taken back through the placement's matrix). A
    Form drawn turned by its matrix (pdfjam puts a turned page's /Rotate there) comes out upright;
    one whose own content is upright stays as it is, however the handout turns it. 0 for a slide
    without text."""
    box = pymupdf.Rect(p.bbox * p.to_unrotated)
    back = ~p.to_unrotated
    chars: dict[int, int] = {}
    for block in pdf.page_text(page, "dict")["blocks"]:
        if block["type"] != 0:
            continue
        for line in block["lines"]:
            x0, y0, x1, y1 = line["bbox"]
            if not box.contains(pymupdf.Point((x0 + x1) / 2, (y0 + y1) / 2)):
                continue
            dx, dy = line["dir"]  # unrotated page space, y down
            fx, fy = dx * back.a + dy * back.c, dx * back.b + dy * back.d  # form space, y up
            quarter = round(math.degrees(math.atan2(fy, fx)) / 90) % 4
            chars[quarter] = chars.get(quarter, 0) + sum(len(span["text"]) for span in line["spans"])
    if not chars:
        return 0
    return (-90 * max(sorted(chars), key=chars.get)) % 360


def _add_slide_page(derived: pymupdf.Document, p: Placement, turn: int = 0) -> pymupdf.Matrix:
    """Append to `derived` a page of the slide's own size that draws only the slide's Form
    (unscaled, in its own space turned by `turn` degrees anticlockwise); returns the
    transformation from that page's space to the handout page's upright space."""
    b = p.bbox
    # form space → the page's PDF space: the /BBox's corner at the origin, then turned
    place = pymupdf.Matrix(1, 0, 0, 1, -b.x0, -b.y0) * pymupdf.Matrix(turn)
    placed = pymupdf.Rect(b) * place
    place = place * pymupdf.Matrix(1, 0, 0, 1, -placed.x0, -placed.y0)
    width, height = placed.width, placed.height
    page = derived.new_page(width=width, height=height)
    draw = ~p.matrix * place  # the Form's /Matrix is applied by Do: undo it
    contents = f"q {' '.join(_number(v) for v in draw)} cm /{_SLIDE_NAME} Do Q".encode()
    stream = derived.get_new_xref()
    derived.update_object(stream, "<<>>")
    derived.update_stream(stream, contents)
    derived.xref_set_key(page.xref, "Resources", f"<</XObject<</{_SLIDE_NAME} {p.xref} 0 R>>>>")
    derived.xref_set_key(page.xref, "Contents", f"{stream} 0 R")
    # derived page (y down) → its PDF space (y up) → form space → handout page, upright
    flip = pymupdf.Matrix(1, 0, 0, -1, 0, height)
    return flip * ~place * p.to_page


def split_handouts(doc: pymupdf.Document, settings: HandoutSettings = SETTINGS
                   ) -> tuple[pymupdf.Document, PageMap] | None:
    """A derived document in which each slide of an n-up page is a page of its own (other pages
    unchanged, in order) and its map back to `doc`; None when no page is n-up (`doc` is read as it
    is). When some page is n-up, the others are looked at again for slides of the same size and
    scale (`matching_placements`). The caller closes the derived document."""
    slides_of = {}
    for page in doc:
        found = slide_placements(page, settings)
        if found:
            slides_of[page.number] = found
    if not slides_of:
        return None
    shapes = list({SlideShape(round(p.rect.width, 1), round(p.rect.height, 1), round(p.scale, 4)): None
                   for found in slides_of.values() for p in found})
    for page in doc:
        if page.number not in slides_of:
            found = matching_placements(page, shapes, settings)
            if found:
                slides_of[page.number] = found
    # A copy made from the document's current objects (a font's repaired character map included):
    # the same object numbers, so a placement's Form is the copy's object of the same number.
    derived = pymupdf.open("pdf", doc.tobytes())
    forms = {p.xref for found in slides_of.values() for p in found}
    if derived.needs_pass or derived.page_count != doc.page_count or any(
            derived.xref_get_key(xref, "Subtype") != ("name", "/Form") for xref in forms):
        derived.close()  # not a faithful copy (cannot happen with MuPDF's writer): read the pages as they are
        return None
    order, origins = [], []
    for number in range(doc.page_count):
        if number not in slides_of:
            order.append(number)
            origins.append((number + 1, None))
            continue
        for p in slides_of[number]:
            back = _add_slide_page(derived, p, _turn(doc[number], p))
            order.append(derived.page_count - 1)
            origins.append((number + 1, back))
    derived.select(order)
    return derived, PageMap(origins)
