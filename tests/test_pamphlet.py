"""Pamphlet extractor: the corpus pamphlet against truth.json, and small pamphlets drawn here."""
import json

import pymupdf
import pytest

from normalizers.text import normalize_text
from pipeline import pdf, records
from pipeline.classify import classify
from pipeline.extract.pamphlet import PairHeading, extract_pamphlet, parse_pair_heading, title_partners
from tests.pdfmaker_slides import make_pamphlet_pdf

PAMPHLET = "c2c_pamphlet_2022.pdf"


@pytest.fixture(scope="module")
def parsed(corpus):
    with pymupdf.open(corpus / PAMPHLET) as doc:
        return extract_pamphlet(doc)


@pytest.fixture(scope="module")
def truth(corpus):
    data = json.loads((corpus / "truth.json").read_text())
    return {p["number"]: p for p in data["projects"] if p["key"].startswith("FY2022-")}


# --- pair headings -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("札幌市ーモンゴル国ウランバートル市", PairHeading("札幌市", "MN", "ウランバートル市")),
    ("堺市—ベトナム社会主義共和国バリアンタウ省", PairHeading("堺市", "VN", "バリアンタウ省")),
    ("大阪市－タイ王国バンコク都", PairHeading("大阪市", "TH", "バンコク都")),
    ("川崎市-インドネシア共和国バンドン市", PairHeading("川崎市", "ID", "バンドン市")),
    ("北九州市―パラオ共和国コロール州", PairHeading("北九州市", "PW", "コロール州")),
    ("東京都・さいたま市ーマレーシア国クアラルンプール市", PairHeading("東京都・さいたま市", "MY", "クアラルンプール市")),
    ("富山市ーマレーシア国ジョホール州イスカンダル開発地域・コタキナバル市",
     PairHeading("富山市", "MY", "ジョホール州イスカンダル開発地域・コタキナバル市")),
    ("大阪市ータイ王国タイ東部地域(EEC 及びバンコク都)", PairHeading("大阪市", "TH", "タイ東部地域(EEC 及びバンコク都)")),
    ("横浜市ーダナン市", PairHeading("横浜市", None, "ダナン市")),
    ("札幌市 ⇔ モンゴル国ウランバートル市", PairHeading("札幌市", "MN", "ウランバートル市")),
    ("横浜市×ダナン市", PairHeading("横浜市", None, "ダナン市")),
])
def test_pair_heading_separators(text, expected):
    assert parse_pair_heading(text) == expected


@pytest.mark.parametrize("text", [
    "横浜市とダナン市の都市間連携による脱炭素社会形成支援事業",
    "「広島—ソクチャン都市間連携協議会(仮称)」の設置",
    "2022 年度 実施調査事業一覧",
    "JCM – The Joint Crediting Mechanism",
])
def test_not_a_pair_heading(text):
    assert parse_pair_heading(text) is None


def test_title_partners_adds_the_joined_place_only():
    assert title_partners("ホーチミン市及びトゥードック市の気候変動実行計画に基づく推進事業", "ホーチミン市") == ["トゥードック市"]
    assert title_partners("プカンバル市との協力を通じたリアウ州地域における支援事業", "プカンバル市") == []
    assert title_partners("クアンニン省と滋賀県の都市間連携による支援事業", "クアンニン省") == []
    assert title_partners("愛媛県・ゴロンタロ州都市間連携による支援事業", "ゴロンタロ州") == []


# --- the corpus pamphlet -----------------------------------------------------------------------------

def test_corpus_fiscal_year_and_project_numbers(parsed):
    assert parsed.fiscal_year == 2022
    assert [p.number for p in parsed.projects] == list(range(1, 23))
    assert all(p.fiscal_year == 2022 and p.round is None and p.fields is None for p in parsed.projects)


def test_corpus_titles_proposers_countries_match_truth(parsed, truth):
    for p in parsed.projects:
        t = truth[p.number]
        assert p.title == normalize_text(t["title"]), p.number
        assert p.proposer == t["proposer"], p.number
        assert p.country == t["country"], p.number


def test_corpus_co_implementers_match_truth(parsed, truth):
    for p in parsed.projects:
        assert p.co_implementers == truth[p.number]["co_implementers"], p.number


def test_corpus_first_project_record(parsed):
    p = parsed.projects[0]
    assert p.pages == [6, 8]
    assert p.title_raw == "ウランバートル市における寒冷地の建築・再エネ促進による脱炭素\n都市形成支援事業"
    assert p.proposer_raw == "(株)オリエンタルコンサ\nルタンツ"
    assert p.japan == [records.PlaceText("札幌市", 6, "japan")]
    assert p.partners == [records.PlaceText("ウランバートル市", 6, "partner", "MN")]
    assert p.summary.startswith("札幌市とウランバートル市は、札幌市が主催する")


def test_corpus_places_from_headings_and_titles(parsed):
    by_number = {p.number: p for p in parsed.projects}
    assert [x.text for x in by_number[2].japan] == ["東京都・さいたま市"]
    assert [x.text for x in by_number[9].partners] == ["ジョホール州イスカンダル開発地域・コタキナバル市"]
    assert [x.text for x in by_number[12].partners] == ["ホーチミン市", "トゥードック市"]
    assert [x.text for x in by_number[14].partners] == ["タイ東部地域(EEC 及びバンコク都)"]
    assert [(x.text, x.country) for x in by_number[15].partners] == [("バリアンタウ省", "VN")]
    assert [x.text for x in by_number[3].partners] == ["プカンバル市"]
    assert [p.pages for p in parsed.projects][20:] == [[7, 18], [7, 18]]


def test_corpus_list_proposer_wins_over_a_differently_spelled_detail(parsed):
    assert parsed.projects[21].proposer == "日本エヌ・ユー・エス株式会社"
    assert [(n.kind, n.page, n.text) for n in parsed.notes] == [("conflict", 18, "日本エヌユーエス株式会社")]


def test_corpus_participating_city_pairs(parsed, corpus):
    rows = [(p.country, p.partner.text, p.japan.text) for p in parsed.pairs]
    assert len(rows) == 48
    assert rows[:3] == [("MV", "マレ市", "富山市"), ("IN", "ベンガルール市", "横浜市"), ("MM", "ザガイン管区", "福島市")]
    assert ("MY", "クアラ Lumpur 市", "東京都") in rows and ("MY", "クアラ Lumpur 市", "さいたま市") in rows
    assert ("MN", "ウランバートル市", "北海道") in rows and ("MN", "ウランバートル市", "札幌市") in rows
    assert ("MN", "トウブ県", "札幌市") in rows  # the line printed without bold
    assert ("KH", "プノンペン都", "神奈川県") in rows
    assert ("ID", "デンパサー市", "東京二十三区一部事務組合") in rows
    assert rows[-1] == ("CL", "サンティアゴ市レンカ区", "富山市")  # right column, after the left one
    assert not any("港" in r[1] or "港" in r[2] for r in rows)  # the port line
    assert not any(r[1] == "北海道" for r in rows)  # the list of all Japanese members
    assert all(p.page == 5 and p.fiscal_years == [] for p in parsed.pairs)
    truth = json.loads((corpus / "truth.json").read_text())
    assert len(rows) == sum(PAMPHLET in c["sources"] for c in truth["city_pairs"])


# --- a pamphlet drawn here -------------------------------------------------------------------------

def _small_pamphlet(path, per_page=1000, continued_heading=None, labels=("代表事業者", "共同事業者"),
                    list_heading="実施調査事業一覧"):
    return make_pamphlet_pdf(
        path, "令和5年度", per_page=per_page, continued_heading=continued_heading, labels=labels,
        list_heading=list_heading,
        participants=[
            ("ベトナム", ["ハノイ市\u3000福岡県", "ダナン市\u3000横浜市 堺市"]),
            ("タイ", ["バンコク都\u3000横浜市", "(バンコク港・レムチャパン港)\u3000(横浜港埠頭)"]),
        ],
        after_lists=["海外\u30002 カ国\u30003 都市・地域", " 北海道\u3000札幌市\u3000福島市"],
        entries=[
            {"heading": "札幌市ーモンゴル国ウランバートル市", "number": "01",
             "title": ["ウランバートル市における寒冷地の建築・再エネ促進による脱炭素", "都市形成支援事業"],
             "proposer": ["実施主体 (株)オリエンタルコンサ", "ルタンツ"]},
            {"heading": "堺市—ベトナム社会主義共和国バリアンタウ省", "number": "02",
             "title": ["堺市・バリアンタウ省都市間連携による脱炭素推進事業"], "proposer": ["実施主体 日本工営(株)"]},
            {"heading": "東京都・さいたま市－マレーシア国クアラルンプール市", "number": "03",
             "title": ["クアラルンプール市における街区実現に向けた制度構築支援事業"],
             "proposer": ["実施主体 (公財)地球環境戦略研究", "機関"]},
            {"heading": "大阪市-ベトナム社会主義共和国ホーチミン市", "number": "04",
             "title": ["ホーチミン市及びトゥードック市の気候変動実行計画に基づく", "推進事業(フェーズ2)"],
             "proposer": ["実施主体 (一社)海外環境協力セン", "ター"]},
            {"number": "05", "title": ["ホーチミン市の廃棄物発電事業"], "proposer": ["実施主体 日本工営(株)"]},
        ],
        details=[
            {"title": ["ホーチミン市及びトゥードック市の気候変動実行計画に基づく推進事業", "（フェーズ2）"],
             "lead": "一般社団法人海外環境協力センター(OECC)",
             "co": ["大阪市、(株)アルファ、Beta Engineering Co., Ltd., Gamma", "Trading Co., Ltd."],
             "body": ["大阪市とホーチミン市は覚書を締結しました。"]},
            {"title": ["ウランバートル市における寒冷地の建築・再エネ促進による", "脱炭素都市形成支援事業"],
             "lead": "株式会社オリエンタルコンサルタンツ", "co": ["札幌市、北海道ガス(株)"],
             "body": ["札幌市の知見を共有します。", "省エネを進めます。"]},
            {"title": ["堺市・バリアンタウ省都市間連携による脱炭素推進事業"], "lead": "日本工営株式会社",
             "co": ["堺市"], "body": ["スマートシティを推進します。"]},
            {"title": ["クアラルンプール市における街区実現に向けた制度構築支援事業"],
             "lead": "公益財団法人地球環境戦略研究機関（IGES）", "co": ["東京都環境局、さいたま市都市戦略本部"],
             "body": ["制度構築を支援します。"]},
            {"title": ["ホーチミン市の廃棄物発電事業"], "lead": "日本工営株式会社",
             "co": ["大阪市、(株)タクマ"], "body": ["廃棄物発電を検討します。"]},
        ])


def test_drawn_pamphlet_projects(tmp_path):
    with pymupdf.open(_small_pamphlet(tmp_path / "p.pdf")) as doc:
        parsed = extract_pamphlet(doc)
    assert parsed.fiscal_year == 2023
    assert [(p.number, p.pages) for p in parsed.projects] == [(1, [3, 4]), (2, [3, 5]), (3, [3, 5]),
                                                              (4, [3, 4]), (5, [3, 6])]
    p1, p2, p3, p4, p5 = parsed.projects
    assert p1.title == "ウランバートル市における寒冷地の建築・再エネ促進による脱炭素都市形成支援事業"
    assert p1.proposer == "株式会社オリエンタルコンサルタンツ"
    assert p1.co_implementers == ["札幌市", "北海道ガス株式会社"]
    assert p1.summary == "札幌市の知見を共有します。省エネを進めます。"
    assert (p1.japan, p1.partners, p1.country) == (
        [records.PlaceText("札幌市", 3, "japan")], [records.PlaceText("ウランバートル市", 3, "partner", "MN")], "MN")
    assert (p2.japan[0].text, p2.partners[0].text, p2.country) == ("堺市", "バリアンタウ省", "VN")
    assert (p3.japan[0].text, p3.partners[0].text, p3.country) == ("東京都・さいたま市", "クアラルンプール市", "MY")
    assert p3.proposer == "公益財団法人地球環境戦略研究機関"
    assert p3.co_implementers == ["東京都環境局", "さいたま市都市戦略本部"]
    assert p4.title == "ホーチミン市及びトゥードック市の気候変動実行計画に基づく推進事業(フェーズ2)"
    assert p4.proposer == "一般社団法人海外環境協力センター"
    assert p4.co_implementers == ["大阪市", "株式会社アルファ", "Beta Engineering Co., Ltd.", "Gamma Trading Co., Ltd."]
    assert [x.text for x in p4.partners] == ["ホーチミン市", "トゥードック市"]
    # An entry without its own heading stays under the previous pair heading.
    assert (p5.japan[0].text, p5.partners[0].text, p5.proposer) == ("大阪市", "ホーチミン市", "日本工営株式会社")
    assert parsed.notes == []


@pytest.mark.parametrize("per_page, continued_heading, pages", [
    (3, None, [2, 2, 2, 3]),  # the next page begins with a country heading
    (2, None, [2, 3, 3, 4]),  # the next pages begin with a pair line of the country left open
    (2, "参加都市（続き）", [2, 3, 3, 4]),  # ... under a heading of their own
])
def test_a_participating_list_runs_on_over_pages(tmp_path, per_page, continued_heading, pages):
    with pymupdf.open(_small_pamphlet(tmp_path / "p.pdf", per_page, continued_heading)) as doc:
        parsed = extract_pamphlet(doc)
    assert [(p.page, p.country, p.partner.text, p.japan.text) for p in parsed.pairs] == [
        (pages[0], "VN", "ハノイ市", "福岡県"),
        (pages[1], "VN", "ダナン市", "横浜市"),
        (pages[2], "VN", "ダナン市", "堺市"),
        (pages[3], "TH", "バンコク都", "横浜市"),
    ]
    assert len(parsed.projects) == 5  # the project list after it is read as before


def test_drawn_pamphlet_participating_pairs(tmp_path):
    with pymupdf.open(_small_pamphlet(tmp_path / "p.pdf")) as doc:
        parsed = extract_pamphlet(doc)
    assert [(p.page, p.country, p.partner.text, p.japan.text) for p in parsed.pairs] == [
        (2, "VN", "ハノイ市", "福岡県"),
        (2, "VN", "ダナン市", "横浜市"),
        (2, "VN", "ダナン市", "堺市"),
        (2, "TH", "バンコク都", "横浜市"),
    ]


@pytest.mark.parametrize("labels", [("代表提案者", "共同提案者"), ("代表団体", "共同実施団体")])
def test_other_labels_of_a_project_page_give_the_same_projects(tmp_path, labels):
    with pymupdf.open(_small_pamphlet(tmp_path / "usual.pdf")) as doc:
        usual = extract_pamphlet(doc).projects
    with pymupdf.open(_small_pamphlet(tmp_path / "other.pdf", labels=labels)) as doc:
        other = extract_pamphlet(doc).projects
    assert other == usual
    doc = pdf.open_pdf(tmp_path / "other.pdf")
    assert classify(pdf.page_texts(doc), pdf.page_sizes(doc)) == "pamphlet"
    assert [p.co_implementers for p in other][3] == [
        "大阪市", "株式会社アルファ", "Beta Engineering Co., Ltd.", "Gamma Trading Co., Ltd."]


@pytest.mark.parametrize("list_heading", ["採択案件一覧", "事業の紹介", "プロジェクトリスト"])
def test_other_headings_of_the_project_list_give_the_same_projects(tmp_path, list_heading):
    with pymupdf.open(_small_pamphlet(tmp_path / "usual.pdf")) as doc:
        usual = extract_pamphlet(doc).projects
    with pymupdf.open(_small_pamphlet(tmp_path / "other.pdf", list_heading=list_heading)) as doc:
        other = extract_pamphlet(doc).projects
    assert other == usual and len(other) == 5
