"""Text layers that lie: a CID font without /ToUnicode is read through its own character map, or the
document is `bad_text_layer` — never `ok` with glyph ids posing as text."""
from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pymupdf
import pytest
from fontTools import subset
from fontTools.ttLib import TTFont

import pdfmaker
from pipeline import records
from pipeline.discover import SourceFile
from pipeline.document import read_document
from pipeline.pdf import open_pdf
from pipeline.text_layer import glyph_characters, twin_characters

HEADER = ["番号", "提案者", "国内都市", "対象都市", "対象国", "事業名"]
ROWS = [["1", "日本工営株式会社", "横浜市", "ダナン市", "ベトナム", "ダナン市の脱炭素都市形成支援事業"],
        ["2", "株式会社アルファ", "大阪市", "バンコク都", "タイ", "バンコク都の省エネ推進事業"]]
TITLE = "令和7年度 都市間連携事業 1次公募 採択案件一覧"


def _subset_program(text: str) -> bytes:
    """The built-in CJK font cut down to `text`'s characters, as a TrueType program with its cmap."""
    font = TTFont(io.BytesIO(pymupdf.Font(pdfmaker.FONT).buffer))
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _without_character_map(program: bytes) -> bytes:
    """The same glyphs under the same ids, with nothing naming their characters: no cmap, no glyph
    names, and a name no installed font has."""
    font = TTFont(io.BytesIO(program))
    del font["cmap"]
    font["post"].formatType = 3.0
    for record in font["name"].names:
        if record.nameID in (1, 4, 6):
            record.string = "C2CTestNoMap"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _lying_table(path: Path, program: bytes, replace_program: bytes | None = None) -> Path:
    """An adoption table written in the embedded `program`, its font's /ToUnicode removed (and the
    embedded program swapped for `replace_program`, glyph ids unchanged)."""
    made = pdfmaker.make_table_pdf(path.with_suffix(".tmp.pdf"), TITLE, HEADER, ROWS, fontbuffer=program)
    doc = pymupdf.open(made)
    fonts = {xref for page in doc for xref, _e, kind, *_ in page.get_fonts(full=True) if kind == "Type0"}
    for xref in fonts:
        doc.xref_set_key(xref, "ToUnicode", "null")
        if replace_program:
            descendant = int(re.search(r"(\d+) 0 R", doc.xref_get_key(xref, "DescendantFonts")[1])[1])
            descriptor = int(doc.xref_get_key(descendant, "FontDescriptor")[1].split()[0])
            program_xref = int(doc.xref_get_key(descriptor, "FontFile2")[1].split()[0])
            doc.update_stream(program_xref, replace_program)
    doc.save(path)
    doc.close()
    return path


def _read(path: Path) -> records.Extraction:
    data = path.read_bytes()
    return read_document(SourceFile(path.name, path, hashlib.sha256(data).hexdigest(), len(data)))


@pytest.fixture(scope="module")
def program() -> bytes:
    return _subset_program(TITLE + "".join("".join(r) for r in [HEADER, *ROWS]))


def test_the_lie_is_real(tmp_path, program):
    # without the repair, MuPDF reads glyph ids as if they were characters
    path = _lying_table(tmp_path / "t.pdf", program)
    with pymupdf.open(path) as doc:
        assert "都市間連携" not in doc[0].get_text()


def test_a_cid_font_without_to_unicode_is_read_through_its_own_cmap(tmp_path, program):
    ex = _read(_lying_table(tmp_path / "t.pdf", program))
    assert (ex.status, ex.error_kind, ex.kind, ex.fiscal_year) == ("ok", None, "adoption_table", 2025)
    assert ex.title == "令和7年度都市間連携事業1次公募採択案件一覧"
    assert [(p.number, p.round, p.title, p.proposer, p.country, [x.text for x in p.japan], [x.text for x in p.partners])
            for p in ex.parsed.projects] == [
        (1, 1, "ダナン市の脱炭素都市形成支援事業", "日本工営株式会社", "VN", ["横浜市"], ["ダナン市"]),
        (2, 1, "バンコク都の省エネ推進事業", "株式会社アルファ", "TH", ["大阪市"], ["バンコク都"])]


def test_a_cid_font_with_no_character_map_at_all_is_bad_text_layer(tmp_path, program):
    path = _lying_table(tmp_path / "t.pdf", program, _without_character_map(program))
    ex = _read(path)
    assert (ex.status, ex.error_kind, ex.parsed.projects, ex.spans) == ("error", "bad_text_layer", [], [])
    assert ex.error == ("page 1: its text is in a font with no character map (Droid Sans Fallback Regular), "
                        "so it extracts as glyph ids")
    with pytest.raises(records.DocumentError) as raised:
        open_pdf(path)
    assert raised.value.kind == "bad_text_layer"


def test_an_identical_font_lends_its_cmap(program):
    stripped = TTFont(io.BytesIO(_without_character_map(program)))
    original = TTFont(io.BytesIO(program))
    assert glyph_characters(_without_character_map(program)) == {}
    lent = twin_characters(stripped, original)
    assert lent == glyph_characters(program)
    assert "".join(sorted(lent.values())) == "".join(sorted(set(
        TITLE + "".join("".join(r) for r in [HEADER, *ROWS]))))


def test_a_different_font_lends_nothing(program):
    stripped = TTFont(io.BytesIO(_without_character_map(program)))
    other = TTFont(io.BytesIO(_subset_program("横浜市ダナン市")))
    assert twin_characters(stripped, other) == {}
