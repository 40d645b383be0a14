"""Text layers that lie: composite fonts whose text extracts as glyph ids instead of characters.

A Type0 font with an Identity encoding and no /ToUnicode map leaves a reader nothing but glyph ids:
MuPDF hands them back as if they were code points, so the page "reads" as garbage. When the
embedded font program carries its own character map (a TrueType or OpenType `cmap`, or glyph names
in its `post` table), the map is inverted — glyph id → character — and written into the document as
the /ToUnicode CMap the producer left out. Fonts whose ordering MuPDF knows (Adobe-Japan1 and the
other Adobe CJK collections) are left alone: MuPDF maps their CIDs itself.

PDF producers often strip the `cmap` from the subset they embed while keeping the original glyph
ids. Then an installed copy of the same font (same PostScript name in its `name` table, same glyph
count, and the same outlines for the glyphs the document draws) lends its `cmap`: glyph ids of
identical fonts mean the same characters.

A font that cannot be repaired is reported by `unreadable_share` so that the opener can refuse the
document (`bad_text_layer`) rather than extract garbage.

Reads the PDF's font objects through PyMuPDF and the font programs with fontTools; writes only to
the in-memory document.
"""
from __future__ import annotations

import functools
import io
import os
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the cache key imports this module for its hook: no PDF library loaded for that
    import pymupdf

# CID collections whose CIDs MuPDF turns into characters without a /ToUnicode map.
KNOWN_ORDERINGS = ("Japan1", "GB1", "CNS1", "Korea1", "KR", "UCS")
CMAP_ENTRIES_PER_BLOCK = 100  # the CMap syntax allows at most 100 entries per bfchar block
# Outlines compared before an installed font is taken for the embedded one: every drawn glyph of a
# small subset, this many spread over a large one.
TWIN_GLYPHS_COMPARED = 200
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")


@dataclass(frozen=True)
class FontRepair:
    """What was done to one composite font: `mapped` glyphs now have characters (0: none could be)."""

    xref: int
    name: str
    mapped: int


def repair_text_layer(doc: pymupdf.Document) -> list[FontRepair]:
    """Give every Identity-encoded Type0 font without /ToUnicode a map built from its own font
    program. Returns one FontRepair per such font (mapped 0 when its program has no character map).
    The document is changed in memory only; pages read afterwards see the new maps."""
    repairs = []
    seen: set[int] = set()
    for page_no in range(doc.page_count):
        for xref, _ext, subtype, basefont, _name, encoding, *_ in doc.get_page_fonts(page_no, full=True):
            if xref in seen or subtype != "Type0" or not encoding.startswith("Identity"):
                continue
            seen.add(xref)
            if _has_to_unicode(doc, xref):
                continue
            descendant = _descendant(doc, xref)
            if descendant is None or _ordering(doc, descendant) in KNOWN_ORDERINGS:
                continue
            to_unicode = _cid_to_unicode(doc, descendant)
            if to_unicode:
                stream = doc.get_new_xref()
                doc.update_object(stream, "<<>>")
                doc.update_stream(stream, to_unicode_cmap(to_unicode))
                doc.xref_set_key(xref, "ToUnicode", f"{stream} 0 R")
            repairs.append(FontRepair(xref, basefont, len(to_unicode)))
    return repairs


def unreadable_share(page: pymupdf.Page, font_names: set[str]) -> float:
    """Share (0-1) of the page's visible characters drawn with the fonts `font_names` (base names
    as `FontRepair.name`, subset prefix included or not)."""
    import pymupdf

    bare = {_bare(n) for n in font_names}
    total = bad = 0
    for block in page.get_text("rawdict", flags=pymupdf.TEXTFLAGS_TEXT)["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                count = sum(1 for ch in span["chars"] if ch["c"].strip())
                total += count
                if _bare(span["font"]) in bare:
                    bad += count
    return bad / total if total else 0.0


def to_unicode_cmap(mapping: dict[int, str]) -> bytes:
    """A /ToUnicode CMap stream (two-byte codes) for {cid: text}."""
    items = sorted(mapping.items())
    out = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
           "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
           "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
           "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    for start in range(0, len(items), CMAP_ENTRIES_PER_BLOCK):
        block = items[start:start + CMAP_ENTRIES_PER_BLOCK]
        out.append(f"{len(block)} beginbfchar")
        out += [f"<{cid:04X}> <{text.encode('utf-16-be').hex().upper()}>" for cid, text in block]
        out.append("endbfchar")
    out += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(out).encode("ascii")


# --- the font objects ----------------------------------------------------------------------------

def _has_to_unicode(doc: pymupdf.Document, xref: int) -> bool:
    kind, _value = doc.xref_get_key(xref, "ToUnicode")
    return kind not in ("null", "")


def _ref(value: str) -> int | None:
    m = re.search(r"(\d+)\s+0\s+R", value)
    return int(m.group(1)) if m else None


def _descendant(doc: pymupdf.Document, xref: int) -> int | None:
    _kind, value = doc.xref_get_key(xref, "DescendantFonts")
    return _ref(value)


def _ordering(doc: pymupdf.Document, descendant: int) -> str | None:
    _kind, value = doc.xref_get_key(descendant, "CIDSystemInfo/Ordering")
    return value.strip("()") if value not in ("null", "") else None


def _cid_to_unicode(doc: pymupdf.Document, descendant: int) -> dict[int, str]:
    """{cid: character} from the embedded font program, through /CIDToGIDMap; {} when the font is
    not embedded or its program names no characters."""
    descriptor = _ref(doc.xref_get_key(descendant, "FontDescriptor")[1])
    if descriptor is None:
        return {}
    program = None
    for key in ("FontFile2", "FontFile3", "FontFile"):
        found = _ref(doc.xref_get_key(descriptor, key)[1])
        if found is not None:
            program = doc.xref_stream(found)
            break
    if not program:
        return {}
    by_glyph = glyph_characters(program)
    if not by_glyph:
        return {}
    kind, value = doc.xref_get_key(descendant, "CIDToGIDMap")
    if kind == "xref":
        table = doc.xref_stream(_ref(value)) or b""
        return {cid: by_glyph[gid] for cid in range(len(table) // 2)
                if (gid := int.from_bytes(table[2 * cid:2 * cid + 2], "big")) in by_glyph}
    return dict(by_glyph)  # /Identity, or absent: CID = glyph id


_FONT_ERRORS = (AssertionError, KeyError, ValueError, IndexError, TypeError, OSError, struct.error)


def glyph_characters(program: bytes) -> dict[int, str]:
    """{glyph id: character} for an embedded TrueType / OpenType program: from its own `cmap`
    (Unicode subtables first, then a symbol subtable), else glyph names in its `post` table, else
    the `cmap` of an installed copy of the same font (`_installed_twin`). Where several characters
    share a glyph, a unified ideograph wins over a radical or compatibility form, else the lowest
    code point.
    {} when fontTools cannot read the program or nothing names its glyphs."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(io.BytesIO(program), lazy=True, fontNumber=0)
        return _own_characters(font) or _installed_twin(font)
    except (TTLibError, *_FONT_ERRORS):
        return {}


def _own_characters(font) -> dict[int, str]:
    from fontTools.agl import toUnicode

    order = font.getGlyphOrder()
    ids = {name: gid for gid, name in enumerate(order)}
    out: dict[int, str] = {}
    if "cmap" in font:
        tables = sorted(font["cmap"].tables, key=lambda t: (not t.isUnicode(), t.platformID != 3))
        for table in tables:
            for code, name in sorted(table.cmap.items(), key=lambda item: _code_rank(item[0])):
                gid = ids.get(name)
                if gid is not None and gid not in out and code > 0x1F:
                    out[gid] = chr(code)
            if out:
                return out
    if "post" in font:
        for gid, name in enumerate(order):
            if name in (".notdef", ".null") or re.fullmatch(r"glyph\d+", name):
                continue
            text = toUnicode(name)
            if text:
                out[gid] = text
    return out


# Code points a font maps to the glyph of a more usual character: radicals (⼀ for 一) and
# compatibility ideographs. The usual character wins.
_SECOND_CHOICE = ((0x2E80, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def _code_rank(code: int) -> tuple[bool, int]:
    return any(lo <= code <= hi for lo, hi in _SECOND_CHOICE), code


def _postscript_name(font) -> str | None:
    if "name" not in font:
        return None
    name = font["name"].getDebugName(6) or font["name"].getDebugName(4)
    return name.replace(" ", "") if name else None


def _installed_twin(font) -> dict[int, str]:
    """The characters of an installed font identical to `font` in name, glyph count and the outlines
    of the glyphs `font` holds; {} when there is none."""
    from fontTools.ttLib import TTFont, TTLibError

    name = _postscript_name(font)
    if not name or "glyf" not in font:
        return {}
    for path, index in installed_fonts().get(name, ()):
        try:
            lent = twin_characters(font, TTFont(path, lazy=True, fontNumber=index))
        except (TTLibError, *_FONT_ERRORS):
            continue
        if lent:
            return lent
    return {}


def twin_characters(font, twin) -> dict[int, str]:
    """{glyph id: character} of `twin` when it is the same font as `font` (same glyph count, same
    outlines for the glyphs `font` draws), else {}. Both are fontTools TTFonts."""
    return _own_characters(twin) if _same_outlines(font, twin) else {}


def _same_outlines(font, twin) -> bool:
    if "glyf" not in twin or font["maxp"].numGlyphs != twin["maxp"].numGlyphs:
        return False
    mine, theirs = font["glyf"], twin["glyf"]
    order, twin_order = font.getGlyphOrder(), twin.getGlyphOrder()
    drawn = [gid for gid, name in enumerate(order) if mine[name].numberOfContours != 0]
    step = max(1, len(drawn) // TWIN_GLYPHS_COMPARED)
    sample = drawn[::step]
    return bool(sample) and all(
        mine[order[gid]].compile(mine) == theirs[twin_order[gid]].compile(theirs) for gid in sample)


def cache_fingerprint() -> list[str]:
    """What a repaired text layer depends on besides the code (pipeline/cachekey.py): the installed
    fonts that can lend their character maps, by name and file."""
    return [f"{name}={path}#{index}" for name, found in sorted(installed_fonts().items())
            for path, index in found]


@functools.lru_cache(maxsize=1)
def installed_fonts() -> dict[str, tuple[tuple[str, int], ...]]:
    """{PostScript name: ((font file, index in the collection), ...)} of the fonts on this machine,
    from fontconfig when it is installed, else from the usual font folders.

    Listing them costs a tenth of a second or more, on every run (the cache key asks): the list is
    memoised on disk (pipeline/cachedir.py) keyed as fontconfig keys its own caches, by the mtimes of
    the font folders (every subfolder: adding, removing or renaming a font changes its folder's), of
    fontconfig's configuration files and folders (which name the font folders) and of its cache
    folders, plus the environment variables that move any of them."""
    from .cachedir import memo

    listed = memo("fonts", "installed_fonts", _fonts_stamp(), _list_fonts)
    return {name: tuple((path, int(index)) for path, index in found) for name, found in listed.items()}


_FONTCONFIG_ENV = ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT", "HOME", "XDG_CONFIG_HOME",
                   "XDG_DATA_HOME", "XDG_CACHE_HOME", "PATH")
_CONFIG_DIR = re.compile(r"<(dir|cachedir)(?:\s+prefix=\"(\w+)\")?[^>]*>([^<]+)</(?:dir|cachedir)>")


def _fonts_stamp() -> list:
    """[[path, mtime_ns, size], ...] of every folder and file that decides what `_list_fonts` finds
    (see `installed_fonts`), with the environment and the fc-list found; missing paths marked."""
    env = os.environ
    home = Path.home()
    config_home = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    data_home = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
    cache_home = Path(env.get("XDG_CACHE_HOME") or home / ".cache")
    config_roots = [Path(env.get("FONTCONFIG_PATH") or "/etc/fonts"), config_home / "fontconfig",
                    home / ".fonts.conf", home / ".fonts.conf.d"]
    if env.get("FONTCONFIG_FILE"):
        config_roots.append(Path(env["FONTCONFIG_FILE"]))
    stamp: list = [[name, env.get(name)] for name in _FONTCONFIG_ENV] + [["fc-list", shutil.which("fc-list")]]
    folders = [Path(f).expanduser() for f in FONT_FOLDERS] + [
        data_home / "fonts", Path("/var/cache/fontconfig"), cache_home / "fontconfig", home / ".fontconfig"]
    for root in config_roots:
        for path in _tree(root, files=True):
            stamp.append(_stat(path))
            if path.suffix == ".conf" and path.is_file():
                try:
                    text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                for tag, prefix, where in _CONFIG_DIR.findall(text):
                    base = {"xdg": data_home if tag == "dir" else cache_home, "cwd": path.parent}.get(prefix)
                    folders.append(base / where.strip() if base else Path(where.strip()).expanduser())
    for folder in sorted(set(folders)):
        stamp += [_stat(p) for p in _tree(folder, files=False)]
    return stamp


def _tree(root: Path, files: bool) -> list[Path]:
    """`root` and every folder under it (and file, when `files`), following links, sorted."""
    found = [root]
    if root.is_dir():
        for folder, dirs, names in os.walk(root, followlinks=True):
            dirs.sort()
            found += [Path(folder) / d for d in dirs]
            if files:
                found += [Path(folder) / n for n in sorted(names)]
    return found


def _stat(path: Path) -> list:
    try:
        st = path.stat()
    except OSError:
        return [str(path), None, None]
    return [str(path), st.st_mtime_ns, st.st_size]


def _list_fonts() -> dict[str, list[list]]:
    found: dict[str, list[tuple[str, int]]] = {}
    if shutil.which("fc-list"):
        listing = subprocess.run(["fc-list", "--format", "%{file}\t%{index}\t%{postscriptname}\n"],
                                 capture_output=True, text=True, timeout=60).stdout
        for line in listing.splitlines():
            parts = line.split("\t")
            if len(parts) == 3 and parts[2]:
                found.setdefault(parts[2].replace(" ", ""), []).append((parts[0], int(parts[1] or 0)))
    else:
        from fontTools.ttLib import TTFont, TTLibError

        for folder in FONT_FOLDERS:
            for path in sorted(Path(folder).expanduser().rglob("*")):
                if path.suffix.lower() not in (".ttf", ".otf"):
                    continue
                try:
                    name = _postscript_name(TTFont(path, lazy=True))
                except (TTLibError, *_FONT_ERRORS):
                    continue
                if name:
                    found.setdefault(name, []).append((str(path), 0))
    return {name: [list(p) for p in sorted(set(paths))] for name, paths in found.items()}


def _bare(name: str) -> str:
    """A font name without its subset prefix (ABCDEF+) and without spaces."""
    return re.sub(r"^[A-Z]{6}\+", "", name).replace(" ", "").replace("#20", "")
