"""Slide decks in layouts the corpus does not have (drawn by tests/deckmaker.py from the seed lecture
and Yokohama decks): symbol-font bullets, 年度 in a column beside the bullets, tables drawn with
hairlines and no shading, pairs written Japanese side first, a title slide dated by month only."""
import json

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


# --- projects and city pairs the Yokohama deck (seed 004) states ---------------------------------

from pipeline import records  # noqa: E402
from pipeline.extract.slides import commission_year, project_title  # noqa: E402
from pipeline.extract.textlines import title_pair  # noqa: E402
from pipeline.run import RunOptions, run  # noqa: E402
from tests.deckmaker import BANGKOK_TITLE, DANANG_COMMISSION, DANANG_TITLE, yokohama_deck  # noqa: E402


def test_yokohama_deck_project_and_pairs(tmp_path):
    parsed = _parse(yokohama_deck(tmp_path / "yokohama.pdf"))
    # the contractor's title slide: commission heading + the project's title wrapped over two lines
    assert parsed.projects == [records.ProjectRecord(
        pages=[5], fiscal_year=2022, round=None, number=None,
        title_raw="横浜市とダナン市の都市間連携による低炭素技術事業開発を通じた\n脱炭素社会形成支援事業",
        title=DANANG_TITLE, proposer_raw=None, proposer=None, co_implementers=[],
        japan=[records.PlaceText("横浜市", 5, "japan")], partners=[records.PlaceText("ダナン市", 5, "partner")],
        country=None, fields=None, summary=None),
        # the labelled 事業名 (wrapped) on the commission slide, its places from the slide title
        records.ProjectRecord(
        pages=[7], fiscal_year=2022, round=None, number=None,
        title_raw=BANGKOK_TITLE[:31] + "\n" + BANGKOK_TITLE[31:],
        title="バンコク気候変動マスタープランに基づくカーボンニュートラル実現~公民連携プラットフォームによる緩和政策・プロジェクトの推進~",
        proposer_raw=None, proposer=None, co_implementers=[],
        japan=[records.PlaceText("横浜市", 7, "japan")], partners=[records.PlaceText("バンコク都", 7, "partner")],
        country=None, fields=None, summary=None)]
    # the slide titles that are a pair and the programme's name; not the prose sentence, not the
    # "…の進捗～…" title, not the "バンコク都ー横浜市都市間連携事業セッション" bullet
    assert _pairs(parsed) == [(6, None, "ダナン市", "横浜市"), (7, None, "バンコク都", "横浜市")]
    assert parsed.jcm == []


def test_deck_project_merges_with_the_pamphlet_listing(corpus, tmp_path):
    """One project in a pamphlet and a slide deck is one record with two sources."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "c2c_pamphlet_2022.pdf").write_bytes((corpus / "c2c_pamphlet_2022.pdf").read_bytes())
    yokohama_deck(raw / "yokohama.pdf")
    out = tmp_path / "out"
    assert run(RunOptions(raw=raw, out=out, use_ner=False), log=lambda s: None).exit_code == 0
    rows = [json.loads(x) for x in (out / "projects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 22  # the pamphlet's 22, nothing new
    by_id = {r["project_id"]: r for r in rows}
    assert [(s["document"], s["pages"]) for s in by_id["FY2022-05"]["sources"]] == [
        ("c2c_pamphlet_2022.pdf", [6, 10]), ("yokohama.pdf", [5])]
    assert [(s["document"], s["pages"]) for s in by_id["FY2022-06"]["sources"]] == [
        ("c2c_pamphlet_2022.pdf", [6, 10]), ("yokohama.pdf", [7])]
    # the pamphlet wins; the deck's 低炭素 goes to review
    assert by_id["FY2022-05"]["title"] == "横浜市とダナン市の都市間連携による炭素技術事業開発を通じた脱炭素社会形成支援事業"
    assert by_id["FY2022-06"]["proposer"] == "一般社団法人海外環境協力センター"
    other = [r for r in rows if r["project_id"] not in ("FY2022-05", "FY2022-06")]
    assert all(s["document"] == "c2c_pamphlet_2022.pdf" for r in other for s in r["sources"])
    review = [json.loads(x) for x in (out / "review.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["text"] for r in review if r["kind"] == "conflict" and r["document"] == "yokohama.pdf"] == [DANANG_TITLE]


@pytest.mark.parametrize("text, year", [
    (DANANG_COMMISSION, 2022), (f"【{DANANG_COMMISSION}】", 2022), ("2023年度 都市間連携事業委託業務", 2023),
    ("令和7年度脱炭素社会実現のための都市間連携事業", 2025),
    ("(2022年度～) 横浜市・バンコク都による都市間連携事業", None),  # a period, and places
    ("令和4年度横浜市・バンコク都による都市間連携事業", None), ("令和4年度予算", None), ("都市間連携事業委託業務", None), ("令和4年度 都市間連携事業の公募について", None),
])
def test_commission_year(text, year):
    assert commission_year(text) == year


@pytest.mark.parametrize("text, expected", [
    (DANANG_TITLE + "の概要", (DANANG_TITLE, "横浜市", "ダナン市")),
    ("広島県とベトナム・ソクチャン省の都市間連携による自立型脱炭素社会形成促進事業",
     ("広島県とベトナム・ソクチャン省の都市間連携による自立型脱炭素社会形成促進事業", "広島県", "ベトナム・ソクチャン省")),
    ("クアンニン省と滋賀県の都市間連携によるグリーン成長達成と脱炭素社会実現の支援事業",
     ("クアンニン省と滋賀県の都市間連携によるグリーン成長達成と脱炭素社会実現の支援事業", "滋賀県", "クアンニン省")),
    ("横浜市・バンコク都による都市間連携事業", None),  # the programme's name with a pair
    ("(2022年度～) 横浜市・バンコク都による都市間連携事業", None),
    ("ハノイ市との都市間連携による環境インフラ導入促進事業", None),  # no Japanese side ("の都市" is not one)
    ("ダナン市におけるカーボンニュートラル実現に向けた脱炭素都市形成支援事業", None),
    ("ダナン市・バンコク都におけるJCM事業の事例紹介事業", None),  # two foreign places
    ("横浜市とダナン市の都市間連携による技術協力", None),  # not a 事業/業務
    ("横浜市とダナン市の連携事業", None),  # too short to be a project's title
])
def test_project_title(text, expected):
    assert project_title(text) == expected


def test_title_pair_shapes():
    assert title_pair("…、マハラシュトラ州・大阪市連携による脱炭素技術導入促進事業").japan == "大阪市"
    assert title_pair("富山市-バドゥン県における脱炭素").partner == "バドゥン県"
    assert (title_pair("横浜市×ダナン市の都市間連携").japan, title_pair("ダナン市⇔横浜市の連携").partner) == (
        "横浜市", "ダナン市")
    assert title_pair("ダナン市と脱炭素都市の形成") is None
    assert title_pair("沖縄県・浦添市ーパラオ・アイライ州の") is None  # a compound side is not a title's pair


def _decoy_deck(tmp_path):
    d = Deck()
    d.title_slide("横浜市Y-PORT事業", "横浜市国際協力課")
    # commission heading, but the only long 事業 line is the programme heading of a period
    d.free("(2022年度～) 横浜市・バンコク都による都市間連携事業", [(45, 80, f"【{DANANG_COMMISSION}】", 16),
                                                          (45, 120, "相手都市：バンコク都庁（BMA）", 13)])
    # a project title without a commission heading on its slide (the heading is on the slide before)
    d.free("令和4年度の取組", [(60, 110, DANANG_COMMISSION, 18)])
    d.free(None, [(60, 160, DANANG_TITLE, 16)])
    # a commission heading with two project titles: which one the slide is about is not known
    d.free("採択案件", [(45, 80, DANANG_COMMISSION, 16), (45, 120, DANANG_TITLE, 11),
                    (45, 150, "広島県とベトナム・ソクチャン省の都市間連携による自立型脱炭素社会形成促進事業", 11)])
    # a commission heading with a title naming the partner only
    d.free("ダナン市の事業", [(45, 80, DANANG_COMMISSION, 16),
                         (45, 120, "ダナン市におけるカーボンニュートラル実現に向けた脱炭素都市形成支援事業", 13)])
    # a labelled 事業名 under a commission heading, but no pair in the slide title
    d.free("バンコク都の事業", [(45, 80, DANANG_COMMISSION, 16), (45, 120, "事業名：" + BANGKOK_TITLE[:31], 13)])
    # two labelled 事業名 under a commission heading and a pair title
    d.free("バンコク都ー横浜市都市間連携", [(45, 80, DANANG_COMMISSION, 16), (45, 120, "事業名：" + BANGKOK_TITLE[:31], 13),
                                    (45, 160, "事業名：バンコク都における廃棄物発電導入促進事業", 13)])
    # slide titles that hold a pair but say more than the collaboration
    d.bullets("横浜市・バンコク都による都市間連携事業の進捗～公民連携による脱炭素事業形成～", [
        "バンコク都ー横浜市都市間連携事業セッションにおける横浜市内企業の登壇"])
    d.bullets("横浜市とダナン市の都市間連携による企業交流", ["横浜市とダナン市の都市間連携"])
    d.bullets("ダナン市における環境省「都市間連携事業」の実施体制", ["横浜市は、ダナン市及びバンコク都で、環境省「都市間連携事業」を活用しています。"])
    d.bullets("ダナン市・バンコク都におけるJCM事業の事例", ["大阪市－ホーチミン市"])
    d.bullets("大阪市－ホーチミン市", ["高効率水冷スクリューチラー"])
    return d.save(tmp_path / "decoys.pdf")


def test_decoy_slides_give_no_projects_and_only_the_titled_pair(tmp_path):
    parsed = _parse(_decoy_deck(tmp_path))
    assert parsed.projects == [] and parsed.jcm == []
    # the titles of the period slide and of the two-事業名 slide are pairs, rightly
    assert _pairs(parsed) == [(2, None, "バンコク都", "横浜市"), (8, None, "バンコク都", "横浜市")]


def test_slide_titles_that_state_a_pair(tmp_path):
    d = Deck()
    d.title_slide("都市間連携", "2023年5月")
    d.bullets("バンコク都ー横浜市都市間連携", ["セッション"])
    d.bullets("(2015年度) 横浜市・バンコク都による都市間連携事業", ["調査事業"])
    d.bullets("広島県とベトナム・ソクチャン省の都市間連携", ["覚書"])
    parsed = _parse(d.save(tmp_path / "titles.pdf"))
    assert _pairs(parsed) == [(2, None, "バンコク都", "横浜市"), (3, None, "バンコク都", "横浜市"),
                              (4, "VN", "ベトナム・ソクチャン省", "広島県")]
    assert parsed.projects == []
