"""`report.html`: one self-contained page a person opens to see what the tables hold.

Charts of projects per fiscal year and per partner country, a world map of the city pairs, what the
last run added, changed and removed, and every review item with a crop of the page region it came
from. Everything is inline (SVG charts, the base map, PNG crops as data: URIs) and the page forbids
itself any network request (Content-Security-Policy), so it works offline and from an archive.

Same tables in, same bytes out, except the section on the last run's changes: an incremental and a
clean run over the same inputs differ only there.

The base map is the world-atlas package's `countries-110m.json` (TopoJSON from Natural Earth, public
domain; vendored in `pipeline/assets/world-atlas/`). Place coordinates come from the gazetteer's
`lat` / `lon` when it has them (WGS 84 degrees); a place without them is drawn at its nearest
enclosing place below country level that has them, else the pair is counted as not on the map.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import math
import multiprocessing
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from .records import row_dict
from .state import sha256_file

ASSETS = Path(__file__).resolve().parent / "assets"
WORLD_ATLAS = ASSETS / "world-atlas" / "countries-110m.json"


@dataclass(frozen=True)
class ReportSettings:
    """Sizes of the pictures in the report (pixels, PDF points, zoom factors)."""

    map_width: int = 960  # px; the height follows from the projection
    map_simplify_px: float = 0.6  # base-map points closer than this to the last kept one are dropped
    chart_width: int = 640  # px
    bar_height: int = 22  # px per bar
    crop_zoom: float = 1.5  # rendering scale of a review crop (1 = 72 dpi)
    crop_margin: float = 36.0  # PDF points of context around the located text
    crop_max_width: float = 520.0  # PDF points: a wider region is cut around the text's start
    page_zoom: float = 0.35  # a whole page, when the text cannot be located on it
    crop_version: int = 1  # part of the crop cache key: bump when the crop rules change
    # Review rows that get a picture: the first this many, in the review table's order. A report
    # of a few thousand review rows stays quick to make and to open; the rest name their page.
    max_crops: int = 200


SETTINGS = ReportSettings()

_CSS = """
body{font-family:system-ui,"Noto Sans CJK JP","Noto Sans JP",sans-serif;margin:24px auto;max-width:1000px;
color:#1b1f23;line-height:1.45}
h1{font-size:1.5em;margin-bottom:4px}h2{font-size:1.15em;margin-top:32px;border-bottom:1px solid #ccd}
.counts span{display:inline-block;margin:0 18px 8px 0}.counts b{font-size:1.4em}
.muted{color:#667}table{border-collapse:collapse;width:100%;font-size:.9em}
th{white-space:nowrap}td,th{border-bottom:1px solid #e3e6ea;padding:4px 6px;text-align:left;vertical-align:top}
.crop{position:relative;display:inline-block;border:1px solid #ccd}.crop img{display:block;max-width:520px;height:auto}
.crop .box{position:absolute;border:2px solid #e8590c;box-sizing:border-box}
svg text{font-size:12px;fill:#1b1f23}.land{fill:#dfe6ee;stroke:#fff;stroke-width:.5}
.pair{fill:none;stroke:#e8590c;stroke-opacity:.55;stroke-width:1.2}.jp{fill:#1c7ed6}.partner{fill:#e8590c}
.bar{fill:#1c7ed6}
"""


REPORT_FILE = "report.html"


def write_report(folder: Path, tables, changes: dict | None, raw: Path | None, cache: Path | None,
                 run_label: str | None = None, processes: int = 1) -> str:
    """Write `report.html` into `folder` (see `build_report`); returns its file name. Crops kept in
    `cache` that this report no longer uses are deleted."""
    used: set[str] = set()
    (folder / REPORT_FILE).write_bytes(build_report(tables, changes, raw, cache, run_label, used=used,
                                                    processes=processes))
    if cache is not None and cache.is_dir():
        for stale in cache.glob("*.json"):
            if stale.stem not in used:
                stale.unlink(missing_ok=True)
    return REPORT_FILE


def build_report(tables, changes: dict | None, raw: Path | None = None, cache: Path | None = None,
                 run_label: str | None = None, settings: ReportSettings = SETTINGS,
                 used: set[str] | None = None, processes: int = 1) -> bytes:
    """The report as UTF-8 HTML bytes.

    `tables` has list-of-dict attributes `documents`, `projects`, `city_pairs`, `jcm_projects`,
    `places`, `review` (rows as in the JSONL files). `changes` is the run's project changes
    ({added: [ids], changed: {id: [fields]}, removed: [ids]}), None when unknown. `raw` is the input
    folder the review crops are rendered from (without it, or when a PDF cannot be opened, an item
    has no picture); `cache` a folder to keep rendered crops in between runs; `processes` how many
    processes may render crops at once. Rows may be the row dataclasses of `records.py` or their
    dicts."""
    tables = SimpleNamespace(**{name: [r if isinstance(r, dict) else row_dict(r) for r in getattr(tables, name)]
                                for name in ("documents", "projects", "city_pairs", "jcm_projects", "places",
                                             "review")})
    places = {p["place_id"]: p for p in tables.places}
    parts = [
        "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
        "style-src 'unsafe-inline'\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>c2c: City-to-City Collaboration projects</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>City-to-City Collaboration for Zero Carbon Society (都市間連携事業)</h1>",
        "<p class=\"muted\">Extracted from the Ministry of the Environment's documents by c2c. The tables "
        "(CSV, JSON Lines, Parquet, SQLite) and datapackage.json are beside this file.</p>",
        _counts(tables),
        _changes(changes, run_label),
        "<h2 id=\"per-year\">Projects per fiscal year</h2>",
        _bar_chart([(str(y) if y is not None else "unknown", n) for y, n in _per_year(tables.projects)],
                   "projects per fiscal year", settings),
        "<h2 id=\"per-country\">Projects per partner country</h2>",
        _bar_chart(_per_country(tables.projects, places), "projects per partner country", settings),
        "<h2 id=\"map\">City pairs</h2>",
        _map_section(tables.city_pairs, places, settings),
        f"<h2 id=\"review\">Review: {len(tables.review)} item{'s' if len(tables.review) != 1 else ''}</h2>",
        _review(tables.review, {d["document"]: d["sha256"] for d in tables.documents}, raw, cache, settings,
                used if used is not None else set(), processes),
        "</body></html>\n",
    ]
    return "\n".join(parts).encode("utf-8")


# --- counts and changes ------------------------------------------------------------------------

def _counts(tables) -> str:
    ok = sum(1 for d in tables.documents if d.get("status") == "ok")
    items = [("documents", len(tables.documents)), ("projects", len(tables.projects)),
             ("city-pairs", len(tables.city_pairs)), ("jcm-projects", len(tables.jcm_projects)),
             ("places", len(tables.places)), ("review-items", len(tables.review))]
    spans = "".join(f"<span id=\"n-{key}\"><b>{n}</b> {key.replace('-', ' ')}</span>" for key, n in items)
    failed = len(tables.documents) - ok
    note = f"<p class=\"muted\">{failed} document{'s' if failed != 1 else ''} could not be read.</p>" if failed else ""
    return f"<p class=\"counts\">{spans}</p>{note}"


def _changes(changes: dict | None, run_label: str | None) -> str:
    head = "<!-- changes -->\n<h2 id=\"changes\">What the last run changed</h2>"
    if changes is None:
        return head + "<p class=\"muted\">Not known.</p>\n<!-- /changes -->"
    when = f"<p class=\"muted\">Tables made at {html.escape(run_label)}.</p>" if run_label else ""
    added, changed, removed = changes.get("added", []), changes.get("changed", {}), changes.get("removed", [])
    rows = [("added", ", ".join(added)),
            ("changed", ", ".join(f"{pid} ({', '.join(fields)})" for pid, fields in changed.items())),
            ("removed", ", ".join(removed))]
    counts = {"added": len(added), "changed": len(changed), "removed": len(removed)}
    body = "".join(f"<tr><th id=\"changes-{k}\">{counts[k]} {k}</th><td>{html.escape(v) or '—'}</td></tr>"
                   for k, v in rows)
    return f"{head}{when}<table>{body}</table>\n<!-- /changes -->"


# --- charts --------------------------------------------------------------------------------------

def _per_year(projects: list[dict]) -> list[tuple]:
    counts = Counter(p.get("fiscal_year") for p in projects)
    return sorted(counts.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))


def _per_country(projects: list[dict], places: dict) -> list[tuple[str, int]]:
    counts = Counter(p.get("country") for p in projects)
    rows = []
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or "~")):
        name = (places.get(f"country-{code.lower()}") or {}).get("name_ja") if code else None
        rows.append((f"{code} {name}" if name else (code or "unknown"), n))
    return rows


def _bar_chart(items: list[tuple[str, int]], title: str, s: ReportSettings) -> str:
    if not items:
        return "<p class=\"muted\">No projects.</p>"
    label_w, gap = 170, 4
    top = max(n for _, n in items)
    scale = (s.chart_width - label_w - 40) / top
    height = len(items) * (s.bar_height + gap)
    bars = []
    for i, (label, n) in enumerate(items):
        y = i * (s.bar_height + gap)
        w = n * scale
        bars.append(f"<text x=\"{label_w - 8}\" y=\"{y + s.bar_height * 0.7:.1f}\" text-anchor=\"end\">"
                    f"{html.escape(label)}</text><rect class=\"bar\" x=\"{label_w}\" y=\"{y}\" width=\"{w:.1f}\" "
                    f"height=\"{s.bar_height}\"><title>{html.escape(label)}: {n}</title></rect>"
                    f"<text x=\"{label_w + w + 6:.1f}\" y=\"{y + s.bar_height * 0.7:.1f}\">{n}</text>")
    return (f"<svg role=\"img\" aria-label=\"{html.escape(title)}\" width=\"{s.chart_width}\" height=\"{height}\" "
            f"viewBox=\"0 0 {s.chart_width} {height}\">{''.join(bars)}</svg>")


# --- the map -------------------------------------------------------------------------------------

def _natural_earth(lon: float, lat: float) -> tuple[float, float]:
    """The Natural Earth I projection (Šavrič et al. 2011), in radians-based units, y up."""
    lam, phi = math.radians(lon), math.radians(lat)
    phi2 = phi * phi
    phi4 = phi2 * phi2
    x = lam * (0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4)))
    y = phi * (1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4)))
    return x, y


_X_MAX = _natural_earth(180, 0)[0]
_Y_MAX = _natural_earth(0, 90)[1]


def _projector(s: ReportSettings):
    scale = s.map_width / (2 * _X_MAX)
    height = 2 * _Y_MAX * scale

    def project(lon: float, lat: float) -> tuple[float, float]:
        x, y = _natural_earth(lon, lat)
        return (x + _X_MAX) * scale, height / 2 - y * scale
    return project, height


@functools.lru_cache(maxsize=4)
def _base_map(s: ReportSettings) -> str:
    """The countries as one SVG path (decoded from the vendored TopoJSON once per process)."""
    topo = json.loads(WORLD_ATLAS.read_text(encoding="utf-8"))
    (kx, ky), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:  # quantized, delta-encoded positions
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * kx + tx, y * ky + ty))
        arcs.append(points)
    project, _ = _projector(s)
    commands = []
    for geometry in topo["objects"]["countries"]["geometries"]:
        polygons = geometry.get("arcs") or []
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            for ring in polygon:
                points = []
                for index in ring:
                    arc = arcs[index] if index >= 0 else arcs[~index][::-1]
                    points.extend(arc[1:] if points else arc)
                # A ring that runs along the antimeridian (Russia, Fiji) is cut there: a segment
                # from +180° to -180° would cross the whole map.
                piece = [points[0]]
                for a, b in zip(points, points[1:]):
                    if abs(b[0] - a[0]) > 180:
                        commands.append(_ring_path([project(*p) for p in piece], s.map_simplify_px))
                        piece = []
                    piece.append(b)
                commands.append(_ring_path([project(*p) for p in piece], s.map_simplify_px))
    return "".join(c for c in commands if c)


def _ring_path(points: list[tuple[float, float]], tolerance: float) -> str:
    if not points:
        return ""
    kept = [points[0]]
    for p in points[1:]:
        if abs(p[0] - kept[-1][0]) + abs(p[1] - kept[-1][1]) >= tolerance:
            kept.append(p)
    if len(kept) < 3:
        return ""
    return "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in kept) + "Z"


def _coordinates(place_id: str | None, places: dict) -> tuple[float, float] | None:
    """(lon, lat) of a place, or of its nearest enclosing place below country level that has them."""
    seen = set()
    while place_id and place_id not in seen:
        seen.add(place_id)
        place = places.get(place_id)
        if place is None or place.get("kind") == "country":
            return None
        lat, lon = place.get("lat"), place.get("lon")
        if lat is not None and lon is not None:
            return float(lon), float(lat)
        place_id = place.get("parent_id")
    return None


def _map_section(pairs: list[dict], places: dict, s: ReportSettings) -> str:
    project, height = _projector(s)
    lines, dots, missing = [], {}, []
    for pair in pairs:
        ends = []
        for key, cls in (("japan_place_id", "jp"), ("partner_place_id", "partner")):
            at = _coordinates(pair[key], places)
            if at is not None:  # a place is shown even when the other end of its pair cannot be
                dots[pair[key]] = (cls, *project(*at))
            ends.append(project(*at) if at is not None else None)
        if None in ends:
            missing.append(pair["pair_id"])
            continue
        (x1, y1), (x2, y2) = ends
        # A gentle arc: the control point is lifted perpendicular to the chord.
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        dx, dy = x2 - x1, y2 - y1
        cx, cy = mx + dy * 0.2, my - abs(dx) * 0.2
        names = [(places.get(pair[k]) or {}).get("name_ja") or pair[k] for k in ("japan_place_id", "partner_place_id")]
        lines.append(f"<path class=\"pair\" d=\"M{x1:.1f} {y1:.1f}Q{cx:.1f} {cy:.1f} {x2:.1f} {y2:.1f}\">"
                     f"<title>{html.escape(' – '.join(names))}</title></path>")
    circles = "".join(f"<circle class=\"{cls}\" cx=\"{x:.1f}\" cy=\"{y:.1f}\" r=\"2.5\">"
                      f"<title>{html.escape((places.get(pid) or {}).get('name_ja') or pid)}</title></circle>"
                      for pid, (cls, x, y) in sorted(dots.items()))
    svg = (f"<svg id=\"world-map\" role=\"img\" aria-label=\"world map of city pairs\" width=\"{s.map_width}\" "
           f"height=\"{height:.0f}\" viewBox=\"0 0 {s.map_width} {height:.0f}\">"
           f"<path class=\"land\" d=\"{_base_map(s)}\"/>{''.join(lines)}{circles}</svg>")
    ends = {pair[k] for pair in pairs for k in ("japan_place_id", "partner_place_id")}
    note = (f"<p id=\"map-note\"><b>{len(pairs) - len(missing)}</b> of {len(pairs)} city "
            f"pair{'s' if len(pairs) != 1 else ''} drawn, <b>{len(dots)}</b> of {len(ends)} of their places "
            f"shown (blue: Japanese local governments, orange: partner places)")
    if missing:
        note += (f"; {len(missing)} pair{'s' if len(missing) != 1 else ''} with a place the gazetteer has no "
                 f"coordinates for: " + html.escape(", ".join(missing[:20])) + (", …" if len(missing) > 20 else ""))
    return svg + note + ".</p><p class=\"muted\">Base map: Natural Earth (public domain), via world-atlas.</p>"


# --- review crops ----------------------------------------------------------------------------------

def _review(rows: list[dict], documents: dict[str, str], raw: Path | None, cache: Path | None,
            s: ReportSettings, used: set[str], processes: int = 1) -> str:
    if not rows:
        return "<p>Nothing waits for a person.</p>"
    crops = _crops(rows, documents, raw, cache, s, used, processes)
    out = ["<table><tr><th>kind</th><th>where</th><th>text</th><th>detail</th><th>page region</th></tr>"]
    for i, r in enumerate(rows):
        where = f"{r.get('document') or ''}" + (f" p.{r['page']}" if r.get("page") else "")
        cands = ", ".join(f"{c['place_id']} ({c['score']:g})" for c in r.get("candidates") or [])
        detail = html.escape(r.get("detail") or "") + (f"<br><span class=\"muted\">candidates: "
                                                       f"{html.escape(cands)}</span>" if cands else "")
        anchor = f" id=\"review-{html.escape(r['review_id'])}\"" if r.get("review_id") else ""
        out.append(f"<tr class=\"review-item\"{anchor}><td>{html.escape(r['kind'])}</td><td>{html.escape(where)}</td>"
                   f"<td>{html.escape(r.get('text') or '')}</td><td>{detail}</td><td>{crops[i]}</td></tr>")
    out.append("</table>")
    return "".join(out)


def _crops(rows: list[dict], documents: dict[str, str], raw: Path | None, cache: Path | None,
           s: ReportSettings, used: set[str], processes: int = 1) -> list[str]:
    """One HTML fragment per review row: its page region as an inline PNG with the text's box
    outlined (for the first `s.max_crops` rows), or a short note when there is no page to show. `documents` maps each document to its
    sha256 (the crop cache's key); the cache keys used go into `used`. Crops not in the cache are
    rendered in up to `processes` processes (`_render`), one document at a time each."""
    result = [""] * len(rows)
    by_document: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        if i >= s.max_crops and r.get("page"):
            result[i] = f"<span class=\"muted\">no picture (only the first {s.max_crops} rows have one)</span>"
        elif r.get("document") and r.get("page") and documents.get(r["document"]):
            by_document.setdefault(r["document"], []).append(i)
        else:
            result[i] = "<span class=\"muted\">no page</span>"
    todo: list[tuple[str, list[tuple[int, str]]]] = []  # (document, [(row index, cache key)]) to render
    for document, indexes in sorted(by_document.items()):
        missing = []
        for i in indexes:
            r = rows[i]
            key = hashlib.sha256(json.dumps(
                [documents[document], r["page"], r.get("text"), r.get("bbox"), s.crop_zoom, s.crop_margin,
                 s.crop_max_width, s.page_zoom, s.crop_version]).encode()).hexdigest()[:32]
            used.add(key)
            cached = cache / f"{key}.json" if cache is not None else None
            if cached is not None and cached.exists():
                result[i] = json.loads(cached.read_text(encoding="utf-8"))["html"]
            else:
                missing.append((i, key))
        if missing:
            todo.append((document, missing))
    jobs = [(raw / document if raw is not None else None, documents[document], [rows[i] for i, _ in missing], s)
            for document, missing in todo]
    for (_document, missing), fragments in zip(todo, _render(jobs, processes)):
        for (i, key), (fragment, rendered) in zip(missing, fragments):
            result[i] = fragment
            if rendered and cache is not None:  # a note (no picture) is not kept: the next run tries again
                cache.mkdir(parents=True, exist_ok=True)
                (cache / f"{key}.json").write_text(json.dumps({"html": fragment}), encoding="utf-8")
    return result


def _render(jobs: list[tuple], processes: int) -> list[list[tuple[str, bool]]]:
    """`_render_document` of every job, in order: in `processes` forked processes when there are
    several documents and this process runs no other thread (a child forked beside a thread could
    inherit a lock that thread held, such as the console's), else here. A child that dies costs its
    documents their pictures, never the report."""
    import threading

    if processes <= 1 or len(jobs) <= 1 or threading.active_count() > 1 \
            or "fork" not in multiprocessing.get_all_start_methods():
        return [_render_document(job) for job in jobs]
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    done: list[list[tuple[str, bool]]] = []
    try:
        with ProcessPoolExecutor(max_workers=min(processes, len(jobs)),
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            for fragments in pool.map(_render_document, jobs):
                done.append(fragments)
    except BrokenProcessPool:
        note = "<span class=\"muted\">no picture (its renderer stopped)</span>"
        done += [[(note, False)] * len(job[2]) for job in jobs[len(done):]]
    return done


def _render_document(job: tuple) -> list[tuple[str, bool]]:
    """(fragment, rendered) for each row of one document: `job` is (path, its sha256 when read,
    rows, settings). A PDF that is gone, changed since it was read or will not render gives its
    remaining rows a note instead of a picture (rendered False)."""
    path, sha256, rows, s = job
    out: list[tuple[str, bool]] = []
    doc = None
    try:
        import pymupdf

        if path is None or not path.is_file():
            raise FileNotFoundError(path)
        doc = pymupdf.open(path)
        if sha256_file(path) != sha256:  # changed since it was read
            raise ValueError(f"{path.name} changed since it was read")
        text_pages: dict = {}  # page number → (page, its text page): rows on one page share them
        for r in rows:
            out.append((_crop(doc, r, s, text_pages), True))
    except Exception as e:  # a PDF that is gone or will not render costs its pictures, never the report
        note = f"<span class=\"muted\">no picture ({html.escape(type(e).__name__)})</span>"
        out += [(note, False)] * (len(rows) - len(out))
    finally:
        if doc is not None:
            doc.close()
    return out


def _locate(page, row: dict, text_page=None):
    """The box of the row's text on the page (PDF points, origin top-left), or None. `text_page`:
    the page's MuPDF text page, when one is at hand."""
    import pymupdf

    from . import pdf  # noqa: F401  MuPDF's process-wide settings: text boxes as the tables have them

    if row.get("bbox"):
        return pymupdf.Rect(row["bbox"])
    text = (row.get("text") or "").strip()
    tries = [text] + [line.strip() for line in text.splitlines()[:1]] + ["".join(text.split())]
    for t in tries:
        if len(t) >= 2:
            hits = page.search_for(t, textpage=text_page)
            if hits:
                return pymupdf.Rect(hits[0])
    return None


def _crop(doc, row: dict, s: ReportSettings, text_pages: dict | None = None) -> str:
    import pymupdf

    if not 1 <= row["page"] <= doc.page_count:
        return "<span class=\"muted\">page not in the document</span>"
    text_pages = {} if text_pages is None else text_pages
    if row["page"] not in text_pages:
        text_pages[row["page"]] = (doc[row["page"] - 1], None)
    page, text_page = text_pages[row["page"]]
    if text_page is None and not row.get("bbox"):  # built once for the rows of a page, as search_for would
        text_page = page.get_textpage(flags=pymupdf.TEXT_DEHYPHENATE | pymupdf.TEXT_PRESERVE_WHITESPACE
                                      | pymupdf.TEXT_PRESERVE_LIGATURES | pymupdf.TEXT_MEDIABOX_CLIP)
        text_pages[row["page"]] = (page, text_page)
    box = _locate(page, row, text_page)
    if box is None:  # the whole page, small: the text could not be found on it
        clip, zoom = page.rect, s.page_zoom
    else:
        clip = pymupdf.Rect(box.x0 - s.crop_margin, box.y0 - s.crop_margin,
                         box.x1 + s.crop_margin, box.y1 + s.crop_margin)
        if clip.width > s.crop_max_width:
            clip.x1 = clip.x0 + s.crop_max_width
        clip &= page.rect
        zoom = s.crop_zoom
    pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), clip=clip, alpha=False)
    data = base64.b64encode(pixmap.tobytes("png")).decode("ascii")
    outline = ""
    if box is not None:
        left, top = (box.x0 - clip.x0) / clip.width * 100, (box.y0 - clip.y0) / clip.height * 100
        width, height = box.width / clip.width * 100, box.height / clip.height * 100
        outline = (f"<span class=\"box\" style=\"left:{left:.2f}%;top:{top:.2f}%;width:{min(width, 100 - left):.2f}%;"
                   f"height:{min(height, 100 - top):.2f}%\"></span>")
    label = "page region" if box is not None else "whole page (text not located)"
    return (f"<span class=\"crop\"><img alt=\"{label}\" title=\"{label}\" width=\"{pixmap.width}\" "
            f"height=\"{pixmap.height}\" src=\"data:image/png;base64,{data}\">{outline}</span>")
