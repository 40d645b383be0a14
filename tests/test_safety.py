"""Data safety: what a run must never drop, write where it must not, or say on two lines.

Permission tests run `c2c` in a real subprocess; as root they drop the capabilities that let root
ignore file modes (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) with `setpriv`, so a folder without read
permission is really unreadable. Where that cannot be done the permission assertions are skipped.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pdfmaker
from pipeline.run import RunOptions, run

REPO = Path(__file__).resolve().parent.parent
TITLE = "令和7年度脱炭素社会実現のための都市間連携事業委託業務 1次公募採択案件一覧"
HEADER = ["番号", "提案者", "国内都市", "対象都市・地域", "対象国", "事業名"]
ROWS = [
    ["1", "日本工営株式会社", "横浜市", "ダナン市", "ベトナム", "ダナン市脱炭素都市形成支援事業"],
    ["2", "株式会社オリエンタルコンサルタンツ", "札幌市", "ウランバートル市", "モンゴル",
     "寒冷地の環境インフラ事業"],
]
TABLE_FILES = [f"{t}.{ext}" for t in ("documents", "projects", "city_pairs", "jcm_projects", "places",
                                      "mentions", "review") for ext in ("jsonl", "csv", "parquet")]
TABLE_FILES += ["c2c.sqlite", "datapackage.json"]
NO_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


def tables(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in TABLE_FILES}


def rows(out: Path, table: str) -> list[dict]:
    return [json.loads(line) for line in (out / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()]


def quiet_run(raw: Path, out: Path, **kw):
    return run(RunOptions(raw=raw, out=out, use_ner=False, **kw), log=lambda s: None)


def c2c(*args: str, env: dict | None = None, unprivileged: bool = False) -> subprocess.CompletedProcess:
    """`c2c ARGS` in a subprocess; `unprivileged`: without root's power to ignore file modes."""
    command = [sys.executable, "-m", "pipeline.cli", *args]
    if unprivileged and os.geteuid() == 0:
        command = NO_DAC + command
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env, timeout=300)


def modes_bind(tmp_path: Path) -> bool:
    """Whether a file without read permission is unreadable to the `unprivileged` subprocess."""
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0)
    try:
        if os.geteuid() != 0:
            return True
        if not shutil.which("setpriv"):
            return False
        return subprocess.run([*NO_DAC, "cat", str(probe)], capture_output=True).returncode != 0
    finally:
        probe.unlink()


@pytest.fixture
def raw(tmp_path) -> Path:
    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    pdfmaker.make_table_pdf(raw / "sub" / "r1.pdf", TITLE, HEADER, [r[:] for r in ROWS])
    pdfmaker.make_table_pdf(raw / "top.pdf", TITLE.replace("1次", "2次"), HEADER, [r[:] for r in ROWS[:1]])
    return raw


# --- 9. unwritable --out, control characters ---------------------------------------------------

def test_an_unwritable_out_is_one_line_and_exit_2(raw, tmp_path):
    if not modes_bind(tmp_path):
        pytest.skip("root's DAC override cannot be dropped here (no setpriv): the folder would be writable")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    for out in (locked / "out", locked):  # cannot be made, or cannot be written into
        proc = c2c("run", "--raw", str(raw), "--out", str(out), "--no-ner", unprivileged=True)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.splitlines() == [f"c2c: --out {out}: cannot write there (Permission denied)"]
    assert list(locked.iterdir()) == []


def test_control_characters_in_file_names_are_escaped_in_messages(raw, tmp_path):
    (raw / "bad\nname\x1b[31m.pdf").write_bytes(b"<html>404</html>")
    proc = c2c("run", "--raw", str(raw), "--out", str(tmp_path / "out"), "--no-ner", "--jobs", "1")
    assert proc.returncode == 3
    assert proc.stderr.splitlines() == [
        "c2c: bad\\nname\\x1b[31m.pdf: not_pdf: no %PDF- header: the file is an HTML page"]
    names = [d["document"] for d in rows(tmp_path / "out", "documents")]
    assert "bad\nname\x1b[31m.pdf" in names  # the tables keep the exact name
    status = c2c("status", "--raw", str(raw), "--out", str(tmp_path / "out"), "--no-ner")
    assert "reuse  bad\\nname\\x1b[31m.pdf: unchanged" in status.stdout.splitlines()


# --- 3. a gazetteer with errors is refused -------------------------------------------------------

def _gazetteer_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "gazetteer"
    shutil.copytree(REPO / "gazetteer", folder, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    return folder


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(line + "\n")


def test_run_refuses_a_gazetteer_with_errors_and_leaves_the_outputs_alone(raw, tmp_path):
    gazetteer = _gazetteer_copy(tmp_path)
    env = dict(os.environ, C2C_GAZETTEER=str(gazetteer))
    out = tmp_path / "out"
    assert c2c("run", "--raw", str(raw), "--out", str(out), "--no-ner", env=env).returncode == 0
    before = tables(out)
    runs = (out / "runs.jsonl").read_bytes()
    places = gazetteer / "places.csv"
    good = places.read_text(encoding="utf-8")
    _append(places, "vn-da-nang,ダナン市,Da Nang,city,VN,country-vn,,")  # a duplicate id
    _append(places, "th-fake,フェイク市,Fake,city,TH,country-th,,バンコク")  # a spelling of th-bangkok
    proc = c2c("run", "--raw", str(raw), "--out", str(out), "--no-ner", env=env)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"c2c: the gazetteer in {gazetteer} has 3 errors; nothing was written (`c2c gazetteer check` says the same)",
        "c2c: duplicate place_id vn-da-nang in places.csv and places.csv",
        "c2c: spelling 'バンコク' is claimed by th-bangkok, th-fake",
        "c2c: th-bangkok and th-fake (TH) share the match key バンコク|None"]
    assert tables(out) == before and (out / "runs.jsonl").read_bytes() == runs
    # Files no loader can read are refused with one line each, by `run` and by `check`.
    cases = {
        "": "places.csv: the file is empty",
        good.splitlines()[0] + "\n": "places.csv: a header and no rows",
        good.replace(",name_en,", ",",).replace(",Da Nang,", ","): "places.csv: missing column name_en",
    }
    for text, line in cases.items():
        places.write_text(text, encoding="utf-8")
        proc = c2c("run", "--raw", str(raw), "--out", str(out), "--no-ner", env=env)
        assert (proc.returncode, proc.stderr.splitlines()[1:]) == (2, [f"c2c: {line}"])
        check = c2c("gazetteer", "check", env=env)
        assert (check.returncode, check.stdout.splitlines()[0], check.stderr) == (1, line, "")
    places.write_bytes(good.encode("shift_jis", errors="replace"))
    check = c2c("gazetteer", "check", env=env)
    assert check.returncode == 1 and check.stderr == ""
    assert check.stdout.splitlines()[0].startswith("places.csv: not UTF-8 (byte 0x")
    assert tables(out) == before


def test_homonyms_are_warnings_the_run_goes_on(raw, tmp_path):
    gazetteer = _gazetteer_copy(tmp_path)
    env = dict(os.environ, C2C_GAZETTEER=str(gazetteer))
    _append(gazetteer / "places.csv", "vn-fuchu-a,フチュウ市,Fuchu A,city,VN,country-vn,,")
    _append(gazetteer / "places.csv", "vn-fuchu-b,フチュウ市,Fuchu B,city,VN,vn-da-nang,,")
    proc = c2c("run", "--raw", str(raw), "--out", str(tmp_path / "out"), "--no-ner", env=env)
    assert proc.returncode == 0
    warning = "フチュウ市 (VN) names 2 places: vn-fuchu-a, vn-fuchu-b; mentions stay for review"
    assert proc.stderr.splitlines() == [f"c2c: gazetteer warning: {warning}"]
    check = c2c("gazetteer", "check", env=env)
    assert check.returncode == 0
    assert check.stdout.splitlines()[:-1] == [f"warning: {warning}"]


# --- 1, 2. a read that fails for a reason that may go away keeps the last good records ----------------

def _project_ids(out: Path) -> list[str]:
    return sorted(p["project_id"] for p in rows(out, "projects"))


@pytest.mark.parametrize("unreadable", ["sub", "sub/r1.pdf"])
def test_an_unreadable_folder_or_file_keeps_its_records(raw, tmp_path, unreadable):
    if not modes_bind(tmp_path):
        pytest.skip("root's DAC override cannot be dropped here (no setpriv): nothing is unreadable")
    out, clean = tmp_path / "out", tmp_path / "clean"
    assert quiet_run(raw, out).exit_code == 0
    assert quiet_run(raw, clean).exit_code == 0
    everything = _project_ids(out)
    assert everything == ["FY2025-R1-01", "FY2025-R1-02", "FY2025-R2-01"]
    (raw / unreadable).chmod(0)
    try:
        proc = c2c("run", "--raw", str(raw), "--out", str(out), "--no-ner", unprivileged=True)
    finally:
        (raw / unreadable).chmod(0o755)
    assert proc.returncode == 3, proc.stderr
    assert "0 removed, 1 failed" in proc.stdout
    if unreadable == "sub":
        assert proc.stderr.splitlines() == [
            "c2c: sub/: cannot be listed (Permission denied); the documents under it keep the records of "
            "their last read"]
        reason = "its folder sub/ cannot be listed (Permission denied)"
    else:
        assert proc.stderr.splitlines() == [
            "c2c: sub/r1.pdf: internal: cannot be read: Permission denied; its records are from the previous read"]
        reason = "cannot be read: Permission denied"
    assert _project_ids(out) == everything  # nothing dropped
    docs = {d["document"]: d for d in rows(out, "documents")}
    sha = docs["sub/r1.pdf"]["sha256"]
    assert (docs["sub/r1.pdf"]["status"], docs["sub/r1.pdf"]["error_kind"], docs["sub/r1.pdf"]["error"]) == (
        "error", "internal", f"{reason}; its records are from the previous read (sha256 {sha[:12]}…)")
    assert docs["sub/r1.pdf"]["records"]["projects"] == 2
    # Readable again: it is read again (not merely reused), and the tables are a clean run's.
    again = quiet_run(raw, out)
    assert again.exit_code == 0
    assert [a for a in again.actions if a["document"] == "sub/r1.pdf"] == [
        {"document": "sub/r1.pdf", "action": "parsed",
         "reason": "its last read failed (internal)"}]
    assert tables(out) == tables(clean)


def test_a_timeout_keeps_the_last_good_records_and_is_retried(raw, tmp_path):
    out, clean = tmp_path / "out", tmp_path / "clean"
    assert quiet_run(raw, out).exit_code == 0
    assert quiet_run(raw, clean).exit_code == 0
    failed = quiet_run(raw, out, force=True, timeout=0.0005)
    assert failed.exit_code == 3
    assert failed.counts == {"new": 0, "changed": 0, "unchanged": 0, "removed": 0, "failed": 2}
    assert failed.changes == {"projects_added": 0, "projects_removed": 0, "projects_changed": 0}
    assert _project_ids(out) == ["FY2025-R1-01", "FY2025-R1-02", "FY2025-R2-01"]
    docs = {d["document"]: d for d in rows(out, "documents")}
    assert {d: (r["status"], r["error_kind"]) for d, r in docs.items()} == {
        "sub/r1.pdf": ("error", "timeout"), "top.pdf": ("error", "timeout")}
    assert docs["top.pdf"]["error"] == ("reading took longer than the 0.0005 s limit (--timeout); its records are "
                                        f"from the previous read (sha256 {docs['top.pdf']['sha256'][:12]}…)")
    again = quiet_run(raw, out)
    assert again.exit_code == 0
    assert [a["action"] for a in again.actions] == ["parsed", "parsed"]
    assert tables(out) == tables(clean)


# --- 5. edited or damaged outputs ------------------------------------------------------------------

def test_an_edited_or_damaged_output_file_is_noticed_and_made_again(raw, tmp_path):
    out, clean = tmp_path / "out", tmp_path / "clean"
    quiet_run(raw, out)
    quiet_run(raw, clean)
    (out / "projects.jsonl").write_text("edited\n", encoding="utf-8")
    said = []
    result = run(RunOptions(raw=raw, out=out, use_ner=False), log=said.append)
    assert result.exit_code == 0 and not result.skipped_outputs
    assert said == ["c2c: warning: output files edited, damaged or missing since the last run: projects.jsonl; "
                    "the tables are made again"]
    assert tables(out) == tables(clean)
    # An edit that keeps the size is found by its content.
    data = (out / "projects.csv").read_bytes()
    edited = data.replace(b"vn-da-nang", b"vn-hoi-an ", 1)
    assert len(edited) == len(data) and edited != data
    (out / "projects.csv").write_bytes(edited)
    again = quiet_run(raw, out)
    assert not again.skipped_outputs
    assert tables(out) == tables(clean)
    # A file touched but not changed is hashed once, found unchanged, and the tables are not made again.
    stamp = (out / "projects.csv").stat().st_mtime_ns + 5_000_000_000
    os.utime(out / "projects.csv", ns=(stamp, stamp))
    touched = quiet_run(raw, out)
    assert touched.skipped_outputs
    recorded = json.loads((out / ".c2c" / "manifest.json").read_text(encoding="utf-8"))["outputs"]["files"]
    assert recorded["projects.csv"]["mtime_ns"] == stamp
    assert tables(out) == tables(clean)


# --- 6. links under --out ------------------------------------------------------------------------------

def test_links_planted_under_out_are_not_followed(raw, tmp_path):
    out = tmp_path / "out"
    quiet_run(raw, out)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    victims = tmp_path / "victims"
    victims.mkdir()
    (victims / "other.json").write_text("{}", encoding="utf-8")
    (out / "runs.jsonl").unlink()
    (out / "runs.jsonl").symlink_to(victim)
    shutil.rmtree(out / ".c2c" / "docs")
    (out / ".c2c" / "docs").symlink_to(victims)
    (out / "review.csv").unlink()
    (out / "review.csv").symlink_to(victim)
    pdfmaker.make_table_pdf(raw / "new.pdf", TITLE.replace("1次", "3次"), HEADER, [r[:] for r in ROWS[:1]])
    said = []
    result = run(RunOptions(raw=raw, out=out, use_ner=False), log=said.append)
    assert result.exit_code == 0
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert [p.name for p in victims.iterdir()] == ["other.json"]
    for name in ("runs.jsonl", ".c2c/docs", "review.csv"):
        assert not (out / name).is_symlink(), name
    assert (out / ".c2c" / "docs").is_dir() and len(list((out / ".c2c" / "docs").iterdir())) == 3
    assert [json.loads(line)["exit_code"] for line in (out / "runs.jsonl").read_text().splitlines()] == [0]
    assert said == [f"c2c: warning: {out}/.c2c/docs was a symbolic link (to {victims}); c2c follows no link under "
                    "--out: it is replaced by a file of its own",
                    f"c2c: warning: {out}/runs.jsonl was a symbolic link (to {victim}); c2c follows no link under "
                    "--out: it is replaced by a file of its own",
                    "c2c: warning: output files edited, damaged or missing since the last run: review.csv; the "
                    "tables are made again"]
