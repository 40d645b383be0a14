"""pipeline.classify: the document kind from content and page shape."""
import pytest

import pdfmaker
from pipeline import pdf
from pipeline.classify import THRESHOLD, classify, score_kinds


def kind_of(path, with_sizes=True) -> str:
    doc = pdf.open_pdf(path)
    return classify(pdf.page_texts(doc), pdf.page_sizes(doc) if with_sizes else None)


@pytest.mark.parametrize("name, kind", [
    ("fy2025_r1_adoption_table.pdf", "adoption_table"),
    ("c2c_pamphlet_2022.pdf", "pamphlet"),
    ("c2c_overview_2026.pdf", "slides"),
])
@pytest.mark.parametrize("with_sizes", [True, False])
def test_corpus(corpus, name, kind, with_sizes):
    assert kind_of(corpus / name, with_sizes) == kind


def test_unrelated_report_is_other(tmp_path):
    body = ["本報告書は、市道の舗装補修工事の進捗と予算執行状況をまとめたものである。" * 3] * 12
    path = pdfmaker.make_text_pdf(tmp_path / "r.pdf", [["令和6年度 道路維持管理業務 報告書"] + body] * 5)
    assert kind_of(path) == "other"


def test_unrelated_adoption_list_is_other(tmp_path):
    # a project table of another programme: right shape, wrong subject
    path = pdfmaker.make_table_pdf(
        tmp_path / "t.pdf", "令和7年度 観光振興補助金 採択案件一覧", ["番号", "提案者", "事業名", "事業概要"],
        [["1", "株式会社A", "温泉街のにぎわい創出", "イベント開催"]])
    assert kind_of(path) == "other"


def test_deck_with_city_pair_table_is_slides(tmp_path):
    rows = [["ハイフォン市", "北九州市"], ["ダナン市", "横浜市"], ["バンコク都", "東京都・\n横浜市"],
            ["ウランバートル市", "札幌市"]]
    path = pdfmaker.make_table_pdf(
        tmp_path / "deck.pdf", "都市間連携事業（2013～2025年度）", ["海外都市", "国内自治体"], rows,
        col_widths=[200, 200], rows_per_page=2, size=pdfmaker.SLIDE_16_9, fontsize=14)
    assert kind_of(path) == "slides"


def test_text_deck_without_sizes_is_slides(tmp_path):
    pages = [["脱炭素社会実現のための都市間連携事業"], ["事業の目的", "・JCMの案件形成"], ["スケジュール", "公募開始 4月"],
             ["COP30", "サイドイベント"], ["お問い合わせ"]]
    path = pdfmaker.make_text_pdf(tmp_path / "deck.pdf", pages, size=pdfmaker.SLIDE_16_9)
    assert kind_of(path, with_sizes=False) == "slides"
    assert kind_of(path) == "slides"


def test_renamed_header_table_is_adoption_table(tmp_path):
    header = ["No.", "案件名", "代表事業者", "相手国", "相手都市", "国内自治体", "分野", "概要"]
    rows = [[str(i), f"脱炭素案件{i}", f"株式会社{i}", "タイ", "ラヨーン県", "大阪市", "・省エネルギー", "概要"]
            for i in range(1, 9)]
    path = pdfmaker.make_table_pdf(tmp_path / "t.pdf", "令和8年度 都市間連携事業 採択結果", header, rows,
                                   rows_per_page=4)
    assert kind_of(path) == "adoption_table"
    assert kind_of(path, with_sizes=False) == "adoption_table"


def test_brochure_with_project_detail_pages_is_pamphlet(tmp_path):
    para = "本事業では、両都市の協力により廃棄物発電と省エネルギー設備の導入可能性を調査し、脱炭素化を進める。"
    detail = ["タイ国ラヨーン県における脱炭素化事業", "代表事業者 | 株式会社テスト",
              "共同事業者 | 株式会社サンプル、大阪市"] + [para] * 12
    pages = [["都市間連携事業 2024"], ["事業の背景"] + [para] * 14, ["実施調査事業一覧"] + [para] * 12] + [detail] * 4
    path = pdfmaker.make_text_pdf(tmp_path / "p.pdf", pages, fontsize=9)
    assert kind_of(path) == "pamphlet"
    assert kind_of(path, with_sizes=False) == "pamphlet"


def test_nothing_is_other():
    assert classify([]) == "other"
    assert classify(["", " "]) == "other"


def test_table_with_co_implementer_columns_is_not_a_pamphlet(tmp_path):
    # 代表事業者 and 共同事業者 on every page, as a pamphlet's project pages have them, but as columns
    header = ["番号", "代表事業者", "共同事業者", "国内都市", "対象都市", "対象国", "事業名", "事業概要"]
    rows = [[str(i), "日本工営(株)", "(株)アルファ、北九州市", "北九州市", "ダナン市", "ベトナム",
             f"脱炭素都市形成支援事業{i}", "省エネ設備の導入可能性を調査し、" * 12] for i in range(1, 13)]
    path = pdfmaker.make_table_pdf(tmp_path / "t.pdf", "令和7年度 都市間連携事業 採択案件一覧", header, rows,
                                   col_widths=[25, 70, 80, 50, 50, 40, 90, 150], rows_per_page=3)
    doc = pdf.open_pdf(path)
    scores = score_kinds(pdf.page_texts(doc), [(h, w) for w, h in pdf.page_sizes(doc)])  # portrait pages
    assert max(scores, key=scores.get) == "adoption_table"
    assert scores["pamphlet"] < THRESHOLD  # on its own the evidence would not make it a pamphlet


@pytest.mark.parametrize("title", ["令和7年度 都市間連携事業 実施案件一覧", "令和7年度 都市間連携事業 契約締結案件",
                                   "令和7年度 脱炭素社会実現のための都市間連携事業"])
def test_a_one_page_project_table_is_an_adoption_table_without_saying_adopted(tmp_path, title):
    header = ["番号", "提案者", "国内都市", "対象都市", "対象国", "事業名"]
    rows = [[str(i), "日本工営(株)", "北九州市", "ダナン市", "ベトナム", f"ダナン市の事業{i}"] for i in range(1, 6)]
    assert kind_of(pdfmaker.make_table_pdf(tmp_path / "t.pdf", title, header, rows)) == "adoption_table"
