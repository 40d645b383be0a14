"""cachekey.py: each stage's cache key follows the modules it imports, on a copy of the code."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pdfmaker
from pipeline.cachekey import imported, library_versions

REPO = Path(__file__).resolve().parent.parent
KEYS = ("import pipeline; from pipeline.document import code_version; from pipeline.run import _cross_version;"
        "print(pipeline.__file__, code_version(), _cross_version())")


@pytest.fixture
def copy(tmp_path) -> Path:
    """The project's code and gazetteer in a temporary folder, imported from there."""
    root = tmp_path / "code"
    for package in ("pipeline", "normalizers", "gazetteer"):
        shutil.copytree(REPO / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _python(root: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("C2C_GAZETTEER", None)
    done = subprocess.run([sys.executable, *args], cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode in (0, 1, 3), done.stderr  # status: 1 when a run would do something
    return done.stdout


def _keys(root: Path) -> tuple[str, str]:
    where, per_document, cross = _python(root, "-c", KEYS).split()
    assert Path(where).is_relative_to(root)  # the copy's code, not the checkout's
    return per_document, cross


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_new_module_imported_by_an_extractor_and_by_resolve_rebuilds_both_caches(copy, tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    pdfmaker.make_table_pdf(raw / "table.pdf", "令和7年度 1次公募採択案件一覧", ["番号", "提案者", "国内都市", "対象都市・地域",
                                                                         "対象国", "事業名"],
                            [["1", "日本工営株式会社", "横浜市", "ダナン市", "ベトナム", "ダナン市の脱炭素事業"]])
    run = ("-m", "pipeline.cli", "run", "--raw", str(raw), "--out", str(out), "--no-ner")
    status = ("-m", "pipeline.cli", "status", "--raw", str(raw), "--out", str(out), "--no-ner")

    # A module neither stage imports changes neither key.
    first = _keys(copy)
    _append(copy / "pipeline" / "cli.py", "\n# a comment\n")
    assert _keys(copy) == first

    # A new module, imported by an extractor and by resolve (inside a function, as lazy imports are).
    (copy / "pipeline" / "wordlist.py").write_text('WORDS = ("市",)\n', encoding="utf-8")
    _append(copy / "pipeline" / "extract" / "adoption_table.py", "\nfrom pipeline.wordlist import WORDS  # noqa\n")
    _append(copy / "pipeline" / "resolve.py", "\n\ndef _words():\n    from .wordlist import WORDS\n    return WORDS\n")
    _python(copy, *run)
    assert _python(copy, *status).splitlines() == [
        "reuse  table.pdf: unchanged", "0 to read, 1 to reuse, 0 to drop", "tables: up to date"]
    before = _keys(copy)
    cross_before = json.loads((out / ".c2c" / "manifest.json").read_text())["outputs"]["cross_version"]

    # Editing only the new module: the document is read again and the tables are built again.
    (copy / "pipeline" / "wordlist.py").write_text('WORDS = ("市", "町")\n', encoding="utf-8")
    after = _keys(copy)
    assert after[0] != before[0] and after[1] != before[1]
    assert _python(copy, *status).splitlines()[0] == "read   table.pdf: extraction code changed"
    # The same bytes: unchanged, though read again (runs.jsonl says why).
    assert _python(copy, *run).startswith("documents: 0 new, 0 changed, 1 unchanged")
    manifest = json.loads((out / ".c2c" / "manifest.json").read_text())
    assert manifest["outputs"]["cross_version"] == after[1] != cross_before
    assert manifest["documents"]["table.pdf"]["code_version"] == after[0]


def test_a_module_imported_by_resolve_only_rebuilds_the_tables_not_the_documents(copy):
    per_document, _ = _keys(copy)
    (copy / "normalizers" / "extra.py").write_text("X = 1\n", encoding="utf-8")
    _append(copy / "pipeline" / "dedupe.py", "\nfrom normalizers.extra import X  # noqa\n")
    before = _keys(copy)
    (copy / "normalizers" / "extra.py").write_text("X = 2\n", encoding="utf-8")
    after = _keys(copy)
    assert before[0] == after[0] == per_document and after[1] != before[1]


def test_what_each_stage_imports():
    modules, libraries, hooks = imported(("pipeline.document",))
    assert {"pipeline.records", "pipeline.pdf", "pipeline.classify", "pipeline.extract.adoption_table",
            "pipeline.extract.slides", "pipeline.extract.pamphlet", "normalizers.text", "gazetteer",
            "pipeline.cachekey"} <= set(modules)
    assert not {"pipeline.resolve", "pipeline.dedupe", "pipeline.emit", "pipeline.cli"} & set(modules)
    assert {line.split("==")[0].lower() for line in library_versions(libraries)} >= {"pymupdf", "rapidfuzz"}
    assert "normalizers.countries" in hooks  # the country names table joins the key
    modules, libraries, hooks = imported(("pipeline.run", "pipeline.resolve", "pipeline.dedupe", "pipeline.emit"))
    assert {"pipeline.gazetteer", "pipeline.propose", "normalizers.places"} <= set(modules)
    assert {"pyarrow", "spacy", "rapidfuzz"} <= libraries
    assert "pipeline.propose" in hooks  # the NER model's version joins the key


def test_the_import_scan_finds_every_import_statement_ast_finds():
    # The scan reads source with a regular expression (ast is ten times slower): it must miss none.
    import ast

    from pipeline.cachekey import ROOT, _imports, _module_file

    for path in sorted([*ROOT.glob("pipeline/**/*.py"), *ROOT.glob("normalizers/*.py"), *ROOT.glob("gazetteer/*.py")]):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        wanted = set()
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.Import):
                wanted |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                wanted.add(module)
                wanted |= {f"{module}.{a.name}" for a in node.names if _module_file(f"{module}.{a.name}", ROOT)}
        project, other, _ = _imports(name, path, ROOT)
        found = project | other
        missed = {m for m in wanted if m not in found and m.split(".")[0] not in found}
        assert not missed, (path, missed)
        assert not other - {m.split(".")[0] for m in wanted}, (path, other)  # nothing that is not an import


# On-disk memos (pipeline/cachedir.py): what a rerun reads instead of recomputing, and the stamps that
# make it recompute.

def test_file_digest_is_memoised_and_recomputed_when_the_file_is_touched_rewritten_or_replaced(tmp_path,
                                                                                             monkeypatch):
    import hashlib

    from pipeline import cachedir
    from pipeline.cachekey import file_digest

    monkeypatch.setenv("C2C_CACHE_DIR", str(tmp_path / "cache"))
    model = tmp_path / "rec.onnx"
    model.write_bytes(b"weights 1")
    assert file_digest(model) == f"rec.onnx:{hashlib.sha256(b'weights 1').hexdigest()}"
    [memo] = (tmp_path / "cache").glob("memo-digest-*.json")

    # The next call reads the memo: a record planted with the same stamp is what it returns.
    record = json.loads(memo.read_text())
    record["value"] = "planted"
    memo.write_text(json.dumps(record))
    assert file_digest(model) == "rec.onnx:planted"

    # Same size, mtime put back: the ctime still moves, so the bytes are hashed again.
    stat = model.stat()
    model.write_bytes(b"weights 2")
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert file_digest(model) == f"rec.onnx:{hashlib.sha256(b'weights 2').hexdigest()}"

    # Replaced by another file (a new inode), then gone.
    other = tmp_path / "new.onnx"
    other.write_bytes(b"weights 3")
    os.replace(other, model)
    assert file_digest(model) == f"rec.onnx:{hashlib.sha256(b'weights 3').hexdigest()}"
    model.unlink()
    assert file_digest(model) == "rec.onnx:missing"

    # A cache folder that cannot be written is simply not used.
    model.write_bytes(b"weights 4")
    monkeypatch.setenv("C2C_CACHE_DIR", str(model))  # a file, not a folder
    assert file_digest(model) == f"rec.onnx:{hashlib.sha256(b'weights 4').hexdigest()}"
    assert cachedir.read("digest", str(model.resolve())) is None


def _dist(site: Path, name: str, version: str, module: str) -> None:
    info = site / f"{name}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "top_level.txt").write_text(f"{module}\n")
    (site / module).mkdir(exist_ok=True)
    (site / module / "__init__.py").write_text("")


def test_the_module_distribution_map_is_memoised_and_recomputed_when_an_install_record_changes(
        tmp_path, monkeypatch):
    import importlib

    from pipeline import cachekey

    monkeypatch.setenv("C2C_CACHE_DIR", str(tmp_path / "cache"))
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))

    def versions(module: str) -> list[str]:
        importlib.invalidate_caches()
        cachekey._distributions.cache_clear()
        cachekey._versions.cache_clear()
        return library_versions({module})

    _dist(site, "c2c_fake_dist", "1.0", "c2cfakemod")
    assert versions("c2cfakemod") == ["c2c_fake_dist==1.0"]
    assert len(list((tmp_path / "cache").glob("memo-distributions-*.json"))) == 1

    # An upgrade renames the record; a new install adds one: both seen without clearing the memo.
    (site / "c2c_fake_dist-1.0.dist-info").rename(site / "c2c_fake_dist-1.1.dist-info")
    (site / "c2c_fake_dist-1.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: c2c_fake_dist\nVersion: 1.1\n")
    assert versions("c2cfakemod") == ["c2c_fake_dist==1.1"]
    _dist(site, "c2c_other_dist", "2.0", "c2cothermod")
    assert versions("c2cothermod") == ["c2c_other_dist==2.0"]
    shutil.rmtree(site / "c2c_other_dist-2.0.dist-info")
    assert versions("c2cothermod") == ["c2cothermod missing"]
    cachekey._distributions.cache_clear()  # no fake distribution left for the next test
    cachekey._versions.cache_clear()


def test_the_font_list_stamp_follows_the_font_folders(tmp_path, monkeypatch):
    from pipeline import text_layer

    monkeypatch.setenv("HOME", str(tmp_path))
    fonts = tmp_path / ".fonts" / "sub"
    fonts.mkdir(parents=True)
    before = text_layer._fonts_stamp()
    assert text_layer._fonts_stamp() == before
    (fonts / "NewFont.ttf").write_bytes(b"not really a font")
    assert text_layer._fonts_stamp() != before
