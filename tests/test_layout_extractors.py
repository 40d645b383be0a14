"""Extractors on the page model: small PDFs drawn here the way non-office producers draw them
(content stream out of reading order, vertical headings, labels boxed above values, a country turned
90° in a merged first column), with the exact records expected."""
from __future__ import annotations

import pymupdf

from pipeline.extract.pamphlet import extract_pamphlet
from pipeline.extract.slides import extract_slides

FONT = "japan"


def _pairs(parsed):
    return sorted((p.country, p.partner.text, p.japan.text) for p in parsed.pairs)


def _draw_scrambled(page, items):
    """Write text items (x, y, text, size) in an order that is not the reading order."""
    for k in [*range(1, len(items), 2), *range(0, len(items), 2)][::-1]:
        x, y, text, size = items[k]
        page.insert_text((x, y), text, fontname=FONT, fontsize=size)


def _pamphlet(path):
    doc = pymupdf.open()
    cover = doc.new_page(width=595, height=842)
    cover.insert_text((100, 200), "2022年度 脱炭素社会実現のための都市間連携事業", fontname=FONT, fontsize=18)

    cities = doc.new_page(width=595, height=842)
    items = [(50, 60, "都市間連携事業の参加都市", 15)]
    # two page columns; in each, a country written vertically on a strip left of its rows
    blocks = [(50, 100, "ベトナム", [("ハノイ市", "福岡県"), ("ダナン市", "横浜市")]),
              (50, 200, "タイ", [("バンコク都", "横浜市"), ("ラヨン県", "北九州市")]),
              (320, 100, "モンゴル", [("ウランバートル市", "札幌市")]),
              (320, 200, "マレーシア", [("ペナン州", "川崎市")])]
    for x, y, country, rows in blocks:
        for k, ch in enumerate(country):
            items.append((x, y + k * 11, ch, 10))
        for k, (partner, japan) in enumerate(rows):
            items.append((x + 20, y + k * 14, partner, 10))
            items.append((x + 150, y + k * 14, japan, 10))
    _draw_scrambled(cities, items)

    listing = doc.new_page(width=595, height=842)
    items = [(50, 60, "2022年度 実施調査事業一覧", 15)]
    entries = [(50, 100, "01", "札幌市ーモンゴル国ウランバートル市", ["ウランバートル市における寒冷地の", "建築促進事業"], "(株)札幌テスト"),
               (50, 180, "02", "横浜市ーベトナム社会主義共和国ダナン市", ["ダナン市における脱炭素都市形成", "支援事業"], "日本工営(株)"),
               (320, 100, "03", "川崎市ーマレーシア国ペナン州", ["ペナン州における省エネルギー", "促進事業"], "(公財)テスト機構"),
               (320, 180, "04", "北九州市ータイ王国ラヨン県", ["ラヨン県における廃棄物発電", "導入支援事業"], "(一社)試験協会")]
    for x, y, number, heading, title, proposer in entries:
        items.append((x, y, heading, 10))
        items.append((x, y + 16, number, 11))
        for k, line in enumerate(title):
            items.append((x + 26, y + 16 + k * 13, line, 9.5))
        items.append((x + 26, y + 16 + len(title) * 13, "実施主体：" + proposer, 8.5))
    _draw_scrambled(listing, items)

    detail = doc.new_page(width=595, height=842)
    detail.draw_rect(pymupdf.Rect(50, 128, 100, 138), color=None, fill=(0.85, 0.85, 0.85))
    detail.draw_rect(pymupdf.Rect(50, 168, 100, 178), color=None, fill=(0.85, 0.85, 0.85))
    items = [(50, 60, "札幌市ーモンゴル国ウランバートル市", 11),
             (50, 110, "ウランバートル市における寒冷地の建築促進事業", 14),
             (52, 136, "代表事業者", 7), (52, 156, "株式会社札幌テスト", 10),
             (52, 176, "共同事業者", 7), (52, 196, "札幌市、株式会社北のテスト", 10),
             (50, 260, "本事業では寒冷地の建築の省エネルギーを進めます。", 10.5)]
    _draw_scrambled(detail, items)
    doc.save(path)
    return path


def test_pamphlet_drawn_out_of_reading_order(tmp_path):
    parsed = extract_pamphlet(pymupdf.open(_pamphlet(tmp_path / "p.pdf")))
    assert _pairs(parsed) == sorted([
        ("VN", "ハノイ市", "福岡県"), ("VN", "ダナン市", "横浜市"), ("TH", "バンコク都", "横浜市"),
        ("TH", "ラヨン県", "北九州市"), ("MN", "ウランバートル市", "札幌市"), ("MY", "ペナン州", "川崎市")])
    got = [(p.number, p.title, p.proposer, [j.text for j in p.japan], [q.text for q in p.partners], p.country,
            p.co_implementers) for p in parsed.projects]
    assert got == [
        (1, "ウランバートル市における寒冷地の建築促進事業", "株式会社札幌テスト", ["札幌市"], ["ウランバートル市"], "MN",
         ["札幌市", "株式会社北のテスト"]),
        (2, "ダナン市における脱炭素都市形成支援事業", "日本工営株式会社", ["横浜市"], ["ダナン市"], "VN", []),
        (3, "ペナン州における省エネルギー促進事業", "公益財団法人テスト機構", ["川崎市"], ["ペナン州"], "MY", []),
        (4, "ラヨン県における廃棄物発電導入支援事業", "一般社団法人試験協会", ["北九州市"], ["ラヨン県"], "TH", []),
    ]


def test_slides_country_turned_in_a_merged_first_column(tmp_path):
    doc = pymupdf.open()
    doc.new_page(width=960, height=540).insert_text((300, 250), "都市間連携事業", fontname=FONT, fontsize=40)
    page = doc.new_page(width=960, height=540)
    page.insert_text((40, 60), "都市間連携事業の参加都市", fontname=FONT, fontsize=26)
    xs = [40, 70, 230, 330]
    ys = [90, 120, 150, 180]
    for y in ys:  # row rules, except through the merged first column
        page.draw_line((xs[1] if y not in (ys[0], ys[-1]) else xs[0], y), (xs[-1], y))
    for x in xs:
        page.draw_line((x, ys[0]), (x, ys[-1]))
    page.draw_rect(pymupdf.Rect(xs[0], ys[0], xs[1], ys[-1]), color=None, fill=(0.1, 0.3, 0.2))
    page.insert_text((60, 160), "ベトナム", fontname=FONT, fontsize=11, rotate=90, color=(1, 1, 1))
    for k, (partner, japan) in enumerate([("ハノイ市", "福岡県"), ("ダナン市", "横浜市"), ("フエ市", "京都市")]):
        page.insert_text((xs[1] + 5, ys[k] + 20), partner, fontname=FONT, fontsize=12)
        page.insert_text((xs[2] + 5, ys[k] + 20), japan, fontname=FONT, fontsize=12)
    parsed = extract_slides(doc)
    assert _pairs(parsed) == [("VN", "ダナン市", "横浜市"), ("VN", "ハノイ市", "福岡県"), ("VN", "フエ市", "京都市")]
