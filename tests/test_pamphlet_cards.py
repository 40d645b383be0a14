"""Pamphlets whose project list is a grid of cards, as a design tool or a browser prints them: each card
holds a list number, the city-pair heading, the title and "実施主体：…", the number beside the heading
(a badge) or above it, the heading wrapping to the card's left edge, one to three columns, with or without
a list heading such as 事業一覧. Printed by headless Chromium at test time."""
import html
import json
from pathlib import Path

import pymupdf
import pytest

from browser import CHROMIUM, print_html
from pipeline import pdf
from pipeline.run import RunOptions, run
from pipeline.classify import classify
from pipeline.extract.pamphlet import PairHeading, extract_pamphlet, parse_pair_heading

PROJECTS = [
    ("横浜市", "ダナン市", "ベトナム", "VN", "ダナン市における廃棄物発電導入支援事業", "株式会社アルファ環境"),
    ("北九州市", "スラバヤ市", "インドネシア", "ID", "スラバヤ市における省エネ型上水道システム導入事業", "株式会社ベータ技研"),
    ("大阪市", "ホーチミン市", "ベトナム", "VN", "ホーチミン市の工業団地における太陽光発電導入事業", "ガンマ電力株式会社"),
    ("富山市", "セブ市", "フィリピン", "PH", "セブ市における小水力発電導入可能性調査事業", "デルタ設計株式会社"),
    ("川崎市", "ヤンゴン市", "ミャンマー", "MM", "ヤンゴン市における廃熱回収による脱炭素化事業", "イプシロン工業株式会社"),
    ("福岡市", "バンコク都", "タイ", "TH", "バンコク都における配送車両の電動化推進事業", "株式会社ゼータ物流"),
]
COVER = ("<section class=cover><h1>令和6年度 脱炭素社会実現のための都市間連携事業</h1>"
         "<p>環境省 地球環境局</p><p>本事業は、脱炭素社会の実現に向けた都市間連携を支援するものです。</p></section>")
CSS = ("@page { size: A4; margin: 15mm } body { font-family: 'IPAexGothic'; font-size: 10pt }"
       ".cover { page-break-after: always } h2 { font-size: 14pt; border-bottom: 2px solid #2a6 }"
       ".grid { display: grid; grid-template-columns: repeat(COLS, 1fr); gap: 8mm }"
       ".card { border: 1px solid #2a6; border-radius: 4px; padding: 4mm }"
       ".no { color: #fff; background: #2a6; padding: 1mm 2mm; font-weight: bold }"
       ".bigno { font-size: 20pt; color: #2a6; font-weight: bold }"
       ".pair { font-weight: bold; font-size: 11pt; margin-bottom: 2mm } .title { margin-bottom: 2mm }"
       ".lead { font-size: 9pt; color: #333 }")


def _pair(style: str, i: int, jp: str, partner: str, country: str) -> str:
    if style == "bare":  # no country printed
        return f"<div class=pair><span class=no>{i:02d}</span>　{jp} × {partner}</div>"
    if style == "badge":  # the number as a coloured badge on the heading's row
        return f"<div class=pair><span class=no>{i:02d}</span>　{jp} × {partner}（{country}）</div>"
    if style == "above":  # a big number above the heading
        return f"<div class=bigno>{i:02d}</div><div class=pair>{jp} × {partner}（{country}）</div>"
    if style == "no":  # "No.1", a wider badge, ⇔
        return f"<div class=pair><span class=no>No.{i}</span> {jp} ⇔ {partner}（{country}）</div>"
    # the partner first, its country before it
    return f"<div class=pair><span class=no>{i}</span>　{country}・{partner} － {jp}</div>"


def _cards_pdf(tmp_path: Path, style: str, heading: str, columns: int, cards: list[tuple] = PROJECTS) -> Path:
    body = "".join(
        f"<div class=card>{_pair(style, i, jp, partner, country)}<div class=title>{html.escape(title)}</div>"
        f"<div class=lead>実施主体：{lead}</div></div>"
        for i, (jp, partner, country, _code, title, lead) in enumerate(cards, 1))
    return print_html(f"<!doctype html><html lang=ja><head><meta charset=utf-8><style>"
                      f"{CSS.replace('COLS', str(columns))}</style></head><body>{COVER}<h2>{heading}</h2>"
                      f"<div class=grid>{body}</div></body></html>", tmp_path / "cards.pdf")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
@pytest.mark.parametrize("style, heading, columns", [
    ("badge", "採択事業一覧", 2),
    ("above", "実施中のプロジェクト", 2),  # no list heading: read as cards
    ("no", "令和6年度 採択案件", 2),
    ("partner_first", "事業紹介", 1),
    ("badge", "採択事業一覧", 3),  # narrow cards: every pair heading wraps, some inside a word
])
def test_a_list_of_cards_gives_every_project_with_its_pair(tmp_path, style, heading, columns):
    path = _cards_pdf(tmp_path, style, heading, columns)
    with pymupdf.open(path) as doc:
        assert classify(pdf.page_texts(doc), pdf.page_sizes(doc)) == "pamphlet"
        parsed = extract_pamphlet(doc)
    got = sorted((p.number, [j.text for j in p.japan], [(q.text, q.country) for q in p.partners], p.country,
                  p.title, p.proposer, p.fiscal_year) for p in parsed.projects)
    assert got == [(i, [jp], [(partner, code)], code, title, lead, 2024)
                   for i, (jp, partner, _country, code, title, lead) in enumerate(PROJECTS, 1)]
    assert parsed.notes == []


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_a_project_whose_sources_print_no_country_takes_its_partner_places_country(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _cards_pdf(raw, "bare", "採択事業一覧", 2).rename(raw / "cards.pdf")
    run(RunOptions(raw=raw, out=tmp_path / "out", use_ner=False), log=lambda s: None)
    rows = [json.loads(line) for line in (tmp_path / "out" / "projects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["number"], [p["place_id"] for p in r["partner_places"]], r["country"]) for r in rows] == [
        (1, ["vn-da-nang"], "VN"), (2, ["id-surabaya"], "ID"), (3, ["vn-ho-chi-minh-city"], "VN"),
        (4, ["ph-cebu-city"], "PH"), (5, ["mm-yangon"], "MM"), (6, ["th-bangkok"], "TH")]
    # the country is the partner places': no box in the document states it
    sources = (tmp_path / "out" / "field_sources.csv").read_text(encoding="utf-8")
    assert ",country," not in sources


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_one_card_a_page_is_no_list(tmp_path):
    # a project page headed by its number and pair is a detail page, not a list of cards
    pages = []
    for i, (jp, partner, country, _code, title, lead) in enumerate(PROJECTS[:3], 1):
        pages.append(f"<section style='page-break-after: always'><div class=pair><span class=no>{i:02d}</span>　"
                     f"{jp} × {partner}（{country}）</div><div class=title>{title}</div>"
                     f"<div class=lead>実施主体：{lead}</div><p>{'本事業では、' * 30}</p></section>")
    out = print_html(f"<!doctype html><html lang=ja><head><meta charset=utf-8><style>{CSS}</style></head>"
                     f"<body>{COVER}{''.join(pages)}</body></html>", tmp_path / "pages.pdf")
    with pymupdf.open(out) as doc:
        assert extract_pamphlet(doc).projects == []


@pytest.mark.parametrize("text, heading", [
    ("札幌市ーモンゴル国ウランバートル市", PairHeading("札幌市", "MN", "ウランバートル市")),
    ("横浜市 × ダナン市（ベトナム）", PairHeading("横浜市", "VN", "ダナン市")),
    ("ベトナム・ダナン市 － 横浜市", PairHeading("横浜市", "VN", "ダナン市")),
    ("セブ市（フィリピン）－富山市", PairHeading("富山市", "PH", "セブ市")),
    ("ホーチミン市 － 大阪市", PairHeading("大阪市", None, "ホーチミン市")),
    ("東京都・さいたま市ークアラルンプール市", PairHeading("東京都・さいたま市", None, "クアラルンプール市")),
    ("ダナン市における廃棄物発電導入支援事業 － 横浜市", None),  # a title, not a partner, before the dash
    ("横浜市 － 川崎市", None),  # two Japanese sides
])
def test_pair_headings_either_side_first(text, heading):
    assert parse_pair_heading(text) == heading


# --- cards of other shapes -----------------------------------------------------------------------

SHAPES_CSS = (".row { display: flex; gap: 3mm } .big { font-size: 22pt; color: #2a6; font-weight: bold; width: 16mm }"
              ".tall { height: 95mm }")


def _print(tmp_path: Path, body: str, columns: int = 2, landscape: bool = False, extra_css: str = "") -> Path:
    css = CSS.replace("COLS", str(columns)) + SHAPES_CSS + extra_css
    if landscape:
        css = css.replace("size: A4;", "size: A4 landscape;")
    return print_html(f"<!doctype html><html lang=ja><head><meta charset=utf-8><style>{css}</style></head>"
                      f"<body>{COVER}{body}</body></html>", tmp_path / "shape.pdf")


def _card(i: int, pair: str, title: str, lead: str, shape: str) -> str:
    if shape == "title_first":  # the number beside the title, the pair under it
        return (f"<div class=card><div class=title><span class=no>{i:02d}</span>　{title}</div>"
                f"<div class=pair>{pair}</div><div class=lead>実施主体：{lead}</div></div>")
    if shape == "beside":  # a big number in a column of its own left of the card's text
        return (f"<div class='card row'><div class=big>{i:02d}</div><div><div class=pair>{pair}</div>"
                f"<div class=title>{title}</div><div class=lead>実施主体：{lead}</div></div></div>")
    if shape == "bracket":  # 【実施主体】 on a line of its own
        return (f"<div class=card><div class=pair><span class=no>{i}</span>　{pair}</div><div class=title>{title}</div>"
                f"<div class=lead>【実施主体】</div><div class=lead>{lead}</div></div>")
    tall = " tall" if shape == "tall" else ""
    return (f"<div class='card{tall}'><div class=pair><span class=no>{i:02d}</span>　{pair}</div>"
            f"<div class=title>{title}</div><div class=lead>実施主体：{lead}</div></div>")


def _grid(heading: str, cards: list[str]) -> str:
    return f"<h2>{heading}</h2><div class=grid>{''.join(cards)}</div>"


def _read(path: Path) -> tuple[str, list[tuple]]:
    with pymupdf.open(path) as doc:
        kind = classify(pdf.page_texts(doc), pdf.page_sizes(doc))
        parsed = extract_pamphlet(doc)
    return kind, sorted((p.number, [j.text for j in p.japan], [(q.text, q.country) for q in p.partners],
                         p.title, p.proposer) for p in parsed.projects)


COMPOUND = [  # (pair as printed, Japanese sides, partners with country, title, proposer)
    ("北海道・札幌市・石狩市 × ウランバートル市（モンゴル）", ["北海道・札幌市・石狩市"], [("ウランバートル市", "MN")],
     "ウランバートル市における再生可能エネルギー由来水素の製造・利活用可能性調査", "石狩グリーン水素株式会社"),
    ("東京都・さいたま市 × クアラルンプール市（マレーシア）", ["東京都・さいたま市"], [("クアラルンプール市", "MY")],
     "クアラルンプール市における商業ビルの省エネ改修推進事業", "株式会社首都圏ビルエネルギー"),
    ("ダナン市（ベトナム）× 京都市", ["京都市"], [("ダナン市", "VN")],
     "ダナン市における観光施設の脱炭素化推進事業", "株式会社古都グリーンパートナーズ"),
]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_pair_headings_wrapped_inside_either_side_in_narrow_cards(tmp_path):
    # three narrow columns: "北海道・札幌市・" / "石狩市 × ウランバートル…" / "市（モンゴル）", and a
    # partner-first heading broken after its separator
    cards = [_card(i, pair, title, lead, "badge") for i, (pair, _j, _p, title, lead) in enumerate(COMPOUND, 1)]
    kind, got = _read(_print(tmp_path, _grid("採択事業一覧", cards), columns=3))
    assert kind == "pamphlet"
    assert got == [(i, japan, partners, title, lead) for i, (_pair, japan, partners, title, lead) in enumerate(COMPOUND, 1)]


def _expected(rows=PROJECTS) -> list[tuple]:
    return [(i, [jp], [(partner, code)], title, lead) for i, (jp, partner, _c, code, title, lead) in enumerate(rows, 1)]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
@pytest.mark.parametrize("shape, heading, columns, landscape", [
    ("title_first", "採択事業一覧", 2, False),  # the number beside the title, the pair under it
    ("beside", "令和6年度 実施案件", 2, False),  # the number left of the card, no list heading
    ("bracket", "事業紹介", 2, False),  # 【実施主体】 alone on its line
    ("badge", "採択事業一覧", 3, True),  # A4 landscape: two rows of three cards
])
def test_cards_of_other_shapes(tmp_path, shape, heading, columns, landscape):
    cards = [_card(i, f"{jp} × {partner}（{country}）", title, lead, shape)
             for i, (jp, partner, country, _code, title, lead) in enumerate(PROJECTS, 1)]
    kind, got = _read(_print(tmp_path, _grid(heading, cards), columns=columns, landscape=landscape))
    assert kind == "pamphlet"
    assert got == _expected()


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_a_single_row_of_cards_and_a_last_card_alone_on_the_next_page(tmp_path):
    # one row of three tall cards a page, the 7th alone on the last page, no list heading
    rows = PROJECTS + [("松山市", "セブ市", "フィリピン", "PH", "セブ市における離島向けマイクログリッド導入事業",
                        "株式会社いよエネルギー")]
    cards = [_card(i, f"{jp} × {partner}（{country}）", title, lead, "tall")
             for i, (jp, partner, country, _code, title, lead) in enumerate(rows, 1)]
    kind, got = _read(_print(tmp_path, _grid("令和6年度 実施案件", cards), columns=3, landscape=True,
                             extra_css=".tall { height: 120mm }"))
    assert kind == "pamphlet"
    assert got == _expected(rows)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_project_pages_under_a_running_list_label_are_no_list(tmp_path):
    # every page headed 事業紹介 and one card: each a project's own page
    pages = "".join(f"<section style='page-break-after: always'><h2>事業紹介</h2>"
                    f"{_card(i, f'{jp} × {partner}（{country}）', title, lead, 'badge')}"
                    f"<p>{'本事業では、現地の状況を調査した。' * 20}</p></section>"
                    for i, (jp, partner, country, _code, title, lead) in enumerate(PROJECTS[:4], 1))
    _kind, got = _read(_print(tmp_path, pages))
    assert got == []


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_a_card_the_page_break_cuts_takes_its_proposer_from_the_next_page(tmp_path):
    # tall cards, their proposer at the foot: the third row runs onto the next page, where the
    # proposers of cards 5 and 6 stand first, in their columns
    cards = "".join(
        f"<div class='card cut'><div><div class=pair><span class=no>{i:02d}</span>　{jp} × {partner}（{country}）</div>"
        f"<div class=title>{title}</div></div><div class=lead>実施主体：{lead}</div></div>"
        for i, (jp, partner, country, _code, title, lead) in enumerate(PROJECTS, 1))
    path = _print(tmp_path, _grid("採択事業一覧", [cards]), extra_css=(
        ".cut { height: 100mm; display: flex; flex-direction: column; justify-content: space-between;"
        " break-inside: auto }"))
    with pymupdf.open(path) as doc:
        assert doc.page_count == 3
        assert [ln for ln in doc[2].get_text().splitlines() if ln.startswith("実施主体")] == [
            "実施主体：イプシロン工業株式会社", "実施主体：株式会社ゼータ物流"]
    kind, got = _read(path)
    assert kind == "pamphlet"
    assert got == _expected()


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_project_pages_with_no_list_are_projects(tmp_path):
    # a brochure of project pages only: each headed "01  横浜市 × ダナン市（ベトナム）", its title, then
    # 代表事業者 / 共同事業者 and the description
    pages = "".join(
        f"<section style='page-break-before: always'><div class=pair style='font-size: 16pt'><span class=no>{i:02d}</span>"
        f"　{jp} × {partner}（{country}）</div><h3>{title}</h3><p>代表事業者：{lead}</p>"
        f"<p>共同事業者：株式会社サンプル総研、{jp}</p><p>{partner}では都市化に伴いエネルギー需要が増えている。"
        f"本事業では{jp}の知見を活かして導入計画を策定する。</p></section>"
        for i, (jp, partner, country, _code, title, lead) in enumerate(PROJECTS[:3], 1))
    with pymupdf.open(_print(tmp_path, pages)) as doc:
        parsed = extract_pamphlet(doc)
    assert [(p.number, [j.text for j in p.japan], [(q.text, q.country) for q in p.partners], p.title, p.proposer,
             p.co_implementers) for p in parsed.projects] == [
        (i, [jp], [(partner, code)], title, lead, ["株式会社サンプル総研", jp])
        for i, (jp, partner, _c, code, title, lead) in enumerate(PROJECTS[:3], 1)]
