"""normalizers.text / orgs / dates / countries: exact outputs on the forms the documents print."""
import pytest
from hypothesis import given, strategies as st

from normalizers.countries import country_code, split_country_prefix
from normalizers.dates import date_from_text, fiscal_year_from_text, fiscal_year_of_date, round_from_text
from normalizers.orgs import normalize_org, org_alias, split_orgs
from normalizers.text import fold, join_lines, normalize_text, squash


@pytest.mark.parametrize("raw, expected", [
    ("\u2f8f\u653f", "行政"),  # Kangxi radical ⾏ from a broken font map
    ("\u2ed1\u5d0e\u770c", "長崎県"),  # CJK radical ⻑ that NFKC leaves alone
    ("神\u2f3e市", "神戸市"),  # Kangxi radical ⼾, whose NFKC form is 戶, not the Japanese 戸
    ("\u2fca部市", "黒部市"),  # ⿊: NFKC gives 黑
    ("\u2fad森県・\u2fc8金", "青森県・黄金"),
    ("オーバーシーズ\u2027センター", "オーバーシーズ・センター"),  # ‧ for ・ (a font's shared glyph)
    ("ＡＢＣ１２３", "ABC123"),
    ("ｶﾀｶﾅ", "カタカナ"),
])
def test_fold(raw, expected):
    assert fold(raw) == expected


def test_normalize_text_drops_layout_spaces_but_keeps_latin_words():
    assert normalize_text("14 カ国67 都市・地域") == "14カ国67都市・地域"
    assert normalize_text("公益財団法人 地球\n環境センター") == "公益財団法人地球環境センター"
    assert normalize_text("PT. Gistec\nPrima Energindo") == "PT. Gistec Prima Energindo"
    assert normalize_text("") == ""


def test_join_lines():
    assert join_lines("富山市-バドゥン県における脱\n炭素・循環型社会構築のため\nの都市間連携事業") == \
        "富山市-バドゥン県における脱炭素・循環型社会構築のための都市間連携事業"
    assert join_lines("ABC Co.,\nLtd.") == "ABC Co., Ltd."
    assert join_lines("e-\nメタン") == "e-メタン"


@given(st.text())
def test_normalize_text_is_idempotent(s):
    once = normalize_text(s)
    assert normalize_text(once) == once


def test_squash():
    assert squash("クアラ Lumpur 市") == "クアラLumpur市"


@pytest.mark.parametrize("raw, expected", [
    ("(株)オリエンタルコンサ\nルタンツ", "株式会社オリエンタルコンサルタンツ"),
    ("日本エヌ・ユー・エス\n(株)", "日本エヌ・ユー・エス株式会社"),
    ("㈱エヌ・ティ・ティ・データ経営研究所", "株式会社エヌ・ティ・ティ・データ経営研究所"),
    ("(公財)地球環境戦略研究\n機関", "公益財団法人地球環境戦略研究機関"),
    ("(一社)海外環境協力セン\nター", "一般社団法人海外環境協力センター"),
    ("(一財)日本気象協会", "一般財団法人日本気象協会"),
    ("(有)そおりサイクルセンター", "有限会社そおりサイクルセンター"),
    ("公益財団法人地球環境戦略研究機関（IGES）", "公益財団法人地球環境戦略研究機関"),
    ("一般社団法人海外環境協力センター(OECC)", "一般社団法人海外環境協力センター"),
    ("(株)KANSO テクノス", "株式会社KANSOテクノス"),
    ("Toyota Daihatsu Engineering & Manufacturing Co., Ltd. (TDEM)",
     "Toyota Daihatsu Engineering & Manufacturing Co., Ltd."),
    ("ABC (Thailand) Co., Ltd.", "ABC (Thailand) Co., Ltd."),
    ("札幌市", "札幌市"),
    ("(株) NTTデータ経営研究所", "株式会社NTTデータ経営研究所"),  # no space left after the expansion
    ("(一社) Yokohama Urban Solution Alliance", "一般社団法人Yokohama Urban Solution Alliance"),
    ("NPO法人 アジア環境協会", "特定非営利活動法人アジア環境協会"),
    ("(地独)大阪産業技術研究所", "地方独立行政法人大阪産業技術研究所"),
    ("(国大)九州大学", "国立大学法人九州大学"),
])
def test_normalize_org(raw, expected):
    assert normalize_org(raw) == expected


def test_org_alias_keeps_the_acronym():
    assert org_alias("公益財団法人地球環境戦略研究機関（IGES）") == "IGES"
    assert org_alias("札幌市") is None


def test_split_orgs_on_japanese_commas_but_not_inside_latin_company_names():
    assert split_orgs("札幌市、北海道大学工学部、(株)有我工業\n所、ABC Co., Ltd., PT. Gikoko Kogyo Indonesia") == [
        "札幌市", "北海道大学工学部", "株式会社有我工業所", "ABC Co., Ltd.", "PT. Gikoko Kogyo Indonesia"]


@pytest.mark.parametrize("text, names", [
    # one name a line, no bullets; a name the cell wrapped stays whole, whatever its line ends in
    ("株式会社アルファ\n一般財団法人ベータ協会\n国立大学法人東北大学", ["株式会社アルファ", "一般財団法人ベータ協会", "国立大学法人東北大学"]),
    ("株式会社オリエンタルコンサ\nルタンツ\n(一社)海外環境協力セン\nター",
     ["株式会社オリエンタルコンサルタンツ", "一般社団法人海外環境協力センター"]),
    ("一般財団法人\n日本環境衛生センター", ["一般財団法人日本環境衛生センター"]),
    ("東京センチュリー\n株式会社", ["東京センチュリー株式会社"]),
    ("興和\n株式会社、株式会社シーエスデー", ["興和株式会社", "株式会社シーエスデー"]),
    ("横浜市\n株式会社ガンマ", ["横浜市", "株式会社ガンマ"]),
    ("Global Solu\ntions Co., Lt\nd.\nABC Engineering Inc.", ["Global Solutions Co., Ltd.", "ABC Engineering Inc."]),
    # ・ between two whole names, not inside one
    ("デルタ株式会社・一般財団法人イプシロン", ["デルタ株式会社", "一般財団法人イプシロン"]),
    ("横浜市・株式会社ガンマ", ["横浜市", "株式会社ガンマ"]),
    ("日本エヌ・ユー・エス株式会社", ["日本エヌ・ユー・エス株式会社"]),
    ("トヨタ・ダイハツ・エンジニアリング株式会社", ["トヨタ・ダイハツ・エンジニアリング株式会社"]),
    # a cell that says there is none
    ("―", []), ("－", []), ("なし", []), ("該当なし", []), ("", []),
])
def test_split_orgs_lists_printed_a_name_a_line_or_with_dots(text, names):
    assert split_orgs(text) == names


@pytest.mark.parametrize("text, year", [
    ("令和7年度脱炭素社会実現のための都市間連携事業委託業務 1次公募採択案件一覧", 2025),
    ("令和元年度", 2019),
    ("平成30年度", 2018),
    ("2022 年度 実施調査事業一覧", 2022),
    ("FY2024 projects", 2024),
    ("都市間連携事業", None),
])
def test_fiscal_year_from_text(text, year):
    assert fiscal_year_from_text(text) == year


def test_round_and_dates():
    assert round_from_text("1次公募採択案件一覧") == 1
    assert round_from_text("第2回公募") == 2
    assert round_from_text("二次公募") == 2
    assert round_from_text("採択案件一覧") is None
    assert date_from_text("2026 年2 月5 日") == (2026, 2, 5)
    assert date_from_text("令和8年2月5日") == (2026, 2, 5)
    assert fiscal_year_of_date(2026, 2) == 2025
    assert fiscal_year_of_date(2026, 4) == 2026


@pytest.mark.parametrize("name, code", [
    ("ベトナム", "VN"), ("ベトナム国", "VN"), ("ベトナム社会主義共和国", "VN"), ("モンゴル国", "MN"),
    ("インドネシア共和国", "ID"), ("タイ王国", "TH"), ("マレーシア", "MY"), ("ラオス", "LA"),
    ("ミクロネシア", "FM"), ("パラオ共和国", "PW"), ("チリ", "CL"), ("モルディブ", "MV"),
    ("バリ州", None), ("", None),
])
def test_country_code(name, code):
    assert country_code(name) == code


def test_split_country_prefix_keeps_names_that_start_with_a_country():
    assert split_country_prefix("インドネシア共和国バリ州") == ("ID", "バリ州")
    assert split_country_prefix("ベトナム・ソクチャン省") == ("VN", "ソクチャン省")
    assert split_country_prefix("タイ東部地域") == (None, "タイ東部地域")
    assert split_country_prefix("ベトナム南部地域") == (None, "ベトナム南部地域")


def test_country_names_come_from_the_gazetteer_in_use(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    (tmp_path / "generated").mkdir()
    shipped = (repo / "gazetteer" / "generated" / "countries.csv").read_text(encoding="utf-8")
    # A reviewed copy that knows one more spelling of Viet Nam.
    (tmp_path / "generated" / "countries.csv").write_text(
        shipped.replace("ベトナム社会主義共和国", "ベトナム社会主義共和国|ヴェトナム連邦テスト"), encoding="utf-8")
    probe = ("from normalizers.countries import country_code; from pipeline.document import code_version;"
             "print(country_code('ヴェトナム連邦テスト'), code_version())")

    def ask(env):
        return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=repo,
                              env=env, check=True).stdout.split()
    shipped_answer = ask({k: v for k, v in os.environ.items() if k != "C2C_GAZETTEER"})
    copy_answer = ask({**os.environ, "C2C_GAZETTEER": str(tmp_path)})
    assert shipped_answer[0] == "None" and copy_answer[0] == "VN"
    assert shipped_answer[1] != copy_answer[1]  # documents are read again with the other names
