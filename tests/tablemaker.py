"""Adoption tables as other office programs print them: LibreOffice Calc and Writer documents written as
flat ODF XML (.fods / .fodt, no library needed) and converted with `soffice --headless --convert-to pdf`.

The PDFs are made once and committed under tests/fixtures/ (tests never need LibreOffice):

    .venv/bin/python tests/tablemaker.py /work/shared/seeds/003_e57cdf5c186829b8.txt

writes tests/fixtures/seed003_rows.json (the seed's 20 rows), the variant PDFs, and
tests/fixtures/unseen_truth.json (score.py format) for `c2c run` + score.py.
"""
from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_ROWS = FIXTURES / "seed003_rows.json"
SANS = "Noto Sans CJK JP"
SERIF = "Noto Serif CJK JP"


# --- the seed's rows -----------------------------------------------------------------------------

def parse_seed(path: Path) -> list[dict]:
    """The 採択案件一覧 seed text (tab-separated, HTML fragments in two cells) → one dict per row."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 8 or not parts[0].strip().isdigit():
            continue
        number, proposer, japan, partner, country, title, fields, summary = (p.strip() for p in parts[:8])
        fields = re.sub(r"<[^>]+>", " ", fields).split()
        summary = re.sub(r"</p>\s*<p>|<li>|</li>|<br\s*/?>", "\n", summary)
        summary = html.unescape(re.sub(r"<[^>]+>", " ", summary))
        summary = "\n".join(" ".join(s.split()) for s in summary.splitlines() if s.strip())
        rows.append(dict(number=int(number), proposer=proposer, japan=japan, partner=partner,
                         country=country, title=title, fields=fields, summary=summary))
    return rows


def seed_rows() -> list[dict]:
    return json.loads(SEED_ROWS.read_text(encoding="utf-8"))


# --- flat ODF ------------------------------------------------------------------------------------

_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
       'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"')
RULE = "0.5pt solid #000000"


def _paras(text: str, style: str = "") -> str:
    attr = f' text:style-name="{style}"' if style else ""
    return "".join(f"<text:p{attr}>{html.escape(line)}</text:p>" for line in (text.split("\n") or [""]))


def _page_layout(landscape: bool, footer: bool) -> tuple[str, str]:
    w, h = ("29.7cm", "21cm") if landscape else ("21cm", "29.7cm")
    layout = (f'<style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="{w}" '
              f'fo:page-height="{h}" style:print-orientation="{"landscape" if landscape else "portrait"}" '
              f'fo:margin-top="1cm" fo:margin-bottom="1cm" fo:margin-left="1cm" fo:margin-right="1cm"/>'
              f'</style:page-layout>')
    foot = ('<style:footer><text:p><text:page-number>1</text:page-number> / '
            '<text:page-count>1</text:page-count></text:p></style:footer>') if footer else ""
    master = (f'<office:master-styles><style:master-page style:name="Default" style:page-layout-name="pm1">'
              f'<style:header style:display="false"/>{foot}</style:master-page></office:master-styles>')
    return layout, master


def fods(title: str | None, header: list[str], rows: list[list[str]], widths_cm: list[float],
         landscape: bool = True, fontsize: float = 8, font: str = SANS, footer: bool = True,
         borders: str = "grid") -> str:
    """A spreadsheet: merged title row, header row repeated on every printed page, cells wrapped and
    top-aligned; rows grow to fit (optimal height). `borders`: "grid" rules every cell; "banded" rules
    nothing and shades the header and every other row instead (a spreadsheet "table style"); "none"
    rules and shades nothing (plain text in columns, a "no borders" export)."""
    layout, master = _page_layout(landscape, footer)
    cols = "".join(f'<style:style style:name="co{i}" style:family="table-column">'
                   f'<style:table-column-properties style:column-width="{w}cm"/></style:style>'
                   for i, w in enumerate(widths_cm))
    cell_props = f'fo:wrap-option="wrap" fo:border="{RULE}" style:vertical-align="top"'
    shaded = cell_props
    if borders == "banded":
        cell_props = 'fo:wrap-option="wrap" style:vertical-align="top"'
        shaded = cell_props + ' fo:background-color="#dde6f0"'
    elif borders == "none":
        cell_props = shaded = 'fo:wrap-option="wrap" style:vertical-align="top"'
    text_props = (f'style:font-name="{font}" style:font-name-asian="{font}" fo:font-size="{fontsize}pt" '
                  f'style:font-size-asian="{fontsize}pt"')
    styles = (f'<office:font-face-decls><style:font-face style:name="{font}" svg:font-family="\'{font}\'"/>'
              f'</office:font-face-decls><office:automatic-styles>{cols}'
              f'<style:style style:name="ta1" style:family="table" style:master-page-name="Default">'
              f'<style:table-properties table:display="true"/></style:style>'
              f'<style:style style:name="ro1" style:family="table-row"><style:table-row-properties '
              f'style:use-optimal-row-height="true"/></style:style>'
              f'<style:style style:name="ce1" style:family="table-cell"><style:table-cell-properties {cell_props}/>'
              f'<style:text-properties {text_props}/></style:style>'
              f'<style:style style:name="ce3" style:family="table-cell"><style:table-cell-properties {shaded}/>'
              f'<style:text-properties {text_props}/></style:style>'
              f'<style:style style:name="ce2" style:family="table-cell"><style:table-cell-properties '
              f'style:vertical-align="top"/><style:text-properties {text_props.replace(str(fontsize), "12")}/>'
              f'</style:style>{layout}</office:automatic-styles>{master}')
    n = len(header)

    def row(cells: list[str], style: str = "ce1") -> str:
        return ('<table:table-row table:style-name="ro1">'
                + "".join(f'<table:table-cell table:style-name="{style}" office:value-type="string">'
                          f'{_paras(c)}</table:table-cell>' for c in cells) + "</table:table-row>")

    body = "".join(f'<table:table-column table:style-name="co{i}"/>' for i in range(n))
    if title:
        body += (f'<table:table-row table:style-name="ro1"><table:table-cell table:style-name="ce2" '
                 f'table:number-columns-spanned="{n}" office:value-type="string">{_paras(title)}</table:table-cell>'
                 f'<table:covered-table-cell table:number-columns-repeated="{n - 1}"/></table:table-row>')
    body += (f"<table:table-header-rows>{row(header, 'ce3')}</table:table-header-rows>"
             + "".join(row(r, "ce3" if i % 2 else "ce1") for i, r in enumerate(rows)))
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:document {_NS} office:version="1.2" '
            f'office:mimetype="application/vnd.oasis.opendocument.spreadsheet">{styles}<office:body>'
            f'<office:spreadsheet><table:table table:name="採択案件" table:style-name="ta1">{body}</table:table>'
            f'</office:spreadsheet></office:body></office:document>')


def fodt(title: str | None, header: list[str], rows: list[list[str]], widths_cm: list[float],
         landscape: bool = True, fontsize: float = 8, font: str = SERIF, footer: bool = True,
         borders: str = "rows", header_align: str = "start") -> str:
    """A word-processor table: title paragraph, heading row repeated on every page.
    `borders`: "rows" rules only horizontally (a rule under the heading and under every row), "grid"
    rules every cell. Rows may split across pages, as word processors allow by default.
    `header_align` "center" centres the heading labels in their cells, as many offices do."""
    layout, master = _page_layout(landscape, footer)
    total = sum(widths_cm)
    cols = "".join(f'<style:style style:name="co{i}" style:family="table-column">'
                   f'<style:table-column-properties style:column-width="{w}cm"/></style:style>'
                   for i, w in enumerate(widths_cm))
    if borders == "rows":
        head_border = f'fo:border-top="{RULE}" fo:border-bottom="{RULE}" fo:border-left="none" fo:border-right="none"'
        cell_border = f'fo:border-top="none" fo:border-bottom="{RULE}" fo:border-left="none" fo:border-right="none"'
    else:
        head_border = cell_border = f'fo:border="{RULE}"'
    text_props = (f'style:font-name="{font}" style:font-name-asian="{font}" fo:font-size="{fontsize}pt" '
                  f'style:font-size-asian="{fontsize}pt"')
    styles = (f'<office:font-face-decls><style:font-face style:name="{font}" svg:font-family="\'{font}\'"/>'
              f'</office:font-face-decls><office:automatic-styles>'
              f'<style:style style:name="Tbl" style:family="table"><style:table-properties style:width="{total}cm" '
              f'table:align="left"/></style:style>{cols}'
              f'<style:style style:name="Head" style:family="table-cell"><style:table-cell-properties '
              f'fo:padding="0.05cm" {head_border}/></style:style>'
              f'<style:style style:name="Cell" style:family="table-cell"><style:table-cell-properties '
              f'fo:padding="0.05cm" {cell_border}/></style:style>'
              f'<style:style style:name="P1" style:family="paragraph"><style:text-properties {text_props}/></style:style>'
              f'<style:style style:name="PH" style:family="paragraph"><style:paragraph-properties '
              f'fo:text-align="{header_align}"/><style:text-properties {text_props}/></style:style>'
              f'<style:style style:name="PT" style:family="paragraph"><style:paragraph-properties '
              f'fo:margin-bottom="0.3cm"/><style:text-properties {text_props.replace(str(fontsize), "13")}/>'
              f'</style:style>{layout}</office:automatic-styles>'
              + master.replace('style:name="Default"', 'style:name="Standard"'))

    def row(cells: list[str], style: str) -> str:
        para = "PH" if style == "Head" else "P1"
        return ("<table:table-row>" + "".join(f'<table:table-cell table:style-name="{style}" office:value-type="string">'
                                              f'{_paras(c, para)}</table:table-cell>' for c in cells)
                + "</table:table-row>")

    body = (f'<text:p text:style-name="PT">{html.escape(title)}</text:p>' if title else "")
    body += ('<table:table table:name="T1" table:style-name="Tbl">'
             + "".join(f'<table:table-column table:style-name="co{i}"/>' for i in range(len(header)))
             + f"<table:table-header-rows>{row(header, 'Head')}</table:table-header-rows>"
             + "".join(row(r, "Cell") for r in rows) + "</table:table>")
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:document {_NS} office:version="1.2" '
            f'office:mimetype="application/vnd.oasis.opendocument.text">{styles}<office:body><office:text>'
            f'{body}</office:text></office:body></office:document>')


def to_pdf(source_xml: str, suffix: str, out: Path) -> Path:
    """Convert a flat ODF document to `out` with LibreOffice (headless, its own throwaway profile)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"doc{suffix}"
        src.write_text(source_xml, encoding="utf-8")
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", "pdf", "--outdir", tmp, str(src)],
                       check=True, capture_output=True, timeout=180)
        out.write_bytes((Path(tmp) / "doc.pdf").read_bytes())
    return out


# --- the variants --------------------------------------------------------------------------------

# How other offices abbreviate or space legal forms (the normalized proposer stays the same).
LEGAL_FORM_VARIANTS = {
    "日本工営株式会社": "日本工営㈱",
    "株式会社オリエンタルコンサルタンツ": "(株)オリエンタルコンサルタンツ",
    "公益財団法人地球環境戦略研究機関": "(公財)地球環境戦略研究機関",
    "一般社団法人海外環境協力センター": "(一社)海外環境協力センター",
    "日本エヌ・ユー・エス株式会社": "日本エヌ・ユー・エス 株式会社",
    "有限会社そおりサイクルセンター": "㈲そおりサイクルセンター",
    "株式会社ATGREEN": "株式会社 ATGREEN",
}
# Other transliterations of the seed's partner places (same places).
PLACE_VARIANTS = {
    "バリアンタウ省": "バリアブンタウ省",
    "マハラシュトラ州": "マハーラーシュトラ州",
    "テランガナ州": "テランガーナー州",
    "アンドラ・プラデーシュ州": "アーンドラ・プラデーシュ州",
}


def _respell(text: str) -> str:
    for old, new in PLACE_VARIANTS.items():
        text = text.replace(old, new)
    return text


def variants(rows: list[dict]) -> list[dict]:
    """Each: file, maker (fods|fodt), title, header, cells per row, widths, layout; plus the fiscal
    year / round the title states and the rows used (for the truth file)."""
    by_no = {r["number"]: r for r in rows}
    out = []

    # (a)+(b)+(e): Calc, landscape, renamed and reordered columns, a column the pipeline does not know,
    # abbreviated legal forms, 、-separated fields, another year and round in the merged title row.
    picked = [by_no[n] for n in (1, 2, 3, 4, 7, 14, 15, 18)]
    out.append(dict(
        file="calc_r6_round2.pdf", maker="fods", fiscal_year=2024, round=2, rows=picked,
        title="令和6年度 脱炭素社会実現のための都市間連携事業 2次公募 採択案件一覧",
        header=["No.", "業務名", "代表事業者", "相手国", "相手都市", "国内自治体", "分野", "概要", "備考"],
        cells=[[str(r["number"]), r["title"], LEGAL_FORM_VARIANTS.get(r["proposer"], r["proposer"]),
                r["country"], _respell(r["partner"]), r["japan"], "、".join(r["fields"]), r["summary"],
                "継続" if r["number"] % 2 else "新規"] for r in picked],
        widths=[1.0, 3.6, 3.0, 1.8, 3.0, 2.0, 3.0, 8.0, 1.3], landscape=True))

    # (c)+(e): Writer, ruled only horizontally, 実施主体 / 事業期間, rows may split over pages.
    picked = [by_no[n] for n in (5, 6, 8, 9, 10, 11, 12, 13)]
    out.append(dict(
        file="writer_2024_hrules.pdf", maker="fodt", fiscal_year=2024, round=None, rows=picked,
        title="2024年度 都市間連携事業 採択案件一覧",
        header=["番号", "実施主体", "国内都市", "対象都市・地域", "対象国", "案件名", "対象分野", "事業期間", "事業概要"],
        cells=[[str(r["number"]), LEGAL_FORM_VARIANTS.get(r["proposer"], r["proposer"]), r["japan"],
                _respell(r["partner"]), r["country"], r["title"], "\n".join("・" + f for f in r["fields"]),
                "2024年度～2026年度", r["summary"]] for r in picked],
        widths=[1.0, 2.8, 1.8, 3.0, 1.6, 3.6, 2.8, 2.0, 9.0], landscape=True))

    # (d)+(e): Calc, portrait, narrow, no 事業概要, all 20 rows, header repeated.
    out.append(dict(
        file="calc_r5_portrait.pdf", maker="fods", fiscal_year=2023, round=1, rows=rows,
        title="令和5年度 都市間連携事業 第1次公募 採択案件一覧",
        header=["番号", "提案者", "国内都市", "対象都市・地域", "対象国", "事業名", "対象分野"],
        cells=[[str(r["number"]), LEGAL_FORM_VARIANTS.get(r["proposer"], r["proposer"]), r["japan"],
                _respell(r["partner"]), r["country"], r["title"], "\n".join("・" + f for f in r["fields"])]
               for r in rows],
        widths=[0.8, 3.0, 1.8, 3.0, 1.6, 4.2, 4.4], landscape=False))

    # (c)+(d): Writer, portrait, centred heading labels over left-aligned cells, horizontal rules only,
    # no 事業概要, fields one per line without bullets, the round in brackets.
    picked = [by_no[n] for n in (16, 17, 19, 20)]
    out.append(dict(
        file="writer_r6_centred.pdf", maker="fodt", fiscal_year=2024, round=1, rows=picked,
        title="令和6年度 都市間連携事業（第1次公募）採択結果",
        header=["No", "提案者", "国内都市", "対象都市", "対象国", "事業名", "対象分野"],
        cells=[[str(r["number"]), LEGAL_FORM_VARIANTS.get(r["proposer"], r["proposer"]), r["japan"],
                _respell(r["partner"]), r["country"], r["title"], "\n".join(r["fields"])] for r in picked],
        widths=[0.9, 3.2, 2.0, 2.8, 2.0, 4.0, 4.0], landscape=False, options=dict(header_align="center")))

    # (a): Calc with a "table style": no rules at all, shaded header and bands.
    picked = [by_no[n] for n in (1, 5, 9, 11, 16, 20)]
    out.append(dict(
        file="calc_2022_banded.pdf", maker="fods", fiscal_year=2022, round=None, rows=picked,
        title="2022年度 都市間連携事業 採択案件一覧",
        header=["番号", "提案者", "国内都市", "対象都市・地域", "対象国", "事業名", "対象分野", "事業概要"],
        cells=[[str(r["number"]), LEGAL_FORM_VARIANTS.get(r["proposer"], r["proposer"]), r["japan"],
                _respell(r["partner"]), r["country"], r["title"], "\n".join("・" + f for f in r["fields"]),
                r["summary"]] for r in picked],
        widths=[1.0, 3.0, 1.8, 3.0, 1.8, 4.0, 3.4, 9.5], landscape=True, options=dict(borders="banded")))

    # Calc with every border removed and no shading: only the text's layout shows the table.
    picked = [by_no[n] for n in range(1, 9)]
    out.append(dict(
        file="calc_noborders.pdf", maker="fods", fiscal_year=2021, round=1, rows=picked,
        title="令和3年度 都市間連携事業 1次公募 採択案件一覧",
        header=["番号", "提案者", "国内都市", "対象都市・地域", "対象国", "事業名", "対象分野", "事業概要"],
        cells=[[str(r["number"]), LEGAL_FORM_VARIANTS.get(r["proposer"], r["proposer"]), r["japan"],
                _respell(r["partner"]), r["country"], r["title"],
                "\n".join("・" + f for f in r["fields"]), r["summary"]] for r in picked],
        widths=[1.0, 3.0, 1.8, 3.0, 1.8, 4.0, 3.4, 9.5], landscape=True, options=dict(borders="none")))
    return out


def truth(variants_: list[dict], corpus_truth: dict, corpus_table: str) -> dict:
    """score.py truth for the variants: facts from the seed rows, place keys from the corpus truth."""
    by_no = {p["number"]: p for p in corpus_truth["projects"] if corpus_table in p["sources"]}
    spellings = {m["text"]: m["place"] for m in corpus_truth["place_mentions"] if m["file"] == corpus_table}
    keys = {_respell(k): v for k, v in spellings.items()}
    keys.update(spellings)
    out = dict(documents=[], projects=[], city_pairs=[], jcm_projects=[], place_mentions=[])
    for v in variants_:
        out["documents"].append(dict(file=v["file"], kind="adoption_table", fiscal_year=v["fiscal_year"],
                                     pages=None, expect="ok", error_kind=None))
        seen = set()
        for r in v["rows"]:
            t = by_no[r["number"]]
            rnd = f"R{v['round']}-" if v["round"] else ""
            out["projects"].append(dict(
                key=f"FY{v['fiscal_year']}-{rnd}{r['number']:02d}", fiscal_year=v["fiscal_year"],
                round=v["round"], number=r["number"], title=t["title"], proposer=t["proposer"],
                co_implementers=None, japan=t["japan"], partners=t["partners"], country=t["country"],
                fields=t["fields"], sources=[v["file"]]))
            cells = re.sub(r"\s", "", _respell(r["partner"]) + "|" + r["japan"])
            for text, place in keys.items():
                if text in cells and (text, place) not in seen:
                    seen.add((text, place))
                    out["place_mentions"].append(dict(file=v["file"], text=text, place=place))
    return out


def main(seed: str, corpus: str = "/work/shared/corpus", *only: str) -> None:
    """Writes every variant, or with `only` (file names) just those; the truth file always covers all."""
    FIXTURES.mkdir(exist_ok=True)
    rows = parse_seed(Path(seed))
    SEED_ROWS.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    vs = variants(rows)
    for v in vs:
        if only and v["file"] not in only:
            continue
        maker = fods if v["maker"] == "fods" else fodt
        xml = maker(v["title"], v["header"], v["cells"], v["widths"], landscape=v["landscape"],
                    **v.get("options", {}))
        to_pdf(xml, "." + v["maker"], FIXTURES / v["file"])
        print("wrote", FIXTURES / v["file"])
    corpus_truth = json.loads((Path(corpus) / "truth.json").read_text(encoding="utf-8"))
    table = next(d["file"] for d in corpus_truth["documents"] if d["kind"] == "adoption_table")
    (FIXTURES / "unseen_truth.json").write_text(
        json.dumps(truth(vs, corpus_truth, table), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
