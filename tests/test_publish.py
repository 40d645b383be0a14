"""Publication: a reader of --out sees one set of tables, the old or the new, never parts of two,
whenever the run is killed; and the next run's tables are byte for byte a clean run's.

Each moment is reached in a real `c2c run` subprocess that stops itself there (C2C_STOP_AT, see
`publish.checkpoint`); the test then looks at --out and kills the whole process group with SIGKILL.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pdfmaker
from pipeline import publish
from pipeline.run import RunOptions, run

REPO = Path(__file__).resolve().parent.parent
HEADER = ["番号", "提案者", "国内都市", "対象都市・地域", "対象国", "事業名"]
ROWS = [
    ["1", "日本工営株式会社", "横浜市", "ダナン市", "ベトナム", "ダナン市脱炭素都市形成支援事業"],
    ["2", "株式会社オリエンタルコンサルタンツ", "札幌市", "ウランバートル市", "モンゴル",
     "寒冷地の環境インフラ事業"],
]
TABLE_FILES = [f"{t}.{ext}" for t in ("documents", "projects", "city_pairs", "jcm_projects", "places",
                                      "mentions", "review") for ext in ("jsonl", "csv", "parquet")]
TABLE_FILES += ["c2c.sqlite", "datapackage.json"]
# Moments of an incremental run (one document re-issued, one added, one removed), in order; the
# old tables are expected up to the swap, the new ones from then on.
BEFORE_SWAP = ["planned", "read-1", "read-2", "resolved-r2.pdf", "emitted", "carried", "staged"]
AFTER_SWAP = ["swapped", "removing-old", "published", "saved", "recorded"]


def title(round_: int) -> str:
    return f"令和7年度脱炭素社会実現のための都市間連携事業委託業務 {round_}次公募採択案件一覧"


def tables(out: Path) -> dict[str, bytes | None]:
    return {name: (out / name).read_bytes() if (out / name).exists() else None for name in TABLE_FILES}


def quiet_run(raw: Path, out: Path):
    return run(RunOptions(raw=raw, out=out, use_ner=False, jobs=1), log=lambda s: None)


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    """raw folders before and after an incremental change, the old output set, and the tables of
    a clean run over the new folder."""
    base = tmp_path_factory.mktemp("sets")
    old_raw, new_raw = base / "raw-old", base / "raw-new"
    old_raw.mkdir()
    for n in (1, 2, 3):
        pdfmaker.make_table_pdf(old_raw / f"r{n}.pdf", title(n), HEADER, [r[:] for r in ROWS])
    shutil.copytree(old_raw, new_raw)  # same bytes and times: unchanged for the manifest
    reissued = [r[:] for r in ROWS]
    reissued[1][1] = "公益財団法人地球環境戦略研究機関"
    pdfmaker.make_table_pdf(new_raw / "r2.pdf", title(2), HEADER, reissued)
    (new_raw / "r3.pdf").unlink()
    pdfmaker.make_table_pdf(new_raw / "r4.pdf", title(4), HEADER, [r[:] for r in ROWS[:1]])
    old_out, clean = base / "out-old", base / "clean"
    assert quiet_run(old_raw, old_out).exit_code == 0
    assert quiet_run(new_raw, clean).exit_code == 0
    old, new = tables(old_out), tables(clean)
    assert old != new and None not in old.values() and None not in new.values()
    return new_raw, old_out, old, new


def _stopped(pid: int) -> bool:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        return f.read().rsplit(")", 1)[1].split()[0] == "T"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see a stopped process")
@pytest.mark.parametrize("moment", BEFORE_SWAP + AFTER_SWAP)
def test_killed_at_any_moment_a_reader_sees_one_set_and_the_next_run_is_a_clean_runs(sets, tmp_path, moment):
    new_raw, old_out, old, new = sets
    out = tmp_path / "out"
    shutil.copytree(old_out, out, symlinks=True)
    env = dict(os.environ, C2C_STOP_AT=moment)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", "--raw", str(new_raw), "--out", str(out),
                             "--jobs", "1", "--no-ner"], cwd=REPO, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and not _stopped(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None and _stopped(proc.pid), f"the run never reached {moment}"
        expected = old if moment in BEFORE_SWAP else new
        assert tables(out) == expected  # what a reader sees while the run stands there
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert tables(out) == expected  # and after the kill
    result = quiet_run(new_raw, out)
    assert result.exit_code == 0
    assert tables(out) == new
    assert not os.path.lexists(publish.staging_folder(out))


def _snapshot(out: Path) -> dict[str, bytes] | None:
    """Every table file as a reader who opens the folder once and then its files sees them; None
    when the folder went away under the reader (the old set being removed: no mix, only gone)."""
    try:
        fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return None
    try:
        found = {}
        for name in TABLE_FILES:
            file_fd = os.open(name, os.O_RDONLY, dir_fd=fd)
            with os.fdopen(file_fd, "rb") as f:
                found[name] = f.read()
        return found
    except FileNotFoundError:
        return None
    finally:
        os.close(fd)


def test_a_reader_during_a_run_sees_the_old_set_or_the_new_one(sets, tmp_path):
    import threading

    new_raw, old_out, old, new = sets
    out = tmp_path / "out"
    shutil.copytree(old_out, out, symlinks=True)
    seen, done = [], threading.Event()

    def reader():
        while True:
            finished = done.is_set()  # one more look after the run has finished
            snapshot = _snapshot(out)
            if snapshot is not None:
                seen.append("old" if snapshot == old else "new" if snapshot == new else "mixed")
            if finished:
                return

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        assert quiet_run(new_raw, out).exit_code == 0
    finally:
        done.set()
        thread.join()
    assert set(seen) == {"old", "new"}  # it read both sets, and nothing else
    assert seen == sorted(seen, key=["old", "new"].index)  # once new, never old again
    assert tables(out) == new


def test_without_an_atomic_exchange_a_killed_swap_is_finished_by_the_next_run(sets, tmp_path):
    """Where the filesystem cannot exchange folders, --out is renamed aside and the new set renamed
    in: killed in between, there is no --out (never a mixed one) and the next run puts the complete
    new set in place."""
    new_raw, old_out, old, new = sets
    out = tmp_path / "out"
    shutil.copytree(old_out, out, symlinks=True)
    code = ("import sys; import pipeline.publish as p; p._EXCHANGE_DISABLED = True; from pipeline.cli import main;"
            f"sys.argv = ['c2c', 'run', '--raw', {str(new_raw)!r}, '--out', {str(out)!r}, '--jobs', '1', '--no-ner'];"
            "main()")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, start_new_session=True,
                            env=dict(os.environ, C2C_STOP_AT="fallback-aside"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and not _stopped(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None and _stopped(proc.pid)
        assert not os.path.lexists(out)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    publish.recover(out)  # what the next run does first
    assert tables(out) == new
    assert quiet_run(new_raw, out).exit_code == 0
    assert tables(out) == new
    assert not os.path.lexists(publish.staging_folder(out))
