"""What persists between runs: the manifest, cached extractions, runs.jsonl, and the run lock.

Everything lives under `<out>/.c2c/`. Every write goes to a temporary file that is renamed into
place, so a run killed at any moment leaves the previous state readable and the next run completes
the job. The manifest that goes with a set of tables is written into the set's staging folder
(`publish.py`), so tables and manifest are published together.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from .records import Extraction, from_dict, to_dict

STATE_DIR = ".c2c"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def read_no_follow(path: Path) -> bytes:
    """The bytes of a file under --out; OSError when it is a symbolic link (c2c follows none there)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        return f.read()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def dumps(obj) -> str:
    """Compact JSON with sorted keys (one encoder for all: json.dumps with options makes one per call)."""
    return _ENCODER.encode(obj)


class State:
    """The manifest of per-document results for one output folder."""

    def __init__(self, out: Path):
        self.out = out
        self.dir = out / STATE_DIR
        self.manifest_path = self.dir / "manifest.json"
        self.manifest: dict = {"documents": {}, "outputs": {}}
        if self.manifest_path.exists():
            try:
                self.manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                # A damaged manifest only costs a full re-read, never wrong output.
                self.manifest = {"documents": {}, "outputs": {}}

    @property
    def documents(self) -> dict[str, dict]:
        return self.manifest.setdefault("documents", {})

    def _cache_path(self, sha256: str, code_version: str) -> Path:
        return self.dir / "docs" / f"{sha256[:32]}-{code_version[:12]}.json"

    def load_extraction(self, document: str) -> Extraction | None:
        entry = self.documents.get(document)
        if not entry:
            return None
        path = self._cache_path(entry["sha256"], entry["code_version"])
        try:
            data = json.loads(read_no_follow(path).decode("utf-8"))
        except (OSError, ValueError):
            return None
        extraction = from_dict(Extraction, data)
        extraction.document = document  # the same bytes may sit at another path now
        return extraction

    def store_extraction(self, extraction: Extraction, code_version: str, mtime_ns: int = 0) -> None:
        path = self._cache_path(extraction.sha256, code_version)
        atomic_write_text(path, dumps(to_dict(extraction)))
        self.documents[extraction.document] = {
            "sha256": extraction.sha256, "code_version": code_version, "size_bytes": extraction.size_bytes,
            "mtime_ns": mtime_ns, "status": extraction.status, "error_kind": extraction.error_kind,
            "error": extraction.error}

    def keep(self, document: str, error_kind: str, error: str) -> bool:
        """Keep the last good records of a document whose read failed for a reason that may go away
        (a timeout, an unreadable file or folder): it is marked, and read again next run. False when
        there are no good records to keep."""
        entry = self.documents.get(document)
        if not entry or entry.get("status") != "ok" or not self.has_extraction(document):
            return False
        entry["kept"] = {"error_kind": error_kind, "error": error}
        return True

    def has_extraction(self, document: str) -> bool:
        entry = self.documents.get(document)
        return bool(entry) and self._cache_path(entry["sha256"], entry["code_version"]).exists()

    def touch(self, document: str, mtime_ns: int) -> None:
        """Remember a new modification time for unchanged bytes (a copy, a `touch`)."""
        if document in self.documents:
            self.documents[document]["mtime_ns"] = mtime_ns

    def forget(self, document: str) -> None:
        self.documents.pop(document, None)

    def save(self, folder: Path | None = None) -> None:
        """Write the manifest: into this output folder (pruning the cache), or into the staging
        folder of a set about to be published."""
        if folder is None:
            self._prune_cache()
            atomic_write_text(self.manifest_path, dumps(self.manifest))
        else:
            atomic_write_text(folder / STATE_DIR / "manifest.json", dumps(self.manifest))

    def cache_names(self) -> set[str]:
        """The file names of the cached extractions the manifest uses."""
        return {self._cache_path(e["sha256"], e["code_version"]).name for e in self.documents.values()}

    def _prune_cache(self) -> None:
        keep = self.cache_names()
        folder = self.dir / "docs"
        if folder.is_dir() and not folder.is_symlink():
            for path in folder.glob("*.json"):
                if path.name not in keep:
                    path.unlink(missing_ok=True)

    # The NER model's proposals per text (resolve.propose_names), so it never reads a text twice.
    def load_proposals(self) -> dict:
        try:
            return json.loads(read_no_follow(self.dir / "proposals.json").decode("utf-8"))
        except (OSError, ValueError):
            return {}

    def save_proposals(self, cache: dict, folder: Path | None = None) -> None:
        atomic_write_text((folder or self.out) / STATE_DIR / "proposals.json", dumps(cache))

    # The outputs of the cross-document stages, so a run with nothing new can skip them.
    def outputs_current(self, inputs_key: str) -> bool:
        recorded = self.manifest.get("outputs", {})
        if recorded.get("inputs_key") != inputs_key:
            return False
        return bool(recorded.get("files")) and not self.changed_outputs()

    def changed_outputs(self) -> list[str]:
        """The output files that are gone, or whose content differs from what the last run wrote
        (an edit, a damaged disk). Only a file whose size or modification time changed is hashed,
        so an untouched folder costs one stat per file; a file touched but not changed is
        recorded with its new time (kept when the manifest is next saved)."""
        changed = []
        for name, recorded in sorted(self.manifest.get("outputs", {}).get("files", {}).items()):
            path = self.out / name
            try:
                st = path.lstat()
            except OSError:
                changed.append(name)
                continue
            if not isinstance(recorded, dict) or not os.path.isfile(path) or path.is_symlink():
                changed.append(name)
            elif (st.st_size, st.st_mtime_ns) == (recorded["size"], recorded["mtime_ns"]):
                continue
            elif st.st_size != recorded["size"] or sha256_file(path) != recorded["sha256"]:
                changed.append(name)
            else:
                recorded["mtime_ns"] = st.st_mtime_ns
        return changed

    def record_outputs(self, inputs_key: str, files: list[str], folder: Path | None = None) -> None:
        """Remember the output files (size, modification time, sha256) as written into `folder`
        (the staging folder of the set; by default the output folder)."""
        folder = folder or self.out
        entries = {}
        for name in sorted(files):
            st = (folder / name).stat()
            entries[name] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256_file(folder / name)}
        self.manifest["outputs"] = {"inputs_key": inputs_key, "files": entries}


def append_run(out: Path, row: dict) -> None:
    """Append one row to runs.jsonl (the file only grows, so appending stays cheap)."""
    path = out / "runs.jsonl"
    line = (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    # Never through a symbolic link: c2c follows none under --out (publish.replace_planted_links).
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0), 0o666)
    with os.fdopen(fd, "a+b") as f:
        size = f.seek(0, os.SEEK_END)
        if size:
            f.seek(size - 1)
            if f.read(1) != b"\n":  # a row cut short by a crash: drop it
                f.truncate(_last_newline(f, size) + 1)
        f.write(line)
        f.flush()
        os.fsync(f.fileno())


def _last_newline(f, size: int) -> int:
    """Offset of the last newline before `size`, or -1."""
    block = 1 << 16
    end = size
    while end > 0:
        start = max(0, end - block)
        f.seek(start)
        chunk = f.read(end - start)
        i = chunk.rfind(b"\n")
        if i >= 0:
            return start + i
        end = start
    return -1
