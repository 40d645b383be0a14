"""Bullets drawn with a symbol font read as ・ by the font's name, whatever code its text layer gives."""
from __future__ import annotations

import io

import pymupdf
import pytest
from fontTools import subset
from fontTools.ttLib import TTFont

import pdfmaker
from pipeline.extract import layout
from pipeline.extract.adoption_table import extract_adoption_table
from pipeline.extract.slides import bullet_mark

FONT = pdfmaker.FONT


def _renamed_font(name: str, text: str) -> bytes:
    """The built-in font's glyphs for `text` under the font name `name` (as a Wingdings a word
    processor embeds: its bullets are ordinary codes such as "l" or "§")."""
    font = TTFont(io.BytesIO(pymupdf.Font(FONT).buffer))
    options = subset.Options()
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 4, 6):
            record.string = name
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


WINGDINGS = _renamed_font("Wingdings", "lnØ§●")


def _lines(draw) -> list[str]:
    doc = pymupdf.open()
    page = doc.new_page(width=400, height=200)
    page.insert_font(fontname="WD", fontbuffer=WINGDINGS)
    draw(page)
    return [ln.text for ln in layout.page_layout(page).lines]


def test_symbol_font_codes_read_as_bullets_where_bullets_stand():
    def draw(page):
        page.insert_text((40, 40), "l", fontname="WD", fontsize=10)  # Wingdings' round bullet
        page.insert_text((46, 40), "省エネルギー", fontname=FONT, fontsize=10)
        page.insert_text((40, 60), "Ø", fontname="WD", fontsize=10)  # its arrowhead bullet
        page.insert_text((48, 60), "高効率照明", fontname=FONT, fontsize=10)
        page.insert_text((40, 80), "n", fontname="zadb", fontsize=10)  # ZapfDingbats' square
        page.insert_text((49, 80), "交通", fontname=FONT, fontsize=10)
        page.insert_text((40, 100), "係数", fontname=FONT, fontsize=10)  # a symbol inside a word stays
        page.insert_text((60.5, 100), "l", fontname="WD", fontsize=10)
        page.insert_text((40, 120), "§3の規定", fontname=FONT, fontsize=10)  # not a symbol font
    lines = _lines(draw)
    assert lines[:4] == ["・省エネルギー", "・高効率照明", "・交通", "係数l"]
    assert lines[4].startswith("§")  # a text font's § is what it says (a section sign)


def test_a_symbol_font_mapping_to_real_symbols_keeps_them():
    assert layout.is_symbol_font("ABCDEF+Wingdings-Regular") and layout.is_symbol_font("SymbolMT")
    assert layout.is_symbol_font("ZapfDingbats") and not layout.is_symbol_font("MS-Gothic")

    def draw(page):
        page.insert_text((40, 40), "●", fontname="WD", fontsize=10)  # a real symbol, not a code: kept
        page.insert_text((50, 40), "省エネルギー", fontname=FONT, fontsize=10)
    assert _lines(draw) == ["● 省エネルギー"]


def test_slide_bullets_in_a_symbol_font_are_bullets():
    def draw(page):
        page.insert_text((40, 40), "l", fontname="zadb", fontsize=12)
        page.insert_text((51, 40), "ベトナム：ダナン市", fontname=FONT, fontsize=12)
    [line] = _lines(draw)
    assert (bullet_mark(line), line) == ("・", "・ベトナム：ダナン市")


@pytest.mark.parametrize("code", ["l", "Ø", "§"])
def test_a_fields_list_with_wingdings_bullets_splits_into_its_items(tmp_path, code):
    header = ["番号", "事業名", "代表事業者", "国内都市", "対象国", "対象都市", "対象分野"]
    row = ["1", "ダナン市の脱炭素化支援事業", "株式会社アルファ", "横浜市", "ベトナム", "ダナン市",
           "\u3000省エネルギー\n\u3000再生可能エネ\nルギー\n\u3000交通"]  # room for the bullets
    widths = [40, 200, 140, 90, 80, 90, 140]
    path = pdfmaker.make_table_pdf(tmp_path / "t.pdf", "令和6年度 都市間連携事業 採択案件一覧", header, [row],
                                   col_widths=widths)
    # the bullets, in Wingdings, before the first, second and fourth lines of the fields cell
    doc = pymupdf.open(path)
    page = doc[0]
    page.insert_font(fontname="WD", fontbuffer=WINGDINGS)
    cell = next(b for b in page.get_text("words") if b[4] == "\u3000省エネルギー")
    x, line_height = cell[0] + 1, 8 * 1.4
    for k in (0, 1, 3):
        page.insert_text((x, cell[3] - 8 * 0.2 + k * line_height), code, fontname="WD", fontsize=6)
    fields = extract_adoption_table(doc).projects[0].fields
    assert fields == ["省エネルギー", "再生可能エネルギー", "交通"]
