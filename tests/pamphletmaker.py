"""Programme pamphlets as another office would write them: LibreOffice Writer documents (flat ODF XML,
no library needed) made from seed 001's content (the 2022 pamphlet) and converted with
`soffice --headless --convert-to pdf`.

The PDFs are made once and committed under tests/fixtures/ (tests never need LibreOffice):

    .venv/bin/python tests/pamphletmaker.py /work/shared/seeds/001_904da772fea1721c.txt

writes tests/fixtures/seed001_pamphlet.json (the seed's list entries, detail sections and participating
cities), the variant PDFs, and tests/fixtures/unseen_pamphlet_truth.json (score.py format).

What differs from the corpus pamphlet: another fiscal year on the cover (令和5年度 / 2024年度); the
participating cities in one column, no bold, country headers in 【】 or ■, several Japanese
municipalities on a line separated by 、 or ・; the project list as a bordered table (pair headings
as merged rows, separated by －, - or ―; numbers "No.1" or "1."; the proposer as "実施主体：…" in
the cell or under a 実施主体 column header); one detail page per project with "代表事業者：…" or
"【代表事業者】…" labels and co-implementer lists wrapping over several lines.
"""
from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

from normalizers.countries import country_code
from tablemaker import FIXTURES, SANS, SERIF, _NS, RULE, to_pdf

SEED_DATA = FIXTURES / "seed001_pamphlet.json"


# --- the seed's content --------------------------------------------------------------------------

def parse_seed(path: Path) -> dict:
    """Seed 001 text → {"entries": [...], "details": [...], "cities": [[country, [[partner, [japan…]]…]]…]}."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    entries, heading = [], None
    for i, line in enumerate(lines):
        parts = line.split("\t")
        if len(parts) == 3 and re.fullmatch(r"\d\d", parts[0].strip()):
            back = i - 1
            while not lines[back].strip():
                back -= 1
            if not lines[back].startswith("-") and not re.match(r"\d\d\t", lines[back]):
                heading = lines[back].strip()
            entries.append(dict(number=int(parts[0]), heading=heading, title=parts[1].strip(),
                                proposer=re.sub(r"^実施主体\s*", "", parts[2].strip())))
    details = []
    for i, line in enumerate(lines):
        m = re.match(r"^[\s|\-]*代表事業者\s*\|\s*(.+)$", line)
        if not m:
            continue
        j = i + 1
        while not lines[j].strip():
            j += 1
        co = re.sub(r"^[\s|\-]*共同事業者\s*\|\s*", "", lines[j]).strip()
        j += 1
        while lines[j].strip():
            co += lines[j].strip()
            j += 1
        body = []
        while len(body) < 2 and j < len(lines) and "代表事業者" not in lines[j]:
            if len(lines[j].strip()) > 40:
                body.append(lines[j].strip())
            elif body and lines[j].strip():
                break  # the next section's heading
            j += 1
        details.append(dict(lead=m.group(1).strip(), co=co, body=body))
    assert len(entries) == len(details) == 22, (len(entries), len(details))
    start = next(i for i, ln in enumerate(lines) if ln.startswith("モルディブ"))
    cities: list = []
    for line in lines[start:]:
        s = line.strip()
        if "事業一覧" in s:
            break
        if not s or s.startswith("(") or re.search(r"\d", s):
            continue
        if "**" in s:
            partner, japan = s.split("**", 1)
            cities[-1][1].append([partner.strip(), japan.strip("* ").split()])
        elif " " in s:
            partner, *japan = s.split()
            cities[-1][1].append([partner, japan])
        elif country_code(s):
            cities.append([s, []])
    return dict(entries=entries, details=details, cities=cities)


# --- flat ODT -------------------------------------------------------------------------------------

def _text_props(font: str, size: float, bold: bool = False) -> str:
    weight = ' fo:font-weight="bold" style:font-weight-asian="bold"' if bold else ""
    return (f'style:font-name="{font}" style:font-name-asian="{font}" fo:font-size="{size}pt" '
            f'style:font-size-asian="{size}pt"{weight}')


def _para_style(name: str, font: str, size: float, bold: bool = False, before: str = "0cm",
                after: str = "0cm", page_break: bool = False, align: str = "start") -> str:
    brk = ' fo:break-before="page"' if page_break else ""
    return (f'<style:style style:name="{name}" style:family="paragraph"><style:paragraph-properties '
            f'fo:margin-top="{before}" fo:margin-bottom="{after}" fo:text-align="{align}"{brk}/>'
            f'<style:text-properties {_text_props(font, size, bold)}/></style:style>')


STYLES = "".join([
    _para_style("Cover", SANS, 26, bold=True, before="6cm", after="0.6cm", align="center"),
    _para_style("CoverSub", SANS, 16, after="0.4cm", align="center"),
    _para_style("H1", SANS, 15, bold=True, after="0.3cm", page_break=True),
    _para_style("H2", SANS, 13, bold=True, before="0.2cm", after="0.15cm"),
    _para_style("Body", SERIF, 10.5, after="0.15cm"),
    _para_style("Line", SERIF, 10.5),
    _para_style("Cell", SERIF, 9.5),
    _para_style("CellHead", SANS, 10, bold=True),
    _para_style("Title", SANS, 14, bold=True, after="0.25cm", page_break=True),
    '<style:style style:name="Grid" style:family="table-cell"><style:table-cell-properties '
    f'fo:padding="0.08cm" fo:border="{RULE}"/></style:style>',
    '<style:style style:name="Plain" style:family="table-cell"><style:table-cell-properties '
    'fo:padding="0.05cm" fo:border="none"/></style:style>',
    '<style:style style:name="lab0" style:family="table-column"><style:table-column-properties '
    'style:column-width="2.6cm"/></style:style>',
    '<style:style style:name="lab1" style:family="table-column"><style:table-column-properties '
    'style:column-width="14cm"/></style:style>',
])


def _p(text: str, style: str) -> str:
    """A paragraph; a tab in `text` is a tab stop (Writer users align columns with tabs)."""
    return f'<text:p text:style-name="{style}">{html.escape(text).replace(chr(9), "<text:tab/>")}</text:p>'


def _table(rows: list[list[str] | str], widths_cm: list[float], header: list[str] | None = None,
           cols_style: str = "col", cell_style: str = "Grid", para: str = "Cell") -> str:
    """A bordered table; a str row is a pair heading merged over every column."""
    n = len(widths_cm)
    cols = "".join(f'<table:table-column table:style-name="{cols_style}{i}"/>' for i in range(n))

    def cell(text: str, style: str = para, span: int = 1) -> str:
        attr = f' table:number-columns-spanned="{span}"' if span > 1 else ""
        paras = "".join(_p(t, style) for t in text.split("\n"))
        return (f'<table:table-cell table:style-name="{cell_style}"{attr} office:value-type="string">{paras}'
                f'</table:table-cell>')

    body = ""
    if header:
        body += ("<table:table-header-rows><table:table-row>" + "".join(cell(h, "CellHead") for h in header)
                 + "</table:table-row></table:table-header-rows>")
    for r in rows:
        if isinstance(r, str):
            body += (f"<table:table-row>{cell(r, 'CellHead', n)}"
                     f'<table:covered-table-cell table:number-columns-repeated="{n - 1}"/></table:table-row>')
        else:
            body += "<table:table-row>" + "".join(cell(c) for c in r) + "</table:table-row>"
    return f'<table:table table:name="List" table:style-name="Tbl">{cols}{body}</table:table>'


def fodt(parts: list[str], widths_cm: list[float]) -> str:
    cols = "".join(f'<style:style style:name="col{i}" style:family="table-column">'
                   f'<style:table-column-properties style:column-width="{w}cm"/></style:style>'
                   for i, w in enumerate(widths_cm))
    layout = ('<style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="21cm" '
              'fo:page-height="29.7cm" fo:margin-top="2cm" fo:margin-bottom="2cm" fo:margin-left="2.2cm" '
              'fo:margin-right="2.2cm"/></style:page-layout>')
    master = ('<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1">'
              '<style:footer><text:p text:style-name="Cell"><text:page-number>1</text:page-number></text:p>'
              '</style:footer></style:master-page></office:master-styles>')
    fonts = (f'<office:font-face-decls><style:font-face style:name="{SANS}" svg:font-family="\'{SANS}\'"/>'
             f'<style:font-face style:name="{SERIF}" svg:font-family="\'{SERIF}\'"/></office:font-face-decls>')
    table_style = (f'<style:style style:name="Tbl" style:family="table"><style:table-properties '
                   f'style:width="{sum(widths_cm)}cm" table:align="left"/></style:style>')
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:document {_NS} office:version="1.2" '
            f'office:mimetype="application/vnd.oasis.opendocument.text">{fonts}<office:automatic-styles>'
            f'{STYLES}{table_style}{cols}{layout}</office:automatic-styles>{master}<office:body><office:text>'
            + "".join(parts) + "</office:text></office:body></office:document>")


# --- the variants ---------------------------------------------------------------------------------

INTRO = ("本事業は、日本の自治体と途上国の都市（パートナー都市）が連携する枠組の下、日本の企業と自治体が現地パートナーと"
         "協働して、パートナー都市における脱炭素案件の発掘・実現可能性調査を行うものです。")

# file → how it is written
VARIANTS = {
    "writer_r5_pamphlet.pdf": dict(
        fiscal_year=2023, era="令和5年度", numbers=[1, 2, 11, 14, 18], countries=["モンゴル", "マレーシア", "ベトナム", "タイ"],
        country_head="【{}】", jp_sep="、", gap="\u3000", dashes="－-―", number="No.{}", proposer_in_cell=True,
        lead="代表事業者：{}", co="共同事業者：{}", blank_after_labels=True),
    "writer_2024_brackets.pdf": dict(
        fiscal_year=2024, era="2024年度", numbers=[3, 9, 12, 19, 20, 22],
        countries=["マレーシア", "インドネシア", "パラオ", "フィリピン"],
        country_head="■{}", jp_sep="・", gap="\u3000\u3000", dashes="-―－", number="{}.", proposer_in_cell=False,
        lead="【代表事業者】{}", co="【共同事業者】{}", blank_after_labels=False),
    # the pair lines aligned with a tab, the proposer under the title in the same cell, the detail
    # labels in a borderless two-column table with the co-implementers broken by hand
    "writer_2023_stacked.pdf": dict(
        fiscal_year=2023, era="2023年度", numbers=[5, 6, 7, 13, 21], countries=["タイ", "フィリピン", "チリ", "ベトナム"],
        country_head="＜{}＞", jp_sep="・", gap="\t", dashes="ー—", number="{:02d}", proposer_in_cell="stacked",
        lead="代表事業者\t{}", co="共同事業者\t{}", blank_after_labels=False, labels="table"),
}


def build(seed: dict, v: dict) -> str:
    entries = {e["number"]: e for e in seed["entries"]}
    details = {e["number"]: d for e, d in zip(seed["entries"], seed["details"])}
    parts = [_p(v["era"], "CoverSub"), _p("脱炭素社会実現のための都市間連携事業", "Cover"),
             _p("City-to-City Collaboration for Zero Carbon Society", "CoverSub"),
             _p("事業の概要", "H2"), _p(INTRO, "Body")]
    # participating cities: one column, headers in 【】 / ■, no bold
    parts.append(_p("都市間連携事業の参加都市（2013～2022年度）", "H1"))
    for country, rows in seed["cities"]:
        if country not in v["countries"]:
            continue
        parts.append(_p(v["country_head"].format(country), "Line"))
        parts += [_p(partner + v["gap"] + v["jp_sep"].join(japan), "Line") for partner, japan in rows]
    parts.append(_p("注：各国の都市を北から南に順に掲載しています。", "Body"))
    # the project list: one bordered table, pair headings as merged rows
    parts.append(_p(f"{v['era']} 実施調査事業一覧", "H1"))
    rows: list = []
    heading = None
    for k, n in enumerate(v["numbers"]):
        e = entries[n]
        if e["heading"] != heading:
            heading = e["heading"]
            dash = v["dashes"][k % len(v["dashes"])]
            rows.append(re.sub(r"[ー—]", dash, heading, count=1))
        if v["proposer_in_cell"] == "stacked":
            rows.append([v["number"].format(n), e["title"] + "\n実施主体：" + e["proposer"]])
            continue
        proposer = ("実施主体：" + e["proposer"]) if v["proposer_in_cell"] else e["proposer"]
        rows.append([v["number"].format(n), e["title"], proposer])
    widths = [1.6, 15.0] if v["proposer_in_cell"] == "stacked" else [1.6, 10.0, 5.0]
    table = _table(rows, widths, None if v["proposer_in_cell"] else ["番号", "事業名", "実施主体"])
    parts.append(table)
    # one detail page per project
    for n in v["numbers"]:
        d = details[n]
        parts.append(_p(entries[n]["title"], "Title"))
        if v.get("labels") == "table":
            names = d["co"].split("、")
            co = "\n".join("、".join(names[k:k + 3]) + ("、" if k + 3 < len(names) else "")
                           for k in range(0, len(names), 3))
            parts.append(_table([["代表事業者", d["lead"]], ["共同事業者", co]], [2.6, 14.0],
                                cols_style="lab", cell_style="Plain", para="Line"))
        else:
            parts.append(_p(v["lead"].format(d["lead"]), "Line"))
            parts.append(_p(v["co"].format(d["co"]), "Line"))
        if v["blank_after_labels"]:
            parts.append(_p("", "Line"))
        parts += [_p(b, "Body") for b in d["body"]]
    return fodt(parts, widths)


def printed_texts(xml: str) -> list[str]:
    """Every paragraph's text as printed (for the truth's place mentions)."""
    return [html.unescape(re.sub(r"<[^>]+>", "\t", t)) for t in re.findall(r"<text:p[^>]*>(.*?)</text:p>", xml)]


def mentions(texts: list[str], spellings: dict[str, str]) -> list[tuple[str, str]]:
    """(text, place) for every known spelling printed, scanning left to right and taking the longest
    spelling at each position (サンティアゴ市レンカ区 is one mention, バリ州バドゥン県 two)."""
    squashed = {re.sub(r"\s+", "", k): k for k in spellings}
    found: list[tuple[str, str]] = []
    for text in texts:
        t = re.sub(r"\s+", "", text)
        i = 0
        while i < len(t):
            best = max((k for k in squashed if t.startswith(k, i)), key=len, default=None)
            if best:
                hit = (squashed[best], spellings[squashed[best]])
                if hit not in found:
                    found.append(hit)
                i += len(best)
            else:
                i += 1
    return found


def truth(seed: dict, corpus_truth: dict, pamphlet: str) -> dict:
    """score.py truth for the variants: facts from the corpus truth's FY2022 projects, its pamphlet
    city pairs and place keys (the variants print the seed's spellings)."""
    by_no = {p["number"]: p for p in corpus_truth["projects"] if pamphlet in p["sources"]}
    spellings = {m["text"]: m["place"] for m in corpus_truth["place_mentions"] if m["file"] == pamphlet}
    out = dict(documents=[], projects=[], city_pairs=[], jcm_projects=[], place_mentions=[])
    for file, v in VARIANTS.items():
        year = v["fiscal_year"]
        out["documents"].append(dict(file=file, kind="pamphlet", fiscal_year=year, pages=None, expect="ok",
                                     error_kind=None))
        for n in v["numbers"]:
            t = by_no[n]
            out["projects"].append(dict(t, key=f"FY{year}-{n:02d}", fiscal_year=year, sources=[file]))
        out["place_mentions"] += [dict(file=file, text=text, place=place)
                                  for text, place in mentions(printed_texts(build(seed, v)), spellings)]
        pairs = set()
        for country, rows in seed["cities"]:
            if country in v["countries"]:
                for partner, japan in rows:
                    pairs |= {(spellings[j], spellings[partner]) for j in japan}
        out["city_pairs"] += [dict(japan=j, partner=p, sources=[file]) for j, p in sorted(pairs)]
    return out


def main(seed_path: str, corpus: str = "/work/shared/corpus") -> None:
    seed = parse_seed(Path(seed_path))
    SEED_DATA.write_text(json.dumps(seed, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for file, v in VARIANTS.items():
        to_pdf(build(seed, v), ".fodt", FIXTURES / file)
        print("wrote", FIXTURES / file)
    corpus_truth = json.loads((Path(corpus) / "truth.json").read_text(encoding="utf-8"))
    pamphlet = next(d["file"] for d in corpus_truth["documents"] if d["kind"] == "pamphlet")
    (FIXTURES / "unseen_pamphlet_truth.json").write_text(
        json.dumps(truth(seed, corpus_truth, pamphlet), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
