"""事業概要シート: one project per sheet as label | value rows, in any order, spelling and style."""
from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pymupdf
import pytest

import pdfmaker
from pipeline import classify, pdf
from pipeline.dedupe import build_tables
from pipeline.discover import SourceFile
from pipeline.document import _label_roles, read_document
from pipeline.extract.project_sheet import extract_project_sheets
from pipeline.gazetteer import Gazetteer
from sheetmaker import Sheet, Style, make_sheet_pdf

HEADING = "令和6年度 脱炭素社会実現のための都市間連携事業 事業概要シート"
SUMMARY = "ダナン市の公共施設に太陽光発電を\n導入し、脱炭素化を進める。\n市の職員を対象に研修を行う。"
# One project, labelled the way one office does it ...
ROWS = [("案件番号", "3"), ("事業名", "ダナン市における再生可能エネルギー導入\n促進事業"),
        ("代表提案者", "株式会社アルファ"), ("共同提案者", "・(株)ベータ\n・ガンマ株式会社"),
        ("国内自治体", "横浜市"), ("対象国", "ベトナム"), ("対象都市・地域", "ダナン市"),
        ("対象分野", "・省エネルギー\n・再生可能エネルギー"), ("事業概要", SUMMARY),
        ("採択年度", "令和6年度（2次）")]
# ... and the way another does: other words, another order
OTHER_ROWS = [("事業名称", "ダナン市における再生可能エネルギー導入\n促進事業"), ("年度", "2024年度 第2回"),
              ("No.", "第3号"), ("対象分野", "省エネルギー、再生可能エネルギー"), ("相手国", "ベトナム"),
              ("相手都市", "ダナン市"), ("日本側自治体", "横浜市"), ("代表事業者", "株式会社アルファ"),
              ("共同事業者", "(株)ベータ、ガンマ株式会社"), ("概要", SUMMARY)]
# ... and a third: label words only sheets were seen to use
THIRD_ROWS = [("事業番号", "03"), ("国内自治体名", "横浜市"), ("対象都市名", "ダナン市"), ("対象国", "ベトナム"),
              ("事業名", "ダナン市における再生可能エネルギー導入\n促進事業"), ("代表提案団体", "株式会社アルファ"),
              ("共同提案団体", "(株)ベータ、\nガンマ株式会社"), ("技術分野", "省エネルギー\n再生可能エネルギー"),
              ("事業内容", SUMMARY), ("採択年度", "R6 2次")]
EXPECTED = {
    "pages": [1], "fiscal_year": 2024, "round": 2, "number": 3,
    "title_raw": "ダナン市における再生可能エネルギー導入\n促進事業", "title": "ダナン市における再生可能エネルギー導入促進事業",
    "proposer_raw": "株式会社アルファ", "proposer": "株式会社アルファ",
    "co_implementers": ["株式会社ベータ", "ガンマ株式会社"],
    "japan": [{"text": "横浜市", "page": 1, "side": "japan", "country": None}],
    "partners": [{"text": "ダナン市", "page": 1, "side": "partner", "country": "VN"}],
    "country": "VN", "fields": ["省エネルギー", "再生可能エネルギー"],
    "summary": "ダナン市の公共施設に太陽光発電を導入し、脱炭素化を進める。市の職員を対象に研修を行う。",
}
SECOND = [("番号", "7"), ("案件名", "バンコク都の廃棄物発電導入事業"), ("提案者", "(一社)デルタ協会"),
          ("国内都市", "東京都"), ("対象国", "タイ"), ("対象地域", "バンコク都"), ("分野", "廃棄物")]
SECOND_EXPECTED = {
    "pages": [2], "fiscal_year": 2023, "round": None, "number": 7,
    "title_raw": "バンコク都の廃棄物発電導入事業", "title": "バンコク都の廃棄物発電導入事業",
    "proposer_raw": "(一社)デルタ協会", "proposer": "一般社団法人デルタ協会", "co_implementers": [],
    "japan": [{"text": "東京都", "page": 2, "side": "japan", "country": None}],
    "partners": [{"text": "バンコク都", "page": 2, "side": "partner", "country": "TH"}],
    "country": "TH", "fields": ["廃棄物"], "summary": None,
}
STYLES = {"ruled": Style(), "unruled": Style(borders="none"),
          "shaded_centred": Style(borders="shaded", label_valign="middle"),
          "row_rules_centred": Style(borders="rows", label_valign="middle")}


def _read(path: Path):
    data = path.read_bytes()
    return read_document(SourceFile(path.name, path, hashlib.sha256(data).hexdigest(), len(data)))


def _record(project) -> dict:
    d = dataclasses.asdict(project)
    d.pop("boxes")
    d.pop("printed")  # provenance (the text as printed behind each value): test_provenance_boxes_point_at_the_sheets_values checks the boxes
    return d


def _with(expected: dict, **changes) -> dict:
    return {**expected, **changes}


@pytest.mark.parametrize("style", STYLES.values(), ids=STYLES.keys())
@pytest.mark.parametrize("rows", [ROWS, OTHER_ROWS, THIRD_ROWS], ids=["labels", "other_labels", "third_labels"])
def test_a_sheet_is_one_exact_project_whatever_its_labels_order_and_rules(tmp_path, style, rows):
    ex = _read(make_sheet_pdf(tmp_path / "sheet.pdf", [Sheet(rows, heading=HEADING)], style))
    assert (ex.status, ex.kind, ex.fiscal_year) == ("ok", "project_sheet", 2024)
    assert [_record(p) for p in ex.parsed.projects] == [EXPECTED]
    assert ex.parsed.notes == []
    assert ex.title == "令和6年度脱炭素社会実現のための都市間連携事業事業概要シート"


def test_provenance_boxes_point_at_the_sheets_values(tmp_path):
    ex = _read(make_sheet_pdf(tmp_path / "sheet.pdf", [Sheet(ROWS, heading=HEADING)]))
    boxes = {b.field: (b.page, b.text) for b in ex.parsed.projects[0].boxes}
    assert boxes == {"title": (1, "ダナン市における再生可能エネルギー導入\n促進事業"), "proposer": (1, "株式会社アルファ"),
                     "japan_municipalities": (1, "横浜市"), "partner_places": (1, "ダナン市"),
                     "fiscal_year": (1, "令和6年度"), "number": (1, "3"), "country": (1, "ベトナム"),
                     "co_implementers": (1, "・(株)ベータ\n・ガンマ株式会社"),
                     "fields": (1, "・省エネルギー\n・再生可能エネルギー"),
                     "summary": (1, "ダナン市の公共施設に太陽光発電を\n導入し、脱炭素化を進める。\n市の職員を対象に研修を行う。")}
    title = next(b for b in ex.parsed.projects[0].boxes if b.field == "title")
    label_width, margin = Style().label_width, 40.0
    assert title.bbox[0] > margin + label_width  # the value's box, right of its label
    # ダナン市 is printed in the title too: its box is the 対象都市・地域 cell's, below the title
    partner = next(b for b in ex.parsed.projects[0].boxes if b.field == "partner_places")
    assert partner.bbox[1] > title.bbox[3]


@pytest.mark.parametrize("style", [Style(), Style(borders="none")], ids=["ruled", "unruled"])
def test_a_label_wrapped_in_its_cell_is_one_label(tmp_path, style):
    rows = [(("対象都市・\n地域" if label == "対象都市・地域" else label), value) for label, value in ROWS]
    ex = _read(make_sheet_pdf(tmp_path / "sheet.pdf", [Sheet(rows, heading=HEADING)], style))
    assert [_record(p) for p in ex.parsed.projects] == [EXPECTED]


@pytest.mark.parametrize("style", [Style(), Style(borders="none")], ids=["ruled", "unruled"])
@pytest.mark.parametrize("split", [
    dict(page_break=8),  # the page ends between two rows
    dict(page_break=8, split_lines=1),  # inside the summary, its rest in an unlabelled row
    dict(page_break=8, split_lines=2, repeat_label=True),  # ... its rest under the label repeated
], ids=["between_rows", "inside_a_value", "label_repeated"])
def test_a_sheet_continues_onto_a_second_page(tmp_path, style, split):
    ex = _read(make_sheet_pdf(tmp_path / "sheet.pdf", [Sheet(ROWS, heading=HEADING, **split)], style))
    assert (ex.kind, ex.pages) == ("project_sheet", 2)
    assert [_record(p) for p in ex.parsed.projects] == [_with(EXPECTED, pages=[1, 2])]


@pytest.mark.parametrize("style", [Style(), Style(borders="none")], ids=["ruled", "unruled"])
def test_several_sheets_in_one_pdf_one_per_page(tmp_path, style):
    sheets = [Sheet(ROWS, heading=HEADING), Sheet(SECOND, heading="令和5年度 都市間連携事業 事業概要シート")]
    ex = _read(make_sheet_pdf(tmp_path / "sheets.pdf", sheets, style))
    assert [_record(p) for p in ex.parsed.projects] == [EXPECTED, SECOND_EXPECTED]
    assert ex.fiscal_year is None  # the sheets are of two years


@pytest.mark.parametrize("borders", ["grid", "none"])
def test_two_sheets_on_one_page_take_the_year_of_the_title(tmp_path, borders):
    rows = [r for r in ROWS if r[0] != "採択年度"]
    second = [("番号", "7"), ("案件名", "バンコク都の廃棄物発電導入事業"), ("提案者", "(一社)デルタ協会"),
              ("対象国", "タイ"), ("対象地域", "バンコク都")]
    path = make_sheet_pdf(tmp_path / "sheets.pdf", [Sheet(rows, heading=HEADING), Sheet(second)],
                          Style(borders=borders, sheets_per_page=2, fontsize=9))
    ex = _read(path)
    assert ex.kind == "project_sheet"
    assert [_record(p) for p in ex.parsed.projects] == [
        _with(EXPECTED, round=None),
        _with(SECOND_EXPECTED, pages=[1], fiscal_year=2024, proposer_raw="(一社)デルタ協会", japan=[],
              partners=[{"text": "バンコク都", "page": 1, "side": "partner", "country": "TH"}], fields=None)]


def test_a_label_naming_no_role_is_noted_and_its_value_left_out(tmp_path):
    rows = ROWS[:2] + [("事業期間", "2024年4月から2年間")] + ROWS[2:]
    with pymupdf.open(make_sheet_pdf(tmp_path / "sheet.pdf", [Sheet(rows, heading=HEADING)], Style(borders="none"))) as doc:
        parsed = extract_project_sheets(doc)
    assert [_record(p) for p in parsed.projects] == [EXPECTED]
    assert [(n.kind, n.page, n.text) for n in parsed.notes] == [("unknown_header", 1, "事業期間")]


def test_a_page_without_sheets_is_no_table(tmp_path):
    path = pdfmaker.make_text_pdf(tmp_path / "text.pdf", [["都市間連携事業について", "事業の説明文です。"]])
    with pymupdf.open(path) as doc:
        parsed = extract_project_sheets(doc)
    assert (parsed.projects, [n.kind for n in parsed.notes]) == ([], ["no_table"])


def test_the_classifier_tells_a_sheet_from_a_table_by_geometry(tmp_path):
    sheet = make_sheet_pdf(tmp_path / "sheet.pdf", [Sheet(ROWS, heading=HEADING)])
    header = [label for label, _value in ROWS]
    table = pdfmaker.make_table_pdf(tmp_path / "table.pdf", HEADING.replace("事業概要シート", "採択案件一覧"), header,
                                    [[value for _label, value in ROWS]], size=pdfmaker.A4_LANDSCAPE, fontsize=6)
    kinds = []
    for path in (sheet, table):
        with pymupdf.open(path) as doc:
            texts = pdf.page_texts(doc)
            roles = _label_roles(doc, texts)
            kinds.append((roles, classify.classify(texts, pdf.page_sizes(doc), label_roles=roles)))
    assert kinds == [([10], "project_sheet"), ([0], "adoption_table")]
    # without the geometry the sheet's header words read as a table's (and its table is not found)
    with pymupdf.open(sheet) as doc:
        assert classify.classify(pdf.page_texts(doc), pdf.page_sizes(doc)) == "adoption_table"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


def test_a_sheets_project_merges_into_the_adoption_tables(tmp_path, gazetteer):
    header = ["番号", "事業名", "代表事業者", "国内都市", "対象国", "対象都市"]
    table_rows = [["2", "バリ州の循環型社会構築事業", "株式会社ベータ", "富山市", "インドネシア", "バリ州"],
                  ["3", "ダナン市における再生可能エネルギー導入促進事業", "株式会社アルファ", "横浜市", "ベトナム", "ダナン市"]]
    table = pdfmaker.make_table_pdf(tmp_path / "a_table.pdf", "令和6年度（2次公募） 都市間連携事業 採択案件一覧",
                                    header, table_rows, col_widths=[40, 260, 140, 90, 90, 100])
    sheet = make_sheet_pdf(tmp_path / "b_sheet.pdf", [Sheet(OTHER_ROWS, heading=HEADING)], Style(borders="none"))
    extractions = [_read(table), _read(sheet)]
    assert [(e.kind, e.fiscal_year) for e in extractions] == [("adoption_table", 2024), ("project_sheet", 2024)]
    tables = build_tables(extractions, gazetteer)
    rows = [(p.project_id, p.title, p.proposer, p.co_implementers, p.fields, p.country,
             [s["document"] for s in p.sources]) for p in tables.projects]
    assert rows == [
        ("FY2024-R2-02", "バリ州の循環型社会構築事業", "株式会社ベータ", [], [], "ID", ["a_table.pdf"]),
        ("FY2024-R2-03", "ダナン市における再生可能エネルギー導入促進事業", "株式会社アルファ",
         ["株式会社ベータ", "ガンマ株式会社"], ["省エネルギー", "再生可能エネルギー"], "VN", ["a_table.pdf", "b_sheet.pdf"]),
    ]
    assert tables.projects[1].summary == EXPECTED["summary"]  # what only the sheet states is kept
    assert [r for r in tables.review if r.kind in ("conflict", "possible_duplicate")] == []


CEBU = {
    "pages": [1], "fiscal_year": 2025, "round": 1, "number": 5,
    "title_raw": "セブ市の省エネ推進事業", "title": "セブ市の省エネ推進事業",
    "proposer_raw": "株式会社イプシロン", "proposer": "株式会社イプシロン", "co_implementers": [],
    "japan": [{"text": "北九州市", "page": 1, "side": "japan", "country": None}],
    "partners": [{"text": "セブ市", "page": 1, "side": "partner", "country": "PH"}],
    "country": "PH", "fields": None, "summary": None,
}


def _drawn_sheet(path: Path, rows: list[list[tuple[str, float]]], ruled: bool, title: str | None = None,
                 title_in_table: bool = False) -> Path:
    """A sheet drawn cell by cell: each row a list of (text, right edge) from x = 40; a text with "\\n"
    gives a taller row. `title_in_table` prints the title in a first row across the table."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    y = 60.0
    if title and not title_in_table:
        page.insert_text((40, 40), title, fontname=pdfmaker.FONT, fontsize=12)
    if title_in_table:
        rows = [[(title, 555)]] + rows
    for cells in rows:
        h = 6 + 16 * max(len(t.split("\n")) for t, _r in cells)
        x = 40.0
        for t, right in cells:
            if ruled:
                page.draw_rect(pymupdf.Rect(x, y, right, y + h), color=(0, 0, 0), width=0.5)
            for i, line in enumerate(t.split("\n")):
                page.insert_text((x + 4, y + 14 + 16 * i), line, fontname=pdfmaker.FONT, fontsize=10)
            x = right
        y += h
    doc.save(path)
    return path


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_two_label_value_pairs_on_a_row(tmp_path, ruled):
    rows = [[("案件番号", 130), ("5", 300), ("採択年度", 390), ("令和7年度（1次）", 555)],
            [("対象国", 130), ("フィリピン", 300), ("対象都市", 390), ("セブ市", 555)],
            [("事業名", 130), ("セブ市の省エネ推進事業", 555)], [("代表提案者", 130), ("株式会社イプシロン", 555)],
            [("国内自治体", 130), ("北九州市", 555)]]
    with pymupdf.open(_drawn_sheet(tmp_path / "s.pdf", rows, ruled, "都市間連携事業 事業概要シート")) as doc:
        parsed = extract_project_sheets(doc)
    assert [_record(p) for p in parsed.projects] == [CEBU]


def test_a_title_row_inside_the_table_and_a_label_above_its_value(tmp_path):
    rows = [[("案件番号", 130), ("5", 555)], [("事業名", 130), ("セブ市の省エネ推進事業", 555)],
            [("代表提案者", 130), ("株式会社イプシロン", 555)], [("対象国", 130), ("フィリピン", 555)],
            [("対象都市", 130), ("セブ市", 555)], [("国内自治体", 130), ("北九州市", 555)],
            [("事業概要", 555)], [("セブ市の庁舎に高効率空調を導入する。\nあわせて人材育成を行う。", 555)]]
    path = _drawn_sheet(tmp_path / "s.pdf", rows, True, "令和7年度（1次公募） 都市間連携事業 事業概要シート", title_in_table=True)
    with pymupdf.open(path) as doc:
        parsed = extract_project_sheets(doc)
    assert parsed.title == "令和7年度(1次公募)都市間連携事業事業概要シート"
    assert [_record(p) for p in parsed.projects] == [
        _with(CEBU, summary="セブ市の庁舎に高効率空調を導入する。あわせて人材育成を行う。")]


def test_a_sheet_retitling_its_project_merges_by_its_call_and_number(tmp_path, gazetteer):
    header = ["番号", "事業名", "代表事業者", "国内都市", "対象国", "対象都市"]
    table_rows = [["3", "ダナン市における再生可能エネルギー導入促進事業", "株式会社アルファ", "横浜市", "ベトナム", "ダナン市"]]
    table = pdfmaker.make_table_pdf(tmp_path / "a_table.pdf", "令和6年度（2次公募） 都市間連携事業 採択案件一覧",
                                    header, table_rows, col_widths=[40, 260, 140, 90, 90, 100])
    rows = [("案件番号", "3"), ("事業名", "太陽光発電の導入に関する調査"), ("対象国", "ベトナム"),
            ("対象都市・地域", "ダナン市"), ("採択年度", "令和6年度（2次）")]
    other_call = [("案件番号", "3"), ("事業名", "太陽光発電の導入に関する調査"), ("対象国", "ベトナム"),
                  ("対象都市・地域", "ダナン市"), ("採択年度", "令和6年度（1次）")]
    sheet = make_sheet_pdf(tmp_path / "b_sheet.pdf", [Sheet(rows, heading=HEADING)])
    tables = build_tables([_read(table), _read(sheet)], gazetteer)
    assert [(p.project_id, p.title, [s["document"] for s in p.sources]) for p in tables.projects] == [
        ("FY2024-R2-03", "ダナン市における再生可能エネルギー導入促進事業", ["a_table.pdf", "b_sheet.pdf"])]
    assert [(r.kind, r.document, r.text) for r in tables.review if r.kind == "conflict"] == [
        ("conflict", "b_sheet.pdf", "太陽光発電の導入に関する調査")]
    # the same number in another call's sheet is another project
    sheet = make_sheet_pdf(tmp_path / "b_sheet.pdf", [Sheet(other_call, heading=HEADING)])
    tables = build_tables([_read(table), _read(sheet)], gazetteer)
    assert [p.project_id for p in tables.projects] == ["FY2024-R1-03", "FY2024-R2-03"]


def test_the_sheet_readers_settings_reject_unknown_keys_and_decide(tmp_path):
    from pipeline.extract.project_sheet import SheetSettings

    with pytest.raises(ValueError, match="SheetSettings: unknown setting 'min_lables'"):
        SheetSettings.from_dict({"min_lables": 4})
    path = make_sheet_pdf(tmp_path / "sheet.pdf", [Sheet(SECOND, heading=HEADING)], Style(borders="none"))
    with pymupdf.open(path) as doc:
        assert [p.number for p in extract_project_sheets(doc).projects] == [7]
        fewer = extract_project_sheets(doc, SheetSettings(min_labels=len(SECOND) + 1))
    assert (fewer.projects, [n.kind for n in fewer.notes]) == ([], ["no_table"])


def test_a_fiscal_year_printed_only_on_the_cover_is_the_sheets_year(tmp_path):
    rows = [r for r in ROWS if r[0] != "採択年度"]
    path = make_sheet_pdf(tmp_path / "sheets.pdf", [Sheet(rows, heading="事業概要シート")])
    with pymupdf.open(path) as doc:
        cover = doc.new_page(0)
        cover.insert_text((60, 200), "令和7年度 脱炭素社会実現のための都市間連携事業", fontname="japan", fontsize=16)
        cover.insert_text((60, 240), "採択案件 事業概要シート集", fontname="japan", fontsize=14)
        parsed = extract_project_sheets(doc)
    assert [(p.fiscal_year, p.round, p.number, p.pages) for p in parsed.projects] == [(2025, None, 3, [2])]
    assert parsed.fiscal_year == 2025


def test_a_forms_table_of_items_is_no_sheet(tmp_path):
    # a call for proposals lists what a proposal must state: 番号 | 記載項目 | 内容, rows of label words
    # and instructions, never one project's label | value rows
    rows = [["1", "事業名", "提案する事業の名称"], ["2", "代表提案者", "法人名、代表者名、所在地"],
            ["3", "国内自治体", "連携する日本の地方公共団体（例：横浜市）"], ["4", "対象国・対象都市", "例：ベトナム・ダナン市"],
            ["5", "事業概要", "事業の目的、内容、期待される効果"]]
    path = pdfmaker.make_table_pdf(tmp_path / "call.pdf", "令和7年度 脱炭素社会実現のための都市間連携事業の公募について",
                                   ["番号", "記載項目", "内容"], rows, size=pdfmaker.A4)
    with pymupdf.open(path) as doc:
        assert extract_project_sheets(doc).projects == []
        assert _label_roles(doc, pdf.page_texts(doc)) == [0]


def test_a_group_label_over_several_labels_is_no_label_of_its_own(tmp_path):
    # 実施体制 merged over 代表提案者 | 共同提案者, 対象地域 over 国内自治体 | 対象国 | 対象都市: one sheet
    rows = [(None, "案件番号", "15"), (None, "事業名", "カントー市における上水道施設の省エネルギー化事業"),
            ("実施体制", "代表提案者", "株式会社なごや水処理システムズ"),
            ("実施体制", "共同提案者", "中部環境技研株式会社\n株式会社東海エンジニアリング"),
            ("対象地域", "国内自治体", "名古屋市"), ("対象地域", "対象国", "ベトナム"), ("対象地域", "対象都市", "カントー市"),
            (None, "対象分野", "省エネルギー")]
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((40, 60), "令和5年度 脱炭素社会実現のための都市間連携事業 事業概要シート", fontname="japan", fontsize=12)
    top, height = 80.0, 34.0
    for k, (group, label, value) in enumerate(rows):
        y = top + k * height
        if group is None:
            page.draw_rect(pymupdf.Rect(40, y, 230, y + height), color=(0, 0, 0), width=0.5)
        else:
            page.draw_rect(pymupdf.Rect(110, y, 230, y + height), color=(0, 0, 0), width=0.5)
            if k == 0 or rows[k - 1][0] != group:  # the group's cell, drawn once over its rows
                n = next((m for m, r in enumerate(rows[k:]) if r[0] != group), len(rows) - k)
                page.draw_rect(pymupdf.Rect(40, y, 110, y + n * height), color=(0, 0, 0), width=0.5)
                page.insert_text((44, y + 14), group, fontname="japan", fontsize=9)
        page.insert_text((114 if group else 44, y + 14), label, fontname="japan", fontsize=9)
        page.draw_rect(pymupdf.Rect(230, y, 540, y + height), color=(0, 0, 0), width=0.5)
        for m, line in enumerate(value.split("\n")):
            page.insert_text((234, y + 14 + m * 12), line, fontname="japan", fontsize=9)
    parsed = extract_project_sheets(doc)
    assert [(p.number, p.title, p.proposer, p.co_implementers, [j.text for j in p.japan], [q.text for q in p.partners],
             p.country, p.fields) for p in parsed.projects] == [
        (15, "カントー市における上水道施設の省エネルギー化事業", "株式会社なごや水処理システムズ",
         ["中部環境技研株式会社", "株式会社東海エンジニアリング"], ["名古屋市"], ["カントー市"], "VN", ["省エネルギー"])]


@pytest.mark.parametrize("heading, number", [
    ("令和6年度（二次公募） 事業概要シート 案件番号：16", 16),
    ("事業概要シート No.3", 3),
    ("事業概要シート 整理番号 第5号", 5),
    ("事業概要シート（お問い合わせ 電話番号：03-5521-8330）", None),  # a telephone number is no listing number
])
def test_a_listing_number_printed_only_in_the_sheets_heading(tmp_path, heading, number):
    rows = [r for r in ROWS if r[0] != "案件番号"]
    with pymupdf.open(make_sheet_pdf(tmp_path / "sheet.pdf", [Sheet(rows, heading=heading)])) as doc:
        (project,) = extract_project_sheets(doc).projects
    assert project.number == number
