"""The page model (pipeline/extract/layout.py) on small PDFs built here, one per kind of trouble."""
from __future__ import annotations

import dataclasses

import pymupdf
import pytest

from browser import CHROMIUM, print_html
from pipeline.extract import layout

FONT = "japan"  # MuPDF's built-in CJK font


def _page(width=400, height=300):
    doc = pymupdf.open()
    return doc, doc.new_page(width=width, height=height)


def _texts(page) -> list[str]:
    return [ln.text for ln in layout.page_layout(page).lines]


def test_settings_are_frozen_and_reject_unknown_keys():
    with pytest.raises(ValueError, match="row_tolerance"):
        layout.LayoutSettings.from_mapping({"row_tolerance": 1})
    assert layout.LayoutSettings.from_mapping({"row_em": 0.4}).row_em == 0.4
    with pytest.raises(dataclasses.FrozenInstanceError):
        layout.DEFAULT.row_em = 1.0


def test_cluster_groups_by_key_within_tolerance():
    assert layout.cluster([10, 1, 2, 11, 30], key=lambda v: v, tolerance=2) == [[1, 2], [10, 11], [30]]


def test_hidden_text_is_dropped():
    doc, page = _page()
    page.insert_text((40, 50), "見える行", fontname=FONT, fontsize=12)
    page.insert_text((40, 80), "白い行", fontname=FONT, fontsize=12, color=(1, 1, 1))  # white on white
    page.insert_text((40, 110), "透明な行", fontname=FONT, fontsize=12, render_mode=3)  # invisible
    page.draw_rect(pymupdf.Rect(30, 125, 200, 150), color=None, fill=(0.1, 0.2, 0.5))
    page.insert_text((40, 142), "帯の上の白", fontname=FONT, fontsize=12, color=(1, 1, 1))  # white on blue: seen
    page.insert_text((40, 170), "隠された", fontname=FONT, fontsize=12)
    page.draw_rect(pymupdf.Rect(30, 155, 200, 180), color=None, fill=(1, 1, 1))  # painted over
    page.insert_text((500, 200), "頁の外", fontname=FONT, fontsize=12)
    assert _texts(page) == ["見える行", "帯の上の白"]


def test_fake_bold_and_shadows_read_once():
    doc, page = _page()
    for dx in (0, 0.3):  # fake bold: the same line again 0.3 pt to the right
        page.insert_text((40 + dx, 50), "富山市", fontname=FONT, fontsize=10)
    page.insert_text((41.2, 81.2), "ラヨーン市", fontname=FONT, fontsize=12, color=(0.7, 0.7, 0.7))  # shadow
    page.insert_text((40, 80), "ラヨーン市", fontname=FONT, fontsize=12)
    page.insert_text((40, 110), "ll", fontname="helv", fontsize=12)  # two narrow letters side by side stay two
    layout_ = layout.page_layout(page)
    assert [ln.text for ln in layout_.lines] == ["富山市", "ラヨーン市", "ll"]
    shadowed = layout_.lines[1]
    assert {s.color for s in shadowed.spans} == {0}  # the black copy on top is the one kept


def test_rotate_90_page_reads_upright():
    # A landscape table stored on a portrait page with /Rotate 90: the content is drawn turned a
    # quarter so that it shows upright. Displayed (x, y) is stored at (y, 400 - x).
    doc, page = _page(300, 400)
    page.set_rotation(90)
    assert page.rect == pymupdf.Rect(0, 0, 400, 300)
    page.insert_text((50, 400 - 40), "横書きの表題", fontname=FONT, fontsize=12, rotate=90)
    page.insert_text((80, 400 - 40), "二行目", fontname=FONT, fontsize=12, rotate=90)
    assert page.get_texttrace()[0]["dir"] != (1.0, 0.0)  # stored turned
    lines = layout.page_layout(page).lines
    assert [(ln.text, ln.vertical) for ln in lines] == [("横書きの表題", False), ("二行目", False)]
    assert [round(v) for v in (lines[0].x0, lines[0].y1)] == [40, 52]  # where a reader sees it


def test_rotated_text_is_one_word():
    doc, page = _page()
    page.insert_text((50, 150), "モンゴル", fontname=FONT, fontsize=11, rotate=90)  # reads bottom to top
    page.insert_text((80, 100), "ウランバートル市", fontname=FONT, fontsize=11)
    lines = layout.page_layout(page).lines
    assert [(ln.text, ln.vertical) for ln in lines] == [("モンゴル", True), ("ウランバートル市", False)]


def test_vertical_text_reads_top_to_bottom():
    doc, page = _page()
    for k, ch in enumerate("ベトナム"):  # one glyph under another on a strip left of the rows
        page.insert_text((40, 60 + k * 11), ch, fontname=FONT, fontsize=10)
    page.insert_text((60, 60), "ハノイ市　福岡県", fontname=FONT, fontsize=10)
    page.insert_text((60, 72), "ダナン市　横浜市", fontname=FONT, fontsize=10)
    assert _texts(page) == ["ベトナム", "ハノイ市　福岡県", "ダナン市　横浜市"]


def test_reading_order_from_geometry_not_stream():
    doc, page = _page(500, 400)
    left = ["左の段の一行目はここ", "左の段の二行目はここ", "左の段の三行目はここ"]
    right = ["右の段の一行目はここ", "右の段の二行目はここ"]
    # written right column first, bottom up, and the heading last
    for k, text in reversed(list(enumerate(right))):
        page.insert_text((260, 100 + 14 * k), text, fontname=FONT, fontsize=11)
    for k, text in reversed(list(enumerate(left))):
        page.insert_text((40, 100 + 14 * k), text, fontname=FONT, fontsize=11)
    page.insert_text((40, 50), "見出し", fontname=FONT, fontsize=16)
    layout_ = layout.page_layout(page)
    assert [ln.text for ln in layout_.lines] == ["見出し", *left, *right]
    assert [[ln.text for ln in b] for b in layout_.blocks] == [["見出し"], left, right]


def test_table_rows_stay_together():
    doc, page = _page(500, 300)
    rows = [("ハノイ市", "福岡県"), ("ダナン市", "横浜市"), ("フエ市", "京都市")]
    for k, (a, b) in enumerate(reversed(rows)):
        page.insert_text((40, 140 - 14 * k), a, fontname=FONT, fontsize=11)
        page.insert_text((200, 140 - 14 * k), b, fontname=FONT, fontsize=11)
    assert _texts(page) == ["ハノイ市", "福岡県", "ダナン市", "横浜市", "フエ市", "京都市"]


def test_two_up_handout_keeps_each_slide_upright_and_apart():
    src = pymupdf.open()
    for title in ("第一のスライド", "第二のスライド"):
        p = src.new_page(width=400, height=300)
        p.insert_text((40, 60), title, fontname=FONT, fontsize=20)
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.show_pdf_page(pymupdf.Rect(50, 50, 545, 421), src, 0)
    page.show_pdf_page(pymupdf.Rect(50, 450, 545, 821), src, 1)
    layout_ = layout.page_layout(page)
    assert [ln.text for ln in layout_.lines] == ["第一のスライド", "第二のスライド"]
    first, second = layout_.lines
    assert first.y1 < 421 < 450 < second.y0
    assert abs(first.size - 20 * 495 / 400) < 0.1  # the Form XObject's scaling applied


def _grid(page, xs, ys, skip=()):
    """Rules of a grid; `skip`: (row, column) whose bottom rule is left out (a merge downwards)."""
    for i, y in enumerate(ys):
        for j in range(len(xs) - 1):
            if (i - 1, j) in skip:
                continue
            page.draw_line((xs[j], y), (xs[j + 1], y))
    for x in xs:
        page.draw_line((x, ys[0]), (x, ys[-1]))


def test_table_cells_with_row_span():
    doc, page = _page(500, 300)
    xs, ys = [40, 120, 220, 320], [40, 60, 80, 100, 120]
    _grid(page, xs, ys, skip={(1, 0), (2, 0)})  # first column merged over rows 1-3
    tables = layout.table_cells(layout.ruling_lines(page))
    assert len(tables) == 1
    t = tables[0]
    assert (t.row_count, t.col_count) == (4, 3)
    merged = t.cell_at(2, 0)
    assert (merged.row, merged.col, merged.rowspan, merged.colspan) == (1, 0, 3, 1)
    assert merged.bbox == (40, 60, 120, 120)
    assert t.cell_at(3, 1).rowspan == 1
    assert len(t.cells) == 3 * 4 - 2


def test_a_merged_cell_cut_by_the_page_break_is_a_cell_of_its_table():
    # 国内都市 merged from row 1 down to the page's end: its bottom rule is on the next page
    doc, page = _page(500, 300)
    xs, ys = [40, 120, 220, 320], [40, 60, 80, 100, 120]
    _grid(page, xs, ys, skip={(1, 0), (2, 0), (3, 0)})
    tables = layout.table_cells(layout.ruling_lines(page))
    assert len(tables) == 1
    t = tables[0]
    assert (t.row_count, t.col_count) == (4, 3)
    merged = t.cell_at(3, 0)
    assert (merged.row, merged.col, merged.rowspan, merged.colspan, merged.bbox) == (1, 0, 3, 1, (40, 60, 120, 120))
    assert len(t.cells) == 3 * 4 - 2


def test_a_row_the_page_break_splits_ends_where_the_column_rules_end():
    # no rule under the last row at all, its column rules running on to the page's end
    doc, page = _page(500, 300)
    xs, ys = [40, 120, 220, 320], [40, 60, 80, 100, 120]
    _grid(page, xs, ys, skip={(3, 0), (3, 1), (3, 2)})
    (t,) = layout.table_cells(layout.ruling_lines(page))
    assert (t.row_count, t.col_count, t.ys[-1]) == (4, 3, 120)
    assert [(c.row, c.col, c.open_below) for c in t.cells if c.row == 3] == [(3, 0, True), (3, 1, True), (3, 2, True)]
    assert not any(c.open_below for c in t.cells if c.row < 3)


def test_column_rules_that_overshoot_the_frame_a_little_make_no_row():
    doc, page = _page(500, 300)
    xs, ys = [40, 120, 220, 320], [40, 60, 80, 100]
    _grid(page, xs, ys)
    for x in xs:  # each column rule 2 pt too long at both ends, as some producers draw them
        page.draw_line((x, 38), (x, 102))
    (t,) = layout.table_cells(layout.ruling_lines(page))
    assert (t.row_count, t.ys[0], t.ys[-1]) == (3, 40, 100)


def test_place_mention_text_leaves_out_what_cannot_be_seen():
    doc, page = _page()
    page.insert_text((40, 50), "横浜市とダナン市", fontname=FONT, fontsize=12)
    page.insert_text((40, 80), "ダバオ市", fontname=FONT, fontsize=12, color=(1, 1, 1))
    page.insert_text((40, 110), "北九州市", fontname=FONT, fontsize=12, render_mode=3)
    assert "".join(s.text for s in layout.visible_spans(doc)).split() == ["横浜市とダナン市"]


def test_text_clipped_away_by_a_clip_path_is_not_seen():
    import pdfmaker

    doc, page = _page()
    page.insert_text((40, 50), "見える行", fontname=FONT, fontsize=12)
    # a text box clipped after its first four glyphs (40–88 pt): the rest is cut away
    page.insert_text((40, 100), "横浜市と ダバオ市", fontname=FONT, fontsize=12)
    pdfmaker.clip_last_drawing(page, (30, 80, 89, 110))
    page.insert_text((40, 150), "切られた行", fontname=FONT, fontsize=12)  # wholly outside its clip
    pdfmaker.clip_last_drawing(page, (200, 130, 300, 160))
    page.insert_text((40, 200), "後の行", fontname=FONT, fontsize=12)  # after the clips are popped
    doc = pymupdf.open("pdf", doc.tobytes())
    layout_ = layout.page_layout(doc[0])
    # (the space has no outline to cut: it stays, as MuPDF keeps it)
    assert [ln.text for ln in layout_.lines] == ["見える行", "横浜市と ", "後の行"]
    assert sorted(t for t, _x, _y in layout_.hidden) == sorted("ダバオ市切られた行")
    assert [s.text for s in layout.visible_spans(doc)] == ["見える行", "横浜市と ", "後の行"]


def test_clip_paths_on_a_rotated_page():
    import pdfmaker

    doc, page = _page()
    page.insert_text((40, 100), "横浜市と ダバオ市", fontname=FONT, fontsize=12)
    pdfmaker.clip_last_drawing(page, (30, 80, 89, 110))
    page.set_rotation(90)
    doc = pymupdf.open("pdf", doc.tobytes())
    assert _texts(doc[0]) == ["横浜市と "]


def test_a_page_whose_text_lies_inside_its_clip_paths_drops_nothing():
    import pdfmaker

    doc, page = _page()
    page.insert_text((40, 100), "横浜市とダナン市", fontname=FONT, fontsize=12)
    pdfmaker.clip_last_drawing(page, (0, 0, 400, 300))
    doc = pymupdf.open("pdf", doc.tobytes())
    trace = doc[0].get_texttrace()
    assert layout.page_clips(doc[0]) and layout.clipped_glyphs(doc[0], trace) == set()
    assert _texts(doc[0]) == ["横浜市とダナン市"]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_radical_code_points_of_a_font_map_read_as_their_ideographs(tmp_path):
    # Chromium maps IPAex Gothic's glyph of 大 to the Kangxi radical ⼤ (U+2F24), of 戸 to ⼾ (whose NFKC
    # form is 戶): the page model reads what the reader sees, as MuPDF's text page does
    out = print_html("<!doctype html><html lang=ja><head><meta charset=utf-8></head>"
                     "<body style=\"font-family: 'IPAexGothic'\"><p>大阪市 神戸市 富山市 入力 長崎</p></body></html>",
                     tmp_path / "p.pdf")
    with pymupdf.open(out) as doc:
        traced = {chr(c[0]) for span in doc[0].get_texttrace() for c in span["chars"]}
        assert {"⼤", "⼾"} <= traced  # what the font's map gives
        assert [ln.text for ln in layout.page_lines(doc[0])] == ["大阪市 神戸市 富山市 入力 長崎"]
        assert all(ch.text in "大阪市神戸富山入力長崎 " for ch in layout.page_layout(doc[0]).chars)


def test_a_fill_paints_only_inside_its_clip_path():
    # A browser draws a box's border as a filled rectangle clipped to a thin strip: text inside the
    # rectangle, in the border's colour, stands on the white page and is seen. The same fill with no
    # clip hides the text of its colour.
    def page_with(clip: bool) -> list[str]:
        doc = pymupdf.open()
        page = doc.new_page(width=400, height=300)
        fill = b"0.13 0.47 0.67 rg 40 50 250 200 re f"
        stream = (b"q 40 248 250 2 re W n " + fill + b" Q") if clip else fill
        xref = doc.get_new_xref()
        doc.update_object(xref, "<<>>")
        doc.update_stream(xref, stream)
        doc.xref_set_key(page.xref, "Contents", f"[{xref} 0 R]")
        page.insert_text((60, 120), "11 seen", fontsize=12, color=(0.13, 0.47, 0.67))
        return [ln.text for ln in layout.page_lines(doc[0])]

    assert page_with(clip=True) == ["11 seen"]
    assert page_with(clip=False) == []

