"""Slide-deck extractor: the corpus deck, and small decks drawn here."""
from pathlib import Path

import pymupdf
import pytest

from pipeline import records
from pipeline.extract.slides import extract_slides, parse_pair_bullet, split_bracket_pair
from tests.pdfmaker_slides import make_slide_pdf

DECK = "c2c_overview_2026.pdf"


@pytest.fixture(scope="module")
def parsed(corpus):
    with pymupdf.open(corpus / DECK) as doc:
        return extract_slides(doc)


def _rows(parsed, page=None):
    return [(p.country, p.partner.text, p.japan.text) for p in parsed.pairs if page is None or p.page == page]


# --- bullets ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("• ベトナム : ハノイ市- 福岡県、バリアブントウ省- 堺市", ("VN", [("福岡県", "ハノイ市"), ("堺市", "バリアブントウ省")])),
    ("• インドネシア : ゴロンタロ州- 愛媛県、西ジャワ州- バンテン州- 北九州市",
     ("ID", [("愛媛県", "ゴロンタロ州"), ("北九州市", "西ジャワ州"), ("北九州市", "バンテン州")])),
    ("• チリ : レンカ区- 富山市、", ("CL", [("富山市", "レンカ区")])),
    ("インド ：テランガーナ州-北九州市 など", ("IN", [("北九州市", "テランガーナ州")])),
    ("• タイ : バンコク都ー横浜市、パタヤ市・ラヨン市- 大阪市", ("TH", [("横浜市", "バンコク都"), ("大阪市", "パタヤ市・ラヨン市")])),
    ("・ベトナム：ハイフォン市 ⇔ 北九州市、ダナン市↔横浜市", ("VN", [("北九州市", "ハイフォン市"), ("横浜市", "ダナン市")])),
    ("・フィリピン：ダバオ市×北九州市", ("PH", [("北九州市", "ダバオ市")])),
    ("• 横浜市ー北九州市", None),
    # a pair with no country heading it, either side first; the country printed with the partner
    ("・横浜市 ⇔ バンコク都（タイ）", ("TH", [("横浜市", "バンコク都")])),
    ("• 北九州市\u00a0\u2012\u00a0スラバヤ市", (None, [("北九州市", "スラバヤ市")])),
    ("• セブ市(フィリピン) - 富山市", ("PH", [("富山市", "セブ市")])),
    ("• 北九州市 - 環境局", None),
    ("• 省エネ設備 - 再エネ", None),
    ("横浜市 ⇔ バンコク都", None),  # no bullet: a line of running text, not a list item
    ("• 例) 気候変動アクションプラン策定支援、", None),
])
def test_parse_pair_bullet(text, expected):
    assert parse_pair_bullet(text) == expected


def test_split_bracket_pair_either_order():
    assert (split_bracket_pair("スラバヤ市-北九州市").japan, split_bracket_pair("スラバヤ市-北九州市").partner) == ("北九州市", "スラバヤ市")
    assert (split_bracket_pair("横浜市ーダナン市 ").japan, split_bracket_pair("横浜市ーダナン市 ").partner) == ("横浜市", "ダナン市")
    assert split_bracket_pair("JCMエコリース事業") is None
    assert (split_bracket_pair("横浜市×ダナン市").japan, split_bracket_pair("ダナン市 ⇔ 横浜市").partner) == (
        "横浜市", "ダナン市")


# --- the corpus deck ------------------------------------------------------------------------------

def test_corpus_title_and_fiscal_year(parsed):
    assert parsed.title == "都市間連携事業"
    assert parsed.fiscal_year == 2025  # dated 2026年2月5日
    assert parsed.projects == []


def test_corpus_bullet_pairs(parsed):
    assert _rows(parsed, 2) == [
        ("VN", "ハノイ市", "福岡県"), ("VN", "バリアブントウ省", "堺市"),
        ("ID", "ゴロンタロ州", "愛媛県"), ("ID", "西ジャワ州", "北九州市"), ("ID", "バンテン州", "北九州市"),
        ("TH", "バンコク都", "横浜市"), ("TH", "パタヤ市・ラヨン市", "大阪市"),
        ("CL", "レンカ区", "富山市"), ("IN", "テランガーナ州", "北九州市"), ("FM", "ポンペイ州", "海士町"),
    ]


def test_corpus_table_pairs(parsed):
    assert len(_rows(parsed, 3)) == 16 and len(_rows(parsed, 4)) == 29 and len(_rows(parsed, 5)) == 19
    assert len(parsed.pairs) == 74
    page3 = _rows(parsed, 3)
    assert page3[0] == ("MV", "マーレ市", "富山市")
    assert page3[-3:] == [("MN", "ウランバートル市", "札幌市、北海道\n庁"), ("MN", "ウランバートル市・トゥブ県", "札幌市"),
                          ("MN", "ウランバートル市", "札幌市")]  # a repeated pair stays: rows as printed
    page4 = _rows(parsed, 4)
    assert ("MY", "クアラルンプール市", "東京都・さいた\nま市") in page4
    assert ("VN", "バリアブントウ省・ベトナム南部\n地域", "堺市・大阪市") in page4
    page5 = _rows(parsed, 5)
    assert page5[0] == ("ID", "デンパサル市", "東京一組")
    assert ("ID", "スマラン市", "富山市") in page5  # footnote mark ※ dropped
    assert ("ID", "バンテン州（チレゴン市）・西ジ\nャワ州", "北九州市") in page5
    assert page5[-1] == ("CL", "サンディアゴ市レンカ区", "富山市")
    assert not any("※" in r[1] or "共同連携" in r[1] for r in page5)
    assert all(p.fiscal_years == [] for p in parsed.pairs)


def test_corpus_jcm_record(parsed):
    assert parsed.jcm == [records.JcmRecord(
        page=9, title="パラオパシフィックリゾートにおける太陽光発電システム及び蓄電池の導入事業", country="PW",
        japan=records.PlaceText("浦添市", 9, "japan"), partner=records.PlaceText("アイライ州", 9, "partner", "PW"),
        fiscal_year=2024)]


# --- decks drawn here -------------------------------------------------------------------------------

def _deck(path, date_line="2025年6月10日"):
    return make_slide_pdf(path, [
        {"lines": [(325, 206, "都市間連携事業", 44), (391, 318, date_line, 22)]},
        {"title": "都市間連携事業の概要", "lines": [
            (49, 229, "• ベトナム : ハノイ市- 福岡県、バリアブントウ省- 堺市", 15),
            (49, 253, "• インドネシア : ゴロンタロ州- 愛媛県、西ジャワ州- バンテン", 15),
            (65, 271, "州- 北九州市", 15),
            (49, 310, "• チリ : レンカ区- 富山市、", 15),
            (49, 340, "• ミクロネシア : ポンペイ州- 海士町", 15),
            (454, 358, "など", 15),
            (517, 176, "✓ 脱炭素・低炭素を推進する基盤制度の構築", 15),
        ]},
        {"title": "都市間連携事業（2013～2025年度）", "lines": [
            (38, 300, "※ 注記：共同連携案件", 10), (700, 117, "14カ国67都市・地域", 18)],
         "tables": [
            {"x": 32, "top": 90, "widths": (195, 97), "country": "モンゴル",
             "rows": [("ウランバートル市", "札幌市、北海道\n庁"), ("ウランバートル市・トゥブ県", "札幌市"),
                      ("ウランバートル市", "札幌市")]},
            {"x": 340, "top": 90, "widths": (195, 97), "country": "マレーシア",
             "rows": [("イスカンダル開発地域・コタキナ\nバル市", "富山市"), ("クアラルンプール市", "東京都・さいた\nま市")]},
            {"x": 340, "top": 220, "widths": (97, 195), "country": "タイ",
             "rows": [("横浜市", "バンコク都"), ("北九州市", "ラヨン県※")]},
        ]},
        {"title": "Joint Crediting Mechanism (JCM)", "lines": [
            (42, 103, "• JCM は、日本とパートナー国の中で、日本の企業や政府が協力して対策を実行する仕組み。", 15),
            (42, 130, "• 2013 年にモンゴルとの最初の署名を行って以来、31 か国と署名", 15)]},
        {"title": "JCM プロジェクト", "lines": [
            (42, 103, "• 水上太陽光発電システムの導入 TSB グリーンネックス( 株), タイ", 15)]},
        {"title": "JCM プロジェクト：テスト工場への太陽光発電の導入事業", "lines": [
            (42, 103, "• 2020 年度より開始した沖縄県・浦添市ーパラオ・アイライ州の都市間", 15),
            (58, 121, "連携事業を契機に形成され、2023 年度JCM 設備補助事業にて採択。", 15),
            (638, 484, "浦添市ーアイライ州都市間連携事業実施体制", 11)]},
        {"title": "都市間連携事業から形成されたJCM案件", "lines": [
            (40, 100, "インドネシア", 14),
            (40, 125, "• 高効率ターボ冷凍機によるショッピングモールの空調の省エネルギー化", 13),
            (52, 142, "（スラバヤ市-北九州市）", 13),
            (820, 125, "2015年度", 13),
            (40, 175, "ベトナム", 14),
            (40, 200, "• プラスチック製品工場への1.25MW屋根置き太陽光発電システムの導入", 13),
            (52, 217, "（横浜市ーダナン市）", 13),
            (820, 200, "2021年度", 13)]},
    ])


def test_drawn_deck_fiscal_year_from_date(tmp_path):
    with pymupdf.open(_deck(tmp_path / "a.pdf", "2025年6月10日")) as doc:
        assert extract_slides(doc).fiscal_year == 2025
    with pymupdf.open(_deck(tmp_path / "b.pdf", "2026年2月5日")) as doc:
        assert extract_slides(doc).fiscal_year == 2025
    with pymupdf.open(_deck(tmp_path / "c.pdf", "令和6年度 報告")) as doc:
        assert extract_slides(doc).fiscal_year == 2024


def test_drawn_deck_bullets_with_a_wrapped_pair(tmp_path):
    with pymupdf.open(_deck(tmp_path / "d.pdf")) as doc:
        parsed = extract_slides(doc)
    assert _rows(parsed, 2) == [
        ("VN", "ハノイ市", "福岡県"), ("VN", "バリアブントウ省", "堺市"),
        ("ID", "ゴロンタロ州", "愛媛県"), ("ID", "西ジャワ州", "北九州市"), ("ID", "バンテン州", "北九州市"),
        ("CL", "レンカ区", "富山市"), ("FM", "ポンペイ州", "海士町"),
    ]


def test_drawn_deck_pair_bullets_without_a_country_heading(tmp_path):
    path = make_slide_pdf(tmp_path / "pairs.pdf", [
        {"lines": [(325, 206, "都市間連携事業", 44), (391, 318, "2024年7月1日", 22)]},
        {"title": "参加都市（2024年度）", "lines": [
            (49, 120, "• 横浜市 ⇔ バンコク都（タイ）", 18),
            (49, 160, "• セブ市（フィリピン） – 富山市", 18),
            (49, 200, "• 北九州市 - スラバヤ市", 18),
            (49, 240, "• 省エネ設備 - 再エネ", 18)]},
    ])
    with pymupdf.open(path) as doc:
        parsed = extract_slides(doc)
    assert _rows(parsed) == [("TH", "バンコク都", "横浜市"), ("PH", "セブ市", "富山市"), (None, "スラバヤ市", "北九州市")]


def test_drawn_deck_two_column_tables(tmp_path):
    with pymupdf.open(_deck(tmp_path / "d.pdf")) as doc:
        parsed = extract_slides(doc)
    assert _rows(parsed, 3) == [
        ("MN", "ウランバートル市", "札幌市、北海道\n庁"),
        ("MN", "ウランバートル市・トゥブ県", "札幌市"),
        ("MN", "ウランバートル市", "札幌市"),
        ("MY", "イスカンダル開発地域・コタキナ\nバル市", "富山市"),
        ("MY", "クアラルンプール市", "東京都・さいた\nま市"),
        ("TH", "バンコク都", "横浜市"),  # Japanese column on the left: found by the names' shape
        ("TH", "ラヨン県", "北九州市"),
    ]
    assert all(p.partner.side == "partner" and p.japan.side == "japan" for p in parsed.pairs)


def test_drawn_deck_jcm_records(tmp_path):
    with pymupdf.open(_deck(tmp_path / "d.pdf")) as doc:
        parsed = extract_slides(doc)
    assert [(j.page, j.title, j.country, j.japan.text, j.partner.text, j.fiscal_year) for j in parsed.jcm] == [
        (6, "テスト工場への太陽光発電の導入事業", "PW", "浦添市", "アイライ州", 2023),
        (7, "高効率ターボ冷凍機によるショッピングモールの空調の省エネルギー化", "ID", "北九州市", "スラバヤ市", 2015),
        (7, "プラスチック製品工場への1.25MW屋根置き太陽光発電システムの導入", "VN", "横浜市", "ダナン市", 2021),
    ]


def test_drawn_country_lines_without_bullet_glyphs(tmp_path):
    path = make_slide_pdf(tmp_path / "e.pdf", [
        {"lines": [(325, 206, "都市間連携事業", 44)]},
        {"title": "都市間連携事業の概要", "lines": [
            (49, 229, "ベトナム ：ハノイ市-福岡県、バリアブンタウ省-堺市", 15),
            (49, 247, "インド ：テランガーナ州-北九州市 など", 15)]},
    ])
    with pymupdf.open(path) as doc:
        parsed = extract_slides(doc)
    assert _rows(parsed) == [("VN", "ハノイ市", "福岡県"), ("VN", "バリアブンタウ省", "堺市"),
                             ("IN", "テランガーナ州", "北九州市")]
    assert parsed.fiscal_year is None and parsed.jcm == []


@pytest.mark.parametrize("size", [(720, 540), (842, 595)])  # 4:3 slides; a deck printed on A4 landscape
def test_a_deck_on_other_page_shapes_reads_the_same(corpus, tmp_path, size):
    from pipeline.classify import classify
    from pipeline import pdf

    original = pymupdf.open(corpus / "c2c_overview_2026.pdf")
    other = pymupdf.open()
    for i in range(original.page_count):
        other.new_page(width=size[0], height=size[1]).show_pdf_page(pymupdf.Rect(0, 0, *size), original, i)
    other.save(tmp_path / "deck.pdf")
    doc = pdf.open_pdf(tmp_path / "deck.pdf")
    assert classify(pdf.page_texts(doc), pdf.page_sizes(doc)) == "slides"
    pairs = lambda d: sorted((p.japan.text, p.partner.text) for p in extract_slides(d).pairs)  # noqa: E731
    assert pairs(doc) == pairs(original) and len(pairs(doc)) > 40


def test_a_deck_stored_portrait_with_rotate_90_reads_as_displayed(tmp_path):
    # Each page stored portrait, its content turned a quarter by `cm` and shown landscape again by
    # /Rotate 90: it displays exactly like the deck. The slide tables' rules and shading must be
    # read upright like its text, or the country-column tables lose their rows.
    from pipeline import pdf

    deck = Path(__file__).resolve().parent.parent / "raw" / "c2c_overview_2026.pdf"
    turned = pymupdf.open(deck)
    for page in turned:
        w, h = page.mediabox.width, page.mediabox.height
        page.clean_contents()
        xref = page.get_contents()[0]
        turned.update_stream(xref, f"q 0 1 -1 0 {h} 0 cm\n".encode() + turned.xref_stream(xref) + b"\nQ")
        page.set_mediabox(pymupdf.Rect(0, 0, h, w))
        page.set_rotation(90)
    turned.save(tmp_path / "turned.pdf")
    rows = lambda d: sorted((p.page, p.country, p.japan.text, p.partner.text) for p in extract_slides(d).pairs)  # noqa: E731
    with pymupdf.open(deck) as original, pdf.open_pdf(tmp_path / "turned.pdf") as doc:
        assert doc[0].rotation == 90
        expected = rows(original)
        assert rows(doc) == expected and len(expected) == 74
