"""Adoption tables printed by other office programs (LibreOffice Calc and Writer; made by
tests/tablemaker.py from the seed's 20 rows and committed under tests/fixtures/), and small tables drawn
here in styles the corpus does not use: renamed/reordered/unknown columns, rules only between rows,
shaded bands without rules, no rules or shading at all, centred header labels, portrait pages without
事業概要, other spellings."""
import json
import re
from pathlib import Path

import pymupdf
import pytest

import pdfmaker
from pipeline import records
from pipeline.extract.adoption_table import extract_adoption_table

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = {r["number"]: r for r in json.loads((FIXTURES / "seed003_rows.json").read_text(encoding="utf-8"))}
RESPELL = {"バリアンタウ省": "バリアブンタウ省", "マハラシュトラ州": "マハーラーシュトラ州",
           "テランガナ州": "テランガーナー州", "アンドラ・プラデーシュ州": "アーンドラ・プラデーシュ州"}
COUNTRY = {"インドネシア": "ID", "フィリピン": "PH", "インド": "IN", "タイ": "TH", "ベトナム": "VN",
           "モンゴル": "MN", "チリ": "CL", "パラオ": "PW"}

# file → (title, fiscal year, round, row numbers, pages per row, has 事業概要, notes)
CASES = {
    "calc_r6_round2.pdf": (
        "令和6年度脱炭素社会実現のための都市間連携事業2次公募採択案件一覧", 2024, 2,
        [1, 2, 3, 4, 7, 14, 15, 18], [[1], [1], [1], [2], [2], [2], [3], [3]], True,
        [records.Note("unknown_header", 1, "備考", "column 9 header not understood; its cells are not extracted")]),
    "writer_2024_hrules.pdf": (
        "2024年度都市間連携事業採択案件一覧", 2024, None,
        [5, 6, 8, 9, 10, 11, 12, 13], [[1], [1], [1], [1], [1, 2], [2], [2], [2]], True,
        [records.Note("unknown_header", 1, "事業期間",
                      "column 8 header not understood; its cells are not extracted")]),
    "calc_r5_portrait.pdf": (
        "令和5年度都市間連携事業第1次公募採択案件一覧", 2023, 1,
        list(range(1, 21)), [[1]] * 12 + [[2]] * 8, False, []),
    "writer_r6_centred.pdf": (
        "令和6年度都市間連携事業(第1次公募)採択結果", 2024, 1, [16, 17, 19, 20], [[1]] * 4, False, []),
    "calc_2022_banded.pdf": (
        "2022年度都市間連携事業採択案件一覧", 2022, None, [1, 5, 9, 11, 16, 20], [[1]] * 4 + [[2]] * 2, True, []),
    "calc_noborders.pdf": (  # no rules, no shading: plain text in columns
        "令和3年度都市間連携事業1次公募採択案件一覧", 2021, 1, list(range(1, 9)), [[1]] * 4 + [[2]] * 4, True, []),
}


def squash(s: str | None) -> str:
    return re.sub(r"\s+", "", s or "")


def respell(s: str) -> str:
    for old, new in RESPELL.items():
        s = s.replace(old, new)
    return s


@pytest.fixture(scope="module")
def parsed() -> dict[str, records.Parsed]:
    return {name: extract_adoption_table(pymupdf.open(FIXTURES / name)) for name in CASES}


@pytest.mark.parametrize("name", sorted(CASES))
def test_document_title_year_and_notes(parsed, name):
    title, year, _round, _numbers, _pages, _summary, notes = CASES[name]
    assert (parsed[name].title, parsed[name].fiscal_year, parsed[name].notes) == (title, year, notes)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_row_exact(parsed, name):
    _title, year, round_no, numbers, pages, has_summary, _notes = CASES[name]
    got = [(p.number, p.pages, p.fiscal_year, p.round, p.title, p.proposer, [squash(j.text) for j in p.japan],
            [squash(x.text) for x in p.partners], [x.country for x in p.partners], p.country, p.fields,
            squash(p.summary) if p.summary else None, p.co_implementers)
           for p in parsed[name].projects]
    want = []
    for n, pg in zip(numbers, pages):
        r = SEED[n]
        want.append((n, pg, year, round_no, r["title"], squash(r["proposer"]), [r["japan"]],
                     [respell(r["partner"])], [COUNTRY[r["country"]]], COUNTRY[r["country"]], r["fields"],
                     squash(r["summary"]) if has_summary else None, []))
    assert got == want


def test_calc_row_with_abbreviated_legal_form_exact(parsed):
    row = parsed["calc_r6_round2.pdf"].projects[1]
    assert row == records.ProjectRecord(
        pages=[1], fiscal_year=2024, round=2, number=2,
        title_raw="メトロセブ地域の脱炭素都\n市形成と防災レジリエンス\n強化推進事業",
        title="メトロセブ地域の脱炭素都市形成と防災レジリエンス強化推進事業",
        proposer_raw="日本工営㈱", proposer="日本工営株式会社", co_implementers=[],
        japan=[records.PlaceText("横浜市", 1, "japan", None)],
        partners=[records.PlaceText("メトロセブ地域(セブ市\n、マンダウエ市、ダナ\nオ市)", 1, "partner", "PH")],
        country="PH",
        fields=["省エネルギー", "再生可能エネルギー", "廃棄物処理", "交通インフラ", "制度構築支援",
                "その他(グリーンインフラ)"],
        summary=row.summary,
        printed={"country": "フィリピン",
                 "fields": "省エネルギー、再生可\n能エネルギー、廃棄物\n処理、交通インフラ、\n制度構築支援、その他\n(グリーンインフラ)",
                 "summary": row.printed["summary"]})


def test_writer_row_split_over_two_pages_is_one_record(parsed):
    row = parsed["writer_2024_hrules.pdf"].projects[4]
    assert (row.number, row.pages, row.proposer) == (10, [1, 2], "株式会社エックス都市研究所")
    assert [p.text for p in row.partners] == ["テランガーナー州、ア\nーンドラ・プラデーシ\nュ州、ヴィンチャーカ\nパトナム市"]
    assert row.summary.endswith("(2)オンサイトエネルギー供給可能性調査")


def test_portrait_spelling_variants_pass_as_printed(parsed):
    rows = {p.number: p for p in parsed["calc_r5_portrait.pdf"].projects}
    assert [p.text for p in rows[3].partners] == ["マハーラーシュトラ州"]
    assert [p.text for p in rows[15].partners] == ["バリアブンタウ省、ベ\nトナム南部地域"]
    assert [p.text for p in rows[15].japan] == ["堺市・大阪市"]
    assert (rows[11].proposer_raw, rows[11].proposer) == ("㈲そおりサイクルセン\nター", "有限会社そおりサイクルセンター")
    assert (rows[12].proposer_raw, rows[12].proposer) == ("(公財)地球環境戦略研\n究機関", "公益財団法人地球環境戦略研究機関")


# --- small tables drawn here -------------------------------------------------------------------------

HEADER = ["番号", "提案者", "事業名", "対象国"]
ROWS = [["1", "株式会社一", "事業一", "タイ"], ["2", "(株)二", "事業二", "ベトナム"], ["3", "三㈱", "事業三", "チリ"]]
WIDTHS = [60, 200, 300, 100]  # a wide 提案者 column whose short cells leave white space in it


def _rows(parsed: records.Parsed):
    return [(p.number, p.pages, p.proposer, p.title, p.country) for p in parsed.projects]


@pytest.mark.parametrize("borders", ["rows", "bands"])
def test_centred_labels_over_left_aligned_cells(tmp_path, borders):
    parsed = extract_adoption_table(pymupdf.open(pdfmaker.make_table_pdf(
        tmp_path / "t.pdf", "令和5年度 都市間連携事業 採択案件一覧", HEADER, ROWS, col_widths=WIDTHS,
        borders=borders, header_align="center")))
    assert parsed.notes == []
    assert _rows(parsed) == [(1, [1], "株式会社一", "事業一", "TH"), (2, [1], "株式会社二", "事業二", "VN"),
                             (3, [1], "三株式会社", "事業三", "CL")]


def test_banded_table_over_pages_without_repeated_header(tmp_path):
    # page 2 starts with an unshaded row that only the text's top bounds
    rows = [[str(i), f"株式会社{i}", f"事業{i}", "タイ"] for i in range(1, 5)]
    parsed = extract_adoption_table(pymupdf.open(pdfmaker.make_table_pdf(
        tmp_path / "t.pdf", "令和5年度 都市間連携事業 採択案件一覧", HEADER, rows, col_widths=WIDTHS,
        rows_per_page=2, repeat_header=False, borders="bands", header_align="center")))
    assert _rows(parsed) == [(i, [(i + 1) // 2], f"株式会社{i}", f"事業{i}", "TH") for i in range(1, 5)]


@pytest.mark.parametrize("valign", ["top", "middle"])
def test_table_without_any_rules_rows_start_at_each_number(tmp_path, valign):
    # no rules, no shading: the columns come from the header's labels and the white space under them,
    # a row starts where a number stands alone in the 番号 column (or, when the cells are centred
    # vertically, at the widest gap above it); the header repeated on page 2 is dropped
    rows = [[str(i), f"株式会社{i}", f"事業{i}の\n長い名前\nその三", "タイ", "・省エネルギー\n・廃棄物処理"]
            for i in range(1, 7)]
    parsed = extract_adoption_table(pymupdf.open(pdfmaker.make_table_pdf(
        tmp_path / "t.pdf", "令和5年度 都市間連携事業 採択案件一覧", HEADER + ["対象分野"], rows,
        col_widths=[50, 150, 200, 80, 120], rows_per_page=4, borders="none", valign=valign)))
    assert parsed.notes == []
    assert [(p.number, p.pages, p.proposer, p.title, p.country, p.fields) for p in parsed.projects] == [
        (i, [1 if i <= 4 else 2], f"株式会社{i}", f"事業{i}の長い名前その三", "TH", ["省エネルギー", "廃棄物処理"])
        for i in range(1, 7)]


@pytest.mark.parametrize("header_align", ["left", "center"])
def test_table_without_any_rules_one_line_rows(tmp_path, header_align):
    parsed = extract_adoption_table(pymupdf.open(pdfmaker.make_table_pdf(
        tmp_path / "t.pdf", "令和5年度 都市間連携事業 採択案件一覧", HEADER, ROWS, col_widths=WIDTHS,
        borders="none", header_align=header_align)))
    assert parsed.notes == []
    assert _rows(parsed) == [(1, [1], "株式会社一", "事業一", "TH"), (2, [1], "株式会社二", "事業二", "VN"),
                             (3, [1], "三株式会社", "事業三", "CL")]


def test_table_without_any_rules_continues_on_a_page_without_header(tmp_path):
    rows = [[str(i), f"株式会社{i}", f"事業{i}", "タイ"] for i in range(1, 5)]
    parsed = extract_adoption_table(pymupdf.open(pdfmaker.make_table_pdf(
        tmp_path / "t.pdf", "令和5年度 都市間連携事業 採択案件一覧", HEADER, rows, col_widths=WIDTHS,
        rows_per_page=2, repeat_header=False, borders="none")))
    assert _rows(parsed) == [(i, [(i + 1) // 2], f"株式会社{i}", f"事業{i}", "TH") for i in range(1, 5)]


@pytest.mark.parametrize("lines", [1, 2])
def test_table_without_rules_or_number_column_splits_rows_at_wide_gaps(tmp_path, lines):
    # rows of wrapped cells: the white space between rows is wider than between a cell's lines;
    # rows of one line each: every line is a row
    rows = [[f"株式会社{i}", "\n".join([f"事業{i}"] + ["続き"] * (lines - 1)), "ベトナム"] for i in range(1, 5)]
    parsed = extract_adoption_table(pymupdf.open(pdfmaker.make_table_pdf(
        tmp_path / "t.pdf", "令和5年度 都市間連携事業 採択案件一覧", ["提案者", "事業名", "対象国"], rows,
        col_widths=[150, 200, 80], borders="none")))
    assert parsed.notes == []
    assert _rows(parsed) == [(None, [1], f"株式会社{i}", f"事業{i}" + "続き" * (lines - 1), "VN")
                             for i in range(1, 5)]


def test_table_without_any_rules_and_no_numbers_invents_nothing(tmp_path):
    # the 番号 column holds no number: no row can be told apart, so nothing is extracted and a person is told
    rows = [["一", "株式会社一", "事業一", "タイ"], ["二", "株式会社二", "事業二", "タイ"]]
    parsed = extract_adoption_table(pymupdf.open(pdfmaker.make_table_pdf(
        tmp_path / "t.pdf", "令和5年度 都市間連携事業 採択案件一覧", HEADER, rows, col_widths=WIDTHS,
        borders="none")))
    assert (parsed.projects, [n.kind for n in parsed.notes]) == ([], ["no_table"])


def test_header_words_spread_over_running_text_invent_nothing(tmp_path):
    # header words laid out like labels, then paragraphs (numbered ones too) that run across the columns
    doc = pymupdf.open()
    page = doc.new_page(width=pdfmaker.A4_LANDSCAPE[0], height=pdfmaker.A4_LANDSCAPE[1])
    page.insert_text((30, 40), "令和5年度 都市間連携事業 採択案件一覧", fontname=pdfmaker.FONT, fontsize=12)
    for x, word in zip((30, 100, 250, 450, 550), ("番号", "提案者", "事業名", "対象国", "対象分野")):
        page.insert_text((x, 70), word, fontname=pdfmaker.FONT, fontsize=9)
    for k, text in enumerate(["1 本事業は、提案者が対象国において事業名に示す取組を行うものであり、各項目を対象分野ごとに記述する。",
                              "2 事業の実施にあたっては、国内都市と対象都市の連携により、脱炭素社会の実現に向けた制度構築を支援する。",
                              "続く説明文。ここも本文であり、表ではない。"]):
        page.insert_text((30, 90 + 14 * k), text, fontname=pdfmaker.FONT, fontsize=9)
    doc.save(tmp_path / "t.pdf")
    parsed = extract_adoption_table(pymupdf.open(tmp_path / "t.pdf"))
    assert (parsed.projects, [n.kind for n in parsed.notes]) == ([], ["no_table"])


def test_header_words_in_running_text_invent_nothing(tmp_path):
    parsed = extract_adoption_table(pymupdf.open(pdfmaker.make_text_pdf(
        tmp_path / "t.pdf", [["令和5年度 都市間連携事業 採択案件一覧", "番号 提案者 事業名 対象国 対象分野",
                              "本文のみ。表はありません。"]])))
    assert (parsed.projects, [n.kind for n in parsed.notes]) == ([], ["no_table"])


def test_only_unknown_headers_is_no_table(tmp_path):
    parsed = extract_adoption_table(pymupdf.open(pdfmaker.make_table_pdf(
        tmp_path / "t.pdf", "令和5年度 都市間連携事業", ["予算額", "備考", "担当"], [["1,000", "なし", "山田"]])))
    assert (parsed.projects, [n.kind for n in parsed.notes]) == ([], ["no_table"])
