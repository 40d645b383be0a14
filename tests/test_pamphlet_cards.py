"""Pamphlets whose project list is a grid of cards, as a design tool or a browser prints them: each card
holds a list number, the city-pair heading, the title and "実施主体：…", the number beside the heading
(a badge) or above it, the heading wrapping to the card's left edge, one to three columns, with or without
a list heading such as 事業一覧. Printed by headless Chromium at test time."""
import html
import json
import shutil
import subprocess
from pathlib import Path

import pymupdf
import pytest

from pipeline import pdf
from pipeline.run import RunOptions, run
from pipeline.classify import classify
from pipeline.extract.pamphlet import PairHeading, extract_pamphlet, parse_pair_heading

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

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
    page = tmp_path / "cards.html"
    page.write_text(f"<!doctype html><html lang=ja><head><meta charset=utf-8><style>"
                    f"{CSS.replace('COLS', str(columns))}</style></head><body>{COVER}<h2>{heading}</h2>"
                    f"<div class=grid>{body}</div></body></html>", encoding="utf-8")
    out = tmp_path / "cards.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={out}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    return out


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
    page = tmp_path / "pages.html"
    page.write_text(f"<!doctype html><html lang=ja><head><meta charset=utf-8><style>{CSS}</style></head>"
                    f"<body>{COVER}{''.join(pages)}</body></html>", encoding="utf-8")
    out = tmp_path / "pages.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={out}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
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
