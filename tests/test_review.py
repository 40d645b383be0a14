"""Review decisions that stick: `c2c review accept|set|dismiss` in real subprocesses, recorded in the
decisions folder of the working directory and applied by every later `c2c run`."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pymupdf
import pytest

import pdfmaker

REPO = Path(__file__).resolve().parent.parent
HEADER = ["番号", "提案者", "国内都市", "対象都市・地域", "対象国", "事業名", "対象分野", "事業概要"]
TITLE = "令和7年度脱炭素社会実現のための都市間連携事業委託業務 1次公募採択案件一覧"
ROW = ["1", "日本工営株式会社", "横浜市", "ダナン市", "ベトナム", "ダナン市における脱炭素都市形成支援事業",
       "・省エネルギー", "横浜市とダナン市の都市間連携。"]


def c2c(*args, cwd: Path) -> subprocess.CompletedProcess:
    """`c2c ARGS` run from `cwd`, the working directory that holds raw/, extracted/ and review/."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    (line,) = proc.stderr.splitlines()
    return line


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def review_items(work: Path) -> list[dict]:
    return [json.loads(line) for line in ok(c2c("review", "--json", cwd=work)).splitlines()]


@pytest.fixture
def work(tmp_path) -> Path:
    """A working directory as staff have it: raw/ with one adoption table."""
    (tmp_path / "raw").mkdir()
    pdfmaker.make_table_pdf(tmp_path / "raw" / "table.pdf", TITLE, HEADER, [ROW[:]])
    return tmp_path


def test_a_dismissed_conflict_stays_dismissed_across_a_rerun_and_a_reissued_pdf(corpus, tmp_path):
    (tmp_path / "raw").mkdir()
    shutil.copy(corpus / "c2c_pamphlet_2022.pdf", tmp_path / "raw")
    ok(c2c("run", "--no-ner", cwd=tmp_path))
    (conflict,) = [r for r in review_items(tmp_path) if r["kind"] == "conflict"]
    said = ok(c2c("review", "dismiss", conflict["review_id"], "--note", "the same company, spelled two ways",
                  cwd=tmp_path))
    assert said.startswith(f"{conflict['review_id']} (conflict «{conflict['text']}») is dismissed")
    (decision,) = jsonl(tmp_path / "review" / "decisions.jsonl")
    assert {k: decision[k] for k in ("action", "review_id", "kind", "document", "page", "text", "note")} == {
        "action": "dismiss", "review_id": conflict["review_id"], "kind": "conflict",
        "document": "c2c_pamphlet_2022.pdf", "page": conflict["page"], "text": conflict["text"],
        "note": "the same company, spelled two ways"}
    # `c2c run` only reads the decisions: status says the tables are stale, the run applies them.
    assert c2c("status", "--no-ner", cwd=tmp_path).stdout.splitlines()[-1] == \
        "tables: to rebuild (the review decisions changed)"
    ok(c2c("run", "--no-ner", cwd=tmp_path))
    assert [r for r in review_items(tmp_path) if r["kind"] == "conflict"] == []
    ok(c2c("run", "--no-ner", cwd=tmp_path))
    assert [r for r in review_items(tmp_path) if r["kind"] == "conflict"] == []
    # A re-issued PDF: new bytes (a new modification date), the same pages.
    pdf = tmp_path / "raw" / "c2c_pamphlet_2022.pdf"
    doc = pymupdf.open(pdf)
    doc.set_metadata({**doc.metadata, "modDate": "D:20270401000000+09'00'"})
    data = doc.tobytes(garbage=0)
    doc.close()
    pdf.write_bytes(data)
    rerun = ok(c2c("run", "--no-ner", cwd=tmp_path))
    assert rerun.splitlines()[0] == "documents: 0 new, 1 changed, 0 unchanged, 0 removed, 0 failed"
    assert [r for r in review_items(tmp_path) if r["kind"] == "conflict"] == []
    listed = ok(c2c("review", "--decided", "--json", cwd=tmp_path))
    assert [json.loads(line)["review_id"] for line in listed.splitlines()] == [conflict["review_id"]]


def test_a_value_set_by_hand_wins_and_says_so(work):
    ok(c2c("run", "--no-ner", cwd=work))
    said = ok(c2c("review", "set", "FY2025-R1-01", "proposer", "株式会社 テスト | 支店", cwd=work))
    assert said.startswith('FY2025-R1-01 proposer is set by hand to "株式会社 テスト | 支店"')
    ok(c2c("review", "set", "FY2025-R1-01", "fields", '["省エネルギー", "再生可能エネルギー"]', cwd=work))
    rerun = ok(c2c("run", "--no-ner", cwd=work))
    assert "  changed: FY2025-R1-01 (fields, proposer, set_by_hand)" in rerun.splitlines()
    (project,) = jsonl(work / "extracted" / "projects.jsonl")
    # The value is kept whole (the "|" too) and the field is named as set by hand.
    assert (project["proposer"], project["fields"], project["set_by_hand"]) == (
        "株式会社 テスト | 支店", ["省エネルギー", "再生可能エネルギー"], ["fields", "proposer"])
    assert project["sources"][0]["document"] == "table.pdf"
    # A re-read of the document (forced) does not undo it.
    ok(c2c("run", "--no-ner", "--force", cwd=work))
    assert jsonl(work / "extracted" / "projects.jsonl")[0]["proposer"] == "株式会社 テスト | 支店"
    decided = ok(c2c("review", "--decided", cwd=work)).splitlines()
    assert [line.split("  (")[0] for line in decided] == [
        'set     FY2025-R1-01 fields = ["省エネルギー", "再生可能エネルギー"]',
        'set     FY2025-R1-01 proposer = "株式会社 テスト | 支店"', "2 decisions in review"]


REFUSED = [
    (["set", "FY2025-R1-01", "fiscal_year", "next"], "c2c: fiscal_year must be a whole number, not 'next'"),
    (["set", "FY2025-R1-01", "sources", "x"],
     "c2c: cannot set 'sources'; fields that can be set: title, proposer, country, summary, fiscal_year, round, "
     "number, co_implementers, fields"),
    (["set", "FY1999-01", "title", "x"],
     "c2c: FY1999-01 is neither a project id in extracted/projects.jsonl nor a review item's id"),
    (["dismiss", "0123456789abcdef"], "c2c: no review item 0123456789abcdef in extracted/review.jsonl"),
    (["accept", "大阪", "jp-271004"],
     "c2c: cannot accept «大阪» as jp-271004: jp-271004: variant '大阪' is a bare stem of a Japanese local government"),
    (["accept", "ダナン|ホイアン", "vn-da-nang"],
     "c2c: «ダナン|ホイアン» holds '|', which separates spellings in the gazetteer's files; accept each name on its own"),
    (["accept", "ダナン市", "vn-nowhere"], "c2c: no place 'vn-nowhere' in the gazetteer"),
    (["accept", "横浜市", "vn-da-nang"],
     "c2c: cannot accept «横浜市» as vn-da-nang: spelling '横浜市' is claimed by jp-141003, vn-da-nang"),
]


def test_a_decision_is_validated_before_anything_is_written(work):
    ok(c2c("run", "--no-ner", cwd=work))
    for args, message in REFUSED:
        assert one_line_error(c2c("review", *args, cwd=work)) == message
        assert not (work / "review" / "decisions.jsonl").exists()
        assert not (work / "review" / "variants.csv").exists()


def test_a_name_broken_over_lines_is_accepted_whole(work):
    said = ok(c2c("review", "accept", "トゥーラン\n市", "vn-da-nang", cwd=work))
    assert said.startswith("«トゥーラン市» is now a spelling of vn-da-nang")
    assert (work / "review" / "variants.csv").read_text(encoding="utf-8") == "place_id,variant\nvn-da-nang,トゥーラン市\n"


def test_ten_decisions_at_once_all_land(tmp_path):
    (tmp_path / "raw").mkdir()
    names = ["アカサ", "イキシ", "ウクス", "エケセ", "オコソ", "カサタ", "キシチ", "クスツ", "ケセテ", "コソト"]
    rows = [[str(i + 1), "日本工営株式会社", "横浜市", f"{name}ナ市", "ベトナム", f"{name}ナ市における脱炭素事業{i + 1}",
             "・省エネルギー", "調査。"] for i, name in enumerate(names)]
    pdfmaker.make_table_pdf(tmp_path / "raw" / "table.pdf", TITLE, HEADER, rows)
    ok(c2c("run", "--no-ner", cwd=tmp_path))
    items = [r for r in review_items(tmp_path) if r["kind"] == "unresolved_place"]
    assert len(items) == 10
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [subprocess.Popen([sys.executable, "-m", "pipeline.cli", "review", "dismiss", r["review_id"],
                               "--note", f"note {i}\nwith a second line | and a bar"], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for i, r in enumerate(items)]
    assert [p.wait(timeout=300) for p in procs] == [0] * 10
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    decisions = jsonl(tmp_path / "review" / "decisions.jsonl")
    assert sorted(d["review_id"] for d in decisions) == sorted(r["review_id"] for r in items)
    assert sorted(d["note"] for d in decisions) == [f"note {i}\nwith a second line | and a bar" for i in range(10)]
    ok(c2c("run", "--no-ner", cwd=tmp_path))
    assert [r for r in review_items(tmp_path) if r["kind"] == "unresolved_place"] == []


def test_review_lists_as_json_and_rejects_an_unknown_kind(work):
    ok(c2c("run", "--no-ner", cwd=work))
    assert ok(c2c("review", "--json", cwd=work)) == ""
    assert ok(c2c("review", cwd=work)) == "0 items\n"
    assert one_line_error(c2c("review", "--kind", "typo", cwd=work)).startswith("c2c: --kind must be one of ")


def _digest_tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def test_an_accepted_spelling_survives_a_reinstall(tmp_path):
    """A non-editable install into a fresh virtual environment (with this environment's packages
    visible, so nothing is downloaded or built but c2c itself): `c2c review accept` writes into the
    working directory, never into site-packages, and a reinstall keeps the spelling."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source)
    for name in ("c2c", "pipeline", "normalizers", "gazetteer"):  # the packages pyproject.toml lists
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # This environment's packages (typer, PyMuPDF, spaCy, ...), after the new environment's own.
    (site / "zz_test_host.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "C2C_GAZETTEER")}

    def install():
        subprocess.run([python, "-m", "pip", "install", "--no-deps", "--force-reinstall", "--quiet",
                        "--disable-pip-version-check", str(source)], env=env, check=True, capture_output=True)

    def installed(*args):
        return subprocess.run([env_dir / "bin" / "c2c", *map(str, args)], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)

    install()
    package = Path(subprocess.run([python, "-c", "import gazetteer; print(gazetteer.__file__)"], cwd=tmp_path,
                                  env=env, capture_output=True, text=True, check=True).stdout.strip()).parent
    assert package.is_relative_to(site)  # the installed copy, not this checkout
    (tmp_path / "raw").mkdir()
    row = ROW[:]
    row[3] = "トゥーラン市"  # Da Nang's colonial name: a spelling no gazetteer lists
    pdfmaker.make_table_pdf(tmp_path / "raw" / "table.pdf", TITLE, HEADER, [row])
    assert installed("run", "--no-ner").returncode == 0
    (item,) = [json.loads(line) for line in installed("review", "--json").stdout.splitlines()]
    assert (item["kind"], item["text"]) == ("unresolved_place", "トゥーラン市")
    shipped = _digest_tree(package)
    accepted = installed("review", "accept", item["review_id"], "vn-da-nang")
    assert accepted.returncode == 0, accepted.stderr
    assert _digest_tree(package) == shipped  # nothing written inside the installed package
    install()  # an upgrade: the package's files are replaced
    rerun = installed("run", "--no-ner")
    assert rerun.returncode == 0, rerun.stderr
    (project,) = jsonl(tmp_path / "extracted" / "projects.jsonl")
    assert [p["place_id"] for p in project["partner_places"]] == ["vn-da-nang"]
    assert installed("review", "--json").stdout == ""
