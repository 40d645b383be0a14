"""The page model every extractor reads: what a reader sees on a page, in upright coordinates and
in reading order, built in small steps whose results are plain data you can print and test.

    chars = visible_chars(page)          # drawn glyphs a reader can see, each once
    lines = text_lines(chars)            # words and lines in both writing directions
    order = reading_order(lines)         # blocks from white space: columns, then top to bottom
    rules, boxes = ruling_lines(page), filled_boxes(page)
    tables = table_cells(rules)          # cells with their row and column spans

`page_layout(page)` runs them all once per page and keeps the result for every reader of that page.

Where the data comes from: PyMuPDF's `page.get_texttrace()` (every glyph as drawn, with its colour,
render mode, opacity and drawing sequence number, after the content stream's and any Form XObject's
transformation) and `page.get_drawings()` (vector paths with the same sequence numbers). Both are
in unrotated page space; everything here is turned upright with `page.rotation_matrix`, so a
`/Rotate 90` page reads like the landscape page it shows. Units are PDF points, y growing down.

Content-stream order is never used for reading order: producers write text in any order (drawn
pamphlets scramble it), so order comes from geometry alone. All tolerances live in `LayoutSettings`,
relative to the font size where that is what they mean; `cluster` is the one helper that decides
"same row" and "same column".
"""
from __future__ import annotations

import bisect
import functools
import operator
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence, TypeVar

import pymupdf

from normalizers.text import ANY_RADICAL_GLYPH, glyph_text
from pipeline import pdf, records
from pipeline.extract.pagememo import per_page
from pipeline.settings import Settings

T = TypeVar("T")


@dataclass(frozen=True)
class LayoutSettings(Settings):
    """Tolerances of the page model. Those named `..._em` are in font sizes of the text concerned;
    the others are in PDF points or 0–1 colour units."""

    # A second copy of a glyph within this share of the glyph's own width/height (fake bold drawn
    # 0.3 pt to the right, a drop shadow 1.2 pt off) is the same glyph drawn again.
    duplicate_offset: float = 0.35
    # A glyph whose colour is within this distance (per RGB channel, 0–1) of what is painted under
    # it cannot be seen (white on white).
    colour_tolerance: float = 0.06
    # Baselines this close are one row of text.
    row_em: float = 0.3
    # Horizontal white space wider than this ends a line (a table cell, a tab stop, a column).
    line_gap_em: float = 0.5
    # White space between two characters this wide reads as a space.
    space_em: float = 0.15
    # Between Japanese characters, white space this wide is a wide space (U+3000): a tab stop.
    wide_space_em: float = 0.5
    # Upright glyphs stacked one under another with at most this much space between are one
    # vertical (縦書き) line.
    stack_gap_em: float = 0.6
    # A vertical strip of white space at least this wide, from top to bottom of a region, parts columns.
    column_gap_em: float = 1.0
    # Columns both at least this wide are text columns even when their lines share rows; narrower
    # pieces whose lines share rows are the cells of a table row and stay together.
    min_column_width_em: float = 10.0
    # A horizontal strip of white space at least this high parts blocks (paragraphs, list entries).
    block_gap_em: float = 0.7
    # Ruling lines: thinner than this (pt) a filled rectangle is a rule; rules this close (pt) are one.
    rule_thickness: float = 2.0
    snap: float = 1.5
    # A band thinner than this (pt) between two rules is a double line, not a row.
    min_row: float = 4.0
    # Text of this opacity (0–1) or less cannot be seen; a fill of `opaque` or more hides what is under it.
    invisible_opacity: float = 0.01
    opaque: float = 0.99
    # Duplicate glyphs: a glyph's box counts at least this many font sizes wide and high; copies
    # differ in size by at most `duplicate_size_share` of it; the lookup grid is never finer than
    # `min_grid_cell` points.
    min_glyph_em: float = 0.2
    duplicate_size_share: float = 0.15
    min_grid_cell: float = 1.0
    # Neighbouring glyphs whose sizes differ less than this (pt) may share a span.
    span_size_tolerance: float = 0.05
    # Vertical stacks: a glyph may overlap the one above by this many font sizes, must be within
    # `stack_size_tolerance` pt of its size, and a stack holds at least `min_stack_glyphs`.
    stack_overlap_em: float = 0.2
    stack_size_tolerance: float = 0.5
    min_stack_glyphs: int = 2
    # Two lines stand on one row when they overlap by more than this share of the lower one's height;
    # two narrow regions whose lines share at least `table_row_share` of their rows are one table.
    row_overlap: float = 0.5
    table_row_share: float = 0.5

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> "LayoutSettings":
        """Same as `from_dict`: unknown keys raise ValueError naming them (a typo fails loudly)."""
        return cls.from_dict(values)


DEFAULT = LayoutSettings()


# --- the one clustering helper ------------------------------------------------------------------

def cluster(items: Iterable[T], key: Callable[[T], float],
            tolerance: float | Callable[[T], float]) -> list[list[T]]:
    """Items grouped by `key`: sorted by it, a new group starts where the key jumps by more than the
    tolerance (a number, or a function of the item that starts the jump). Groups in key order.
    This decides "same row" (key: baseline or top) and "same column" (key: x) for every module."""
    items = list(items)
    keys = list(map(key, items))
    tolerances = list(map(tolerance, items)) if callable(tolerance) else [tolerance] * len(items)
    groups: list[list[T]] = []
    last = 0.0
    for i in sorted(range(len(items)), key=keys.__getitem__):  # stable: ties keep their order
        k = keys[i]
        if groups and k - last <= tolerances[i]:
            groups[-1].append(items[i])
        else:
            groups.append([items[i]])
        last = k
    return groups


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    """Length of the overlap of [a0, a1] and [b0, b1] (0 when apart)."""
    return max(0.0, min(a1, b1) - max(a0, b0))


# --- step 1: visible characters -----------------------------------------------------------------

@dataclass(slots=True)
class Char:
    """One glyph as a reader sees it. Box in upright page points; `direction` is the unit vector the
    text advances along (1, 0) for ordinary lines, (0, -1) for text rotated 90° to read upwards."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    baseline: float
    size: float
    font: str
    colour: tuple[float, float, float]
    bold: bool
    direction: tuple[float, float]
    seqno: int
    rgb: int = 0  # the colour as 0xRRGGBB
    origin: tuple = (0.0, 0.0)  # the glyph's origin in unrotated page space, as PyMuPDF gives it

    @property
    def key(self) -> tuple[str, float, float]:
        """(text, origin x, origin y) to 0.1 pt in unrotated page space, as other outputs place it."""
        return _glyph_key(self.text, self.origin)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def horizontal(self) -> bool:
        return abs(self.direction[1]) < 0.2 and self.direction[0] > 0


_TEXT, _BASELINE, _X0 = (operator.attrgetter(a) for a in ("text", "baseline", "x0"))


def _rgb(colour: Sequence[float] | None) -> tuple[float, float, float] | None:
    if colour is None:
        return None
    c = tuple(float(v) for v in colour)
    if len(c) == 1:
        return (c[0], c[0], c[0])
    if len(c) == 4:  # CMYK
        cc, m, y, k = c
        return (1 - min(1.0, cc + k), 1 - min(1.0, m + k), 1 - min(1.0, y + k))
    return c[:3] if len(c) >= 3 else None


# Gothic (sans) faces are how Japanese word-processor documents print "bold"; real bold flags or
# "Bold"/"W6"-style names count too.
_HEAVY = ("gothic", "goth", "sans", "bold", "heavy", "black", "meiryo", "yugo", "yu go")


@functools.lru_cache(maxsize=256)
def is_heavy_font(font: str, flags: int = 0) -> bool:
    """Whether text in this font reads as bold: the bold flag, or a heavy or Gothic face name."""
    if flags & pymupdf.TEXT_FONT_BOLD:
        return True
    name = font.lower()
    return any(w in name for w in _HEAVY) or bool(re.search(r"w[5-9]\b|-w[5-9]|hg[spm]?g", name))


@dataclass(frozen=True)
class Fill:
    """A filled area as painted: its box (upright), colour and drawing sequence number."""

    x0: float
    y0: float
    x1: float
    y1: float
    colour: tuple[float, float, float]
    opacity: float
    seqno: int


def _upright(page: pymupdf.Page):
    """Functions turning a point and a rectangle of unrotated page space upright (plain floats:
    pymupdf's Point and Rect arithmetic is slow in bulk); identity on an unrotated page."""
    m = page.rotation_matrix
    a, b, c, d, e, f = m.a, m.b, m.c, m.d, m.e, m.f
    if (a, b, c, d, e, f) == (1, 0, 0, 1, 0, 0):
        return (lambda x, y: (x, y)), (lambda x0, y0, x1, y1: (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))

    def point(x, y):
        return (x * a + y * c + e, x * b + y * d + f)

    def rect(x0, y0, x1, y1):  # the box of the turned corners (exact for multiples of 90°)
        p, q = point(x0, y0), point(x1, y1)
        return (min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1]))

    return point, rect


def filled_boxes(page: pymupdf.Page) -> list[Fill]:
    """Every filled path's bounding box (upright) within the clip path it is painted in, in drawing
    order."""
    return list(per_page(page, "fills", _filled_boxes))


def _filled_boxes(page: pymupdf.Page) -> list[Fill]:
    _point, rect = _upright(page)
    out = []
    for d in page_drawings(page):
        colour = _rgb(d.get("fill"))
        if colour is None:
            continue
        box = d["rect"]
        clip = d.get("clip_box")
        if clip is not None:  # what a clip path cuts away is not painted (a browser's border strips)
            box = pymupdf.Rect(box) & clip
            if box.is_empty:
                continue
        x0, y0, x1, y1 = rect(*box)
        opacity = d.get("fill_opacity")
        out.append(Fill(x0, y0, x1, y1, colour, 1.0 if opacity is None else opacity, d.get("seqno", 0)))
    return out


_FLAG_BOLD = pymupdf.TEXT_FONT_BOLD
_WHITE = (1.0, 1.0, 1.0)


@functools.lru_cache(maxsize=1024)
def _span_colour(colour: Sequence[float] | None, tolerance: float) -> tuple[tuple[float, float, float], int, bool]:
    """A span's colour as RGB (black when unknown), as 0xRRGGBB, and whether it is white (within
    `tolerance` on each channel); spans share few colours."""
    rgb = _rgb(colour) or (0.0, 0.0, 0.0)
    return rgb, _colour_int(rgb), all(abs(v - 1.0) <= tolerance for v in rgb)


def visible_chars(page: pymupdf.Page, settings: LayoutSettings = DEFAULT,
                  hidden_out: set | None = None) -> list[Char]:
    """The glyphs a reader can see, each once, in drawing order.

    Dropped: text in render mode 3 (invisible) or fully transparent; glyphs outside the page or cut
    away by a clip path (`clipped_glyphs`); glyphs whose colour matches what is painted under them
    (the last fill drawn before them there, else the white page); glyphs an opaque fill drawn later
    covers. `hidden_out`, when given, receives the keys (`_glyph_key`) of the glyphs dropped as
    unseen (not the collapsed copies). A glyph drawn again at a small offset (fake bold, a drop
    shadow, whatever its colour) is kept once: the copy drawn last, which is the one on top."""
    rot = page.rotation_matrix
    a, b, c, d = rot.a, rot.b, rot.c, rot.d
    upright = (a, b, c, d, rot.e, rot.f) == (1, 0, 0, 1, 0, 0)
    point, rect = _upright(page)

    width, height = page.rect.width, page.rect.height
    fills = filled_boxes(page)
    tol, opaque, invisible = settings.colour_tolerance, settings.opaque, settings.invisible_opacity
    directions: dict[tuple[float, float], tuple[float, float]] = {}
    trace = page.get_texttrace()

    def read(clipped: set) -> tuple[list[Char], list[tuple[str, tuple]]]:
        """The glyphs kept (before copies are collapsed) and those dropped, `clipped` cut away."""
        chars: list[Char] = []
        unseen: list[tuple[str, tuple]] = []  # glyphs dropped here: (text, origin in page space)
        for span in trace:
            opacity = span.get("opacity")
            if span["type"] == 3 or (opacity is not None and opacity <= invisible):
                unseen.extend((chr(uc), origin) for uc, _g, origin, _b in span["chars"])
                continue
            # `on_white`: with nothing painted near, what lies under every glyph is the white page
            colour, rgb, on_white = _span_colour(span["color"], tol)
            sb = span["bbox"] if upright else rect(*span["bbox"])
            seq = span["seqno"]
            # the fills that may lie under or over this span (few, so the per-glyph test is cheap)
            near = [f for f in fills if f.x0 <= sb[2] and f.x1 >= sb[0] and f.y0 <= sb[3] and f.y1 >= sb[1]] \
                if fills else ()
            direction = directions.get(span["dir"])
            if direction is None:
                dx, dy = span["dir"]
                direction = directions[span["dir"]] = (round(dx * a + dy * c, 3), round(dx * b + dy * d, 3))
            font, size = span["font"], span["size"]
            bold = is_heavy_font(font, span.get("flags", 0))
            if upright and not near and not on_white and not clipped \
                    and 0 <= sb[0] and sb[2] <= width and 0 <= sb[1] and sb[3] <= height:
                # The usual span: nothing painted near it, not white, wholly on the page (its box
                # is the union of its glyphs' boxes, so every glyph's centre is): every glyph is seen.
                chars.extend([Char(chr(uc), x0, y0, x1, y1, origin[1], size, font, colour, bold, direction,
                                   seq, rgb, origin) for uc, _gid, origin, (x0, y0, x1, y1) in span["chars"]])
                continue
            for uc, _gid, origin, bbox in span["chars"]:
                x0, y0, x1, y1 = bbox if upright else rect(*bbox)
                cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
                text = chr(uc)
                if not (0 <= cx <= width and 0 <= cy <= height):
                    unseen.append((text, origin))
                    continue  # outside the page: clipped away
                if clipped and origin in clipped:
                    unseen.append((text, origin))
                    continue  # cut away by a clip path
                if near:
                    under = _WHITE
                    hidden = False
                    for f in near:
                        if f.x0 <= cx <= f.x1 and f.y0 <= cy <= f.y1:
                            if f.seqno < seq and f.opacity >= opaque:
                                under = f.colour  # fills come in drawing order: the last one wins
                            elif f.seqno > seq and f.opacity >= opaque and f.x0 <= x0 and f.x1 >= x1 \
                                    and f.y0 <= y0 and f.y1 >= y1:
                                hidden = True
                    if hidden or (abs(colour[0] - under[0]) <= tol and abs(colour[1] - under[1]) <= tol
                                  and abs(colour[2] - under[2]) <= tol):
                        unseen.append((text, origin))
                        continue
                elif on_white:
                    unseen.append((text, origin))
                    continue
                baseline = origin[1] if upright else point(*origin)[1]
                chars.append(Char(text, x0, y0, x1, y1, baseline, size, font, colour, bold, direction, seq, rgb, origin))
        return chars, unseen

    # Read as if nothing were clipped; only a page where that may be wrong is read again with the
    # glyphs its clip paths cut away (the exact test costs a glyph-by-glyph form of the page).
    chars, unseen = _as_read(*read(set()))
    kept = collapse_duplicates(chars, settings)
    if _may_be_clipped(page, trace, kept):
        clipped = clipped_glyphs(page, trace)
        if clipped:
            chars, unseen = _as_read(*read(clipped))
            kept = collapse_duplicates(chars, settings)
    if hidden_out is not None and unseen:
        # a copy of a glyph collapsed below is seen (as the one on top): only what cannot be seen
        keys = {_glyph_key(text, origin) for text, origin in unseen}
        texts = {k[0] for k in keys}
        hidden_out.update(keys - {ch.key for ch in chars if ch.text in texts})
    return kept


def _as_read(chars: list[Char], unseen: list[tuple[str, tuple]]) -> tuple[list[Char], list[tuple[str, tuple]]]:
    """The glyphs with the characters a reader reads: a radical code point (⼤ for 大, as a font's
    map may give it) as its ideograph, as MuPDF's text page reads it, so that every output agrees.
    A page without one costs a join and a search."""
    if ANY_RADICAL_GLYPH.search("".join(map(_TEXT, chars))):
        for ch in chars:
            ch.text = glyph_text(ch.text)
    if unseen and ANY_RADICAL_GLYPH.search("".join(text for text, _origin in unseen)):
        unseen = [(glyph_text(text), origin) for text, origin in unseen]
    return chars, unseen


def _may_be_clipped(page: pymupdf.Page, trace: list[dict], kept: list[Char]) -> bool:
    """Whether a clip path may cut away some of `kept` (the page's visible glyphs, copies collapsed):
    only when some glyph lies outside a clip path's box, and MuPDF's text page (built with
    clipping, which drops a glyph outside the clip in force and reads a glyph drawn twice once, as
    `kept` does) holds some character fewer times than `kept`. Its plain text is built anyway (for
    the classifier), so this test is cheap; usually a picture's or a footer's clip path cuts no text
    and the glyph-by-glyph comparison of `clipped_glyphs` is never made."""
    clips = page_clips(page)
    if not clips or not _outside_some_clip(trace, clips):
        return False
    held = Counter(pdf.page_text(page))
    return any(n > held[text] for text, n in Counter(map(_TEXT, kept)).items() if not text.isspace())


def _outside_some_clip(trace: list[dict], clips: list) -> list[dict]:
    """The spans of `trace` not inside the boxes of all clip paths at once (nothing inside them can
    be cut away)."""
    ix0, iy0 = max(r.x0 for r in clips), max(r.y0 for r in clips)
    ix1, iy1 = min(r.x1 for r in clips), min(r.y1 for r in clips)
    return [sp for sp in trace if not (ix0 <= sp["bbox"][0] and sp["bbox"][2] <= ix1
                                       and iy0 <= sp["bbox"][1] and sp["bbox"][3] <= iy1)]


def clipped_glyphs(page: pymupdf.Page, trace: list[dict]) -> set[tuple[float, float]]:
    """Origins (unrotated page space, as the trace gives them) of the glyphs of `trace` (the page's
    `get_texttrace()`) that a clip path cuts away: a table cell's text running past its clipped
    edge, a text box's overflow, whatever a Form XObject's bounding box leaves out.

    The text trace ignores clipping; MuPDF's text page (`pdf.page_text`, built with TEXT_CLIP)
    drops every glyph lying wholly outside the clip in force, having followed the clip stack. So a
    glyph is clipped away when that text page lacks it and its centre lies outside some clip path's
    box. Costs nothing on a page without clip paths, and only a look at the span boxes when all text
    lies inside every clip path's box (the usual page-sized clip of office software)."""
    clips = page_clips(page)
    if not clips:
        return set()
    suspects = _outside_some_clip(trace, clips)
    if not suspects:
        return set()
    # both outputs compute a glyph's origin alike (the same floats), so it identifies the glyph
    drawn = {ch["origin"] for block in pdf.page_text(page, "rawdict")["blocks"] if block["type"] == 0
             for line in block["lines"] for span in line["spans"] for ch in span["chars"]}
    out = set()
    for sp in suspects:
        for _uc, _gid, origin, (x0, y0, x1, y1) in sp["chars"]:
            if origin in drawn:
                continue
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            if any(not (r.x0 <= cx <= r.x1 and r.y0 <= cy <= r.y1) for r in clips):
                out.add(origin)
    return out


def _glyph_key(text: str, origin) -> tuple[str, float, float]:
    """A glyph as PyMuPDF's other text outputs place it: its character and its origin (unrotated
    page space, 0.1 pt)."""
    return (text, round(origin[0], 1), round(origin[1], 1))


# Grid cells are numbered gx * _GRID_ROW + gy: more cells to a column than any page has.
_GRID_ROW = 1 << 20


def collapse_duplicates(chars: list[Char], settings: LayoutSettings = DEFAULT) -> list[Char]:
    """One glyph per place: a later copy of the same character, of about the same size, standing
    within `duplicate_offset` of the glyph's own width and height of an earlier one replaces it."""
    share, min_cell, min_em = settings.duplicate_offset, settings.min_grid_cell, settings.min_glyph_em
    size_share = settings.duplicate_size_share
    kept: list[Char | None] = []
    # text → grid cell → indexes in kept; a cell (gx, gy) is the int gx * _ROW + gy (no tuples).
    # An earlier glyph's centre is worked out again when a copy may stand near it (the same sums,
    # so the same floats): keeping every centre cost more than the few glyphs that need one.
    where: dict[str, dict[int, list[int]]] = {}
    row = _GRID_ROW
    for ch in chars:
        text = ch.text
        if text == " ":
            kept.append(ch)
            continue
        x0, y0, x1, y1, size = ch.x0, ch.y0, ch.x1, ch.y1, ch.size
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        cell = size if size > min_cell else min_cell
        fx, fy = cx / cell, cy / cell
        gx, gy = int(fx), int(fy)
        grid = where.get(text)
        if grid is None:  # the first of its character: nothing to be a copy of
            where[text] = {gx * row + gy: [len(kept)]}
            kept.append(ch)
            continue
        # a copy lies within a third of a glyph: in this grid cell or the neighbour it leans to
        nx = gx - 1 if fx - gx < 0.5 else gx + 1
        ny = gy - 1 if fy - gy < 0.5 else gy + 1
        here = gx * row + gy
        same = grid.get(here)
        c1, c2, c3 = grid.get(nx * row + gy), grid.get(gx * row + ny), grid.get(nx * row + ny)
        if same or c1 or c2 or c3:  # the same character close by
            least = min_em * size
            w = (x1 - x0 if x1 - x0 > least else least) * share
            h = (y1 - y0 if y1 - y0 > least else least) * share
            found = None
            for indexes in (same, c1, c2, c3):
                for i in indexes or ():
                    other = kept[i]
                    if other is not None and abs((other.x0 + other.x1) / 2 - cx) <= w \
                            and abs((other.y0 + other.y1) / 2 - cy) <= h \
                            and abs(other.size - size) <= size_share * size:
                        found = i
                        break
                if found is not None:
                    break
            if found is not None:
                kept[found] = None
        if same is None:
            grid[here] = [len(kept)]
        else:
            same.append(len(kept))
        kept.append(ch)
    return [ch for ch in kept if ch is not None]


# --- step 2: lines in both writing directions ------------------------------------------------------

@dataclass
class Span:
    """A run of one line's characters in one font, size and colour (colour as 0xRRGGBB)."""

    text: str
    font: str
    size: float
    color: int
    bold: bool
    bbox: tuple[float, float, float, float]


@dataclass
class Line:
    """One line of text as a reader sees it: upright box, its spans, the block (reading-order index
    of its paragraph, list entry or column piece) it belongs to. `vertical` lines read top to bottom
    (縦書き) or along rotated text."""

    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float
    spans: list[Span] = field(default_factory=list)
    block: int = 0
    vertical: bool = False
    chars: list[Char] = field(default_factory=list, repr=False)

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)

    @property
    def size(self) -> float:
        """The largest font size on the line (headings mix sizes: "海外 13カ国")."""
        cached = self.__dict__.get("_size")
        if cached is not None and cached[0] is self.spans and cached[1] == len(self.spans):
            return cached[2]
        value = max((s.size for s in self.spans if s.text.strip()), default=0.0)
        self.__dict__["_size"] = (self.spans, len(self.spans), value)
        return value

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def width(self) -> float:
        return self.x1 - self.x0


def _is_cjk(ch: str) -> bool:
    """Japanese script and full-width forms: no spaces are put between two of these."""
    return ch >= "\u2e80"


def _colour_int(c: tuple[float, float, float]) -> int:
    r, g, b = (max(0, min(255, round(v * 255))) for v in c)
    return (r << 16) | (g << 8) | b


# Fonts whose glyphs are pictures, not letters: what their text layer says is the font's own code
# (Wingdings' square bullet comes out as "§", ZapfDingbats' round one as "l").
SYMBOL_FONTS = ("wingding", "webding", "dingbat", "zapf", "symbol", "marlett")
BULLET = "・"


@functools.lru_cache(maxsize=256)
def is_symbol_font(font: str) -> bool:
    """Whether `font` (a PDF font name, a subset prefix "ABCDEF+" allowed) is a symbol or dingbat face."""
    name = font.split("+", 1)[-1].lower().replace(" ", "")
    return any(w in name for w in SYMBOL_FONTS)


def _font_code(ch: str) -> bool:
    """Whether a character is a symbol font's own code rather than what the glyph shows: ASCII and
    Latin-1 letters and marks, controls, private use, the replacement character. A symbol font that
    maps its glyphs to real symbols (●, ■, →, ×) keeps them."""
    o = ord(ch)
    return o <= 0xFF or 0xE000 <= o <= 0xF8FF or o == 0xFFFD


def symbol_bullets(chars: list[Char], settings: LayoutSettings = DEFAULT) -> None:
    """A glyph drawn in a symbol font (`is_symbol_font`) with a font code for text reads as the bullet
    ・ where a bullet stands: first on its line, or after white space. Changes `chars` in place.
    Elsewhere such a glyph is left as printed (a symbol inside a word is no bullet)."""
    if not any(map(is_symbol_font, {ch.font for ch in chars})):  # the usual line: nothing to do
        return
    prev = None
    for ch in chars:
        if not ch.text.isspace() and is_symbol_font(ch.font) and _font_code(ch.text) and (
                prev is None or prev.text.isspace() or ch.x0 - prev.x1 > settings.space_em * ch.size):
            ch.text = BULLET
        prev = ch


def _make_line(page_no: int, chars: list[Char], settings: LayoutSettings, vertical: bool = False) -> Line:
    """A line from its characters in reading order; spaces are put where the white space says so."""
    if not vertical:
        symbol_bullets(chars, settings)
    spans: list[Span] = []
    wide_em, space_em, size_tol = settings.wide_space_em, settings.space_em, settings.span_size_tolerance
    prev = None
    parts: list[str] | None = None  # the open span's text, its font, colour, size, weight and box
    font = colour = size0 = bold = None
    bx0 = by0 = bx1 = by1 = 0.0
    first = chars[0]
    lx0, ly0, lx1, ly1 = first.x0, first.y0, first.x1, first.y1
    for ch in chars:
        gap_text = ""
        text, size, x0, y0, x1, y1 = ch.text, ch.size, ch.x0, ch.y0, ch.x1, ch.y1
        if prev is not None and not vertical and text != " " and prev.text != " ":
            gap = x0 - prev.x1
            if gap > space_em * size:
                big = size if size > prev.size else prev.size
                both_cjk = text >= "\u2e80" and prev.text >= "\u2e80"
                if both_cjk and gap > wide_em * big:
                    gap_text = "\u3000"
                elif not both_cjk and gap > space_em * big:
                    gap_text = " "
        if parts is not None and font == ch.font and colour == ch.rgb and abs(size0 - size) < size_tol:
            if gap_text:
                parts.append(gap_text)
            parts.append(text)
            bx0, by0 = (bx0 if bx0 < x0 else x0), (by0 if by0 < y0 else y0)
            bx1, by1 = (bx1 if bx1 > x1 else x1), (by1 if by1 > y1 else y1)
        else:
            if parts is not None:
                if gap_text:
                    parts.append(gap_text)
                spans.append(Span("".join(parts), font, size0, colour, bold, (bx0, by0, bx1, by1)))
            parts = [text]
            font, size0, colour, bold = ch.font, size, ch.rgb, ch.bold
            bx0, by0, bx1, by1 = x0, y0, x1, y1
        lx0, ly0 = (x0 if x0 < lx0 else lx0), (y0 if y0 < ly0 else ly0)
        lx1, ly1 = (x1 if x1 > lx1 else lx1), (y1 if y1 > ly1 else ly1)
        prev = ch
    spans.append(Span("".join(parts), font, size0, colour, bold, (bx0, by0, bx1, by1)))
    return Line(page_no, lx0, ly0, lx1, ly1, spans, 0, vertical, chars)


def line_of(chars: list[Char], page_no: int, block: int = 0, settings: LayoutSettings = DEFAULT) -> Line:
    """A horizontal line made of `chars` (in reading order, a piece of a line of the page model):
    spans and spaces as `text_lines` makes them."""
    line = _make_line(page_no, chars, settings)
    line.block = block
    return line


def text_lines(chars: list[Char], page_no: int = 1, settings: LayoutSettings = DEFAULT) -> list[Line]:
    """Lines from the visible characters, not yet in reading order.

    Horizontal text: characters on one baseline (within `row_em`) form a row; a row breaks into
    lines at white space wider than `line_gap_em`. Rotated text (a country name turned 90° in a
    merged cell) is read along its own direction. Upright glyphs stacked one under another
    (縦書き, or one glyph per row in a narrow strip) become one vertical line read top to bottom."""
    flat: list[Char] = []
    turned: list[Char] = []
    horizontal: dict[tuple[float, float], bool] = {}  # Char.horizontal, per direction
    for c in chars:
        h = horizontal.get(c.direction)
        if h is None:
            h = horizontal[c.direction] = c.horizontal
        (flat if h else turned).append(c)
    lines: list[Line] = []
    row_em = settings.row_em
    rows = cluster(flat, key=_BASELINE, tolerance=lambda c: row_em * c.size)
    stacks = _vertical_stacks(rows, settings)
    stacked = {id(c) for run in stacks for c in run}
    for run in stacks:
        lines.append(_make_line(page_no, run, settings, vertical=True))
    if stacked:
        rows = [kept for row in rows if (kept := [c for c in row if id(c) not in stacked])]
    for row in rows:
        row.sort(key=lambda c: (c.x0, c.seqno))
        run: list[Char] = []
        right = 0.0
        for ch in row:
            # glyphs of one text-showing operation stay together: their spacing is the font's
            if run and ch.seqno != run[-1].seqno and ch.x0 - right > settings.line_gap_em * max(ch.size, run[-1].size):
                lines.append(_make_line(page_no, run, settings))
                run = []
            right = ch.x1 if not run or ch.x1 > right else right
            run.append(ch)
        if run:
            lines.append(_make_line(page_no, run, settings))
    lines = [ln for ln in lines if ln.text.strip()]
    # rotated text: per direction, per position across the direction, chained along it
    by_dir: dict[tuple[float, float], list[Char]] = {}
    for ch in turned:
        by_dir.setdefault(ch.direction, []).append(ch)
    for (dx, dy), group in sorted(by_dir.items()):
        across = (lambda c: c.cx) if abs(dx) < abs(dy) else (lambda c: c.cy)
        along = lambda c: c.cx * dx + c.cy * dy  # noqa: E731 - position along the reading direction
        for col in cluster(group, key=across, tolerance=lambda c: settings.row_em * c.size):
            run = []
            for ch in sorted(col, key=along):
                if run and along(ch) - along(run[-1]) > (1 + settings.line_gap_em) * ch.size:
                    lines.append(_make_line(page_no, run, settings, vertical=True))
                    run = []
                run.append(ch)
            if run and "".join(c.text for c in run).strip():
                lines.append(_make_line(page_no, run, settings, vertical=True))
    return lines


def _vertical_stacks(rows: list[list[Char]], settings: LayoutSettings) -> list[list[Char]]:
    """Runs of upright Japanese glyphs set one under another (縦書き): each glyph alone on its row
    (nothing within `space_em` to its left or right), centred on the glyph above it and at most
    `stack_gap_em` below it. Runs of two glyphs or more, top to bottom."""
    alone: list[Char] = []
    for row in rows:
        row = sorted([c for c in row if c.text != " "], key=_X0)
        for k, c in enumerate(row):
            if c.text < "\u2e80":  # not Japanese script (`_is_cjk`)
                continue
            near = settings.space_em * c.size
            if (k == 0 or c.x0 - row[k - 1].x1 > near) and (k + 1 == len(row) or row[k + 1].x0 - c.x1 > near):
                alone.append(c)
    runs = []
    for col in cluster(alone, key=lambda c: c.cx, tolerance=lambda c: settings.row_em * c.size):
        col.sort(key=lambda c: c.y0)
        run = [col[0]]
        for c in col[1:] + [None]:
            if c is not None \
                    and -settings.stack_overlap_em * c.size <= c.y0 - run[-1].y1 <= settings.stack_gap_em * c.size \
                    and abs(c.size - run[-1].size) < settings.stack_size_tolerance:
                run.append(c)
                continue
            if len(run) >= settings.min_stack_glyphs:
                runs.append(run)
            run = [c] if c is not None else []
    return runs


# --- step 3: blocks and reading order ---------------------------------------------------------------

def reading_order(lines: list[Line], settings: LayoutSettings = DEFAULT) -> list[list[Line]]:
    """Blocks in reading order, each a list of lines in reading order (recursive XY-cut).

    A region is cut into columns at vertical white space (`column_gap_em` wide, top to bottom of the
    region) unless the pieces are the cells of table rows (narrow and sharing rows); else into
    pieces at its widest horizontal white space (at least `block_gap_em` high), top to bottom. A
    region that cannot be cut is a block: its lines in rows (tops within `row_em`, the same
    clustering as everywhere), each row left to right. Stream order plays no part."""
    blocks: list[list[Line]] = []
    _cut(lines, settings, blocks)
    for k, block in enumerate(blocks):
        for ln in block:
            ln.block = k
    return blocks


def _median_size(lines: list[Line]) -> float:
    return statistics.median(ln.size or 1.0 for ln in lines)


def _gaps(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The empty stretches between merged intervals."""
    out = []
    end = None
    for a, b in sorted(intervals):
        if end is not None and a > end:
            out.append((end, a))
        end = b if end is None else max(end, b)
    return out


def _rows_shared(left: list[Line], right: list[Line], s: LayoutSettings) -> float:
    """Share of the smaller side's lines that stand on a row of the other side."""
    small, big = (left, right) if len(left) <= len(right) else (right, left)
    if not small:
        return 0.0
    hits = sum(1 for a in small if any(overlap(a.y0, a.y1, b.y0, b.y1) > s.row_overlap * min(a.height, b.height)
                                       for b in big))
    return hits / len(small)


def _cut(lines: list[Line], s: LayoutSettings, out: list[list[Line]]) -> None:
    if len(lines) <= 1:
        if lines:
            out.append(lines)
        return
    size = _median_size(lines)
    for a, b in sorted(_gaps([(ln.x0, ln.x1) for ln in lines]), key=lambda g: g[0] - g[1]):
        if b - a < s.column_gap_em * size:
            break
        at = (a + b) / 2
        left = [ln for ln in lines if ln.x1 <= at]
        right = [ln for ln in lines if ln.x0 >= at]
        wide = min(max(ln.x1 for ln in left) - min(ln.x0 for ln in left),
                   max(ln.x1 for ln in right) - min(ln.x0 for ln in right)) >= s.min_column_width_em * size
        if wide or _rows_shared(left, right, s) < s.table_row_share:
            _cut(left, s, out)
            _cut(right, s, out)
            return
    gaps = [g for g in _gaps([(ln.y0, ln.y1) for ln in lines]) if g[1] - g[0] >= s.block_gap_em * size]
    if gaps:
        a, b = max(gaps, key=lambda g: g[1] - g[0])
        at = (a + b) / 2
        _cut([ln for ln in lines if ln.y1 <= at], s, out)
        _cut([ln for ln in lines if ln.y0 >= at], s, out)
        return
    rows = cluster(lines, key=lambda ln: ln.y0, tolerance=lambda ln: s.row_em * 2 * ln.size)
    out.append([ln for row in rows for ln in sorted(row, key=lambda ln: ln.x0)])


# --- step 4: ruling lines and table cells -------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """A ruling line: horizontal (`position` is y, from `start` to `end` along x) or vertical."""

    horizontal: bool
    position: float
    start: float
    end: float


def _read_drawings(page: pymupdf.Page) -> tuple[list, list]:
    """A page's drawings and clip paths, read once per page of a document however many readers
    ask, whichever Page object they hold (get_drawings() walks the whole page; its extended form,
    which adds the clip paths, costs the same and gives the same paths)."""
    return per_page(page, "drawings", _drawings_and_clips)


def _drawings_and_clips(page: pymupdf.Page) -> tuple[list, list]:
    """(paths, clip boxes). Each path gets "clip_box": the box of the clip path it is painted in
    (its scissor, already cut to the clips around it), or None: a path paints only inside it."""
    paths, clips = [], []
    scissors: dict[int, pymupdf.Rect] = {}  # level → the box of the latest clip at that level
    for d in page.get_drawings(extended=True):
        kind = d["type"]
        if kind == "clip":
            clips.append(d["scissor"])
            scissors[d.get("level", 0)] = d["scissor"]
        elif kind != "group":
            # a path at level L is painted inside the latest clip at level L - 1
            d["clip_box"] = scissors.get(d.get("level", 0) - 1)
            paths.append(d)
    return paths, clips


def page_drawings(page: pymupdf.Page) -> list:
    """`page.get_drawings()`, read once per page (unrotated page space)."""
    return _read_drawings(page)[0]


def upright_drawings(page: pymupdf.Page) -> list:
    """`page_drawings` in the page model's upright space (the page's /Rotate applied): each
    drawing's "rect" and its items' points, rectangles and quads turned. On an unrotated page, the
    same list. Read once per page."""
    return per_page(page, "upright drawings", _upright_drawings)


def _upright_drawings(page: pymupdf.Page) -> list:
    drawings = page_drawings(page)
    m = page.rotation_matrix
    if (m.a, m.b, m.c, m.d, m.e, m.f) == (1, 0, 0, 1, 0, 0):
        return drawings
    out = []
    for d in drawings:
        turned = dict(d, rect=d["rect"] * m)  # (a box's turned corners: exact for multiples of 90°)
        items = []
        for item in d["items"]:
            kind = item[0]
            if kind in ("l", "c"):  # line, Bézier curve: points
                items.append((kind, *(p * m for p in item[1:])))
            elif kind in ("re", "qu"):  # rectangle (with its orientation), quad
                items.append((kind, item[1] * m, *item[2:]))
            else:
                items.append(item)
        turned["items"] = items
        out.append(turned)
    return out


def page_clips(page: pymupdf.Page) -> list[pymupdf.Rect]:
    """The box of every clip path on the page, in drawing order (unrotated page space): each the
    clip's own box within those it is nested in (a Form XObject's bounding box is one too)."""
    return _read_drawings(page)[1]


def ruling_lines(page: pymupdf.Page, fills: bool = False, settings: LayoutSettings = DEFAULT) -> list[Rule]:
    """Straight lines and thin rectangles as rules, and the sides of stroked rectangles; with `fills`,
    the top and bottom edges of filled rectangles count as horizontal rules too (shaded header rows
    and bands). Upright coordinates."""
    if settings is not DEFAULT:
        return _ruling_lines(page, fills, settings)
    return list(per_page(page, f"rules-{fills}", lambda p: _ruling_lines(p, fills, settings)))


def _ruling_lines(page: pymupdf.Page, fills: bool, settings: LayoutSettings) -> list[Rule]:
    point, rect = _upright(page)
    thin, snap = settings.rule_thickness, settings.snap
    out: list[Rule] = []
    for path in page_drawings(page):
        stroked = path.get("color") is not None
        for item in path["items"]:
            op = item[0]
            if op == "l":
                (px, py), (qx, qy) = point(*item[1]), point(*item[2])
                if abs(py - qy) <= snap:
                    out.append(Rule(True, (py + qy) / 2, min(px, qx), max(px, qx)))
                elif abs(px - qx) <= snap:
                    out.append(Rule(False, (px + qx) / 2, min(py, qy), max(py, qy)))
            elif op == "re":
                x0, y0, x1, y1 = rect(*item[1])
                if y1 - y0 <= thin and x1 - x0 > thin:
                    out.append(Rule(True, (y0 + y1) / 2, x0, x1))
                elif x1 - x0 <= thin and y1 - y0 > thin:
                    out.append(Rule(False, (x0 + x1) / 2, y0, y1))
                elif stroked:
                    out += [Rule(True, y0, x0, x1), Rule(True, y1, x0, x1),
                            Rule(False, x0, y0, y1), Rule(False, x1, y0, y1)]
                elif fills and path.get("fill") is not None:
                    out += [Rule(True, y0, x0, x1), Rule(True, y1, x0, x1)]
    return out


@dataclass(frozen=True)
class Cell:
    """One table cell: its box and where it sits in the table's grid (a merged cell spans several
    rows or columns)."""

    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: tuple[float, float, float, float]
    open_below: bool = False  # cut by the page's end: the merge runs on to the next page


@dataclass
class Table:
    """A ruled table: row boundaries `ys`, column boundaries `xs` (top to bottom, left to right) and
    its cells, each grid position covered by exactly one cell."""

    xs: list[float]
    ys: list[float]
    cells: list[Cell]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])

    @property
    def row_count(self) -> int:
        return len(self.ys) - 1

    @property
    def col_count(self) -> int:
        return len(self.xs) - 1

    def cell_at(self, row: int, col: int) -> Cell:
        for c in self.cells:
            if c.row <= row < c.row + c.rowspan and c.col <= col < c.col + c.colspan:
                return c
        raise KeyError((row, col))


def _snap(values: Iterable[float], snap: float) -> list[float]:
    return [sum(g) / len(g) for g in cluster(values, key=lambda v: v, tolerance=snap)]


def _coverage(rules: list[Rule], positions: list[float], snap: float) -> list[list[tuple[float, float]]]:
    """Per snapped position, the stretches its rules cover (pieces that touch joined)."""
    pieces: list[list[tuple[float, float]]] = [[] for _ in positions]
    for r in rules:
        k = bisect.bisect_left(positions, r.position - snap)
        if k < len(positions) and abs(positions[k] - r.position) <= snap:
            pieces[k].append((r.start, r.end))
    out = []
    for ps in pieces:
        merged: list[list[float]] = []
        for a, b in sorted(ps):
            if merged and a <= merged[-1][1] + snap:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        out.append([(a, b) for a, b in merged])
    return out


def _covers(stretches: list[tuple[float, float]], start: float, end: float, snap: float) -> bool:
    return any(a <= start + snap and b >= end - snap for a, b in stretches)


def _edge_drawn(walls: list[bool], j0: int, j1: int) -> bool:
    """Whether the grid's outer line `walls` is ruled beside columns j0..j1 (on either side)."""
    return (j0 > 0 and walls[j0 - 1]) or (j1 < len(walls) and walls[j1])


def table_cells(rules: list[Rule], settings: LayoutSettings = DEFAULT) -> list[Table]:
    """Tables whose every cell is closed by rules, with merged cells as spans.

    The rules' positions make a grid of squares; neighbouring squares belong to one cell when no
    rule parts them (a cell merged over three rows has no rule inside it). A cell is a rectangle of
    squares closed by rules on all four sides; cells that share sides make a table."""
    snap = settings.snap
    hs = [r for r in rules if r.horizontal]
    vs = [r for r in rules if not r.horizontal]
    if len(hs) < 2 or len(vs) < 2:
        return []
    ys = _snap((r.position for r in hs), snap)
    # a band thinner than a row between two rules is a double line: one rule
    ys = [y for k, y in enumerate(ys) if k == 0 or y - ys[k - 1] >= settings.min_row]
    xs = _snap((r.position for r in vs), snap)
    h_cov = _coverage(hs, ys, snap)
    v_cov = _coverage(vs, xs, snap)
    # A row the page's end cuts has no rule under it (or, continued at the top of the next page, none
    # above it): every column rule, the outer two included, runs on past the last (first) horizontal
    # rule to one place. That place is the table's edge.
    ends = [max((b for _a, b in cov), default=None) for cov in v_cov]
    starts = [min((a for a, _b in cov), default=None) for cov in v_cov]
    cut_edge = None
    if len(xs) >= 2 and None not in ends and min(ends) - ys[-1] >= settings.min_row \
            and max(ends) - min(ends) <= snap:
        cut_edge = min(ends)
        ys = ys + [cut_edge]
        h_cov = h_cov + [[(xs[0], xs[-1])]]
    if len(xs) >= 2 and None not in starts and ys[0] - max(starts) >= settings.min_row \
            and max(starts) - min(starts) <= snap:
        ys = [max(starts)] + ys
        h_cov = [[(xs[0], xs[-1])]] + h_cov
    nr, nc = len(ys) - 1, len(xs) - 1
    if nr < 1 or nc < 1:
        return []
    # wall_v[i][k]: a rule at xs[k] along grid row i; wall_h[k][j]: a rule at ys[k] along grid column j
    wall_v = [[_covers(v_cov[k], ys[i], ys[i + 1], snap) for k in range(nc + 1)] for i in range(nr)]
    wall_h = [[_covers(h_cov[k], xs[j], xs[j + 1], snap) for j in range(nc)] for k in range(nr + 1)]
    parent = list(range(nr * nc))

    def find(p: int) -> int:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for i in range(nr):
        for j in range(nc):
            if j + 1 < nc and not wall_v[i][j + 1]:
                parent[find(i * nc + j + 1)] = find(i * nc + j)
            if i + 1 < nr and not wall_h[i + 1][j]:
                parent[find((i + 1) * nc + j)] = find(i * nc + j)
    groups: dict[int, list[tuple[int, int]]] = {}
    for i in range(nr):
        for j in range(nc):
            groups.setdefault(find(i * nc + j), []).append((i, j))
    cells: list[Cell] = []
    for squares in groups.values():
        i0, i1 = min(p[0] for p in squares), max(p[0] for p in squares) + 1
        j0, j1 = min(p[1] for p in squares), max(p[1] for p in squares) + 1
        if len(squares) != (i1 - i0) * (j1 - j0):
            continue  # not a rectangle: white space around tables, not a cell
        # A cell that a page break cuts (a merge running on to the next page) lacks its rule on
        # the grid's outer line, where its neighbours have theirs: it is closed by the table's edge.
        cut_top = i0 == 0 and _edge_drawn(wall_h[0], j0, j1)
        cut_bottom = i1 == nr and _edge_drawn(wall_h[nr], j0, j1)
        closed = (all(wall_h[i0][j] for j in range(j0, j1)) or cut_top) \
            and (all(wall_h[i1][j] for j in range(j0, j1)) or cut_bottom) \
            and all(wall_v[i][j0] and wall_v[i][j1] for i in range(i0, i1))
        if closed and ys[i1] - ys[i0] >= settings.min_row:
            open_below = (i1 == nr and cut_edge is not None) or not all(wall_h[i1][j] for j in range(j0, j1))
            cells.append(Cell(i0, j0, i1 - i0, j1 - j0, (xs[j0], ys[i0], xs[j1], ys[i1]), open_below))
    # tables: cells that share a side
    at: dict[tuple[int, int], int] = {}
    for k, cell in enumerate(cells):
        for i in range(cell.row, cell.row + cell.rowspan):
            for j in range(cell.col, cell.col + cell.colspan):
                at[(i, j)] = k
    owner = list(range(len(cells)))

    def root(k: int) -> int:
        while owner[k] != k:
            owner[k] = owner[owner[k]]
            k = owner[k]
        return k

    for (i, j), k in at.items():
        for q in ((i + 1, j), (i, j + 1)):
            if q in at:
                owner[root(at[q])] = root(k)
    tables: dict[int, list[Cell]] = {}
    for k, cell in enumerate(cells):
        tables.setdefault(root(k), []).append(cell)
    out = []
    for group in tables.values():
        used_x = sorted({c.col for c in group} | {c.col + c.colspan for c in group})
        used_y = sorted({c.row for c in group} | {c.row + c.rowspan for c in group})
        if len(group) < 2 or sum(c.rowspan * c.colspan for c in group) != \
                (used_y[-1] - used_y[0]) * (used_x[-1] - used_x[0]):
            continue  # a lone box, or ragged: not one rectangular table
        xi = {j: k for k, j in enumerate(used_x)}
        yi = {i: k for k, i in enumerate(used_y)}
        table_cells_ = sorted((Cell(yi[c.row], xi[c.col], yi[c.row + c.rowspan] - yi[c.row],
                                    xi[c.col + c.colspan] - xi[c.col], c.bbox, c.open_below) for c in group),
                              key=lambda c: (c.row, c.col))
        out.append(Table([xs[j] for j in used_x], [ys[i] for i in used_y], table_cells_))
    out.sort(key=lambda t: (t.ys[0], t.xs[0]))
    return out


# --- the whole page ----------------------------------------------------------------------------

@dataclass
class PageLayout:
    """Everything the extractors read from one page."""

    page: int  # 1-based
    width: float
    height: float
    chars: list[Char]
    lines: list[Line]  # in reading order; `line.block` numbers the blocks
    blocks: list[list[Line]]
    hidden: frozenset = frozenset()  # glyphs a reader does not see (`_glyph_key`)

    @property
    def text(self) -> str:
        """The page's text in reading order: one line per line, a blank line between blocks."""
        return "\n\n".join("\n".join(ln.text for ln in block) for block in self.blocks)


def page_layout(page: pymupdf.Page, settings: LayoutSettings = DEFAULT) -> PageLayout:
    """The page model of `page`, built once per page of a document for the default settings (kept
    in the page memo, `pagememo`, so it goes with the document)."""
    if settings is DEFAULT:
        return per_page(page, "layout", _page_layout)
    return _page_layout(page, settings)


def _page_layout(page: pymupdf.Page, settings: LayoutSettings = DEFAULT) -> PageLayout:
    hidden: set = set()
    chars = visible_chars(page, settings, hidden)
    page_no = page.number + 1
    lines = text_lines(chars, page_no, settings)
    blocks = reading_order(lines, settings)
    return PageLayout(page_no, page.rect.width, page.rect.height, chars,
                      [ln for b in blocks for ln in b], blocks, frozenset(hidden))


def page_lines(page: pymupdf.Page) -> list[Line]:
    """The page's lines in reading order."""
    return page_layout(page).lines


def visible_spans(doc: pymupdf.Document) -> list[records.TextSpan]:
    """One TextSpan per text block (MuPDF's blocks, pages in order), without the glyphs a reader
    does not see: what place mentions are searched in. Blocks keep a table cell's or a paragraph's
    lines together, which reading-order blocks of a table row would not."""
    spans: list[records.TextSpan] = []
    for page in doc:
        hidden = page_layout(page).hidden
        if not hidden:
            spans.extend(pdf.page_spans_of(page))
            continue
        for block in pdf.page_text(page, "rawdict")["blocks"]:
            if block["type"] != 0:
                continue
            lines = ("".join(c["c"] for span in line["spans"] for c in span["chars"]
                             if _glyph_key(c["c"], c["origin"]) not in hidden) for line in block["lines"])
            text = "\n".join(ln for ln in lines if ln.strip()).rstrip("\n")
            if text.strip():
                spans.append(records.TextSpan(page=page.number + 1, text=text))
    return spans
