"""The command line as scripts and staff use it: each command in a real subprocess, its exit status,
its stdout and its stderr."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pdfmaker

REPO = Path(__file__).resolve().parent.parent
HEADER = ["番号", "提案者", "国内都市", "対象都市・地域", "対象国", "事業名", "対象分野", "事業概要"]
TITLE = "令和7年度脱炭素社会実現のための都市間連携事業委託業務 1次公募採択案件一覧"
ROWS = [
    ["1", "日本工営株式会社", "横浜市", "ダナン市", "ベトナム", "ダナン市における脱炭素都市形成支援事業",
     "・省エネルギー", "横浜市とダナン市の都市間連携。"],
    ["2", "(株)オリエンタル\nコンサルタンツ", "札幌市", "ウランバートル市", "モンゴル",
     "ウランバートル市における寒冷地の環境インフラ導入促進事業", "・再生可能エネルギー", "寒冷地の経験を共有する。"],
]


def c2c(*args: str, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONPATH=str(REPO), **(env or {}))
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *map(str, args)], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=600)


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    """The single line a usage error prints; nothing on stdout."""
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("c2c")
    return lines[0]


@pytest.fixture
def table_raw(tmp_path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    pdfmaker.make_table_pdf(raw / "table.pdf", TITLE, HEADER, [r[:] for r in ROWS])
    return raw


def test_version_and_help():
    version = c2c("--version")
    assert version.returncode == 0
    assert version.stdout.strip() == f"c2c {__import__('importlib.metadata').metadata.version('c2c')}"
    for flag in ("-h", "--help"):
        top = c2c(flag)
        assert top.returncode == 0
        assert top.stdout.startswith("Usage: c2c [OPTIONS] COMMAND [ARGS]...")
        assert "--install-completion" in top.stdout  # shell completion is on
    run_help = c2c("run", "-h")
    assert run_help.returncode == 0
    assert "<bool>" not in run_help.stdout
    force = next(line for line in run_help.stdout.splitlines() if line.strip().startswith("--force"))
    assert force.split()[:2] == ["--force", "Re-read"]  # a flag: no value to give


def test_boolean_flags_take_no_value(table_raw, tmp_path):
    line = one_line_error(c2c("run", "--raw", table_raw, "--out", tmp_path / "out", "--force", "true"))
    assert line == "c2c run: Got unexpected extra argument(s) (true) (see c2c run --help)"


@pytest.mark.parametrize("args, message", [
    (["review", "--kind", "bogus"], "c2c: --kind must be one of unresolved_place, low_confidence_place, low_confidence_ocr, "
                                    "conflict, possible_duplicate, unknown_header, no_table, no_records; not 'bogus'"),
    (["run", "--scheduler", "tcp://127.0.0.1:8786"], "c2c: --scheduler needs --executor dask"),
    (["run", "--timeout", "-5"], "c2c: --timeout must be a number of seconds, 0 or more (0: no limit), not -5"),
    (["run", "--jobs", "0"], "c2c: --jobs must be at least 1, not 0"),
    (["run", "--executor", "spark"], "c2c: --executor must be local or dask, not 'spark'"),
    (["run", "--quiet", "--verbose"], "c2c: --quiet and --verbose cannot be used together"),
    (["run", "--jobs", "many"], "c2c run: Invalid value for '--jobs' / '-j': Input should be a valid integer, "
                                "unable to parse string as an integer (see c2c run --help)"),
    (["frobnicate"], "c2c: No such command 'frobnicate'. (see c2c --help)"),
])
def test_usage_errors_are_one_line_and_exit_2(args, message, tmp_path):
    (tmp_path / "raw").mkdir()
    assert one_line_error(c2c(*args, cwd=tmp_path)) == message


def test_an_unreachable_scheduler_fails_in_seconds_with_one_line(table_raw, tmp_path):
    pytest.importorskip("dask.distributed")
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    proc = c2c("run", "--raw", table_raw, "--out", tmp_path / "out", "--no-ner", "--executor", "dask",
               "--scheduler", f"tcp://127.0.0.1:{port}")
    elapsed = time.monotonic() - started
    line = one_line_error(proc)
    assert line.startswith(f"c2c: no Dask scheduler answers at tcp://127.0.0.1:{port} (")
    assert elapsed < 30, elapsed
    assert not (tmp_path / "out" / "projects.jsonl").exists()


def test_status_exit_code_says_whether_a_run_would_do_anything(table_raw, tmp_path):
    out = tmp_path / "out"
    before = c2c("status", "--raw", table_raw, "--out", out, "--no-ner", "--json")
    assert before.returncode == 1
    assert json.loads(before.stdout) == {
        "up_to_date": False,
        "documents": [{"document": "table.pdf", "action": "read", "reason": "new document"}],
        "counts": {"read": 1, "reuse": 0, "drop": 0, "keep": 0, "retry": 0},
        "tables": {"up_to_date": False, "reasons": ["no tables written yet"]}}
    assert c2c("run", "--raw", table_raw, "--out", out, "--no-ner").returncode == 0
    after = c2c("status", "--raw", table_raw, "--out", out, "--no-ner", "--json")
    assert after.returncode == 0, after.stdout
    assert json.loads(after.stdout)["up_to_date"] is True
    text = c2c("status", "--raw", table_raw, "--out", out, "--no-ner")
    assert (text.returncode, text.stdout.splitlines()[-1]) == (0, "tables: up to date")
    # A run with the model would rebuild the tables: not up to date for that run.
    assert c2c("status", "--raw", table_raw, "--out", out).returncode == 1
    # A changed document.
    rows = [r[:] for r in ROWS]
    rows[0][1] = "株式会社エックス"
    pdfmaker.make_table_pdf(table_raw / "table.pdf", TITLE, HEADER, rows)
    changed = c2c("status", "--raw", table_raw, "--out", out, "--no-ner", "--json")
    assert changed.returncode == 1
    assert json.loads(changed.stdout)["documents"] == [
        {"document": "table.pdf", "action": "read", "reason": "content changed (sha256 differs)"}]
    # A removed one.
    (table_raw / "table.pdf").rename(tmp_path / "table.pdf")
    removed = c2c("status", "--raw", table_raw, "--out", out, "--no-ner")
    assert removed.returncode == 1
    assert removed.stdout.splitlines()[0] == "drop   table.pdf: no longer under raw/"


def test_a_document_waiting_only_for_a_retry_does_not_make_status_fail(corpus, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(corpus / "c2c_pamphlet_2022.pdf", raw)
    out = tmp_path / "out"
    first = c2c("run", "--raw", raw, "--out", out, "--no-ner", "--timeout", "0.0005")
    assert first.returncode == 3
    assert first.stdout.splitlines()[0] == "documents: 0 new, 0 changed, 0 unchanged, 0 removed, 1 failed"
    status = c2c("status", "--raw", raw, "--out", out, "--no-ner")
    assert status.stdout.splitlines() == ["retry  c2c_pamphlet_2022.pdf: its last read failed (timeout)",
                                          "1 to read (1 a retry), 0 to reuse, 0 to drop", "tables: up to date"]
    assert status.returncode == 0
    again = c2c("run", "--raw", raw, "--out", out, "--no-ner")
    assert again.returncode == 0
    assert again.stdout.splitlines()[0] == "documents: 0 new, 0 changed, 1 unchanged, 0 removed, 0 failed"


def test_counts_follow_one_rule_on_first_and_later_runs(table_raw, tmp_path):
    (table_raw / "broken.pdf").write_bytes(b"%PDF-1.7\nnot really")
    out = tmp_path / "out"
    first = c2c("run", "--raw", table_raw, "--out", out, "--no-ner")
    assert first.returncode == 3
    assert first.stdout.splitlines()[0] == "documents: 1 new, 0 changed, 0 unchanged, 0 removed, 1 failed"
    assert first.stderr.splitlines() == [
        "c2c: broken.pdf: corrupt: truncated: no %%EOF marker at the end of the file"]
    second = c2c("run", "--raw", table_raw, "--out", out, "--no-ner")
    assert second.stdout.splitlines()[0] == "documents: 0 new, 0 changed, 1 unchanged, 0 removed, 1 failed"
    pdfmaker.make_table_pdf(table_raw / "second.pdf", TITLE.replace("1次", "2次"), HEADER, [r[:] for r in ROWS])
    (table_raw / "broken.pdf").unlink()
    third = c2c("run", "--raw", table_raw, "--out", out, "--no-ner", "--force")
    assert third.returncode == 0
    # --force reads everything again, but only the bytes decide new / changed / unchanged.
    assert third.stdout.splitlines()[0] == "documents: 1 new, 0 changed, 1 unchanged, 1 removed, 0 failed"


def test_an_empty_raw_does_not_remove_records_without_allow_empty(table_raw, tmp_path):
    out = tmp_path / "out"
    assert c2c("run", "--raw", table_raw, "--out", out, "--no-ner").returncode == 0
    before = (out / "projects.jsonl").read_bytes()
    (table_raw / "table.pdf").unlink()
    refused = one_line_error(c2c("run", "--raw", table_raw, "--out", out, "--no-ner"))
    assert refused == (f"c2c: --raw {table_raw} holds no PDFs; refusing to remove the 1 documents of the last "
                       "run (pass --allow-empty to do so)")
    assert (out / "projects.jsonl").read_bytes() == before
    allowed = c2c("run", "--raw", table_raw, "--out", out, "--no-ner", "--allow-empty")
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.splitlines()[0] == "documents: 0 new, 0 changed, 0 unchanged, 1 removed, 0 failed"
    assert (out / "projects.jsonl").read_bytes() == b""


def test_quiet_and_verbose(table_raw, tmp_path):
    quiet = c2c("run", "--raw", table_raw, "--out", tmp_path / "q", "--no-ner", "--quiet")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    plain = c2c("run", "--raw", table_raw, "--out", tmp_path / "p", "--no-ner")
    assert plain.stderr == ""  # not a terminal: no progress, nothing but errors
    verbose = c2c("run", "--raw", table_raw, "--out", tmp_path / "v", "--no-ner", "--verbose")
    assert verbose.returncode == 0
    logged = [line.split(" done in ")[0].removeprefix("c2c: ") for line in verbose.stderr.splitlines() if " done in " in line]
    assert logged == ["starting", "finding PDFs", "reading", "resolving places", "writing tables"]
    assert "c2c: reading 1/1: table.pdf" in verbose.stderr.splitlines()
    assert verbose.stdout == plain.stdout.replace(str(tmp_path / "p"), str(tmp_path / "v"))
