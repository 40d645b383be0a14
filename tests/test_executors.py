"""The local executor: a document stuck where the in-worker alarm cannot reach, or one whose worker
dies, fails alone; the other documents of the batch are read as usual."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import pdfmaker
from pipeline.discover import SourceFile
from pipeline.document import read_document
from pipeline.executors import run_local

TITLE = "令和7年度脱炭素社会実現のための都市間連携事業委託業務 1次公募採択案件一覧"
HEADER = ["番号", "提案者", "国内都市", "対象都市・地域", "対象国", "事業名"]
ROW = ["1", "日本工営株式会社", "横浜市", "ダナン市", "ベトナム", "ダナン市脱炭素都市形成支援事業"]


def _reader(src: SourceFile, timeout):
    """Reads real PDFs; "stuck.pdf" never returns and ignores the alarm (as a loop inside C code
    would), "crash.pdf" kills its worker (as a crash inside the PDF library would)."""
    if src.document == "stuck.pdf":
        while True:
            time.sleep(3600)  # read_document's alarm is not set here: nothing inside can stop it
    if src.document == "crash.pdf":
        os._exit(70)
    return read_document(src, timeout)


@pytest.fixture
def sources(tmp_path) -> list[SourceFile]:
    table = pdfmaker.make_table_pdf(tmp_path / "table.pdf", TITLE, HEADER, [ROW])
    out = []
    for name in ("a.pdf", "crash.pdf", "stuck.pdf", "z.pdf"):
        path = tmp_path / name
        path.write_bytes(Path(table).read_bytes())
        out.append(SourceFile(document=name, path=path, sha256="0" * 64, size_bytes=path.stat().st_size))
    return out


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_stuck_or_crashed_worker_fails_only_its_own_document(sources, jobs):
    results = dict(run_local(sources, jobs=jobs, timeout=0.5, reader=_reader, grace=0.5))
    got = {sources[i].document: (ex.status, ex.error_kind) for i, ex in results.items()}
    assert got == {"a.pdf": ("ok", None), "crash.pdf": ("error", "internal"),
                   "stuck.pdf": ("error", "timeout"), "z.pdf": ("ok", None)}
    stuck = next(ex for ex in results.values() if ex.document == "stuck.pdf")
    assert stuck.error == "still being read after 1 s (stuck inside the PDF library); its worker was stopped"
    crashed = next(ex for ex in results.values() if ex.document == "crash.pdf")
    assert crashed.error.startswith("the worker reading it failed (ProcessExpired: Abnormal termination")
    assert [len(ex.parsed.projects) for ex in results.values() if ex.status == "ok"] == [1, 1]


def _logging_reader(src: SourceFile, timeout):
    """Notes the order documents reach the (single) worker in, then reads them as usual."""
    with open(src.path.parent / "order.log", "a", encoding="utf-8") as log:
        log.write(src.document + "\n")
    return read_document(src, timeout)


def test_the_largest_documents_are_read_first_and_results_keep_their_index(tmp_path):
    small = Path(pdfmaker.make_table_pdf(tmp_path / "small.pdf", TITLE, HEADER, [ROW]))
    large = Path(pdfmaker.make_table_pdf(tmp_path / "large.pdf", TITLE, HEADER, [ROW] * 40))
    sources = []
    for name, origin in (("a.pdf", small), ("b.pdf", large), ("c.pdf", small), ("d.pdf", large)):
        path = tmp_path / name
        path.write_bytes(origin.read_bytes())
        sources.append(SourceFile(document=name, path=path, sha256="0" * 64, size_bytes=path.stat().st_size))
    assert sources[1].size_bytes > sources[0].size_bytes
    # One worker (a timeout makes it a process of its own), so the order it is handed documents in shows.
    results = dict(run_local(sources, jobs=1, timeout=30, reader=_logging_reader))
    assert (tmp_path / "order.log").read_text(encoding="utf-8").split() == ["b.pdf", "d.pdf", "a.pdf", "c.pdf"]
    assert {i: ex.document for i, ex in results.items()} == {0: "a.pdf", 1: "b.pdf", 2: "c.pdf", 3: "d.pdf"}
