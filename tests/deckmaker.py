"""Slide decks the pipeline has never seen, drawn from the content of the seed lecture deck (city-pair
list, JCM projects formed from the programme) and the seed Yokohama Y-PORT deck, in several layouts.

16:9 pages, one slide per page, a title, bullets, small per-country tables and a slide number, like
the corpus deck, written with an embedded CJK TrueType font (see pdfmaker_slides.Canvas). Variants:
  table_style "shaded" (filled header and cells, as a presentation program exports them) or "ruled"
  (no fills, every cell drawn with hairlines);
  japan_first: pairs written "日本側-相手側" in bullets, tables (Japanese column on the left) and the
  brackets of the JCM list.

`write_unseen(folder)` writes the decks and a truth.json in the corpus truth format; the building
blocks (`Deck`, `table`, …) make the small fixtures of tests/test_unseen_decks.py.
"""
from __future__ import annotations

import json
from pathlib import Path

import pymupdf

from tests.pdfmaker_slides import SLIDE, Canvas

GREY = (0.5, 0.5, 0.5)


class Deck:
    """A slide deck being drawn; every method adds one slide."""

    def __init__(self, table_style: str = "shaded") -> None:
        self.c = Canvas()
        self.table_style = table_style

    def _slide(self, title: str | None) -> pymupdf.Page:
        page = self.c.page(SLIDE)
        if title:
            self.c.text(page, 38, 30, title, 24)
            page.draw_line((38, 66), (922, 66), color=(0.1, 0.4, 0.3), width=1.5)
        self.c.text(page, 915, 515, str(page.number + 1), 10)
        return page

    def title_slide(self, title: str, *subtitles: str) -> None:
        page = self._slide(None)
        self.c.text(page, 120, 190, title, 36)
        for i, s in enumerate(subtitles):
            self.c.text(page, 120, 270 + 30 * i, s, 18)

    def bullets(self, title: str, items: list[str], size: float = 15, width: int = 50,
                mark: str = "◼ ") -> None:
        """Bullets wrapped after `width` characters, continuation lines indented under the text."""
        page = self._slide(title)
        y = 85.0
        for item in items:
            first = True
            for line in _wrap(item, width):
                self.c.text(page, 45 if first else 45 + size * 1.2, y, (mark if first and mark else "") + line, size)
                y += size * 1.35
                first = False
            y += size * 0.5

    def tables(self, title: str, tables: list[tuple[str, list[tuple[str, str]]]], notes: list[str] = (),
               widths: tuple[float, float] = (170, 105), japan_first: bool = False) -> None:
        """Per-country two-column tables (partner | Japanese, or Japanese | partner), flowed into
        three columns of the slide."""
        page = self._slide(title)
        x, y = 30.0, 80.0
        for country, rows in tables:
            h = 21 + sum(9 + 12 * (max(a.count("\n"), b.count("\n")) + 1) for a, b in rows)
            if y + h > 490:
                x, y = x + sum(widths) + 25, 80.0
            if japan_first:
                rows = [(b, a) for a, b in rows]
                w = (widths[1], widths[0])
            else:
                w = widths
            y = table(self.c, page, x, y, country, rows, w, self.table_style) + 8
        for i, note in enumerate(notes):
            self.c.text(page, 640, 470 + 14 * i, note, 10)

    def jcm_list(self, title: str, groups: list[tuple[str, list[tuple[str, str, str]]]],
                 inline_year: bool = False) -> None:
        """Country headings, then bullets "⚫ title（pair）" wrapped at 40 characters, each with its
        年度 in a column on the right (or at the end of the bullet when `inline_year`)."""
        page = self._slide(title)
        y = 80.0
        for country, items in groups:
            self.c.text(page, 40, y, country, 14)
            y += 22
            for name, pair, year in items:
                text = f"{name}（{pair}）" + (f" {year}" if inline_year else "")
                lines = _wrap(text, 40)
                if not inline_year:
                    self.c.text(page, 820, y, year, 12)
                for i, line in enumerate(lines):
                    self.c.text(page, 40 if i == 0 else 55, y, ("⚫ " if i == 0 else "") + line, 12)
                    y += 16
                y += 4
            y += 6

    def free(self, title: str, lines: list[tuple[float, float, str, float]]) -> None:
        page = self._slide(title)
        for x, top, text, size in lines:
            self.c.text(page, x, top, text, size)

    def save(self, path: Path) -> Path:
        return self.c.save(path)


def _wrap(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def table(c: Canvas, page: pymupdf.Page, x: float, y: float, country: str, rows: list[tuple[str, str]],
          widths: tuple[float, float], style: str) -> float:
    """One small table: a merged header row with the country, then "left | right" rows; returns the
    bottom. "shaded": filled header and right column, borders as rectangles; "ruled": no fill, every
    border a separate hairline (as a word processor or spreadsheet exports them)."""
    w1, w2 = widths
    x1 = x + w1 + w2
    if style == "shaded":
        page.draw_rect(pymupdf.Rect(x, y, x1, y + 21), color=GREY, fill=(0.12, 0.37, 0.29), width=0.65)
        c.text(page, x + 5, y + 5, country, 12.5, color=(1, 1, 1))
    else:
        for yy in (y, y + 21):
            page.draw_line((x, yy), (x1, yy), color=(0, 0, 0), width=0.5)
        for xx in (x, x1):
            page.draw_line((xx, y), (xx, y + 21), color=(0, 0, 0), width=0.5)
        c.text(page, x + 5, y + 5, country, 12.5)
    y += 21
    for left, right in rows:
        n = max(left.count("\n"), right.count("\n")) + 1
        h = 9 + 12 * n
        if style == "shaded":
            page.draw_rect(pymupdf.Rect(x, y, x + w1, y + h), color=GREY, width=0.65)
            page.draw_rect(pymupdf.Rect(x + w1, y, x1, y + h), color=GREY, fill=(0.89, 0.94, 0.85), width=0.65)
        else:
            page.draw_line((x, y + h), (x1, y + h), color=(0, 0, 0), width=0.5)
            for xx in (x, x + w1, x1):
                page.draw_line((xx, y), (xx, y + h), color=(0, 0, 0), width=0.5)
        for col_x, cell in ((x + 5, left), (x + w1 + 5, right)):
            c.centred_lines(page, col_x, y, h, cell, 11)
        y += h
    return y


# --- the lecture deck (seed 002) -------------------------------------------------------------------

OVERVIEW_BULLETS = [  # (country, [(partner, japan)]) as the overview slide prints them
    ("ベトナム", [("ハノイ市", "福岡県"), ("バリアブンタウ省", "堺市")]),
    ("インドネシア", [("ゴロンタロ州", "愛媛県"), ("西ジャワ州・バンテン州", "北九州市")]),
    ("タイ", [("バンコク都", "横浜市"), ("パタヤ市・ラヨーン市", "大阪市")]),
    ("チリ", [("レンカ区", "富山市")]),
    ("インド", [("テランガーナ州", "北九州市")]),
]

PAIR_TABLES = [  # slides of (country, [(partner cell, Japanese cell)]), cells wrapped as printed
    [("ベトナム", [("ハイフォン市", "北九州市"), ("ダナン市", "横浜市"), ("ホーチミン市\n・トゥードック市", "大阪市"),
                 ("キエンザン省", "神戸市"), ("カントー市", "広島県"), ("ソクチャン省", "広島県"),
                 ("ハノイ市", "福岡県"), ("クアンニン省・\nハイフォン市", "滋賀県"),
                 ("バリアブンタウ省・ベト\nナム南部地域", "堺市・大\n阪市"), ("ベンチェ省", "愛媛県"),
                 ("ドンナイ省", "神戸市"), ("フエ市トゥエンホア区", "静岡市"), ("ダナン市", "堺市")]),
     ("ミャンマー", [("ヤンゴン管区", "北九州市"), ("ヤンゴン市", "川崎市"), ("エーヤワディ管区", "福島市"),
                  ("ザガイン管区", "福島市"), ("マンダレー市", "北九州市"), ("ヤンゴン市", "福岡市")]),
     ("タイ", [("バンコク都", "横浜市"), ("ラヨン県", "北九州市"), ("チェンマイ県", "北九州市"),
              ("タイ東部経済回廊", "大阪市"),
              ("ウボンラチャタニ県・\nワリンチャムラップ市・\nピブンマンサハン市", "北九州市"),
              ("パタヤ市・ラヨーン市", "大阪市")])],
    [("モンゴル", [("ウランバートル市", "札幌市、\n北海道庁"), ("ウランバートル市\n・トゥブ県", "札幌市"),
                 ("ウランバートル市", "札幌市")]),
     ("モルディブ", [("マーレ市", "富山市")]),
     ("ラオス", [("ビエンチャン特別市", "京都市")]),
     ("インド", [("バンガロール市", "横浜市"), ("テランガーナ州", "北九州市"), ("マハラシュトラ州", "大阪市")]),
     ("マレーシア", [("イスカンダル開発地域", "北九州市"), ("イスカンダル開発地域\n・コタキナバル市", "富山市"),
                  ("ペナン州", "川崎市"), ("クアラルンプール市", "東京都・\nさいたま市"),
                  ("イスカンダル開発地域", "富山市")])],
    [("インドネシア", [("デンパサール市", "東京一組"), ("スラバヤ市", "北九州市"), ("バタム市", "横浜市"),
                    ("スマラン市※", "富山市"), ("バンドン市", "川崎市"), ("ジャカルタ特別州", "川崎市"),
                    ("バリ州※", "富山市"), ("リアウ州ローカンウル県\n・プカンバル市", "川崎市"),
                    ("ゴロンタロ州", "愛媛県"), ("バンテン州（チレゴン\n市)・西ジャワ州", "北九州市"),
                    ("マカッサル市", "真庭市"), ("マカッサル市", "横浜市"), ("ギャニャール県", "大崎町"),
                    ("バドゥン県", "富山市")]),
     ("フィリピン", [("ケソン市", "大阪市"), ("ダバオ市", "北九州市"),
                  ("メトロセブ地域(セブ\n市・マンダウエ市・ダナ\nオ市）", "横浜市")]),
     ("カンボジア", [("プノンペン都", "北九州市"), ("シェムリアップ州", "神奈川県")]),
     ("チリ", [("サンディアゴ市\nレンカ区", "富山市")]),
     ("パラオ", [("コロール州", "北九州市"), ("アイライ州", "浦添市")])],
]

# (country, [(title, "partner-Japanese" as printed, year)]) of the JCM list, split over slides.
JCM_LISTS = [
    [("チリ", [("サンティアゴ首都圏州レンカ区プラスチック工場への2.0MW屋根置き太陽光発電システム導入による電力供給事業",
               "サンディアゴ市レンカ-富山市", "2022年度")]),
     ("インドネシア", [("高効率ターボ冷凍機によるショッピングモールの空調の省エネルギー化", "スラバヤ市-北九州市", "2015年度"),
                     ("工業団地へのスマートLED街路灯システムの導入", "スラバヤ市-北九州市", "2018年度"),
                     ("スマラン市公共交通バスへのCNGとディーゼル混焼設備導入プロジェクト", "スマラン市-富山市", "2019年度"),
                     ("ダンボール生産工場への高効率ボイラーシステムの導入", "ジャカルタ-川崎市", "2015年度")]),
     ("ミャンマー", [("ヤンゴン市における廃棄物発電", "ヤンゴン市-川崎市", "2015年度"),
                  ("ビール工場への省エネ型醸造設備の導入", "ヤンゴン市-川崎市", "2016年度"),
                  ("エーヤワディ地域の精米所におけるもみ殻発電", "エーヤワディ管区-福島市", "2016年度")])],
    [("ベトナム", [("デジタルタコグラフを用いたエコドライブプロジェクト", "ホーチミン市-大阪市", "2014年度"),
                 ("ホーチミン市ショッピングモールにおける太陽光発電の導入", "ホーチミン市‐大阪市", "2015年度"),
                 ("ダナン市水道公社への高効率ポンプの導入", "ダナン市-横浜市", "2016年度"),
                 ("ショッピングセンターへの高効率チラー及び調光型高効率LED照明導入事業", "ホーチミン市ｰ大阪市", "2016年度"),
                 ("ビントゥアン省における16MW小水力発電プロジェクト", "ハノイ-福岡県", "2021年度"),
                 ("アルミホイール製造工場への0.4MW屋根置き太陽光発電システムの導入（JCMエコリース事業）",
                  "ホーチミン-大阪市", "2022年度"),
                 ("プラスチック製品工場への1.25MW屋根置き太陽光発電システムの導入", "ダナン-横浜市", "2022年度")])],
    [("タイ", [("セメント工場への12MW廃熱回収発電システムの導入", "ラヨン県-北九州市", "2016年度"),
              ("衣料品製造工場への高効率貫流ボイラの導入", "タイ東部経済回廊-大阪市", "2021年度"),
              ("アルミインゴット工場への高効率システム導入による生産性改善", "バンコク都-横浜市", "2024年度")]),
     ("モンゴル", [("ドルノゴビ県エルデネにおける15MW太陽光発電システムの導入", "ウランバートル市ｰ札幌市", "2022年度")]),
     ("カンボジア", [("大型ショッピングモールへの1MW太陽光発電と高効率チラーの導入", "プノンペン都-北九州市", "2016年度")])],
]


def _swap(pair: str) -> str:
    """"partner-Japanese" → "Japanese-partner", keeping the dash as printed."""
    for i, ch in enumerate(pair):
        if ch in "-‐ｰ－":
            return pair[i + 1:] + ch + pair[:i]
    raise ValueError(pair)


def lecture_deck(path: Path, table_style: str = "shaded", japan_first: bool = False) -> Path:
    d = Deck(table_style)
    d.title_slide("気候変動と国際協力", "～地域・都市から世界へ～", "2025年7月", "環境省 地球環境局")
    d.bullets("荒れる国際情勢と環境問題", [
        "国際的な対立が増し、世界は不安定な状況（ex.ウクライナ、ガザ侵攻、トランプ政権、インド対パキスタン、イラク対イスラエル)",
        "TEMMでの経験：日中韓三か国の閣僚級会合では、環境大臣会合が最長。",
        "グローバルサウスとは？ インド、インドネシア、ブラジル、南アフリカなど ⇔主に北半球の先進国",
    ])
    d.bullets("国連気候変動枠組条約第30回締約国会議（COP30）概要", [
        "日時：2025年11月10日（月）～11月21日（金）",
        "場所：ブラジル連邦共和国パラー州ベレン",
        "共同提案国 フィジー共和国、カナダ、チリ共和国、スイス連邦、ノルウェー王国、ペルー共和国",
    ])
    d.bullets("AZEC等を通じたアジア諸国等のルール形成・脱炭素化への貢献", [
        "地方公共団体や地域企業が築き上げてきた脱炭素都市づくりの経験やノウハウを海外都市に移転。",
        "浦添市ーパラオアイライ州のMoU締結",
        "都市間連携事業 参画都市が拡大 23地方公共団体が13カ国64都市・地域との協力を実現",
        "廃棄物発電（ベトナム・バクニン省）",
    ])
    overview = []
    for country, pairs in OVERVIEW_BULLETS:
        items = [f"{j}-{p}" if japan_first else f"{p}-{j}" for p, j in pairs]
        overview.append(f"{country} ：" + "、".join(items) + ("、" if country == "チリ" else ""))
    overview[-1] += " など"
    d.free("都市間連携事業の概要", [
        (45, 85, "◼ 環境協力の覚書や姉妹都市協定等による国内都市と海外都市の連携を活用し、国内都市の有する", 14),
        (45, 104, "脱炭素都市づくりの経験やノウハウを海外都市に移転。", 14),
        (60, 150, "✓ 脱炭素・低炭素を推進する基盤制度の構築", 14),
        (60, 175, "例） 気候変動アクションプラン策定支援、", 14),
        (560, 150, "13カ国64都市・地域 日本23自治体が参画", 16),
    ] + [(50, 300 + 22 * i, line, 15) for i, line in enumerate(overview)])
    for k, slide in enumerate(PAIR_TABLES):
        notes = ["※バリ州・スマラン市は共同連携案件", "＊2025年度案件"] if k == 2 else ["13カ国64都市・地域"]
        d.tables("都市間連携事業（2013～2025年度）", slide, notes, japan_first=japan_first)
    d.free("都市間連携事業メリット 地元企業の海外展開を後押し", [
        (45, 90, "自治体間の連携による信頼性向上01", 16),
        (520, 120, "大阪市－ホーチミン市", 14), (520, 140, "高効率水冷スクリューチラー", 12),
        (520, 200, "福岡県ーハノイ市", 14), (520, 220, "可倒式風力発電", 12),
        (45, 470, "※都市間連携事業から形成されたJCMプロジェクト：８カ国３２案件", 12),
    ])
    for slide in JCM_LISTS:
        groups = [(c, [(t, _swap(p) if japan_first else p, y) for t, p, y in items]) for c, items in slide]
        d.jcm_list("都市間連携事業から形成されたJCM案件", groups)
    d.jcm_list("都市間連携事業から形成されたJCM案件", [
        ("パラオ", [("リゾートホテルにおける0.6MW太陽光発電システムおよび0.3MWh蓄電池の導入",
                    "浦添市ｰアイライ州" if japan_first else "アイライ州ｰ浦添市", "2024年度")])], inline_year=True)
    d.bullets("まとめ", ["日本では地域脱炭素の取り組みや、日本と外国の都市間連携を進める事業も推進"])
    return d.save(path)


# --- the Yokohama deck (seed 004) ------------------------------------------------------------------

DANANG_COMMISSION = "令和4年度脱炭素社会実現のための都市間連携事業委託業務"
DANANG_TITLE = "横浜市とダナン市の都市間連携による低炭素技術事業開発を通じた脱炭素社会形成支援事業"
BANGKOK_TITLE = "バンコク気候変動マスタープランに基づくカーボンニュートラル実現～公民連携プラットフォームによる緩和政策・プロジェクトの推進～"


def yokohama_deck(path: Path, table_style: str = "shaded") -> Path:
    d = Deck(table_style)
    d.title_slide("横浜市Y-PORT事業", "～ 公民連携による海外インフラビジネスの推進について ～", "横浜市国際協力課")
    d.free("今年度のY-PORT事業の主な活動エリア", [
        (45, 85, "都市間協力を土台とした海外3都市に加えて、国際機関との連携による島嶼国での活動を推進予定。", 13),
        (45, 130, "バンコク", 16), (45, 155, "▶ バンコク都気候変動マスタープラン", 12),
        (45, 173, "▶ バンコク都庁に本市職員をJICA専門家として派遣", 12),
        (340, 130, "ダナン", 16), (340, 155, "▶ ダナン都市開発アクションプラン", 12),
        (340, 173, "▶ ダナン市水道公社への高効率ポンプ導入", 12),
        (640, 130, "セブ", 16), (640, 155, "ADB等との連携(再生可能エネルギー、廃棄物、防災等)", 11),
    ])
    d.bullets("市内企業等による事業化実績", [
        "① 廃プラスチックのリサイクル事業(フィリピン・メトロセブ) (株)グーン(金沢区)",
        "② 水道公社への高効率ポンプの導入(ベトナム・ダナン) 横浜ウォーター(株)(中区)",
        "④ 工場への屋根置き太陽光発電による電力供給(タイ・バンコク) (株)ファインテック(緑区)",
        "⑤ 上下水道公社への漏水検知研修事業(インド・バンガロール) 水道テクニカルサービス(株)(旭区)",
        "⑧ エンサ下水処理場建設事業(ベトナム・ハノイ) JFEエンジニアリング(株)(鶴見区)",
    ], size=13, width=60, mark="")
    d.bullets("環境省「都市間連携事業」", [
        "横浜市は、ダナン市及びバンコク都で、環境省「都市間連携事業」を活用しています。",
        "環境省「都市間連携事業」は、途上国の日本の都市と都市が連携する枠組みの下、企業の皆様と連携して脱炭素プロジェクトの検討を行うものです。（事業期間は最長3年）",
    ], size=14, width=55)
    # the title slide of a contractor's talk on its commissioned project (the seed's 第3回YPORTワークショップ)
    d.free(None, [
        (60, 110, DANANG_COMMISSION, 18),
        (60, 160, DANANG_TITLE[:30], 22), (60, 190, DANANG_TITLE[30:] + "の概要", 22),
        (60, 260, "第3回YPORTワークショップ", 16), (60, 290, "2022年12月21日", 14),
        (60, 320, "(公益財団法人)地球環境戦略研究機関 (IGES)", 14),
    ])
    d.bullets("横浜市とダナン市の都市間連携", [
        "(1) 2013年に「持続可能な都市発展に向けた技術協力に関する覚書」を締結",
        "(2) 毎年「ダナン開発フォーラム」を共催",
        "(3) この都市間連携の枠組みのもと、日本環境省の資金協力を得て、2020年度から本事業を実施。",
    ], size=14, width=55, mark="")
    # the commission heading and the project's name labelled (事業名：), naming no Japanese side: the
    # slide title gives the pair (and is itself the collaboration, not a project)
    d.free("(2022年度～) 横浜市・バンコク都による都市間連携事業", [
        (45, 80, f"【{DANANG_COMMISSION}】", 16),
        (45, 110, "公募期間：令和4年4月5日（火）～4月26日（火）", 12),
        (45, 128, "実施期間：最大3か年（毎年度の契約更新が必要）", 12),
        (45, 146, "対象国：開発途上国とし、JCM 対象国及びマレーシアを優先国とする。", 12),
        (45, 180, "事業名：" + BANGKOK_TITLE[:31], 13), (45, 198, BANGKOK_TITLE[31:], 13),
        (45, 222, "実施者：OECC", 13),
        (45, 246, "共同実施者：横浜市、一般社団法人YUSA、株式会社ファインテック、", 13),
        (45, 264, "東京センチュリー株式会社", 13),
        (45, 288, "相手都市：バンコク都庁（BMA）", 13),
    ])
    d.bullets("横浜市・バンコク都による都市間連携事業の進捗～公民連携による脱炭素事業形成～", [
        "バンコク都ー横浜市都市間連携事業セッションにおける横浜市内企業の登壇",
    ], size=14, width=55)
    d.free("環境省JCM資金支援 事業案件一覧(2013~2022年度)", [
        (45, 85, "パートナー国合計：227件採択(25か国)", 13),
        (45, 120, "カンボジア:6件", 14), (45, 142, "• 高効率LED街路灯※", 12), (45, 160, "• 1MW太陽光発電と高効率冷房", 12),
        (340, 120, "ミャンマー: 8件", 14), (340, 142, "• 700kW廃棄物発電※", 12), (340, 160, "• 省エネ型醸造設備", 12),
        (640, 120, "モルディブ: 3件", 14), (640, 142, "• 学校200kW太陽光発電※", 12),
    ])
    return d.save(path)


# --- truth -----------------------------------------------------------------------------------------

# Every spelling the decks print that names a keyed place (corpus truth conventions: countries and
# places without a key are left out; a bare stem of a Japanese municipality is not a mention).
KEYS = {
    "ハノイ市": "VN:Hanoi", "ハノイ": "VN:Hanoi", "バリアブンタウ省": "VN:Ba Ria-Vung Tau",
    "ハイフォン市": "VN:Hai Phong", "ダナン市": "VN:Da Nang", "ダナン": "VN:Da Nang",
    "ホーチミン市": "VN:Ho Chi Minh City", "ホーチミン": "VN:Ho Chi Minh City", "トゥードック市": "VN:Thu Duc",
    "キエンザン省": "VN:Kien Giang", "カントー市": "VN:Can Tho", "ソクチャン省": "VN:Soc Trang",
    "クアンニン省": "VN:Quang Ninh", "ベトナム南部地域": "VN:Southern Vietnam", "ベンチェ省": "VN:Ben Tre",
    "ドンナイ省": "VN:Dong Nai", "フエ市トゥエンホア区": "VN:Thuan Hoa (Hue)", "バクニン省": "VN:Bac Ninh",
    "ビントゥアン省": "VN:Binh Thuan",
    "ヤンゴン管区": "MM:Yangon Region", "ヤンゴン市": "MM:Yangon", "エーヤワディ管区": "MM:Ayeyarwady Region",
    "エーヤワディ地域": "MM:Ayeyarwady Region", "ザガイン管区": "MM:Sagaing Region", "マンダレー市": "MM:Mandalay",
    "バンコク都": "TH:Bangkok", "バンコク": "TH:Bangkok", "ラヨン県": "TH:Rayong Province", "チェンマイ県": "TH:Chiang Mai",
    "タイ東部経済回廊": "TH:Eastern Economic Corridor", "ウボンラチャタニ県": "TH:Ubon Ratchathani",
    "ワリンチャムラップ市": "TH:Warin Chamrap", "ピブンマンサハン市": "TH:Phibun Mangsahan",
    "パタヤ市": "TH:Pattaya", "ラヨーン市": "TH:Rayong City",
    "ウランバートル市": "MN:Ulaanbaatar", "トゥブ県": "MN:Tov", "ドルノゴビ県": "MN:Dornogovi",
    "マーレ市": "MV:Male", "ビエンチャン特別市": "LA:Vientiane Capital",
    "バンガロール市": "IN:Bengaluru", "バンガロール": "IN:Bengaluru", "テランガーナ州": "IN:Telangana",
    "マハラシュトラ州": "IN:Maharashtra",
    "イスカンダル開発地域": "MY:Iskandar Malaysia", "コタキナバル市": "MY:Kota Kinabalu", "ペナン州": "MY:Penang",
    "クアラルンプール市": "MY:Kuala Lumpur",
    "デンパサール市": "ID:Denpasar", "スラバヤ市": "ID:Surabaya", "バタム市": "ID:Batam", "スマラン市": "ID:Semarang",
    "バンドン市": "ID:Bandung City", "ジャカルタ特別州": "ID:Jakarta", "ジャカルタ": "ID:Jakarta", "バリ州": "ID:Bali",
    "リアウ州": "ID:Riau", "ローカンウル県": "ID:Rokan Hulu", "プカンバル市": "ID:Pekanbaru", "ゴロンタロ州": "ID:Gorontalo",
    "バンテン州": "ID:Banten", "チレゴン市": "ID:Cilegon", "西ジャワ州": "ID:West Java", "マカッサル市": "ID:Makassar",
    "ギャニャール県": "ID:Gianyar", "バドゥン県": "ID:Badung",
    "ケソン市": "PH:Quezon City", "ダバオ市": "PH:Davao City", "メトロセブ地域": "PH:Metro Cebu", "メトロセブ": "PH:Metro Cebu",
    "セブ市": "PH:Cebu City", "マンダウエ市": "PH:Mandaue", "ダナオ市": "PH:Danao",
    "プノンペン都": "KH:Phnom Penh", "シェムリアップ州": "KH:Siem Reap",
    "サンディアゴ市レンカ区": "CL:Renca", "レンカ区": "CL:Renca", "サンティアゴ首都圏州": "CL:Santiago Metropolitan Region",
    "サンディアゴ市レンカ": "CL:Renca",
    "コロール州": "PW:Koror", "アイライ州": "PW:Airai", "パラー州": "BR:Para",
}
JP = ["福岡県", "堺市", "愛媛県", "北九州市", "横浜市", "大阪市", "富山市", "神戸市", "広島県", "滋賀県", "静岡市",
      "川崎市", "福島市", "福岡市", "札幌市", "京都市", "東京都", "さいたま市", "真庭市", "大崎町", "神奈川県", "浦添市"]
KEYS.update({j: f"JP:{j}" for j in JP})
KEYS.update({"北海道庁": "JP:北海道", "東京一組": "JP:東京二十三区清掃一部事務組合"})


def _atoms(cell: str) -> list[str]:
    """Hand split of the compound cells used above (what a careful reader would do)."""
    flat = cell.replace("\n", "").replace("※", "")
    special = {
        "バンテン州（チレゴン市)・西ジャワ州": ["バンテン州", "チレゴン市", "西ジャワ州"],
        "リアウ州ローカンウル県・プカンバル市": ["ローカンウル県", "プカンバル市"],
        "メトロセブ地域(セブ市・マンダウエ市・ダナオ市）": ["メトロセブ地域", "セブ市", "マンダウエ市", "ダナオ市"],
        "札幌市、北海道庁": ["札幌市", "北海道庁"],
    }
    return special.get(flat) or [p for p in flat.replace("、", "・").split("・") if p]


def lecture_truth(file: str) -> dict:
    pairs = set()
    for _, rows in OVERVIEW_BULLETS:
        pairs |= {(KEYS[j], KEYS[a]) for p, j in rows for a in _atoms(p)}
    for slide in PAIR_TABLES:
        for _, rows in slide:
            pairs |= {(KEYS[j], KEYS[a]) for p, jc in rows for a in _atoms(p) for j in _atoms(jc)}
    jcm = []
    for slide in JCM_LISTS:
        for country, items in slide:
            for title, pair, year in items:
                partner, japan = [s for s in pair.replace("‐", "-").replace("ｰ", "-").split("-")]
                jcm.append(dict(title=title, country=_CC[country], japan=KEYS[japan], partner=KEYS[partner],
                                fiscal_year=int(year[:4]), sources=[file]))
    jcm.append(dict(title="リゾートホテルにおける0.6MW太陽光発電システムおよび0.3MWh蓄電池の導入", country="PW",
                    japan="JP:浦添市", partner="PW:Airai", fiscal_year=2024, sources=[file]))
    return dict(pairs=pairs, jcm=jcm)


_CC = {"チリ": "CL", "インドネシア": "ID", "ミャンマー": "MM", "ベトナム": "VN", "タイ": "TH", "モンゴル": "MN",
       "カンボジア": "KH", "パラオ": "PW"}


def _mentions(path: Path, file: str) -> list[dict]:
    """Every KEYS spelling printed in the PDF (longest first; a shorter spelling inside a longer one at
    the same place is not counted again), as the corpus truth lists them."""
    with pymupdf.open(path) as doc:
        text = "\n".join(p.get_text() for p in doc)
    flat = "".join(text.split())
    taken = [False] * len(flat)
    found = set()
    for s in sorted(KEYS, key=len, reverse=True):
        start = 0
        while (i := flat.find(s, start)) >= 0:
            start = i + 1
            if all(taken[i:i + len(s)]):
                continue
            found.add(s)
            for k in range(i, i + len(s)):
                taken[k] = True
    return [dict(file=file, text=s, place=KEYS[s]) for s in sorted(found)]


def write_unseen(folder: Path) -> Path:
    """The unseen decks and their truth.json (corpus truth format) under `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    decks = {
        "lecture_shaded.pdf": lambda p: lecture_deck(p),
        "lecture_ruled.pdf": lambda p: lecture_deck(p, table_style="ruled"),
        "lecture_japan_first.pdf": lambda p: lecture_deck(p, japan_first=True),
        "yokohama.pdf": lambda p: yokohama_deck(p),
    }
    truth = dict(documents=[], projects=[], city_pairs=[], jcm_projects=[], place_mentions=[])
    pair_sources: dict = {}
    for name, make in decks.items():
        path = make(folder / name)
        with pymupdf.open(path) as doc:
            pages = doc.page_count
        truth["documents"].append(dict(file=name, kind="slides", fiscal_year=2025 if name.startswith("lecture") else None,
                                       pages=pages, expect="ok", error_kind=None))
        if name.startswith("lecture"):
            t = lecture_truth(name)
            for j in t["jcm"]:  # one row per project, every deck that lists it in sources
                same = [x for x in truth["jcm_projects"] if x["title"] == j["title"]]
                if same:
                    same[0]["sources"].append(name)
                else:
                    truth["jcm_projects"].append(j)
            pairs = t["pairs"]
        else:  # slide titles state 横浜市's collaborations with ダナン市 and バンコク都; the contractor's
            # title slide and the Bangkok slide present the FY2022 commission's projects (the pamphlet's
            # FY2022-05 and FY2022-06)
            pairs = {("JP:横浜市", "VN:Da Nang"), ("JP:横浜市", "TH:Bangkok")}
            for key, title, partner in (("danang", DANANG_TITLE, "VN:Da Nang"), ("bangkok", BANGKOK_TITLE, "TH:Bangkok")):
                truth["projects"].append(dict(
                    key=f"yokohama-FY2022-{key}", fiscal_year=2022, round=None, number=None, title=title,
                    proposer=None, co_implementers=None, japan=["JP:横浜市"], partners=[partner], country=None,
                    fields=None, sources=[name]))
        for p in pairs:
            pair_sources.setdefault(p, []).append(name)
        truth["place_mentions"] += _mentions(path, name)
    truth["city_pairs"] = [dict(japan=j, partner=p, sources=s) for (j, p), s in sorted(pair_sources.items())]
    (folder / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder


if __name__ == "__main__":
    import sys
    print(write_unseen(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/unseen")))
