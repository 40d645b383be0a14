"""pipeline.extract.adoption_table: 採択案件一覧 tables, the corpus one and tables drawn here."""
import json

import pymupdf
import pytest

import pdfmaker
from pipeline import records
from pipeline.extract.adoption_table import extract_adoption_table, match_header, split_fields

TABLE = "fy2025_r1_adoption_table.pdf"


@pytest.fixture(scope="module")
def corpus_parsed(corpus) -> records.Parsed:
    return extract_adoption_table(pymupdf.open(corpus / TABLE))


def test_corpus_document_title_and_year(corpus_parsed):
    assert corpus_parsed.title == "令和7年度脱炭素社会実現のための都市間連携事業委託業務1次公募採択案件一覧"
    assert corpus_parsed.fiscal_year == 2025
    assert corpus_parsed.notes == []


def test_corpus_rows(corpus_parsed):
    projects = corpus_parsed.projects
    assert [p.number for p in projects] == list(range(1, 21))
    assert {(p.fiscal_year, p.round) for p in projects} == {(2025, 1)}
    assert [p.pages for p in projects] == [[1]] * 6 + [[2]] * 6 + [[3]] * 6 + [[4]] * 2
    assert [p.country for p in projects] == [
        "ID", "PH", "IN", "TH", "ID", "VN", "VN", "VN", "ID", "IN",
        "ID", "ID", "TH", "TH", "VN", "ID", "VN", "MN", "CL", "PW"]
    assert all(p.co_implementers == [] for p in projects)


def test_corpus_row_2_exact(corpus_parsed):
    row = corpus_parsed.projects[1]
    assert row == records.ProjectRecord(
        pages=[1], fiscal_year=2025, round=1, number=2,
        title_raw="メトロセブ地域の脱炭素都市\n形成と防災レジリエンス強化\n推進事業",
        title="メトロセブ地域の脱炭素都市形成と防災レジリエンス強化推進事業",
        proposer_raw="日本工営株式会社", proposer="日本工営株式会社", co_implementers=[],
        japan=[records.PlaceText("横浜市", 1, "japan", None)],
        partners=[records.PlaceText("メトロセブ地域(セ\nブ市、マンダウエ\n市、ダナオ市)", 1, "partner", "PH")],
        country="PH",
        fields=["省エネルギー", "再生可能エネルギー", "廃棄物処理", "交通インフラ", "制度構築支援",
                "その他(グリーンインフラ)"],
        summary=row.summary,
        printed={"country": "フィリピン",
                 "fields": "・省エネルギー\n・再生可能エネルギー\n・廃棄物処理\n・交通インフラ\n・制度構築支援\n"
                           "・その他(グリーンインフ\nラ)",
                 "summary": row.printed["summary"]})
    # the cell as printed, its lines kept (for provenance.py to find)
    assert row.printed["summary"].startswith("本事業では、台風災害の多いメトロセブ地域において、地域防災拠点となる公共・\n民間")
    assert row.summary.startswith("本事業では、台風災害の多いメトロセブ地域において、地域防災拠点となる公共・民間施設")
    assert "\n" not in row.summary


def test_corpus_row_3_proposer_and_numbered_summary(corpus_parsed):
    row = corpus_parsed.projects[2]
    assert row.proposer_raw == "公益財団法人 地球\n環境センター"
    assert row.proposer == "公益財団法人地球環境センター"
    assert row.summary.startswith("(1)FSの実施①グリーン水素とバイオガス由来CO2を活用したe-メタンプロジェクト")


def test_corpus_compound_cells_are_passed_whole(corpus_parsed):
    row15 = corpus_parsed.projects[14]
    assert [p.text for p in row15.japan] == ["堺市・大\n阪市"]
    assert [p.text for p in row15.partners] == ["バリアンタウ省、\nベトナム南部地域"]
    assert row15.partners[0].page == 3


def test_corpus_latin_words_keep_their_spaces(corpus_parsed):
    assert corpus_parsed.projects[18].title == "サンティアゴ市レンカ区のRace to Zero参加を通じた脱炭素・SDGsドミノ推進事業"


def test_corpus_matches_truth(corpus, corpus_parsed):
    truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    expected = [p for p in truth["projects"] if TABLE in p["sources"] and p["round"] is not None]
    got = {p.number: p for p in corpus_parsed.projects}
    assert len(expected) == len(got) == 20
    for t in expected:
        p = got[t["number"]]
        assert (p.title, p.proposer, p.country, p.fields, p.fiscal_year, p.round) == (
            t["title"], t["proposer"], t["country"], t["fields"], t["fiscal_year"], t["round"]), t["key"]


# --- tables drawn by the test --------------------------------------------------------------------

RENAMED_HEADER = ["No.", "事業名", "代表事業者", "相手国", "相手都市", "国内自治体", "分野", "概要"]


def renamed_rows():
    return [
        ["1", "第一の\n都市間連携事業", "(株)テスト\n工営", "ベトナム", "ハイフォン市", "北九州市",
         "・省エネルギー\n・その他(グリーンイン\nフラ)", "一行目の概要\n二行目"],
        ["2", "Smart City\nPilot 事業", "一般社団法人 試験\n協会", "タイ国", "チェンマイ市、\nラヨーン県", "東京都・\n川崎市",
         "・廃棄物処理", "概要2"],
        ["", "(続き)", "", "", "", "", "・制度構築支援", "続きの概要"],
        ["3", "第三事業", "株式会社三番", "インドネシア", "スラバヤ市", "大阪府",
         "・水素技術", "概要3"],
    ]


def test_made_table_renamed_reordered_columns_repeated_header(tmp_path):
    path = pdfmaker.make_table_pdf(
        tmp_path / "t.pdf", "令和8年度 都市間連携事業 2次公募 採択結果", RENAMED_HEADER, renamed_rows(),
        col_widths=[30, 110, 100, 60, 90, 80, 120, 192], rows_per_page=2, footer="{page} / 2")
    doc = pymupdf.open(path)
    assert doc.page_count == 2
    parsed = extract_adoption_table(doc)
    assert parsed.title == "令和8年度都市間連携事業2次公募採択結果"
    assert parsed.fiscal_year == 2026
    assert parsed.notes == []
    assert parsed.projects == [
        records.ProjectRecord(
            pages=[1], fiscal_year=2026, round=2, number=1,
            title_raw="第一の\n都市間連携事業", title="第一の都市間連携事業",
            proposer_raw="(株)テスト\n工営", proposer="株式会社テスト工営",
            japan=[records.PlaceText("北九州市", 1, "japan", None)],
            partners=[records.PlaceText("ハイフォン市", 1, "partner", "VN")], country="VN",
            fields=["省エネルギー", "その他(グリーンインフラ)"], summary="一行目の概要二行目",
            printed={"country": "ベトナム", "fields": "・省エネルギー\n・その他(グリーンイン\nフラ)",
                     "summary": "一行目の概要\n二行目"}),
        records.ProjectRecord(
            pages=[1, 2], fiscal_year=2026, round=2, number=2,
            title_raw="Smart City\nPilot 事業\n(続き)", title="Smart City Pilot事業(続き)",
            proposer_raw="一般社団法人 試験\n協会", proposer="一般社団法人試験協会",
            japan=[records.PlaceText("東京都・\n川崎市", 1, "japan", None)],
            partners=[records.PlaceText("チェンマイ市、\nラヨーン県", 1, "partner", "TH")], country="TH",
            fields=["廃棄物処理", "制度構築支援"], summary="概要2続きの概要",
            printed={"country": "タイ国", "fields": "・廃棄物処理\n・制度構築支援", "summary": "概要2\n続きの概要"}),
        records.ProjectRecord(
            pages=[2], fiscal_year=2026, round=2, number=3,
            title_raw="第三事業", title="第三事業",
            proposer_raw="株式会社三番", proposer="株式会社三番",
            japan=[records.PlaceText("大阪府", 2, "japan", None)],
            partners=[records.PlaceText("スラバヤ市", 2, "partner", "ID")], country="ID",
            fields=["水素技術"], summary="概要3",
            printed={"country": "インドネシア", "fields": "・水素技術", "summary": "概要3"}),
    ]


def test_made_table_unknown_header_becomes_note(tmp_path):
    header = ["番号", "提案者", "国内都市", "対象都市", "対象国", "事業名", "予算額"]
    rows = [["1", "株式会社一", "横浜市", "バンコク都", "タイ", "事業一", "1,000千円"]]
    parsed = extract_adoption_table(pymupdf.open(pdfmaker.make_table_pdf(
        tmp_path / "t.pdf", "2022年度 都市間連携事業 採択案件一覧", header, rows)))
    assert parsed.fiscal_year == 2022
    assert parsed.notes == [records.Note("unknown_header", 1, "予算額",
                                         "column 7 header not understood; its cells are not extracted")]
    (project,) = parsed.projects
    assert (project.number, project.round, project.title, project.proposer, project.country) == (
        1, None, "事業一", "株式会社一", "TH")
    assert project.fields is None and project.summary is None


def test_made_table_header_only_on_first_page(tmp_path):
    header = ["案件番号", "応募者", "日本側都市", "海外都市", "国名", "案件名"]
    rows = [[str(i), f"株式会社{i}", "富山市", "コロール州", "パラオ", f"案件{i}"] for i in range(1, 5)]
    parsed = extract_adoption_table(pymupdf.open(pdfmaker.make_table_pdf(
        tmp_path / "t.pdf", "令和6年度 都市間連携事業 採択案件一覧", header, rows,
        rows_per_page=2, repeat_header=False)))
    assert [(p.number, p.pages, p.title, p.country) for p in parsed.projects] == [
        (1, [1], "案件1", "PW"), (2, [1], "案件2", "PW"), (3, [2], "案件3", "PW"), (4, [2], "案件4", "PW")]
    assert parsed.fiscal_year == 2024


def test_document_without_table(tmp_path):
    parsed = extract_adoption_table(pymupdf.open(pdfmaker.make_text_pdf(tmp_path / "t.pdf", [["脱炭素"]])))
    assert parsed.projects == []
    assert [n.kind for n in parsed.notes] == ["no_table"]


@pytest.mark.parametrize("header, role", [
    ("番号", "number"), ("No.", "number"), ("ＮＯ", "number"), ("案件番号", "number"),
    ("提案者", "proposer"), ("代表事業者", "proposer"), ("代表事業者名", "proposer"), ("実施主体", "proposer"),
    ("国内都市", "japan"), ("国内自治体", "japan"), ("日本側都市", "japan"),
    ("対象都市・地域", "partner"), ("対象都市･地域", "partner"), ("相手都市", "partner"), ("海外都市", "partner"),
    ("対象国", "country"), ("相手国", "country"), ("国名", "country"), ("国", "country"),
    ("事業名", "title"), ("案件名", "title"), ("業務名", "title"),
    ("対象分野", "fields"), ("分野", "fields"),
    ("事業概要", "summary"), ("概要", "summary"), ("事業内容", "summary"),
    ("備考", None), ("予算額", None), ("", None),
])
def test_match_header(header, role):
    assert match_header(header) == role


def test_split_fields():
    assert split_fields("・省エネルギー\n・その他(グリーンインフ\nラ)") == ["省エネルギー", "その他(グリーンインフラ)"]
    assert split_fields("・その他(フロン回収・破\n壊分野)") == ["その他(フロン回収・破壊分野)"]
    assert split_fields("省エネルギー、廃棄物処理") == ["省エネルギー", "廃棄物処理"]
    assert split_fields("") == []


def test_made_table_with_horizontal_rules_only(tmp_path):
    header = ["番号", "提案者", "国内都市", "対象都市・地域", "対象国", "事業名", "対象分野"]
    rows = [["1", "株式会社一", "横浜市", "バンコク都", "タイ", "事業一", "・省エネルギー"],
            ["2", "株式会社二", "北九州市", "スラバヤ市", "インドネシア", "事業二\n(第2期)", "・廃棄物処理\n・水素技術"]]
    parsed = extract_adoption_table(pymupdf.open(pdfmaker.make_table_pdf(
        tmp_path / "t.pdf", "令和5年度 都市間連携事業 採択案件一覧", header, rows,
        col_widths=[40, 110, 90, 120, 80, 200, 140], borders="rows")))
    assert [(p.number, p.proposer, p.japan[0].text, p.partners[0].text, p.country, p.title, p.fields)
            for p in parsed.projects] == [
        (1, "株式会社一", "横浜市", "バンコク都", "TH", "事業一", ["省エネルギー"]),
        (2, "株式会社二", "北九州市", "スラバヤ市", "ID", "事業二(第2期)", ["廃棄物処理", "水素技術"])]
    assert parsed.fiscal_year == 2023


def test_made_table_with_horizontal_rules_only_over_pages(tmp_path):
    header = ["番号", "提案者", "事業名", "対象国"]
    rows = [[str(i), f"株式会社{i}", f"事業{i}", "タイ"] for i in range(1, 6)]
    parsed = extract_adoption_table(pymupdf.open(pdfmaker.make_table_pdf(
        tmp_path / "t.pdf", "令和5年度 都市間連携事業 採択案件一覧", header, rows,
        col_widths=[40, 200, 300, 100], rows_per_page=2, repeat_header=False, borders="rows")))
    assert [(p.number, p.pages, p.proposer, p.title, p.country) for p in parsed.projects] == [
        (i, [(i + 1) // 2], f"株式会社{i}", f"事業{i}", "TH") for i in range(1, 6)]


def test_year_outside_the_title_line(tmp_path):
    # no text above the table on page 1; the year is printed in a footer note
    parsed = extract_adoption_table(pymupdf.open(pdfmaker.make_table_pdf(
        tmp_path / "t.pdf", None, ["番号", "提案者", "事業名"], [["1", "株式会社一", "事業一"]],
        footer="令和4年度 第2次公募")))
    assert (parsed.title, parsed.fiscal_year) == (None, 2022)
    assert [(p.number, p.round) for p in parsed.projects] == [(1, 2)]


def test_a_co_implementer_column_is_not_taken_for_the_proposer(tmp_path):
    header = ["番号", "共同事業者", "代表事業者", "国内都市", "対象都市", "対象国", "事業名"]
    rows = [["1", "・(株)アルファ\n・北九州市", "日本工営(株)", "北九州市", "ダナン市", "ベトナム", "脱炭素都市形成支援事業"],
            ["2", "", "(公財)地球環境戦略研究機関", "横浜市", "バンコク都", "タイ", "省エネ推進事業"]]
    path = pdfmaker.make_table_pdf(tmp_path / "t.pdf", "令和7年度 都市間連携事業 採択案件一覧", header, rows,
                                   col_widths=[30, 120, 120, 70, 70, 60, 200])
    with pymupdf.open(path) as doc:
        parsed = extract_adoption_table(doc)
    assert parsed.notes == []
    assert [(p.number, p.proposer, p.co_implementers) for p in parsed.projects] == [
        (1, "日本工営株式会社", ["株式会社アルファ", "北九州市"]),
        (2, "公益財団法人地球環境戦略研究機関", []),
    ]


@pytest.mark.parametrize("lower_only", [False, True])
def test_a_two_row_header_is_read_as_one(tmp_path, lower_only):
    # "実施体制" spans two sub-columns; the other labels stand in the upper row. With `lower_only`
    # the lower row holds nothing but the sub-column labels of the merged cell.
    header = ["番号", "事業名", "実施体制", "", "国内都市", "対象都市", "対象国"]
    lower = ["", "", "代表事業者", "共同事業者", "", "", ""] if not lower_only else \
        ["", "", "代表事業者", "", "", "", ""]
    rows = [lower,
            ["1", "脱炭素都市形成支援事業", "日本工営(株)", "(株)アルファ", "北九州市", "ダナン市", "ベトナム"],
            ["2", "省エネ推進事業", "(公財)地球環境戦略研究機関", "", "横浜市", "バンコク都", "タイ"]]
    path = pdfmaker.make_table_pdf(tmp_path / "t.pdf", "令和7年度 都市間連携事業 採択案件一覧", header, rows,
                                   col_widths=[30, 160, 120, 100, 70, 70, 60])
    with pymupdf.open(path) as doc:
        parsed = extract_adoption_table(doc)
    got = [(p.number, p.title, p.proposer, p.co_implementers, p.country) for p in parsed.projects]
    assert got == [
        (1, "脱炭素都市形成支援事業", "日本工営株式会社", [] if lower_only else ["株式会社アルファ"], "VN"),
        (2, "省エネ推進事業", "公益財団法人地球環境戦略研究機関", [], "TH"),
    ]


def test_the_tables_of_two_calls_in_one_document_keep_their_rounds(tmp_path):
    header = ["番号", "提案者", "国内都市", "対象都市", "対象国", "事業名"]
    first = pdfmaker.make_table_pdf(tmp_path / "r1.pdf", "令和7年度 都市間連携事業 1次公募 採択案件一覧", header,
                                    [["1", "日本工営(株)", "北九州市", "ダナン市", "ベトナム", "ダナン市の事業"]])
    second = pdfmaker.make_table_pdf(tmp_path / "r2.pdf", "2次公募 採択案件", header,
                                     [["1", "(株)アルファ", "横浜市", "バンコク都", "タイ", "バンコク都の事業"]])
    with pymupdf.open(first) as doc, pymupdf.open(second) as more:
        doc.insert_pdf(more)
        doc.save(tmp_path / "both.pdf")
    with pymupdf.open(tmp_path / "both.pdf") as doc:
        parsed = extract_adoption_table(doc)
    assert [(p.fiscal_year, p.round, p.number, p.title) for p in parsed.projects] == [
        (2025, 1, 1, "ダナン市の事業"), (2025, 2, 1, "バンコク都の事業")]


def test_labels_under_a_merged_header_cell_belong_to_their_sub_columns(tmp_path):
    # 実施体制 is one cell over two columns, closed below by a rule under it alone; the sub-row holds
    # 代表事業者 | 共同事業者, the other header cells run down both rows.
    doc = pymupdf.open()
    page = doc.new_page(width=842, height=595)
    page.insert_text((40, 40), "令和7年度 都市間連携事業 採択案件一覧", fontname=pdfmaker.FONT, fontsize=12)
    xs = [40, 80, 300, 420, 540, 620, 700, 780]
    ys = [60, 80, 100, 140, 180]
    shape = page.new_shape()
    for i, x in enumerate(xs):
        shape.draw_line((x, ys[1] if i == 3 else ys[0]), (x, ys[-1]))
    shape.draw_line((xs[0], ys[0]), (xs[-1], ys[0]))
    shape.draw_line((xs[2], ys[1]), (xs[4], ys[1]))
    for y in ys[2:]:
        shape.draw_line((xs[0], y), (xs[-1], y))
    shape.finish(color=(0, 0, 0), width=0.5)
    shape.commit()

    def put(x, y, text):
        page.insert_text((x + 3, y), text, fontname=pdfmaker.FONT, fontsize=8)
    for x, text in zip(xs, ["番号", "事業名", "", "", "国内都市", "対象都市", "対象国"]):
        put(x, 92, text)
    put(xs[2] + 60, 74, "実施体制")
    put(xs[2], 94, "代表事業者")
    put(xs[3], 94, "共同事業者")
    rows = [["1", "脱炭素都市形成支援事業", "日本工営(株)", "(株)アルファ", "北九州市", "ダナン市", "ベトナム"],
            ["2", "省エネ推進事業", "(公財)地球環境戦略研究機関", "", "横浜市", "バンコク都", "タイ"]]
    for row, y in zip(rows, ys[2:]):
        for x, text in zip(xs, row):
            put(x, y + 14, text)
    doc.save(tmp_path / "merged.pdf")
    with pymupdf.open(tmp_path / "merged.pdf") as doc:
        parsed = extract_adoption_table(doc)
    assert parsed.notes == []
    assert [(p.number, p.proposer, p.co_implementers, p.country) for p in parsed.projects] == [
        (1, "日本工営株式会社", ["株式会社アルファ"], "VN"), (2, "公益財団法人地球環境戦略研究機関", [], "TH")]


def test_one_column_for_country_and_city(tmp_path):
    header = ["番号", "提案者", "国内都市", "対象国・都市", "事業名"]
    rows = [["1", "日本工営(株)", "北九州市", "ベトナム・ダナン市", "ダナン市の事業"],
            ["2", "(株)アルファ", "横浜市", "タイ\nバンコク都", "バンコク都の事業"],
            ["3", "(株)ベータ", "大阪市", "ホーチミン市（ベトナム）", "ホーチミン市の事業"]]
    path = pdfmaker.make_table_pdf(tmp_path / "t.pdf", "令和7年度 都市間連携事業 採択案件一覧", header, rows)
    with pymupdf.open(path) as doc:
        parsed = extract_adoption_table(doc)
    assert [(p.country, [x.text for x in p.partners], [x.country for x in p.partners]) for p in parsed.projects] == [
        ("VN", ["ダナン市"], ["VN"]), ("TH", ["バンコク都"], ["TH"]), ("VN", ["ホーチミン市"], ["VN"])]


def test_cell_text_a_clip_path_cuts_off_stays_out_of_the_next_cell(tmp_path):
    # a spreadsheet clips a cell's overflowing text at the cell's edge: what is cut away lies over
    # the next column (対象国) and must not be read there
    from pipeline.extract import layout

    header = ["番号", "提案者", "国内都市", "対象都市", "対象国", "事業名"]
    rows = [["1", "株式会社一", "横浜市", "", "ベトナム", "事業一"],
            ["2", "株式会社二", "北九州市", "フエ市", "ベトナム", "事業二"]]
    path = pdfmaker.make_table_pdf(tmp_path / "t.pdf", "2022年度 都市間連携事業 採択案件一覧", header, rows,
                                   col_widths=[40, 120, 100, 36, 100, 200])
    doc = pymupdf.open(path)
    page = doc[0]
    (table,) = layout.table_cells(layout.ruling_lines(page))
    x0, y0, x1, y1 = table.cell_at(1, 3).bbox
    page.insert_text((x0 + 2, y0 + 3 + 8 * 1.1), "ダナン市　フエ市、ハノイ市", fontname="japan", fontsize=8)
    pdfmaker.clip_last_drawing(page, (x0, y0, x1, y1))
    doc = pymupdf.open("pdf", doc.tobytes())
    parsed = extract_adoption_table(doc)
    assert [(p.number, [x.text for x in p.japan], [x.text for x in p.partners], p.country) for p in parsed.projects] == [
        (1, ["横浜市"], ["ダナン市"], "VN"), (2, ["北九州市"], ["フエ市"], "VN")]
    assert sorted(t for t, _x, _y in layout.page_layout(doc[0]).hidden) == sorted("フエ市、ハノイ市")
    assert "ハノイ市" not in "".join(s.text for s in layout.visible_spans(doc))


def test_the_sheet_check_and_the_table_reader_share_a_page_and_change_nothing(corpus, corpus_parsed):
    """The page memo: what the classifier's sheet check made for a page (its fragments, its ruled
    grids and their cell texts) is what the table reader gets, whichever Page object asks; the cell
    texts are the caller's own to fill in; the table read after the check is the table read alone."""
    from pipeline import pdf
    from pipeline.extract import pagememo
    from pipeline.extract.adoption_table import cell_texts, find_ruled_tables, page_fragments
    from pipeline.extract.project_sheet import labelled_roles

    doc = pdf.open_pdf(corpus / TABLE)
    try:
        labelled_roles(doc[0])
        fragments = page_fragments(doc[0])
        assert page_fragments(doc[0]) is fragments
        grid = find_ruled_tables(doc[0])[0]
        assert find_ruled_tables(doc[0])[0] is grid
        texts = cell_texts(grid, fragments)
        first = [row[:] for row in texts]
        texts[0][0] = "changed by the caller"
        assert cell_texts(grid, fragments) == first
        assert extract_adoption_table(doc) == corpus_parsed
        pagememo.drop(doc)
        assert page_fragments(doc[0]) is not fragments
        assert cell_texts(find_ruled_tables(doc[0])[0], page_fragments(doc[0])) == first
    finally:
        pdf.close_pdf(doc)
