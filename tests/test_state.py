"""discover.py and state.py: fingerprints, plans, the manifest and runs.jsonl."""
import hashlib
import json

from pipeline.discover import discover, plan
from pipeline.records import Extraction, Parsed, PlaceText, ProjectRecord, TextSpan, from_dict, to_dict
from pipeline.state import State, append_run


def test_discover_walks_recursively_and_skips_hidden_files_and_symlinks(tmp_path):
    raw = tmp_path / "raw"
    (raw / "2025").mkdir(parents=True)
    (raw / "b.pdf").write_bytes(b"%PDF-1.7 b")
    (raw / "2025" / "a.pdf").write_bytes(b"%PDF-1.7 a")
    (raw / ".hidden.pdf").write_bytes(b"x")
    (raw / "notes.md").write_text("# not an input", encoding="utf-8")
    (raw / "scan-without-suffix").write_bytes(b"%PDF-1.4 c")
    outside = tmp_path / "secret.pdf"
    outside.write_bytes(b"secret")
    (raw / "link.pdf").symlink_to(outside)
    found = discover(raw)
    assert [s.document for s in found] == ["2025/a.pdf", "b.pdf", "scan-without-suffix"]
    assert found[0].size_bytes == 10
    assert found[0].sha256 == hashlib.sha256(b"%PDF-1.7 a").hexdigest()


def test_plan_says_what_and_why(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("same.pdf", "changed.pdf", "new.pdf"):
        (raw / name).write_bytes(name.encode())
    sources = {s.document: s for s in discover(raw)}
    previous = {
        "same.pdf": {"sha256": sources["same.pdf"].sha256, "code_version": "v1"},
        "changed.pdf": {"sha256": "0" * 64, "code_version": "v1"},
        "gone.pdf": {"sha256": "1" * 64, "code_version": "v1"},
    }
    actions = {a.document: (a.action, a.reason) for a in plan(list(sources.values()), previous, "v1")}
    assert actions == {
        "changed.pdf": ("parse", "content changed (sha256 differs)"),
        "new.pdf": ("parse", "new document"),
        "same.pdf": ("reuse", "unchanged"),
        "gone.pdf": ("remove", "no longer under raw/"),
    }
    again = {a.document: a.action for a in plan(list(sources.values()), previous, "v2")}
    assert again["same.pdf"] == "parse"
    forced = {a.document: a.reason for a in plan(list(sources.values()), previous, "v1", force=True)}
    assert forced["same.pdf"] == "forced (--force)"


def _extraction() -> Extraction:
    record = ProjectRecord(pages=[1, 2], fiscal_year=2025, round=1, number=3, title_raw="タイトル\nです",
                           title="タイトルです", proposer_raw="(株)X", proposer="株式会社X",
                           japan=[PlaceText("堺市・大阪市", 1, "japan")],
                           partners=[PlaceText("ダナン市", 1, "partner", "VN")], country="VN",
                           fields=["省エネルギー"], summary=None)
    return Extraction(document="a/b.pdf", sha256="f" * 64, size_bytes=10, kind="adoption_table", pages=2,
                      parsed=Parsed(title="t", fiscal_year=2025, projects=[record]),
                      spans=[TextSpan(1, "ダナン市")])


def test_extraction_round_trips_through_json():
    ex = _extraction()
    assert from_dict(Extraction, json.loads(json.dumps(to_dict(ex)))) == ex


def test_manifest_stores_and_reloads_extractions(tmp_path):
    state = State(tmp_path)
    state.store_extraction(_extraction(), "v1")
    state.save()
    again = State(tmp_path)
    assert again.documents == {"a/b.pdf": {"sha256": "f" * 64, "code_version": "v1", "size_bytes": 10, "mtime_ns": 0,
                                           "status": "ok", "error_kind": None, "error": None}}
    assert again.has_extraction("a/b.pdf")
    assert again.load_extraction("a/b.pdf") == _extraction()
    again.forget("a/b.pdf")
    again.save()
    assert list((tmp_path / ".c2c" / "docs").glob("*.json")) == []


def test_a_damaged_manifest_costs_a_reread_not_a_crash(tmp_path):
    (tmp_path / ".c2c").mkdir()
    (tmp_path / ".c2c" / "manifest.json").write_text("{not json", encoding="utf-8")
    assert State(tmp_path).documents == {}


def test_append_run_drops_a_row_cut_short_by_a_crash(tmp_path):
    append_run(tmp_path, {"run_id": "1"})
    with (tmp_path / "runs.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"run_id": "2", "start')  # a crash mid-write
    append_run(tmp_path, {"run_id": "3"})
    lines = (tmp_path / "runs.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["run_id"] for line in lines] == ["1", "3"]
