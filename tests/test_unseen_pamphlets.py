"""Pamphlets written in LibreOffice Writer from seed 001's content (made by tests/pamphletmaker.py and
committed under tests/fixtures/), in layouts the corpus pamphlet does not use: another fiscal year on the
cover, the participating cities in one column without bold (【】 / ■ / ＜＞ country headers, 、 or ・
between municipalities, a tab stop between the partner and the Japanese side), the project list as a
bordered table ("No.1" / "1." / "01", "実施主体：" in the cell, under a column header, or under the title),
one detail page per project with "代表事業者：" / "【代表事業者】" labels or a label table, and
co-implementer lists wrapping over several lines with the description set right under them."""
import json
import re
from pathlib import Path

import pymupdf
import pytest

from normalizers.text import normalize_text
from pipeline import records
from pipeline.classify import classify
from pipeline.extract.pamphlet import _NUMBER, _CO_LABEL, _LEAD_LABEL, extract_pamphlet

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TRUTH = json.loads((FIXTURES / "unseen_pamphlet_truth.json").read_text(encoding="utf-8"))
SEED = json.loads((FIXTURES / "seed001_pamphlet.json").read_text(encoding="utf-8"))
COUNTRY = {"モンゴル": "MN", "マレーシア": "MY", "ベトナム": "VN", "タイ": "TH", "インドネシア": "ID",
           "パラオ": "PW", "フィリピン": "PH", "チリ": "CL"}
# The pair heading of each seed project, as (Japanese side, partner side) printed.
HEADING_PLACES = {
    1: ("札幌市", ["ウランバートル市"]), 2: ("東京都・さいたま市", ["クアラルンプール市"]),
    3: ("川崎市", ["プカンバル市"]), 5: ("横浜市", ["ダナン市"]), 6: ("横浜市", ["バンコク都"]),
    7: ("富山市", ["サンティアゴ市レンカ区"]), 9: ("富山市", ["ジョホール州イスカンダル開発地域・コタキナバル市"]),
    11: ("滋賀県", ["クアンニン省"]), 12: ("大阪市", ["ホーチミン市", "トゥードック市"]),
    13: ("大阪市", ["ケソン市"]), 14: ("大阪市", ["タイ東部地域(EEC 及びバンコク都)"]),
    18: ("福岡県", ["ハノイ市"]), 19: ("北九州市", ["イスカンダル開発地域"]), 20: ("北九州市", ["コロール州"]),
    21: ("北九州市", ["ハイフォン市"]), 22: ("浦添市", ["アイライ州"]),
}
# file → (fiscal year, list numbers, countries of the participating list, notes)
CASES = {
    "writer_r5_pamphlet.pdf": (2023, [1, 2, 11, 14, 18], ["タイ", "マレーシア", "モンゴル", "ベトナム"], []),
    "writer_2024_brackets.pdf": (2024, [3, 9, 12, 19, 20, 22], ["マレーシア", "インドネシア", "フィリピン", "パラオ"],
                                 [records.Note("conflict", 9, "日本エヌユーエス株式会社",
                                               "proposer: the detail page spells it otherwise than list entry 22 "
                                               "(日本エヌ・ユー・エス(株)); kept the list's")]),
    "writer_2023_stacked.pdf": (2023, [5, 6, 7, 13, 21], ["タイ", "フィリピン", "ベトナム", "チリ"], []),
}


def squash(s: str | None) -> str:
    return re.sub(r"\s+", "", s or "")


@pytest.fixture(scope="module")
def parsed() -> dict[str, records.Parsed]:
    out = {}
    for name in CASES:
        with pymupdf.open(FIXTURES / name) as doc:
            out[name] = extract_pamphlet(doc)
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_classified_as_pamphlet(name):
    with pymupdf.open(FIXTURES / name) as doc:
        assert classify([p.get_text() for p in doc], [(p.rect.width, p.rect.height) for p in doc]) == "pamphlet"


@pytest.mark.parametrize("name", sorted(CASES))
def test_cover_year_title_and_notes(parsed, name):
    year, _numbers, _countries, notes = CASES[name]
    assert (parsed[name].title, parsed[name].fiscal_year, parsed[name].notes) == (
        "脱炭素社会実現のための都市間連携事業", year, notes)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_project_exact(parsed, name):
    year, numbers, _countries, _notes = CASES[name]
    truth = {p["number"]: p for p in TRUTH["projects"] if p["sources"] == [name]}
    details = {e["number"]: d for e, d in zip(SEED["entries"], SEED["details"])}
    got = [(p.number, p.pages, p.fiscal_year, p.round, p.fields, p.title, p.proposer, p.co_implementers, p.country,
            [(j.text, j.page, j.side) for j in p.japan], [(x.text, x.page, x.side, x.country) for x in p.partners],
            squash(p.summary)) for p in parsed[name].projects]
    want = []
    for k, n in enumerate(numbers):
        t = truth[n]
        japan, partners = HEADING_PLACES[n]
        want.append((n, [3, 4 + k], year, None, None, normalize_text(t["title"]), t["proposer"], t["co_implementers"],
                     t["country"], [(japan, 3, "japan")], [(x, 3, "partner", t["country"]) for x in partners],
                     squash(normalize_text("".join(details[n]["body"])))))
    assert got == want


@pytest.mark.parametrize("name", sorted(CASES))
def test_participating_pairs_exact(parsed, name):
    _year, _numbers, countries, _notes = CASES[name]
    cities = dict((c, rows) for c, rows in SEED["cities"])
    want = [(2, COUNTRY[c], partner, japan) for c in countries for partner, names in cities[c] for japan in names]
    assert [(p.page, p.country, p.partner.text, p.japan.text) for p in parsed[name].pairs] == want


@pytest.mark.parametrize("text, number", [("01", 1), ("No.1", 1), ("No. 12", 12), ("NO.3", 3), ("1.", 1),
                                          ("(4)", 4), ("（4）", 4), ("#7", 7), ("22", 22)])
def test_list_numbers(text, number):
    assert int(_NUMBER.match(squash(text)).group(1)) == number


@pytest.mark.parametrize("text", ["2022", "No.", "1)2", "フェーズ1"])
def test_not_list_numbers(text):
    assert _NUMBER.match(squash(text)) is None


@pytest.mark.parametrize("text", ["代表事業者 | 日本工営株式会社", "代表事業者：日本工営株式会社", "代表事業者: 日本工営株式会社",
                                  "【代表事業者】日本工営株式会社", "［代表事業者］ 日本工営株式会社", "■代表事業者 日本工営株式会社"])
def test_lead_labels(text):
    assert _LEAD_LABEL.sub("", text, count=1) == "日本工営株式会社"


@pytest.mark.parametrize("text", ["共同事業者 | 堺市、(株)タクマ", "共同事業者：堺市、(株)タクマ", "【共同事業者】堺市、(株)タクマ",
                                  "共同実施者：堺市、(株)タクマ"])
def test_co_labels(text):
    assert _CO_LABEL.sub("", text, count=1) == "堺市、(株)タクマ"
