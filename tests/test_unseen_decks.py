"""Slide decks in layouts the corpus does not have (drawn by tests/deckmaker.py from the seed lecture
and Yokohama decks): symbol-font bullets, 年度 in a column beside the bullets, tables drawn with
hairlines and no shading, pairs written Japanese side first, a title slide dated by month only."""
import pymupdf
import pytest

from pipeline.extract.slides import bullet_mark, extract_slides, parse_pair_bullet
from tests.deckmaker import Deck


def _parse(path):
    with pymupdf.open(path) as doc:
        return extract_slides(doc)


def _pairs(parsed):
    return [(p.page, p.country, p.partner.text, p.japan.text) for p in parsed.pairs]


def _jcm(parsed):
    return [(j.page, j.title, j.country, j.japan.text, j.partner.text, j.fiscal_year) for j in parsed.jcm]


@pytest.mark.parametrize("text, mark", [
    ("• ベトナム", "•"), ("\x00 高効率ボイラ", "\x00"), ("\uf0a7 LED照明", "\uf0a7"), ("◼ 気候変動", "◼"),
    ("- 富山市", "-"), ("-富山市）", ""), ("九州市）", ""), ("① 廃プラスチック", ""),
])
def test_bullet_mark(text, mark):
    assert bullet_mark(text) == mark


def test_japanese_first_bullet():
    assert parse_pair_bullet("\x00 ベトナム ：福岡県-ハノイ市、堺市-バリアブンタウ省") == (
        "VN", [("福岡県", "ハノイ市"), ("堺市", "バリアブンタウ省")])


def test_jcm_list_with_year_column_and_symbol_bullets(tmp_path):
    d = Deck()
    d.title_slide("気候変動と国際協力", "2025年7月")
    d.jcm_list("都市間連携事業から形成されたJCM案件", [
        ("インドネシア", [("スマラン市公共交通バスへのCNGとディーゼル混焼設備導入プロジェクト", "スマラン市-富山市", "2019年度"),
                       ("ダンボール生産工場への高効率ボイラーシステムの導入", "ジャカルタ-川崎市", "2015年度")]),
        ("ベトナム", [("アルミホイール製造工場への0.4MW屋根置き太陽光発電システムの導入（JCMエコリース事業）",
                     "ホーチミン-大阪市", "2022年度"),
                    ("ショッピングセンターへの高効率チラー導入事業", "ホーチミン市ｰ大阪市", "2016年度")]),
    ])
    d.jcm_list("都市間連携事業から形成されたJCM案件", [
        ("パラオ", [("リゾートホテルにおける0.6MW太陽光発電システムの導入", "浦添市ｰアイライ州", "2024年度")])],
        inline_year=True)
    parsed = _parse(d.save(tmp_path / "jcm.pdf"))
    assert parsed.fiscal_year == 2025  # "2025年7月" on the title slide
    assert parsed.pairs == []  # JCM brackets are not a source of city pairs
    assert _jcm(parsed) == [
        # the bracket wraps right before its dash ("…（スマラン市" / "-富山市）"): not a new bullet
        (2, "スマラン市公共交通バスへのCNGとディーゼル混焼設備導入プロジェクト", "ID", "富山市", "スマラン市", 2019),
        (2, "ダンボール生産工場への高効率ボイラーシステムの導入", "ID", "川崎市", "ジャカルタ", 2015),
        # the 年度 beside the first line is not part of the title
        (2, "アルミホイール製造工場への0.4MW屋根置き太陽光発電システムの導入(JCMエコリース事業)", "VN", "大阪市",
         "ホーチミン", 2022),
        (2, "ショッピングセンターへの高効率チラー導入事業", "VN", "大阪市", "ホーチミン市", 2016),
        (3, "リゾートホテルにおける0.6MW太陽光発電システムの導入", "PW", "浦添市", "アイライ州", 2024),
    ]


def _table_deck(tmp_path, style, japan_first=False):
    d = Deck(style)
    d.title_slide("都市間連携事業", "2026年2月5日")
    d.tables("都市間連携事業（2013～2025年度）", [
        ("タイ", [("バンコク都", "横浜市"), ("ウボンラチャタニ県・\nワリンチャムラップ市", "北九州市")]),
        ("パラオ", [("コロール州", "北九州市"), ("アイライ州", "浦添市")]),
        ("モンゴル", [("ウランバートル市", "札幌市、\n北海道庁")]),
    ], notes=["13カ国64都市・地域"], japan_first=japan_first)
    return d.save(tmp_path / f"{style}{japan_first}.pdf")


TABLE_PAIRS = [
    (2, "TH", "バンコク都", "横浜市"), (2, "TH", "ウボンラチャタニ県・\nワリンチャムラップ市", "北九州市"),
    (2, "PW", "コロール州", "北九州市"), (2, "PW", "アイライ州", "浦添市"),
    (2, "MN", "ウランバートル市", "札幌市、\n北海道庁"),
]


@pytest.mark.parametrize("style", ["shaded", "ruled"])
@pytest.mark.parametrize("japan_first", [False, True])
def test_pair_tables_in_any_style_and_order(tmp_path, style, japan_first):
    # ruled: no shaded header to give the table's width, so the note and the slide number to the right
    # must not be read as a column; the header's vertical rules bound the table
    assert _pairs(_parse(_table_deck(tmp_path, style, japan_first))) == TABLE_PAIRS


def test_generic_slides_give_no_pairs_and_no_jcm(tmp_path):
    d = Deck()
    d.title_slide("横浜市Y-PORT事業", "横浜市国際協力課")
    d.bullets("荒れる国際情勢と環境問題", [
        "国際的な対立が増し、世界は不安定な状況（ex.ウクライナ、ガザ侵攻、インド対パキスタン、イラク対イスラエル)",
        "浦添市ーパラオアイライ州のMoU締結",
        "横浜市は、ダナン市及びバンコク都で、環境省「都市間連携事業」を活用しています。",
    ])
    d.free("都市間連携事業メリット", [(520, 120, "大阪市－ホーチミン市", 14), (520, 200, "福岡県ーハノイ市", 14)])
    d.free("環境省JCM資金支援 事業案件一覧(2013~2022年度)", [
        (45, 120, "カンボジア:6件", 14), (45, 142, "• 高効率LED街路灯※", 12),
        (340, 120, "ミャンマー: 8件", 14), (340, 142, "• 700kW廃棄物発電※", 12)])
    parsed = _parse(d.save(tmp_path / "generic.pdf"))
    assert parsed.pairs == [] and parsed.jcm == []
    assert parsed.fiscal_year is None
