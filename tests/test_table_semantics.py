"""Adoption tables: what each column and cell means, whatever the header words and the column order.

Per-row fiscal years and rounds, country and place in one cell, columns typed by their content,
listing numbers in their printed forms, half-width punctuation and symbol-font bullets."""

import pymupdf
import pytest

import pdfmaker
from browser import CHROMIUM, print_html
from normalizers.countries import split_country
from normalizers.dates import fiscal_years_in_text, year_and_round_of_cell
from normalizers.numbers import is_listing_number, listing_number
from normalizers.text import join_lines, normalize_bullets, normalize_punctuation
from pipeline import records
from pipeline import pdf
from pipeline.classify import classify
from pipeline.extract.adoption_table import extract_adoption_table, match_header, type_columns
from pipeline.extract.textlines import pair_cell

MIXED_HEADER = ["国内都市", "年度", "番号", "相手国・都市", "事業名", "代表事業者"]
MIXED_ROWS = [
    ["札幌市", "2022年度", "No.1", "モンゴル／ウランバートル市", "寒冷地の事業", "株式会社アルファ"],
    ["", "2025年度\n（1次）", "No.18", "モンゴル／ウランバートル市", "環境インフラの事業", "株式会社アルファ"],
    ["横浜市", "令和4年度", "No.5", "ベトナム／ダナン市", "ダナン市の事業", "公益財団法人 ベータ"],
    ["富山市", "R7 2次", "No.3", "インドネシア／バリ州バドゥン県", "バドゥン県の事業", "株式会社ガンマ"],
]


def _mixed_table(tmp_path, header=MIXED_HEADER, rows=MIXED_ROWS,
                 title="都市間連携事業 採択案件（2022年度・2025年度）※2025年度は1次公募の採択案件"):
    widths = [70, 70, 50, 150, 220, 150]
    order = [header.index(h) for h in header]
    path = pdfmaker.make_table_pdf(tmp_path / "mixed.pdf", title, [header[i] for i in order],
                                   [[r[i] for i in order] for r in rows], col_widths=widths)
    with pymupdf.open(path) as doc:
        return extract_adoption_table(doc)


def test_each_row_takes_its_own_year_and_round_and_the_document_has_no_one_year(tmp_path):
    parsed = _mixed_table(tmp_path)
    assert parsed.fiscal_year is None
    assert parsed.notes == []
    assert [(p.fiscal_year, p.round, p.number, p.country) for p in parsed.projects] == [
        (2022, None, 1, "MN"), (2025, 1, 18, "MN"), (2022, None, 5, "VN"), (2025, 2, 3, "ID")]
    assert parsed.projects[0] == records.ProjectRecord(
        pages=[1], fiscal_year=2022, round=None, number=1, title_raw="寒冷地の事業", title="寒冷地の事業",
        proposer_raw="株式会社アルファ", proposer="株式会社アルファ",
        japan=[records.PlaceText("札幌市", 1, "japan", None)],
        partners=[records.PlaceText("ウランバートル市", 1, "partner", "MN")], country="MN")
    assert [x.text for p in parsed.projects for x in p.partners] == [
        "ウランバートル市", "ウランバートル市", "ダナン市", "バリ州バドゥン県"]


def test_rows_of_one_year_give_the_document_that_year_over_the_title(tmp_path):
    rows = [r[:1] + ["令和4年度"] + r[2:] for r in MIXED_ROWS[:1] + MIXED_ROWS[2:3]]
    parsed = _mixed_table(tmp_path, rows=rows, title="都市間連携事業 採択案件一覧（令和5年度版）")
    assert parsed.fiscal_year == 2022
    assert [(p.fiscal_year, p.round) for p in parsed.projects] == [(2022, None), (2022, None)]


def test_a_row_keeps_the_round_of_a_title_stating_its_own_year(tmp_path):
    rows = [r[:1] + ["2025年度"] + r[2:] for r in MIXED_ROWS[:2]]
    parsed = _mixed_table(tmp_path, rows=rows, title="2025年度 都市間連携事業 2次公募 採択案件")
    assert [(p.fiscal_year, p.round) for p in parsed.projects] == [(2025, 2), (2025, 2)]


def test_columns_typed_by_content_whatever_their_header_and_order(tmp_path):
    # "区分" and "地域" name no role: one column holds years, the other "country／place" cells
    header = ["事業名", "地域", "提案者", "区分", "No", "国内都市"]
    rows = [["事業一", "タイ／パタヤ市", "株式会社一", "令和3年度", "1", "大阪市"],
            ["事業二", "バドゥン県（インドネシア）", "株式会社二", "令和4年度", "2", "富山市"],
            ["事業三", "ベトナム・ダナン市", "株式会社三", "令和4年度", "3", "横浜市"]]
    path = pdfmaker.make_table_pdf(tmp_path / "t.pdf", "都市間連携事業 採択案件一覧", header, rows,
                                   col_widths=[160, 150, 130, 90, 60, 120])
    with pymupdf.open(path) as doc:
        parsed = extract_adoption_table(doc)
    assert parsed.notes == []
    assert parsed.fiscal_year is None
    assert [(p.fiscal_year, p.number, p.title, p.country, [x.text for x in p.partners], [x.text for x in p.japan])
            for p in parsed.projects] == [
        (2021, 1, "事業一", "TH", ["パタヤ市"], ["大阪市"]),
        (2022, 2, "事業二", "ID", ["バドゥン県"], ["富山市"]),
        (2022, 3, "事業三", "VN", ["ダナン市"], ["横浜市"])]


def test_type_columns_leaves_mapped_and_mixed_columns_alone():
    rows = [["1", "2022年度", "タイ", "備考あり"], ["2", "2023年度", "ベトナム", "2024年度"]]
    assert type_columns(rows, {0: "number"}) == {1: "fiscal_year", 2: "country"}
    assert type_columns(rows, {0: "number", 5: "fiscal_year"}) == {2: "country"}


def test_listing_numbers_in_their_printed_forms(tmp_path):
    header = ["番号", "提案者", "国内都市", "対象都市", "対象国", "事業名"]
    rows = [["第3号", "株式会社一", "横浜市", "ダナン市", "ベトナム", "事業一"],
            ["No.12", "株式会社二", "大阪市", "バンコク都", "タイ", "事業二"],
            ["１４", "株式会社三", "富山市", "バリ州", "インドネシア", "事業三"]]
    path = pdfmaker.make_table_pdf(tmp_path / "t.pdf", "令和4年度 都市間連携事業 採択案件一覧", header, rows)
    with pymupdf.open(path) as doc:
        parsed = extract_adoption_table(doc)
    assert [p.number for p in parsed.projects] == [3, 12, 14]


def test_half_width_cells_split_like_full_width_ones(tmp_path):
    header = ["番号", "提案者", "国内都市", "対象都市", "対象国", "事業名", "対象分野"]
    rows = [["1", "株式会社一", "大阪市", "ﾊﾟﾀﾔ市､ﾗﾖｰﾝ市", "ﾀｲ", "事業一", "省ｴﾈﾙｷﾞｰ､再ｴﾈ"]]
    path = pdfmaker.make_table_pdf(tmp_path / "t.pdf", "令和7年度 都市間連携事業 採択案件一覧", header, rows)
    with pymupdf.open(path) as doc:
        (project,) = extract_adoption_table(doc).projects
    assert project.partners == [records.PlaceText("ﾊﾟﾀﾔ市、ﾗﾖｰﾝ市", 1, "partner", "TH")]
    assert project.fields == ["省エネルギー", "再エネ"]


def test_symbol_font_bullets_split_lists(tmp_path):
    # Wingdings' square bullet comes out of a text layer as § (private-use code points are covered
    # by test_text_normalizers: the built-in font draws no glyph for them)
    header = ["番号", "提案者", "共同事業者", "国内都市", "対象都市", "対象国", "事業名", "対象分野"]
    rows = [["1", "株式会社一", "§(株)アルファ\n§ ベータ市", "大阪市", "ダナン市", "ベトナム", "事業一",
             "§省エネルギー\n§再生可能エネ\nルギー"]]
    path = pdfmaker.make_table_pdf(tmp_path / "t.pdf", "令和7年度 都市間連携事業 採択案件一覧", header, rows,
                                   col_widths=[30, 90, 110, 70, 80, 70, 160, 160])
    with pymupdf.open(path) as doc:
        (project,) = extract_adoption_table(doc).projects
    assert project.co_implementers == ["株式会社アルファ", "ベータ市"]
    assert project.fields == ["省エネルギー", "再生可能エネルギー"]


@pytest.mark.parametrize("cell, expected", [
    ("2025年度\n（1次）", (2025, 1)), ("令和4年度", (2022, None)), ("R7 2次", (2025, 2)), ("2022", (2022, None)),
    ("FY2024", (2024, None)), ("令和元年度 第2回公募", (2019, 2)), ("平成30年度", (2018, None)),
    ("2022年度に採択", (None, None)), ("ダナン市", (None, None)), ("", (None, None)),
])
def test_year_and_round_of_cell(cell, expected):
    assert year_and_round_of_cell(cell) == expected


def test_fiscal_years_in_text():
    assert fiscal_years_in_text("採択案件（2022年度・令和7年度）※2022年度分を再掲") == [2022, 2025]
    assert fiscal_years_in_text("採択結果について") == []


@pytest.mark.parametrize("cell, number, alone", [
    ("No.3", 3, True), ("第3号", 3, True), ("３", 3, True), ("03", 3, True), ("No 12", 12, True),
    ("(4)", 4, True), ("12.", 12, True), ("#7", 7, True), ("3 (再掲)", 3, False), ("事業", None, False),
])
def test_listing_number(cell, number, alone):
    assert (listing_number(cell), is_listing_number(cell)) == (number, alone)


@pytest.mark.parametrize("cell, expected", [
    ("ベトナム／ダナン\n市", ("VN", "ダナン\n市")),
    ("マレーシア・クアラルンプール市", ("MY", "クアラルンプール市")),
    ("バドゥン県（インドネシア）", ("ID", "バドゥン県")),
    ("ダナン市/ベトナム", ("VN", "ダナン市")),
    ("タイ\nバンコク都", ("TH", "バンコク都")),
    ("インドネシア スラバヤ市", ("ID", "スラバヤ市")),
    ("タイ　チェンマイ県", ("TH", "チェンマイ県")),
    ("ホーチミン 市", (None, "ホーチミン 市")),
    ("ﾍﾞﾄﾅﾑ･ﾀﾞﾅﾝ市", ("VN", "ﾀﾞﾅﾝ市")),
    ("インドネシア共和国バリ州", ("ID", "バリ州")),
    ("タイ東部地域", (None, "タイ東部地域")),
    ("堺市・大阪市", (None, "堺市・大阪市")),
    ("ベトナム", (None, "ベトナム")),
])
def test_split_country(cell, expected):
    assert split_country(cell) == expected


def test_text_normalizers():
    assert normalize_punctuation("ﾊﾟﾀﾔ市､ﾗﾖｰﾝ市･ﾁｪﾝﾏｲ市｡") == "ﾊﾟﾀﾔ市、ﾗﾖｰﾝ市・ﾁｪﾝﾏｲ市。"
    assert normalize_bullets("§省エネ\n\uf0b7再エネ\n \uf06c交通\n§3 の規定") == "・省エネ\n・再エネ\n ・交通\n§3 の規定"
    assert join_lines("Global Solu\ntions Co., Lt\nd.") == "Global Solutions Co., Ltd."
    assert join_lines("Race to\nZero") == "Race to Zero"
    assert join_lines("JCM\nproject") == "JCM project"
    assert join_lines("ABC Co.,\nLtd.") == "ABC Co., Ltd."


def test_place_columns_typed_by_script_japanese_side_first(tmp_path):
    # neither place column has a header word a role knows: the Japanese side is told by its
    # kanji municipality names, the partner side by katakana place names
    header = ["番号", "甲", "乙", "事業名", "提案者"]
    rows = [["1", "堺市・大阪市", "バリアンタウ省、\nベトナム南部地域", "事業一", "株式会社一"],
            ["2", "さいたま市", "クアラルンプール市", "事業二", "株式会社二"],
            ["3", "北九州市", "ダバオ市", "事業三", "株式会社三"]]
    path = pdfmaker.make_table_pdf(tmp_path / "t.pdf", "令和7年度 都市間連携事業 採択案件一覧", header, rows,
                                   col_widths=[40, 120, 160, 260, 160])
    with pymupdf.open(path) as doc:
        parsed = extract_adoption_table(doc)
    assert parsed.notes == []
    assert [([x.text for x in p.japan], [x.text for x in p.partners]) for p in parsed.projects] == [
        (["堺市・大阪市"], ["バリアンタウ省、\nベトナム南部地域"]), (["さいたま市"], ["クアラルンプール市"]),
        (["北九州市"], ["ダバオ市"])]


def test_a_column_of_mixed_content_is_not_typed():
    rows = [["横浜市", "株式会社一"], ["ダナン市", "株式会社二"], ["事業", "株式会社三"]]
    assert type_columns(rows, {}) == {}


def test_a_half_width_compound_cell_resolves_to_each_place(tmp_path):
    import hashlib

    from pipeline.dedupe import build_tables
    from pipeline.discover import SourceFile
    from pipeline.document import read_document
    from pipeline.gazetteer import Gazetteer

    header = ["番号", "提案者", "国内都市", "対象都市", "対象国", "事業名"]
    rows = [["1", "株式会社一", "大阪市", "ﾊﾟﾀﾔ市､ﾗﾖｰﾝ市", "ﾀｲ", "事業一"]]
    path = pdfmaker.make_table_pdf(tmp_path / "t.pdf", "令和7年度 都市間連携事業 採択案件一覧", header, rows)
    data = path.read_bytes()
    extraction = read_document(SourceFile("t.pdf", path, hashlib.sha256(data).hexdigest(), len(data)))
    (project,) = build_tables([extraction], Gazetteer.load()).projects
    assert [p["place_id"] for p in project.partner_places] == ["th-pattaya", "th-rayong-city"]
    assert project.country == "TH"


def test_latin_names_broken_inside_a_word_at_a_line_end(tmp_path):
    header = ["番号", "提案者", "共同事業者", "国内都市", "対象都市", "対象国", "事業名"]
    rows = [["1", "Global Solu\ntions Co., Lt\nd.", "・ABC Engi\nneering Inc.\n・横浜市", "横浜市", "ダナン市",
             "ベトナム", "Race to\nZero 推進事業"]]
    path = pdfmaker.make_table_pdf(tmp_path / "t.pdf", "令和7年度 都市間連携事業 採択案件一覧", header, rows)
    with pymupdf.open(path) as doc:
        (project,) = extract_adoption_table(doc).projects
    assert (project.proposer, project.co_implementers, project.title) == (
        "Global Solutions Co., Ltd.", ["ABC Engineering Inc.", "横浜市"], "Race to Zero推進事業")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
@pytest.mark.parametrize("rows_whole, header_repeated", [(True, True), (False, True), (False, False)])
def test_a_merged_cell_running_over_a_page_break_reaches_every_row_it_covers(tmp_path, rows_whole, header_repeated):
    """A browser prints a rowspan cut by the page break with no rule at the page's foot, its text
    once (on the first page), and its rest as an empty cell on the next page; a row may itself be
    split by the break (its rest an empty ruled piece), and the next page may start with no header
    and no rule above its first row."""
    groups = [("川崎市", 2), ("北九州市", 16), ("横浜市", 2)]
    partners = ["ヤンゴン市", "ダナン市", "スラバヤ市", "セブ市", "バンコク都"]
    body, n = [], 0
    for city, span in groups:
        for k in range(span):
            n += 1
            merged = f"<td rowspan={span}>{city}</td>" if k == 0 else ""
            body.append(f"<tr><td>{n}</td>{merged}<td>{partners[n % 5]}</td>"
                        f"<td>{partners[n % 5]}における脱炭素化支援事業（第{n}期）</td><td>株式会社デルタ</td></tr>")
    header = "<tr><th>番号</th><th>国内都市</th><th>対象都市・地域</th><th>事業名</th><th>代表提案者</th></tr>"
    head, first = (f"<thead>{header}</thead>", "") if header_repeated else ("", header)
    pdf_path = print_html(
        "<!doctype html><html lang=ja><head><meta charset=utf-8><style>@page { size: A4 landscape; margin: 12mm }"
        "body { font-family: 'IPAexGothic'; font-size: 9pt } table { border-collapse: collapse; width: 100% }"
        "th, td { border: 1px solid #000; padding: 3px } tr { height: 56px"
        + ("; page-break-inside: avoid" if rows_whole else "") + " }</style>"
        "</head><body><h1>令和6年度 脱炭素社会実現のための都市間連携事業 採択案件一覧</h1><table>"
        f"{head}<tbody>{first}{''.join(body)}</tbody></table></body></html>", tmp_path / "table.pdf")
    with pymupdf.open(pdf_path) as doc:
        parsed = extract_adoption_table(doc)
    # the merge of 北九州市 (rows 3-18, taller than a page) runs from one page on to the next
    assert len({page for p in parsed.projects[2:18] for page in p.pages}) >= 2
    assert [(p.number, [j.text for j in p.japan], p.proposer) for p in parsed.projects] == [
        (k, [city], "株式会社デルタ")
        for k, city in enumerate([c for c, span in groups for _ in range(span)], start=1)]
    assert parsed.notes == []


def _bordered(page: pymupdf.Page, x: float, y: float, widths: list[float], rows: list[list[str]]) -> float:
    """A table with every cell ruled, rows 24 pt high, from (x, y); returns its bottom."""
    for cells in rows:
        left = x
        for text, w in zip(cells, widths):
            page.draw_rect(pymupdf.Rect(left, y, left + w, y + 24), color=(0, 0, 0), width=0.5)
            page.insert_text((left + 3, y + 15), text, fontname=pdfmaker.FONT, fontsize=8)
            left += w
        y += 24
    return y


def test_tables_of_two_rounds_on_one_page_take_the_round_of_their_own_heading(tmp_path):
    header = ["番号", "提案者", "国内都市", "対象都市・地域", "対象国", "事業名"]
    widths = [40, 170, 70, 100, 70, 300]
    doc = pymupdf.open()
    page = doc.new_page(width=842, height=595)
    page.insert_text((40, 40), "令和6年度 都市間連携事業 採択案件一覧", fontname=pdfmaker.FONT, fontsize=12)
    page.insert_text((40, 70), "【1次公募】", fontname=pdfmaker.FONT, fontsize=10)
    bottom = _bordered(page, 40, 78, widths, [header, ["1", "株式会社アルファ", "横浜市", "ダナン市", "ベトナム", "ダナン市の事業"],
                                               ["2", "株式会社ベータ", "大阪市", "バンコク都", "タイ", "バンコク都の事業"]])
    page.insert_text((40, bottom + 30), "【2次公募】", fontname=pdfmaker.FONT, fontsize=10)
    _bordered(page, 40, bottom + 38, widths, [header, ["1", "株式会社ガンマ", "北九州市", "スラバヤ市", "インドネシア", "スラバヤ市の事業"]])
    parsed = extract_adoption_table(doc)
    assert [(p.fiscal_year, p.round, p.number, p.title) for p in parsed.projects] == [
        (2024, 1, 1, "ダナン市の事業"), (2024, 1, 2, "バンコク都の事業"), (2024, 2, 1, "スラバヤ市の事業")]


def test_a_merged_cell_wrapped_over_two_rows_bands_keeps_all_its_text(tmp_path):
    # 提案者 merged over three rows, its name wrapped onto a second line that lies in the second row
    header = ["番号", "提案者", "国内都市", "対象都市・地域", "事業名"]
    xs, ys = [40, 80, 260, 340, 440, 760], [60, 84, 108, 132, 156]
    doc = pymupdf.open()
    page = doc.new_page(width=842, height=595)
    page.insert_text((40, 40), "令和6年度 都市間連携事業 採択案件一覧", fontname=pdfmaker.FONT, fontsize=12)
    for k, y in enumerate(ys):
        for j in range(len(xs) - 1):
            if not (j == 1 and 1 < k < 4):  # no rule inside the merge
                page.draw_line((xs[j], y), (xs[j + 1], y), width=0.5)
    for x in xs:
        page.draw_line((x, ys[0]), (x, ys[-1]), width=0.5)
    rows = [header, ["1", "", "横浜市", "ダナン市", "ダナン市の事業"], ["2", "", "川崎市", "ヤンゴン市", "ヤンゴン市の事業"],
            ["3", "", "大阪市", "バンコク都", "バンコク都の事業"]]
    for i, cells in enumerate(rows):
        for j, text in enumerate(cells):
            page.insert_text((xs[j] + 3, ys[i] + 15), text, fontname=pdfmaker.FONT, fontsize=8)
    page.insert_text((83, 103), "一般社団法人オーバーシーズ・エンバイロ", fontname=pdfmaker.FONT, fontsize=8)
    page.insert_text((83, 114), "メンタル・センター", fontname=pdfmaker.FONT, fontsize=8)  # in row 2's band
    parsed = extract_adoption_table(doc)
    assert [(p.number, p.proposer) for p in parsed.projects] == [
        (n, "一般社団法人オーバーシーズ・エンバイロメンタル・センター") for n in (1, 2, 3)]


def test_a_column_of_whole_pairs_gives_both_sides(tmp_path):
    # a notice's table names each pair in one 連携都市 cell, either side first
    header = ["番号", "事業者名", "連携都市", "対象国"]
    rows = [["1", "株式会社アルファ", "横浜市－ダナン市", "ベトナム"],
            ["2", "株式会社ベータ", "スラバヤ市 ⇔ 北九州市", "インドネシア"],
            ["3", "株式会社ガンマ", "東京都・さいたま市ークアラルンプール市", "マレーシア"]]
    path = pdfmaker.make_table_pdf(tmp_path / "t.pdf", "令和6年度 都市間連携事業（一次公募）の採択について", header, rows)
    with pymupdf.open(path) as doc:
        assert classify(pdf.page_texts(doc), pdf.page_sizes(doc)) == "adoption_table"
        parsed = extract_adoption_table(doc)
    assert [(p.number, p.fiscal_year, p.round, [j.text for j in p.japan], [q.text for q in p.partners], p.country)
            for p in parsed.projects] == [
        (1, 2024, 1, ["横浜市"], ["ダナン市"], "VN"), (2, 2024, 1, ["北九州市"], ["スラバヤ市"], "ID"),
        (3, 2024, 1, ["東京都・さいたま市"], ["クアラルンプール市"], "MY")]


@pytest.mark.parametrize("text, pair", [
    ("横浜市－ダナン市", ("横浜市", "ダナン市")),
    ("ダナン市（ベトナム）⇔ 横浜市", ("横浜市", "ダナン市（ベトナム）")),
    ("ダナン市", None),
    ("横浜市－川崎市", None),
    ("北九州市-ダバオ市の都市間連携による事業", None),  # a title, not a pair
])
def test_pair_cells(text, pair):
    assert pair_cell(text) == pair


@pytest.mark.parametrize("label, role", [
    ("代表提案者\nLead Proposer", "proposer"), ("事業名 / Project Title", "title"),
    ("国内自治体 Japanese City", "japan"), ("対象都市・地域\nPartner City", "partner"),
    ("提案者 (Proposer)", "proposer"), ("Project Title", None), ("備考 Remarks", None),
])
def test_bilingual_labels_are_read_by_their_japanese(label, role):
    assert match_header(label) == role
