"""Hostile and unusual files (../shared/hostile): each gets the right error kind, or is read."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline import pdf, records
from pipeline.run import RunOptions, run


def rows(out: Path, table: str) -> list[dict]:
    return [json.loads(line) for line in (out / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("name", ["huge_count.pdf", "tree_loop.pdf", "deep_nesting.pdf"])
def test_broken_page_trees_are_corrupt(hostile, name):
    with pytest.raises(records.DocumentError) as info:
        pdf.open_pdf(hostile / name)
    assert info.value.kind == "corrupt"
    assert "scanned" not in info.value.message and "\n" not in info.value.message


def test_bytes_after_the_end_marker_are_read(hostile):
    doc = pdf.open_pdf(hostile / "trailing_junk.pdf")
    assert pdf.page_texts(doc) == ["Hello world test document\n"]


def test_a_revision_cut_short_after_an_earlier_end_marker_is_truncated(hostile, tmp_path):
    # An incremental update whose own %%EOF is missing: the earlier marker must not save it.
    data = (hostile / "trailing_junk.pdf").read_bytes()
    data = data[:data.rindex(b"%%EOF") + 6] + b"6 0 obj\n<< /Type /Annot >>\nendobj\nxref\n0 1\n"
    with pytest.raises(records.DocumentError) as info:
        pdf.check_bytes(data)
    assert (info.value.kind, info.value.message) == ("corrupt", "truncated: its last revision has no %%EOF marker")


def test_broken_page_trees_are_cached_and_junk_is_read_in_a_run(hostile, tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    for name in ("huge_count.pdf", "tree_loop.pdf", "deep_nesting.pdf", "trailing_junk.pdf"):
        shutil.copy(hostile / name, raw)
    first = run(RunOptions(raw=raw, out=out, use_ner=False), log=lambda s: None)
    assert first.exit_code == 3
    assert {d["document"]: (d["status"], d["error_kind"]) for d in rows(out, "documents")} == {
        "deep_nesting.pdf": ("error", "corrupt"), "huge_count.pdf": ("error", "corrupt"),
        "trailing_junk.pdf": ("ok", None), "tree_loop.pdf": ("error", "corrupt")}
    again = run(RunOptions(raw=raw, out=out, use_ner=False), log=lambda s: None)
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 1, "removed": 0, "failed": 3}  # none read again
    assert {a["reason"].endswith("(unchanged since the last run)") for a in again.actions
            if a["action"] == "failed"} == {True}


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_csv_cells_cannot_run_as_formulas_and_other_formats_keep_the_text(hostile, tmp_path):
    import csv
    import sqlite3

    import pyarrow.parquet as pq

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    shutil.copy(hostile / "table_injected.pdf", raw)
    shutil.copy(hostile / "formula_title.pdf", raw / "@sum(A1).pdf")  # a document name is a cell too
    assert run(RunOptions(raw=raw, out=out, use_ner=False), log=lambda s: None).exit_code == 0
    checked = 0
    for path in sorted(out.glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.reader(f):
                for cell in row:
                    # a negative number (a place's latitude) is a number to a spreadsheet, not a formula
                    assert not cell.startswith(_FORMULA_STARTS) or _is_number(cell), (path.name, cell)
                    checked += cell.startswith("'")
    docs = {d["document"]: d for d in rows(out, "documents")}
    assert docs["@sum(A1).pdf"]["title"] == '=HYPERLINK("http://x","y")'
    with open(out / "documents.csv", encoding="utf-8-sig", newline="") as f:
        csv_docs = {r["document"]: r for r in csv.DictReader(f)}
    assert csv_docs["'@sum(A1).pdf"]["title"] == '\'=HYPERLINK("http://x","y")'
    assert csv_docs["'@sum(A1).pdf"]["pages"] == "1"
    project = rows(out, "projects")[0]
    assert project["title"].startswith("+cmd|") and project["proposer"] == '=HYPERLINK("http://x","y")'
    with open(out / "projects.csv", encoding="utf-8-sig", newline="") as f:
        first = next(csv.DictReader(f))
    assert first["title"] == "'" + project["title"] and first["proposer"] == "'" + project["proposer"]
    # Every other format keeps the exact text.
    db = sqlite3.connect(out / "c2c.sqlite")
    assert db.execute("SELECT title FROM documents WHERE document = '@sum(A1).pdf'").fetchone() == (
        '=HYPERLINK("http://x","y")',)
    assert db.execute("SELECT title, proposer FROM projects ORDER BY project_id LIMIT 1").fetchone() == (
        project["title"], project["proposer"])
    table = pq.read_table(out / "projects.parquet").to_pylist()
    assert (table[0]["title"], table[0]["proposer"]) == (project["title"], project["proposer"])
    assert "@sum(A1).pdf" in pq.read_table(out / "documents.parquet").column("document").to_pylist()
    assert checked >= 6


# With a timeout set, the memory limit must still be what ends the read. The timeout is generous:
# on a loaded 2-core host the page takes about 35 s to exhaust 700 MB (most of it in allocations that
# fail inside PyMuPDF's dict builder), and a read that long is rightly a timeout under a tighter one.
@pytest.mark.parametrize("jobs, timeout", [("1", "0"), ("2", "0"), ("1", "120")])
def test_the_worker_memory_limit_holds_whatever_jobs_and_timeout(hostile, tmp_path, jobs, timeout):
    import os
    import subprocess
    import sys

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    shutil.copy(hostile / "slow_text.pdf", raw)  # needs about 1.9 GB to read its page
    shutil.copy(hostile / "trailing_junk.pdf", raw)
    env = dict(os.environ, C2C_WORKER_MEMORY_MB="700")
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "--raw", str(raw), "--out", str(out),
                           "--jobs", jobs, "--timeout", timeout, "--no-ner"], capture_output=True, text=True,
                          env=env, cwd=Path(__file__).resolve().parent.parent, timeout=300)
    assert proc.returncode == 3, proc.stderr
    docs = {d["document"]: d for d in rows(out, "documents")}
    assert (docs["slow_text.pdf"]["status"], docs["slow_text.pdf"]["error_kind"]) == ("error", "internal")
    assert docs["slow_text.pdf"]["error"].startswith("ran out of memory")
    assert docs["trailing_junk.pdf"]["status"] == "ok"  # the run goes on
    assert [line.split(": ")[1] for line in proc.stderr.splitlines()] == ["slow_text.pdf"]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
