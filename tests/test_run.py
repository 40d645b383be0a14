"""End to end: `c2c run` over real PDFs — bad input, incremental reruns, re-issues, crashes, locks."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock
from typer.testing import CliRunner

import pdfmaker
from pipeline.cli import app
from pipeline.run import LockedError, RunOptions, run

REPO = Path(__file__).resolve().parent.parent
OUTPUT_FILES = [f"{t}.{ext}" for t in ("documents", "projects", "city_pairs", "jcm_projects", "places",
                                          "mentions", "review", "project_places", "project_sources",
                                          "pair_sources", "jcm_sources", "field_sources")
                for ext in ("jsonl", "csv", "parquet")]
OUTPUT_FILES += ["c2c.sqlite", "datapackage.json", "metadata.json"]

HEADER = ["番号", "提案者", "国内都市", "対象都市・地域", "対象国", "事業名", "対象分野", "事業概要"]
TITLE = "令和7年度脱炭素社会実現のための都市間連携事業委託業務 1次公募採択案件一覧"
ROWS = [
    ["1", "日本工営株式会社", "横浜市", "ダナン市", "ベトナム", "ダナン市における脱炭素都市形成支援事業",
     "・省エネルギー", "横浜市とダナン市の都市間連携。"],
    ["2", "(株)オリエンタル\nコンサルタンツ", "札幌市", "ウランバートル市", "モンゴル",
     "ウランバートル市における寒冷地の環境インフラ導入促進事業", "・再生可能エネルギー", "寒冷地の経験を共有する。"],
]


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUT_FILES}


def rows(out: Path, table: str) -> list[dict]:
    return [json.loads(line) for line in (out / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()]


def quiet_run(raw: Path, out: Path, **kw):
    return run(RunOptions(raw=raw, out=out, use_ner=False, **kw), log=lambda s: None)


@pytest.fixture
def table_raw(tmp_path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    pdfmaker.make_table_pdf(raw / "table.pdf", TITLE, HEADER, [r[:] for r in ROWS])
    return raw


def test_corpus_with_bad_files(corpus, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(corpus, raw)
    out = tmp_path / "out"
    result = quiet_run(raw, out)
    assert result.exit_code == 3
    docs = {d["document"]: d for d in rows(out, "documents")}
    assert {d: (r["status"], r["error_kind"]) for d, r in docs.items()} == {
        "bad/empty.pdf": ("error", "empty"),
        "bad/encrypted.pdf": ("error", "encrypted"),
        "bad/not_a_pdf.pdf": ("error", "not_pdf"),
        "bad/scanned_page.pdf": ("error", "no_text_layer"),
        "bad/truncated.pdf": ("error", "corrupt"),
        "c2c_overview_2026.pdf": ("ok", None),
        "c2c_pamphlet_2022.pdf": ("ok", None),
        "fy2025_r1_adoption_table.pdf": ("ok", None),
    }
    assert docs["bad/scanned_page.pdf"]["pages"] == 1
    assert docs["fy2025_r1_adoption_table.pdf"]["kind"] == "adoption_table"
    assert docs["c2c_pamphlet_2022.pdf"]["kind"] == "pamphlet"
    assert docs["c2c_overview_2026.pdf"]["kind"] == "slides"
    assert [docs[d]["fiscal_year"] for d in sorted(docs) if docs[d]["status"] == "ok"] == [2025, 2022, 2025]
    projects = {p["project_id"]: p for p in rows(out, "projects")}
    assert len(projects) == 42
    p15 = projects["FY2025-R1-15"]
    assert p15["proposer"] == "日本工営株式会社"
    assert [m["name_ja"] for m in p15["japan_municipalities"]] == ["堺市", "大阪市"]
    assert p15["country"] == "VN"
    assert p15["sources"] == [{"document": "fy2025_r1_adoption_table.pdf",
                               "sha256": docs["fy2025_r1_adoption_table.pdf"]["sha256"], "pages": [3],
                               "ocr": False}]
    assert len(rows(out, "jcm_projects")) == 1
    run_rows = rows(out, "runs")
    assert run_rows[-1]["documents"] == {"new": 3, "changed": 0, "unchanged": 0, "removed": 0, "failed": 5}
    assert run_rows[-1]["exit_code"] == 3


def test_cli_reports_each_bad_file_on_one_line_and_exits_3(corpus, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(corpus / "bad", raw)
    shutil.copy(corpus / "fy2025_r1_adoption_table.pdf", raw)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "--raw", str(raw), "--out", str(out),
                           "--jobs", "2", "--no-ner"], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 3
    errors = sorted(line for line in proc.stderr.splitlines() if line.startswith("c2c: "))
    assert [line.split(":")[1].strip() for line in errors] == [
        "empty.pdf", "encrypted.pdf", "not_a_pdf.pdf", "scanned_page.pdf", "truncated.pdf"]
    assert "documents: 1 new, 0 changed, 0 unchanged, 0 removed, 5 failed" in proc.stdout
    assert proc.stderr.count("\n") == 5  # one line per bad file, nothing else when not a terminal
    assert len(rows(out, "projects")) == 20


def test_no_change_rerun_reads_no_pdf_and_changes_no_byte(table_raw, tmp_path):
    out = tmp_path / "out"
    assert quiet_run(table_raw, out).exit_code == 0
    before = outputs(out)
    # In a fresh interpreter, so that we can tell whether the PDF library was ever loaded.
    probe = ("import sys; from pathlib import Path; from pipeline.run import RunOptions, run;"
             f"r = run(RunOptions(raw=Path({str(table_raw)!r}), out=Path({str(out)!r}), use_ner=False));"
             "print(r.counts, 'pymupdf' in sys.modules, r.exit_code)")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True)
    assert proc.stdout.strip() == "{'new': 0, 'changed': 0, 'unchanged': 1, 'removed': 0, 'failed': 0} False 0"
    assert outputs(out) == before
    assert rows(out, "runs")[-1]["actions"] == [{"document": "table.pdf", "action": "reused", "reason": "unchanged"}]


def test_reissued_pdf_is_the_only_document_reread_and_keeps_ids(table_raw, tmp_path, corpus):
    shutil.copy(corpus / "c2c_overview_2026.pdf", table_raw / "deck.pdf")
    out = tmp_path / "out"
    quiet_run(table_raw, out)
    first = {p["project_id"]: p for p in rows(out, "projects")}
    corrected = [r[:] for r in ROWS]
    corrected[1][1] = "(公財)地球環境戦略\n研究機関"
    time.sleep(0.01)
    pdfmaker.make_table_pdf(table_raw / "table.pdf", TITLE, HEADER, corrected)
    result = quiet_run(table_raw, out)
    assert [(a["document"], a["action"]) for a in result.actions] == [("deck.pdf", "reused"), ("table.pdf", "parsed")]
    assert result.changes == {"projects_added": 0, "projects_removed": 0, "projects_changed": 1}
    assert result.project_changes == {"added": [], "changed": {"FY2025-R1-02": ["proposer"]},
                                      "removed": []}
    assert rows(out, "runs")[-1]["projects"] == result.project_changes
    second = {p["project_id"]: p for p in rows(out, "projects")}
    assert sorted(second) == sorted(first) == ["FY2025-R1-01", "FY2025-R1-02"]
    assert second["FY2025-R1-02"]["proposer"] == "公益財団法人地球環境戦略研究機関"
    clean = tmp_path / "clean"
    quiet_run(table_raw, clean)
    assert outputs(out) == outputs(clean)


def test_removed_pdf_records_disappear_and_match_a_clean_run(table_raw, tmp_path, corpus):
    shutil.copy(corpus / "c2c_overview_2026.pdf", table_raw / "deck.pdf")
    out = tmp_path / "out"
    quiet_run(table_raw, out)
    assert any(p["sources"][0]["document"] == "deck.pdf" for p in rows(out, "city_pairs"))
    (table_raw / "deck.pdf").unlink()
    result = quiet_run(table_raw, out)
    assert result.counts["removed"] == 1
    assert [d["document"] for d in rows(out, "documents")] == ["table.pdf"]
    assert rows(out, "city_pairs") == []
    clean = tmp_path / "clean"
    quiet_run(table_raw, clean)
    assert outputs(out) == outputs(clean)


def test_fixed_bad_file_is_picked_up(table_raw, tmp_path):
    (table_raw / "later.pdf").write_bytes(b"<html>404 Not Found</html>")
    out = tmp_path / "out"
    assert quiet_run(table_raw, out).exit_code == 3
    again = quiet_run(table_raw, out)
    assert again.exit_code == 3  # still broken, still reported
    assert again.actions[0]["action"] == "failed"
    pdfmaker.make_table_pdf(table_raw / "later.pdf", TITLE.replace("1次", "2次"), HEADER, [r[:] for r in ROWS[:1]])
    fixed = quiet_run(table_raw, out)
    assert fixed.exit_code == 0
    assert sorted(p["project_id"] for p in rows(out, "projects")) == ["FY2025-R1-01", "FY2025-R1-02", "FY2025-R2-01"]


def test_same_bytes_whatever_the_worker_count(corpus, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("fy2025_r1_adoption_table.pdf", "c2c_pamphlet_2022.pdf", "c2c_overview_2026.pdf"):
        shutil.copy(corpus / name, raw)
    one, two = tmp_path / "one", tmp_path / "two"
    quiet_run(raw, one, jobs=1)
    quiet_run(raw, two, jobs=2)
    assert outputs(one) == outputs(two)


def test_a_killed_run_is_completed_by_the_next(corpus, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(6):
        for name in ("fy2025_r1_adoption_table.pdf", "c2c_pamphlet_2022.pdf"):
            shutil.copy(corpus / name, raw / f"{i}_{name}")
    out, clean = tmp_path / "out", tmp_path / "clean"
    quiet_run(raw, clean, jobs=1)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", "--raw", str(raw), "--out", str(out),
                             "--jobs", "1", "--no-ner"], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((out / ".c2c" / "docs").glob("*.json")):
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    result = quiet_run(raw, out, jobs=1)
    assert result.exit_code == 0
    assert outputs(out) == outputs(clean)


def test_a_second_run_on_the_same_output_stops_with_a_clear_message(table_raw, tmp_path):
    out = tmp_path / "out"
    (out / ".c2c").mkdir(parents=True)
    with FileLock(str(out / ".c2c" / "lock")):
        with pytest.raises(LockedError, match="locked by another c2c run"):
            run(RunOptions(raw=table_raw, out=out, use_ner=False, lock_wait=0.2), log=lambda s: None)


def test_status_says_what_a_run_would_do(table_raw, tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(app, ["status", "--raw", str(table_raw), "--out", str(out)])
    assert first.exit_code == 1  # like `git diff --exit-code`: a run would do something
    assert first.stdout.splitlines() == [
        "read   table.pdf: new document", "1 to read, 0 to reuse, 0 to drop",
        "tables: to rebuild (no tables written yet)"]
    quiet_run(table_raw, out)  # with --no-ner
    second = runner.invoke(app, ["status", "--raw", str(table_raw), "--out", str(out), "--no-ner"])
    assert second.stdout.splitlines() == [
        "reuse  table.pdf: unchanged", "0 to read, 1 to reuse, 0 to drop", "tables: up to date"]
    assert second.exit_code == 0
    with_ner = runner.invoke(app, ["status", "--raw", str(table_raw), "--out", str(out)])
    assert with_ner.stdout.splitlines()[-1] == "tables: to rebuild (the last run skipped the NER model)"
    assert with_ner.exit_code == 1
    (out / "review.csv").unlink()
    deleted = runner.invoke(app, ["status", "--raw", str(table_raw), "--out", str(out), "--no-ner"])
    assert deleted.stdout.splitlines()[-1] == "tables: to rebuild (output files missing or changed: review.csv)"
    quiet_run(table_raw, out)
    assert (out / "review.csv").exists()  # the run decided as status said
    (table_raw / "table.pdf").unlink()
    third = runner.invoke(app, ["status", "--raw", str(table_raw), "--out", str(out)])
    assert third.stdout.splitlines() == [
        "drop   table.pdf: no longer under raw/", "0 to read, 0 to reuse, 1 to drop",
        "tables: to rebuild (documents to read or drop)"]


def test_usage_errors_exit_2(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(app, ["run", "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "out")])
    assert missing.exit_code == 2
    (tmp_path / "raw").mkdir()
    inside = runner.invoke(app, ["run", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "raw" / "out")])
    assert inside.exit_code == 2


def test_dask_executor_gives_the_same_bytes(table_raw, tmp_path):
    pytest.importorskip("dask.distributed")
    local, dask = tmp_path / "local", tmp_path / "dask"
    quiet_run(table_raw, local)
    said = []
    result = run(RunOptions(raw=table_raw, out=dask, use_ner=False, executor="dask", jobs=1), log=said.append)
    assert result.exit_code == 0
    assert outputs(local) == outputs(dask)
    # The workers are not ours: the limits c2c cannot apply there are named.
    assert said == ["c2c: warning: under --executor dask the workers are not c2c's: the worker memory limit "
                    "(C2C_WORKER_MEMORY_MB) and --timeout are not applied; give the Dask workers their own "
                    "--memory-limit"]


def test_a_document_over_the_time_limit_is_a_timeout_and_the_batch_goes_on(corpus, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(corpus / "c2c_pamphlet_2022.pdf", raw)
    out = tmp_path / "out"
    result = quiet_run(raw, out, timeout=0.0005)
    assert result.exit_code == 3
    (doc,) = rows(out, "documents")
    assert (doc["status"], doc["error_kind"]) == ("error", "timeout")
    # A timeout may be the machine's fault, not the file's: it is not cached, the next run tries again.
    again = quiet_run(raw, out)
    assert again.exit_code == 0
    assert again.actions == [{"document": "c2c_pamphlet_2022.pdf", "action": "parsed",
                              "reason": "its last read failed (timeout)"}]
    # The same bytes as the last run: neither new nor changed, whatever happened to them then.
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 1, "removed": 0, "failed": 0}


def test_review_lists_and_accept_teaches_the_gazetteer_from_the_decisions_folder(tmp_path):
    gazetteer = tmp_path / "gazetteer"
    shutil.copytree(REPO / "gazetteer", gazetteer, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    raw = tmp_path / "raw"
    raw.mkdir()
    rows_ = [r[:] for r in ROWS]
    rows_[0][3] = "ダナソ市"  # Da Nang misread (ソ for ン): a spelling no gazetteer lists nor sounds like
    pdfmaker.make_table_pdf(raw / "table.pdf", TITLE, HEADER, rows_)
    out = tmp_path / "out"
    env = dict(os.environ, C2C_GAZETTEER=str(gazetteer))  # a gazetteer other than the shipped one
    decisions = tmp_path / "decisions"
    c2c = [sys.executable, "-m", "pipeline.cli"]
    subprocess.run([*c2c, "run", "--raw", str(raw), "--out", str(out), "--no-ner"], env=env, cwd=REPO, check=True,
                   capture_output=True)
    listed = subprocess.run([*c2c, "review", "--out", str(out), "--kind", "unresolved_place"], env=env, cwd=REPO,
                            capture_output=True, text=True, check=True).stdout
    assert listed.splitlines()[-1] == "1 item"
    assert "«ダナソ市»" in listed
    accepted = subprocess.run([*c2c, "review", "accept", "ダナソ市", "vn-da-nang", "--decisions", str(decisions)],
                              env=env, cwd=REPO, capture_output=True, text=True)
    assert accepted.returncode == 0, accepted.stderr
    assert "ダナソ市" not in (gazetteer / "places.csv").read_text(encoding="utf-8")
    assert (decisions / "variants.csv").read_text(encoding="utf-8") == "place_id,variant\nvn-da-nang,ダナソ市\n"
    rerun = subprocess.run([*c2c, "run", "--raw", str(raw), "--out", str(out), "--no-ner", "--decisions",
                            str(decisions)], env=env, cwd=REPO, capture_output=True, text=True, check=True)
    assert "0 changed, 1 unchanged" in rerun.stdout  # a gazetteer change re-resolves without re-reading
    project = next(p for p in rows(out, "projects") if p["project_id"] == "FY2025-R1-01")
    assert [p["place_id"] for p in project["partner_places"]] == ["vn-da-nang"]


@pytest.fixture
def cirebon_raw(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    rows_ = [r[:] for r in ROWS[:1]]
    rows_[0][7] = "ジョグジャカルタ特別州と\nチルボン市で調査を行う。"  # チルボン (Cirebon) is not in the gazetteer
    pdfmaker.make_table_pdf(raw / "table.pdf", TITLE, HEADER, rows_)
    return raw


def test_the_ner_model_proposes_names_the_gazetteer_lacks(cirebon_raw, tmp_path):
    out = tmp_path / "out"
    result = run(RunOptions(raw=cirebon_raw, out=out), log=lambda s: None)
    assert result.exit_code == 0
    proposed = [(r["kind"], r["text"]) for r in rows(out, "review") if "NER" in r["detail"]]
    assert proposed == [("unresolved_place", "チルボン")]
    mentions = {m["text"]: m["place_id"] for m in rows(out, "mentions")}
    assert mentions["ジョグジャカルタ特別州"] == "id-yogyakarta"
    assert "チルボン市" not in mentions  # proposals are for review; they never become mentions


def test_a_model_that_cannot_load_costs_the_proposals_not_the_run(cirebon_raw, tmp_path, monkeypatch):
    out, said = tmp_path / "out", []
    monkeypatch.setenv("C2C_NER_MODEL", "no_such_model")
    result = run(RunOptions(raw=cirebon_raw, out=out), log=said.append)
    assert result.exit_code == 0
    assert [line.split(" (")[0] for line in said] == ["c2c: warning: the NER model could not run"]
    assert "no_such_model" in said[0]
    assert [r for r in rows(out, "review") if "NER" in r["detail"]] == []
    assert rows(out, "projects")[0]["project_id"] == "FY2025-R1-01"  # everything else is written
    runner = CliRunner()
    status = runner.invoke(app, ["status", "--raw", str(cirebon_raw), "--out", str(out)])
    assert status.stdout.splitlines()[-1] == "tables: to rebuild (the NER model could not run last time)"
    monkeypatch.delenv("C2C_NER_MODEL")
    status = runner.invoke(app, ["status", "--raw", str(cirebon_raw), "--out", str(out)])
    assert status.stdout.splitlines()[-1] == ("tables: to rebuild (the NER model could not run last time; "
                                              "the last run used the NER model no_such_model)")
    run(RunOptions(raw=cirebon_raw, out=out), log=lambda s: None)
    assert [r["text"] for r in rows(out, "review") if "NER" in r["detail"]] == ["チルボン"]


def test_workers_that_cannot_run_fail_their_documents_not_the_batch(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("a.pdf", "b.pdf"):  # a 19-page pamphlet: its page models need memory
        shutil.copy(REPO / "raw" / "c2c_pamphlet_2022.pdf", raw / name)
    out = tmp_path / "out"
    # Workers start with the reader's modules (forked from the run), but can allocate nothing more.
    env = dict(os.environ, C2C_WORKER_MEMORY_MB="1")
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "--raw", str(raw), "--out", str(out),
                           "--jobs", "2", "--no-ner"], capture_output=True, text=True, cwd=REPO, env=env)
    assert proc.returncode == 3
    assert [(d["status"], d["error_kind"]) for d in rows(out, "documents")] == [("error", "internal")] * 2
    assert all("ran out of memory" in line for line in proc.stderr.splitlines()), proc.stderr
    # Not cached: with the limit lifted, the next run reads them.
    assert quiet_run(raw, out, jobs=2).exit_code == 0


def test_a_document_about_the_programme_that_gives_nothing_goes_to_review(tmp_path):
    # a notice listing its projects as bullets, a shape no extractor reads: one review row says so
    raw = tmp_path / "raw"
    raw.mkdir()
    pdfmaker.make_text_pdf(raw / "notice.pdf", [[
        "令和5年6月2日", "環境省", "脱炭素社会実現のための都市間連携事業の採択結果について",
        "・株式会社アルファ（横浜市－ダナン市）", "・株式会社ベータ（北九州市－スラバヤ市）"]])
    pdfmaker.make_text_pdf(raw / "menu.pdf", [["社員食堂", "本日の献立"]])  # not about the programme
    quiet_run(raw, tmp_path / "out")
    assert [(r["kind"], r["document"], r["page"], r["detail"]) for r in rows(tmp_path / "out", "review")] == [
        ("no_records", "notice.pdf", None, "read as other: the document names the programme, but no projects, "
                                           "city pairs or JCM projects were found in it")]
    assert [d["status"] for d in rows(tmp_path / "out", "documents")] == ["ok", "ok"]
