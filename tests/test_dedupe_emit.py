"""dedupe.py and emit.py: one record per project across documents, and every output format."""
from __future__ import annotations

import csv
import io
import json
import sqlite3

import pyarrow.parquet as pq
import pytest

from pipeline.dedupe import build_tables
from pipeline.emit import emit
from pipeline.gazetteer import Gazetteer
from pipeline.records import Extraction, Parsed, PlaceText, ProjectRecord, ReviewRow, TextSpan, row_dict
from pipeline.resolve import Resolver


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


def _project(title, proposer, number=None, round_=None, pages=(1,), japan="横浜市", partner="ダナン市",
             country="VN", fields=None, co=()):
    return ProjectRecord(pages=list(pages), fiscal_year=2025, round=round_, number=number, title_raw=title,
                         title=title, proposer_raw=proposer, proposer=proposer, co_implementers=list(co),
                         japan=[PlaceText(japan, pages[0], "japan")],
                         partners=[PlaceText(partner, pages[0], "partner", country)], country=country,
                         fields=fields)


def _doc(name, kind, projects, issued=None) -> Extraction:
    return Extraction(document=name, sha256=name[0] * 64, size_bytes=1, kind=kind, pages=3, issued=issued,
                      title=name, fiscal_year=2025, parsed=Parsed(fiscal_year=2025, projects=projects))


def _tables(gazetteer, docs):
    return build_tables(sorted(docs, key=lambda d: d.document), gazetteer)


def test_one_project_from_three_kinds_of_document_is_one_record(gazetteer):
    title = "横浜市とダナン市の都市間連携による脱炭素社会形成支援事業"
    docs = [
        _doc("slides.pdf", "slides", [_project(title.replace("脱炭素", "脱 炭素"), "日本工営株式会社", pages=(7,))]),
        _doc("table.pdf", "adoption_table", [_project(title, "日本工営株式会社", number=5, round_=1,
                                                      fields=["省エネルギー"])]),
        _doc("pamphlet.pdf", "pamphlet", [_project(title.replace("支援事業", "支援業務"), "株式会社オリエンタルコンサルタンツ",
                                                   number=12, pages=(6, 14), co=["横浜市"])]),
    ]
    tables = _tables(gazetteer, docs)
    assert len(tables.projects) == 1
    p = tables.projects[0]
    assert p.project_id == "FY2025-R1-05"
    assert (p.number, p.round, p.proposer, p.fields, p.co_implementers) == (
        5, 1, "日本工営株式会社", ["省エネルギー"], ["横浜市"])
    assert [(s["document"], s["pages"]) for s in p.sources] == [
        ("pamphlet.pdf", [6, 14]), ("slides.pdf", [7]), ("table.pdf", [1])]
    assert p.partner_places == [{"place_id": "vn-da-nang", "name_ja": "ダナン市", "name_en": "Da Nang",
                                    "country": "VN"}]
    conflicts = [r for r in tables.review if r.kind == "conflict"]
    assert [(r.document, r.text) for r in conflicts] == [
        ("pamphlet.pdf", "株式会社オリエンタルコンサルタンツ"),
        ("pamphlet.pdf", title.replace("支援事業", "支援業務")),
    ]


def test_different_places_or_rounds_keep_projects_apart(gazetteer):
    title = "ダナン市における脱炭素都市形成支援事業"
    docs = [
        _doc("a.pdf", "adoption_table", [_project(title, "X", number=1, round_=1)]),
        _doc("b.pdf", "adoption_table", [_project(title, "X", number=1, round_=2)]),
        _doc("c.pdf", "pamphlet", [_project(title, "X", number=3, partner="ダバオ市", country="PH")]),
    ]
    ids = [p.project_id for p in _tables(gazetteer, docs).projects]
    assert ids == ["FY2025-03", "FY2025-R1-01", "FY2025-R2-01"]


def test_a_corrected_reissue_replaces_the_older_table(gazetteer):
    old = _doc("old.pdf", "adoption_table", [_project("旧タイトル事業", "X", number=1, round_=1)],
               issued="D:20250401000000+09'00'")
    new = _doc("new.pdf", "adoption_table", [_project("新タイトル事業", "Y", number=1, round_=1)],
               issued="D:20250501000000+09'00'")
    tables = _tables(gazetteer, [old, new])
    assert [(p.project_id, p.title, p.proposer) for p in tables.projects] == [
        ("FY2025-R1-01", "新タイトル事業", "Y")]
    assert [s["document"] for s in tables.projects[0].sources] == ["new.pdf", "old.pdf"]


def test_emit_writes_every_format(gazetteer, tmp_path):
    docs = [_doc("table.pdf", "adoption_table", [_project("堺市の事業", "(株)X", number=1, round_=1,
                                                          japan="堺市・大阪市", fields=["省エネ", "再エネ"])])]
    written = emit(_tables(gazetteer, docs), tmp_path)
    assert "c2c.sqlite" in written and "datapackage.json" in written
    project = json.loads((tmp_path / "projects.jsonl").read_text(encoding="utf-8"))
    assert [m["name_ja"] for m in project["japan_municipalities"]] == ["堺市", "大阪市"]
    raw = (tmp_path / "projects.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    row = next(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert row["fields"] == "省エネ | 再エネ"
    assert row["japan_municipalities"] == "jp-271403 | jp-271004"
    assert row["sources"] == "table.pdf"
    assert pq.read_table(tmp_path / "projects.parquet").to_pylist()[0]["fields"] == ["省エネ", "再エネ"]
    with sqlite3.connect(tmp_path / "c2c.sqlite") as con:
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        assert {t for t in tables if "_fts" not in t} == {
            "documents", "projects", "city_pairs", "jcm_projects", "places", "mentions", "review",
            "project_places", "project_sources", "pair_sources", "jcm_sources", "field_sources"}
        assert {t for t in tables if t.endswith("_fts")} == {"projects_fts", "jcm_projects_fts", "places_fts"}
        (fields,) = con.execute("select fields from projects").fetchone()
    assert json.loads(fields) == ["省エネ", "再エネ"]
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == [
        "documents", "projects", "city_pairs", "jcm_projects", "places", "mentions", "review",
        "project_places", "project_sources", "pair_sources", "jcm_sources", "field_sources"]


def test_emit_is_byte_identical_on_a_second_write(gazetteer, tmp_path):
    docs = [_doc("table.pdf", "adoption_table", [_project("堺市の事業", "X", number=1, round_=1)])]
    tables = _tables(gazetteer, docs)
    emit(tables, tmp_path / "a")
    emit(tables, tmp_path / "b")
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_a_retitled_project_with_the_same_city_pair_is_one_record(gazetteer):
    docs = [
        _doc("table.pdf", "adoption_table", [_project(
            "横浜市-マカッサル市の都市間連携による交通・エネルギー分野を軸とした脱炭素都市形成支援事業", "X",
            number=5, round_=1, partner="マカッサル市", country="ID")]),
        _doc("pamphlet.pdf", "pamphlet", [
            _project("マカッサル市における交通・エネルギー分野の脱炭素都市形成支援事業", "X", number=3,
                     partner="マカッサル市", country="ID"),
            _project("マカッサル市における廃棄物発電の導入支援", "X", number=4, japan="真庭市",
                     partner="マカッサル市", country="ID")]),
    ]
    projects = _tables(gazetteer, docs).projects
    assert [(p.project_id, [s["document"] for s in p.sources]) for p in projects] == [
        ("FY2025-04", ["pamphlet.pdf"]), ("FY2025-R1-05", ["pamphlet.pdf", "table.pdf"])]


def test_a_document_titled_as_a_correction_wins_over_the_original(gazetteer):
    old = _doc("a_original.pdf", "adoption_table", [_project("旧タイトル事業", "X", number=1, round_=1)])
    new = _doc("b_fixed.pdf", "adoption_table", [_project("新タイトル事業", "Y", number=1, round_=1)])
    new.title = "令和7年度 1次公募採択案件一覧（修正版）"
    tables = _tables(gazetteer, [old, new])
    assert [(p.title, p.proposer) for p in tables.projects] == [("新タイトル事業", "Y")]


def test_running_text_finds_known_places_under_another_suffix(gazetteer):
    doc = _doc("deck.pdf", "slides", [])
    doc.spans = [TextSpan(2, "北九州市はヤンゴン\n地域と連携し、ダラット市でも調査した。")]
    resolved = Resolver(gazetteer, use_ner=False).resolve(doc)
    assert [(m.text, m.place_id, m.method) for m in resolved.mentions] == [
        ("ヤンゴン地域", "mm-yangon-region", "variant"), ("北九州市", "jp-401005", "exact")]


def test_the_table_builder_takes_documents_in_order_only(gazetteer):
    from pipeline.dedupe import TableBuilder
    from pipeline.resolve import Resolved

    builder = TableBuilder(gazetteer)
    builder.add(_doc("b.pdf", "pamphlet", []), Resolved())
    with pytest.raises(ValueError, match="in order: a.pdf after b.pdf"):
        builder.add(_doc("a.pdf", "pamphlet", []), Resolved())


def test_copies_of_a_listing_are_one_project_with_every_copy_as_a_source(gazetteer):
    title = "横浜市とダナン市の都市間連携による脱炭素社会形成支援事業"
    docs = [_doc(f"copy{i:03d}.pdf", "adoption_table", [_project(title, "X", number=1, round_=1, pages=(i % 3 + 1,)),
                                                         _project("別の事業", "Y", number=2, round_=1)])
            for i in range(120)]
    projects = _tables(gazetteer, docs).projects
    assert [p.project_id for p in projects] == ["FY2025-R1-01", "FY2025-R1-02"]
    assert [(s["document"], s["pages"]) for s in projects[0].sources][:4] == [
        ("copy000.pdf", [1]), ("copy001.pdf", [2]), ("copy002.pdf", [3]), ("copy003.pdf", [1])]
    assert len(projects[0].sources) == len(projects[1].sources) == 120


def test_parquet_row_groups_end_at_a_size_too(tmp_path, monkeypatch):
    from pipeline import emit as emit_module

    monkeypatch.setattr(emit_module._TableFiles, "BATCH_BYTES", 400)
    rows = [row_dict(ReviewRow(kind="conflict", document=f"d{i}.pdf", page=i, text="x" * 150, candidates=[],
                               detail="d")) for i in range(6)]
    files = emit_module._TableFiles(tmp_path, "review")
    files.write(rows)
    files.close()
    parquet = pq.ParquetFile(tmp_path / "review.parquet")
    assert parquet.num_row_groups == 3  # two rows of about 200 bytes each
    assert parquet.read().to_pylist() == rows


def test_a_city_pair_lists_the_fiscal_years_of_the_projects_that_join_it(gazetteer):
    from pipeline.records import PairRecord

    deck = _doc("deck.pdf", "slides", [])
    deck.parsed.pairs = [PairRecord(2, PlaceText("横浜市", 2, "japan"), PlaceText("ダナン市", 2, "partner", "VN"), "VN"),
                         PairRecord(2, PlaceText("堺市", 2, "japan"), PlaceText("ダナン市", 2, "partner", "VN"), "VN")]
    table = _doc("table.pdf", "adoption_table", [_project("ダナン市の事業", "X", number=1, round_=1)])  # 横浜市-ダナン市
    old = _doc("old.pdf", "pamphlet", [_project("ダナン市の旧事業", "Y", number=4)])
    old.parsed.projects[0].fiscal_year = 2022
    pairs = {p.pair_id: p.fiscal_years for p in _tables(gazetteer, [deck, table, old]).city_pairs}
    assert pairs == {"jp-141003~vn-da-nang": [2022, 2025], "jp-271403~vn-da-nang": []}


def test_the_merge_rules_are_settings(gazetteer):
    from pipeline.dedupe import DedupeSettings

    docs = [
        _doc("table.pdf", "adoption_table", [_project(
            "横浜市-マカッサル市の都市間連携による交通・エネルギー分野を軸とした脱炭素都市形成支援事業", "X",
            number=5, round_=1, partner="マカッサル市", country="ID")]),
        _doc("pamphlet.pdf", "pamphlet", [_project("マカッサル市における交通・エネルギー分野の脱炭素都市形成支援事業", "X",
                                                   number=3, partner="マカッサル市", country="ID")]),
    ]
    strict = DedupeSettings(same_pair_title_similarity=95.0)
    projects = build_tables(sorted(docs, key=lambda d: d.document), gazetteer, settings=strict).projects
    assert [p.project_id for p in projects] == ["FY2025-03", "FY2025-R1-05"]


def test_review_rows_list_as_many_candidates_as_the_settings_say(gazetteer):
    from pipeline.resolve import ResolveSettings

    doc = _doc("table.pdf", "adoption_table", [_project("府中市の事業", "X", number=1, round_=1, japan="府中市")])
    rows = {n: [r for r in Resolver(gazetteer, use_ner=False, settings=ResolveSettings(candidates=n)).resolve(doc).review
                if r.text == "府中市"] for n in (1, 5)}
    assert [len(r.candidates) for r in rows[1]] == [1]
    assert [len(r.candidates) for r in rows[5]] == [2]  # Fuchu, Tokyo and Fuchu, Hiroshima
    assert rows[1][0].review_id == rows[5][0].review_id  # the same item, however it is shown
