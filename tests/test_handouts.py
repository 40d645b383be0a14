"""Slides printed n-up (handouts): each slide of a page read as its own slide, records kept on the
handout's pages and boxes. Handouts are made here from the decks of tests/deckmaker.py the way
PyMuPDF's `show_pdf_page` (and pdfjam) make them: each slide a scaled Form XObject."""
from __future__ import annotations

import copy
import hashlib

import pymupdf
import pytest

from pipeline import handouts, records
from pipeline.discover import SourceFile
from pipeline.document import read_document
from pipeline.extract import layout
from tests.deckmaker import lecture_deck, yokohama_deck
from tests.pdfmaker_slides import SLIDE

A4 = (595.0, 842.0)
FONT = "japan"


def _read(path):
    data = path.read_bytes()
    return read_document(SourceFile(path.name, path, hashlib.sha256(data).hexdigest(), len(data)), timeout=None)


def _grid(size, cols, rows, margin=20.0, gap=12.0):
    """Where an n-up layout puts its slides on a page of `size` (upright): per slide (rect, scale),
    rows top to bottom, each left to right, each rect of the slide's shape, centred in its cell."""
    width, height = size
    cell_w, cell_h = (width - 2 * margin - (cols - 1) * gap) / cols, (height - 2 * margin - (rows - 1) * gap) / rows
    scale = min(cell_w / SLIDE[0], cell_h / SLIDE[1])
    w, h = SLIDE[0] * scale, SLIDE[1] * scale
    out = []
    for r in range(rows):
        for c in range(cols):
            x = margin + c * (cell_w + gap) + (cell_w - w) / 2
            y = margin + r * (cell_h + gap) + (cell_h - h) / 2
            out.append((pymupdf.Rect(x, y, x + w, y + h), scale))
    return out


# a handout's header and footer, one line each (together more than a tenth of a 2-up page's text)
HEADER = "本資料は会議用の配布資料です。無断転載を禁じます。内容は令和8年2月時点のものであり、今後変更される場合があります。"
FOOTER = "環境省 地球環境局 国際連携課 国際協力・環境インフラ戦略室　TEL 03-3581-3351　https://www.env.go.jp/earth/"


def _handout(deck_path, out_path, cols, rows, size=A4, rotate=0, header_footer=False):
    """The deck printed `cols` × `rows` to a page of `size` (as displayed); with `rotate` 90 the page
    is stored turned (portrait media box, /Rotate 90) and the slides drawn turned to show upright;
    with `header_footer`, HEADER and FOOTER in the page's top and bottom margins.
    Returns the path and, per deck page (0-based), (handout page 1-based, rect, scale)."""
    src = pymupdf.open(deck_path)
    doc = pymupdf.open()
    cells = _grid(size, cols, rows)
    where, page = [], None
    for i in range(src.page_count):
        k = i % len(cells)
        if k == 0:
            if rotate:
                page = doc.new_page(width=size[1], height=size[0])
                page.set_rotation(rotate)
            else:
                page = doc.new_page(width=size[0], height=size[1])
            if header_footer:
                page.insert_text((20, 14), HEADER, fontname=FONT, fontsize=7)
                page.insert_text((20, size[1] - 6), FOOTER, fontname=FONT, fontsize=6)
        rect, scale = cells[k]
        page.show_pdf_page(rect * page.derotation_matrix, src, i, rotate=rotate)
        where.append((page.number + 1, rect, scale))
    doc.save(out_path)
    return out_path, where


def _mapped(box, rect, scale):
    """A box on a slide, where the handout prints it."""
    x0, y0, x1, y1 = box
    return [rect.x0 + scale * x0, rect.y0 + scale * y0, rect.x0 + scale * x1, rect.y0 + scale * y1]


def _expected(deck: records.Extraction, where) -> records.Parsed:
    """The deck's records as the handout should give them: the handout's page numbers and boxes."""
    parsed = copy.deepcopy(deck.parsed)
    page = lambda n: where[n - 1][0]  # noqa: E731
    for p in parsed.projects:
        p.pages = list(dict.fromkeys(page(n) for n in p.pages))
        for place in p.japan + p.partners:
            place.page = page(place.page)
        for box in p.boxes:
            _n, rect, scale = where[box.page - 1]
            box.bbox, box.page = _mapped(box.bbox, rect, scale), page(box.page)
    for pair in parsed.pairs:
        pair.page = pair.japan.page = pair.partner.page = page(pair.page)
    for j in parsed.jcm:
        j.page = page(j.page)
        for place in (j.japan, j.partner):
            if place is not None:
                place.page = page(place.page)
    return parsed


def _without_boxes(parsed: records.Parsed) -> records.Parsed:
    out = copy.deepcopy(parsed)
    for p in out.projects:
        p.boxes = []
    return out


def _assert_same_records(handout: records.Extraction, deck: records.Extraction, where):
    expected = _expected(deck, where)
    assert handout.status == "ok" and handout.kind == deck.kind == "slides"
    assert handout.pages == max(n for n, _r, _s in where)
    assert (handout.parsed.title, handout.parsed.fiscal_year) == (expected.title, expected.fiscal_year)
    assert handout.parsed.pairs == expected.pairs
    assert handout.parsed.jcm == expected.jcm
    assert _without_boxes(handout.parsed) == _without_boxes(expected)
    # boxes: the deck's, where the handout prints them (PyMuPDF writes a placement to 5 decimals)
    got = [(b.field, b.page, b.text) for p in handout.parsed.projects for b in p.boxes]
    assert got == [(b.field, b.page, b.text) for p in expected.projects for b in p.boxes]
    for p, q in zip(handout.parsed.projects, expected.projects):
        for b, e in zip(p.boxes, q.boxes):
            assert b.bbox == pytest.approx(e.bbox, abs=0.05), b.field
    # place mentions are searched in the same texts, on the handout's pages
    assert [(s.page, s.text) for s in handout.spans] == [(where[s.page - 1][0], s.text) for s in deck.spans]


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("decks")
    return {"lecture": lecture_deck(folder / "lecture.pdf"), "yokohama": yokohama_deck(folder / "yokohama.pdf")}


@pytest.fixture(scope="module")
def deck_reads(decks):
    return {name: _read(path) for name, path in decks.items()}


@pytest.mark.parametrize("name", ["lecture", "yokohama"])
def test_a_two_up_handout_gives_the_decks_records(decks, deck_reads, tmp_path, name):
    path, where = _handout(decks[name], tmp_path / "h.pdf", cols=1, rows=2)
    deck = deck_reads[name]
    assert deck.parsed.pairs or deck.parsed.projects  # the deck states something to compare
    _assert_same_records(_read(path), deck, where)


def test_a_four_up_handout_reads_rows_top_to_bottom_each_left_to_right(decks, deck_reads, tmp_path):
    path, where = _handout(decks["lecture"], tmp_path / "h.pdf", cols=2, rows=2, size=(A4[1], A4[0]))
    deck = deck_reads["lecture"]
    assert deck.parsed.jcm and deck.parsed.pairs
    _assert_same_records(_read(path), deck, where)
    # the slides' order on a page: the deck's
    with pymupdf.open(path) as doc:
        slides = handouts.slide_placements(doc[0])
        assert [tuple(round(v, 1) for v in p.rect) for p in slides] == [
            tuple(round(v, 1) for v in r) for _n, r, _s in where[:4]]


def test_a_six_up_handout_with_projects(decks, deck_reads, tmp_path):
    path, where = _handout(decks["yokohama"], tmp_path / "h.pdf", cols=2, rows=3)
    deck = deck_reads["yokohama"]
    assert [p.title for p in deck.parsed.projects] and all(p.boxes for p in deck.parsed.projects)
    handout = _read(path)
    _assert_same_records(handout, deck, where)
    for project in handout.parsed.projects:  # each box inside its slide on the handout page
        for box in project.boxes:
            slides = [r for n, r, _s in where if n == box.page]
            assert any(r.contains(pymupdf.Rect(box.bbox)) for r in slides), box


def test_a_handout_on_a_page_stored_turned_with_rotate_90(decks, deck_reads, tmp_path):
    path, where = _handout(decks["lecture"], tmp_path / "h.pdf", cols=2, rows=1, size=(A4[1], A4[0]), rotate=90)
    with pymupdf.open(path) as doc:
        assert doc[0].rotation == 90 and doc[0].rect.width > doc[0].rect.height
    _assert_same_records(_read(path), deck_reads["lecture"], where)


def _slides(texts, size=(400, 300)):
    src = pymupdf.open()
    for text in texts:
        page = src.new_page(width=size[0], height=size[1])
        page.insert_text((40, 60), text, fontname=FONT, fontsize=20)
    return src


def test_one_scaled_slide_on_a_page_is_not_split():
    src = _slides(["一枚だけのスライド"])
    doc = pymupdf.open()
    doc.new_page(width=A4[0], height=A4[1]).show_pdf_page(pymupdf.Rect(50, 50, 450, 350), src, 0)
    assert [round(p.scale, 2) for p in handouts.form_placements(doc[0])] == [1.0]
    assert handouts.slide_placements(doc[0]) == []
    assert handouts.split_handouts(doc) is None


def test_two_logos_beside_the_pages_own_text_are_not_split():
    logo = _slides(["ロゴ"], size=(300, 242))
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    page.show_pdf_page(pymupdf.Rect(30, 20, 290, 230), logo, 0)
    page.show_pdf_page(pymupdf.Rect(305, 20, 565, 230), logo, 0)
    for k in range(20):  # the page's own text, outside the forms
        page.insert_text((40, 260 + 25 * k), f"本文の{k + 1}行目はロゴの下", fontname=FONT, fontsize=14)
    placed = handouts.form_placements(page)
    assert len(placed) == 2 and sum(p.rect.get_area() for p in placed) > 0.2 * page.rect.get_area()
    assert handouts.split_handouts(doc) is None
    # similar, scaled, apart and large enough: only their holding none of the page's text stops it
    assert handouts.split_handouts(doc, handouts.HandoutSettings(min_text_share=0.0)) is not None


def test_two_overlapping_forms_are_not_split():
    src = _slides(["第一のスライド", "第二のスライド"])
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    page.show_pdf_page(pymupdf.Rect(50, 50, 350, 275), src, 0)
    page.show_pdf_page(pymupdf.Rect(100, 150, 400, 375), src, 1)  # over the first's lower half
    assert [round(p.scale, 2) for p in handouts.form_placements(page)] == [0.75, 0.75]
    assert handouts.split_handouts(doc) is None
    assert handouts.split_handouts(doc, handouts.HandoutSettings(max_overlap=1.0)) is not None


def test_slides_placed_by_cm_as_pdfjam_does(tmp_path):
    # The Forms at their own size (identity /Matrix), each drawn `q s 0 0 s e f cm /Name Do Q`.
    src = _slides(["第一のスライド", "第二のスライド"])
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    page.show_pdf_page(pymupdf.Rect(0, 0, 400, 300), src, 0)
    page.show_pdf_page(pymupdf.Rect(0, 300, 400, 600), src, 1)
    names = [(xref, name) for xref, name, invoker, _b in page.get_xobjects() if invoker == 0]
    for xref, _name in names:
        doc.xref_set_key(xref, "Matrix", "[1 0 0 1 0 0]")
    # (a comment that looks like operators is not one)
    placed = [b"q 0.9 0 0 0.9 57.5 %.1f cm /%s Do Q\n" % (y, name.encode())
              for y, (_x, name) in zip((471.2, 160), names)]
    doc.update_stream(page.get_contents()[0], b"% q 9 0 0 9 0 0 cm\n" + b"".join(placed))
    for extra in page.get_contents()[1:]:
        doc.update_stream(extra, b"")
    doc.save(tmp_path / "cm.pdf")
    doc = pymupdf.open(tmp_path / "cm.pdf")
    drawn = handouts.drawn_forms(doc[0])
    assert [(name, tuple(round(v, 2) for v in m)) for name, _xref, m in drawn] == [
        (names[0][1], (0.9, 0, 0, 0.9, 57.5, 471.2)), (names[1][1], (0.9, 0, 0, 0.9, 57.5, 160))]
    derived, page_map = handouts.split_handouts(doc)
    assert [[ln.text for ln in layout.page_layout(p).lines] for p in derived] == [["第一のスライド"],
                                                                                 ["第二のスライド"]]
    first = layout.page_layout(derived[0]).lines[0]
    assert (first.x0, first.size) == (pytest.approx(40), pytest.approx(20))  # the slide's own size
    # back on the handout: the first slide drawn at 0.9, its top at 842 - 471.2 - 0.9 × 300
    top = 842 - 471.2 - 270
    assert page_map.box(1, [40, 40, 180, 60]) == pytest.approx([57.5 + 36, top + 36, 57.5 + 162, top + 54], abs=0.01)
    assert page_map.page(2) == 1
    # scaled up, the same placements are not a handout's: its slides are drawn smaller than themselves
    assert handouts.split_handouts(doc, handouts.HandoutSettings(max_scale=0.8)) is None


def test_drawn_forms_follows_q_cm_and_do_only():
    doc = pymupdf.open()
    page = doc.new_page(width=200, height=200)
    forms = {}
    for name in "ABCD":  # four empty Form XObjects in the page's resources
        forms[name] = xref = doc.get_new_xref()
        doc.update_object(xref, "<</Type/XObject/Subtype/Form/BBox[0 0 10 10]>>")
        doc.update_stream(xref, b"")
    doc.xref_set_key(page.xref, "Resources",
                     "<</XObject<<" + "".join(f"/{n} {x} 0 R" for n, x in forms.items()) + ">>>>")
    # operators inside a string, an inline image's data and marked content are not drawing
    contents = (b"q 2 0 0 2 10 20 cm BT /F1 9 Tf (a \\) /B Do) Tj [(x) 1 (Q)] TJ ET /P <</MCID 0>> BDC /A Do "
                b"EMC q 0.5 0 0 0.5 0 0 cm /B Do Q Q /C Do BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI /D Do")
    stream = doc.get_new_xref()
    doc.update_object(stream, "<<>>")
    doc.update_stream(stream, contents)
    doc.xref_set_key(page.xref, "Contents", f"{stream} 0 R")
    doc = pymupdf.open("pdf", doc.tobytes())
    assert [(n, x, tuple(m)) for n, x, m in handouts.drawn_forms(doc[0])] == [
        ("A", forms["A"], (2, 0, 0, 2, 10, 20)), ("B", forms["B"], (1, 0, 0, 1, 10, 20)),
        ("C", forms["C"], (1, 0, 0, 1, 0, 0)), ("D", forms["D"], (1, 0, 0, 1, 0, 0))]


def test_settings_reject_unknown_keys():
    with pytest.raises(ValueError, match="unknown setting 'min_slide'"):
        handouts.HandoutSettings.from_dict({"min_slide": 3})


# --- a last page only partly filled, a lone last slide, a header and footer ----------------------

def test_a_single_page_only_partly_filled_is_split(decks, deck_reads, tmp_path):
    # 9 slides in a 4 × 4 grid: 17% of the page; the box holding them and the text, 34%
    path, where = _handout(decks["yokohama"], tmp_path / "h.pdf", cols=4, rows=4)
    assert {n for n, _r, _s in where} == {1}
    with pymupdf.open(path) as doc:
        slides = handouts.slide_placements(doc[0])
        assert len(slides) == 9 and sum(p.rect.get_area() for p in slides) < 0.2 * doc[0].rect.get_area()
    _assert_same_records(_read(path), deck_reads["yokohama"], where)


def test_a_nine_up_handout_and_its_last_page_partly_filled(decks, deck_reads, tmp_path):
    path, where = _handout(decks["lecture"], tmp_path / "h.pdf", cols=3, rows=3)
    assert [n for n, _r, _s in where].count(2) == 5
    _assert_same_records(_read(path), deck_reads["lecture"], where)


def test_a_header_and_footer_beside_the_slides_do_not_stop_a_page_being_split(decks, deck_reads, tmp_path):
    path, where = _handout(decks["lecture"], tmp_path / "h.pdf", cols=2, rows=1, size=(A4[1], A4[0]),
                           header_footer=True)
    with pymupdf.open(path) as doc:  # the header and footer: more than a tenth of the page's text
        page = doc[0]
        words = page.get_text("words")
        inside = [w for w in words if any(r.contains(pymupdf.Point((w[0] + w[2]) / 2, (w[1] + w[3]) / 2))
                                          for n, r, _s in where if n == 1)]
        assert sum(len(w[4]) for w in inside) < 0.9 * sum(len(w[4]) for w in words)
    handout = _read(path)
    _assert_same_records(handout, deck_reads["lecture"], where)
    assert not any(HEADER[:10] in s.text or "TEL" in s.text for s in handout.spans)  # not read


def test_a_lone_last_slide_is_a_slide_of_the_handout(decks, deck_reads, tmp_path):
    # 9 slides two to a page: the fifth page holds one slide (and the header and footer), drawn at
    # the size and scale of the slides on the pages before
    path, where = _handout(decks["yokohama"], tmp_path / "h.pdf", cols=2, rows=1, size=(A4[1], A4[0]),
                           header_footer=True)
    assert [n for n, _r, _s in where][-2:] == [4, 5]
    with pymupdf.open(path) as doc:
        assert handouts.slide_placements(doc[4]) == []  # not n-up by itself
        derived, page_map = handouts.split_handouts(doc)
        assert derived.page_count == 9 and page_map.page(9) == 5
        assert derived[8].rect == pymupdf.Rect(0, 0, *SLIDE)
    _assert_same_records(_read(path), deck_reads["yokohama"], where)


def test_a_lone_form_on_a_document_without_n_up_pages_is_not_a_slide(decks, tmp_path):
    # the same page as the lone last slide above, in a document of its own: no evidence of slides
    path, where = _handout(decks["yokohama"], tmp_path / "h.pdf", cols=2, rows=1, size=(A4[1], A4[0]))
    with pymupdf.open(path) as doc:
        doc.select([4])
        assert handouts.split_handouts(doc) is None



# --- slides whose Forms are turned -------------------------------------------------------------

def _turned_forms_handout(deck_path, out_path, turn):
    """The deck as pdfjam prints a deck of pages stored turned (each page's content turned by
    `turn` degrees in its content stream, /Rotate showing it upright) 2 × 2 to a landscape page:
    each page a Form of its stored (portrait) content, drawn `q a b c d e f cm /Fm Do Q` with the
    page's rotation in the matrix. Written by hand: PyMuPDF's show_pdf_page draws a page with
    /Rotate wrongly. Returns the path and `where` as `_handout` does."""
    doc = pymupdf.open(deck_path)
    size = (A4[1], A4[0])
    cells = _grid(size, 2, 2)
    forms = []
    for page in doc:
        w, h = page.rect.width, page.rect.height
        page.clean_contents()
        # landscape content turned onto a portrait box (h × w): 90 anticlockwise, or 270
        inline = pymupdf.Matrix(0, 1, -1, 0, h, 0) if turn == 90 else pymupdf.Matrix(0, -1, 1, 0, 0, w)
        content = b"q %s cm\n%s\nQ" % (" ".join(f"{v:g}" for v in inline).encode(),
                                         doc.xref_stream(page.get_contents()[0]))
        xref = doc.get_new_xref()
        kind, resources = doc.xref_get_key(page.xref, "Resources")
        resources = f"{resources} 0 R".replace(" 0 R 0 R", " 0 R") if kind == "xref" else resources
        doc.update_object(xref, f"<</Type/XObject/Subtype/Form/BBox[0 0 {h:g} {w:g}]/Resources {resources}>>")
        doc.update_stream(xref, content)
        forms.append((xref, ~inline))  # ~inline: the Form's space back to the page as shown
    deck_pages = doc.page_count
    where, page, drawn = [], None, []
    for i, (xref, upright) in enumerate(forms):
        k = i % len(cells)
        if k == 0:
            page = doc.new_page(width=size[0], height=size[1])
            drawn = []
        rect, scale = cells[k]
        # shown upright, scaled into its cell (PDF space: y up)
        m = upright * pymupdf.Matrix(scale, scale) * pymupdf.Matrix(1, 0, 0, 1, rect.x0, size[1] - rect.y1)
        drawn.append((f"Fm{i}", xref, m))
        stream = doc.get_new_xref()
        doc.update_object(stream, "<<>>")
        doc.update_stream(stream, "".join(f"q {' '.join(f'{v:.6f}' for v in m)} cm /{n} Do Q\n"
                                          for n, _x, m in drawn).encode())
        doc.xref_set_key(page.xref, "Contents", f"{stream} 0 R")
        doc.xref_set_key(page.xref, "Resources",
                         "<</XObject<<" + "".join(f"/{n} {x} 0 R" for n, x, _m in drawn) + ">>>>")
        where.append((page.number + 1 - deck_pages, rect, scale))
    doc.delete_pages(range(deck_pages))
    doc.save(out_path, garbage=1)
    return out_path, where


@pytest.mark.parametrize("turn", [90, 270])
def test_slides_of_pages_stored_turned_are_read_upright(decks, deck_reads, tmp_path, turn):
    path, where = _turned_forms_handout(decks["yokohama"], tmp_path / "h.pdf", turn)
    with pymupdf.open(path) as doc:
        slides = handouts.slide_placements(doc[0])
        assert [round(p.scale, 3) for p in slides] == [round(where[0][2], 3)] * 4
        assert all(p.bbox.width < p.bbox.height for p in slides)  # the Forms: portrait, their text sideways
        derived, _map = handouts.split_handouts(doc)
        assert derived[0].rect == pymupdf.Rect(0, 0, *SLIDE)  # the slide's page: landscape, as shown
    _assert_same_records(_read(path), deck_reads["yokohama"], where)


def test_slides_printed_sideways_are_read_as_their_forms_stand(decks, deck_reads, tmp_path):
    # each slide turned a quarter in its cell (its text reads upwards on the handout): the Form's own
    # content is upright, and is read so
    src = pymupdf.open(decks["yokohama"])
    doc = pymupdf.open()
    where = []
    for i in range(src.page_count):
        if i % 2 == 0:
            page = doc.new_page(width=A4[0], height=A4[1])
        x = 20 + (i % 2) * 285
        rect = pymupdf.Rect(x, 50, x + 270, 50 + 270 * SLIDE[0] / SLIDE[1])
        page.show_pdf_page(rect, src, i, rotate=90)
        where.append((page.number + 1, rect, rect.width / SLIDE[1]))
    doc.save(tmp_path / "h.pdf")
    handout, deck = _read(tmp_path / "h.pdf"), deck_reads["yokohama"]
    with pymupdf.open(tmp_path / "h.pdf") as d:
        derived, _map = handouts.split_handouts(d)
        assert derived.page_count == src.page_count and derived[0].rect == pymupdf.Rect(0, 0, *SLIDE)
    assert deck.parsed.projects and all(p.boxes for p in deck.parsed.projects)
    page = lambda n: where[n - 1][0]  # noqa: E731
    expected = _expected(deck, where)
    assert handout.kind == "slides" and handout.parsed.pairs == expected.pairs and handout.parsed.jcm == expected.jcm
    assert [(s.page, s.text) for s in handout.spans] == [(page(s.page), s.text) for s in deck.spans]
    for p, q in zip(handout.parsed.projects, deck.parsed.projects):  # each box turned into its cell
        assert [(b.field, b.page) for b in p.boxes] == [(b.field, page(b.page)) for b in q.boxes]
        for b, e in zip(p.boxes, q.boxes):
            _n, rect, scale = where[e.page - 1]
            x0, y0, x1, y1 = e.bbox
            assert b.bbox == pytest.approx(
                [rect.x0 + scale * y0, rect.y1 - scale * x1, rect.x0 + scale * y1, rect.y1 - scale * x0], abs=0.05)


# --- pieces of one page are not slides ---------------------------------------------------------

def _in_halves(src_path, out_path, scale=0.97):
    """Each page of a document drawn as two Forms, its left and right halves (show_pdf_page with
    a clip: each a wrapper of the same page's Form under its own /BBox), together the page at
    `scale` about its centre (as a layout program places two clips of one PDF page)."""
    src = pymupdf.open(src_path)
    doc = pymupdf.open()
    for number, source in enumerate(src):
        w, h = source.rect.width, source.rect.height
        page = doc.new_page(width=w, height=h)
        about_centre = pymupdf.Matrix(1, 0, 0, 1, -w / 2, -h / 2) * pymupdf.Matrix(scale, scale) * \
            pymupdf.Matrix(1, 0, 0, 1, w / 2, h / 2)
        for half in (pymupdf.Rect(0, 0, w / 2, h), pymupdf.Rect(w / 2, 0, w, h)):
            page.show_pdf_page(half * about_centre, src, number, clip=half)
    doc.save(out_path)
    return out_path


def test_a_page_drawn_as_its_two_halves_is_not_split(tmp_path):
    from tests.test_pamphlet import _small_pamphlet

    original = _small_pamphlet(tmp_path / "p.pdf")
    path = _in_halves(original, tmp_path / "halves.pdf")
    with pymupdf.open(path) as doc:
        placed = handouts.form_placements(doc[1])
        assert [round(p.scale, 2) for p in placed] == [0.97, 0.97] and placed[0].xref != placed[1].xref
        assert handouts.split_handouts(doc) is None
    # read as the pamphlet itself (a line crossing the middle is drawn in two pieces, one in each
    # Form, which the page model joins; only the raw text as printed keeps the join's spacing)
    got, want = _read(path), _read(original)
    assert (got.kind, got.pages) == (want.kind, want.pages) and got.parsed.pairs == want.parsed.pairs
    assert want.parsed.pairs and want.parsed.projects
    got, want = _without_boxes(got.parsed), _without_boxes(want.parsed)
    for p in got.projects + want.projects:
        p.printed = {}
    assert got == want


def test_the_same_slide_printed_more_than_once_on_a_page_is_so_many_slides():
    src = _slides(["同じスライド"])
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    page.show_pdf_page(pymupdf.Rect(50, 30, 350, 255), src, 0)
    page.show_pdf_page(pymupdf.Rect(50, 280, 350, 505), src, 0)
    page.show_pdf_page(pymupdf.Rect(50, 530, 350, 755), src, 0, clip=pymupdf.Rect(0, 0, 400, 300))  # all of it
    assert len({p.xref for p in handouts.form_placements(page)}) == 3  # three wrappers of one page's Form
    derived, page_map = handouts.split_handouts(doc)
    assert [[ln.text for ln in layout.page_layout(p).lines] for p in derived] == [["同じスライド"]] * 3
    assert [page_map.page(n) for n in (1, 2, 3)] == [1, 1, 1]
