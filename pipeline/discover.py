"""Walk raw/, fingerprint every file, and decide which documents a run must (re)read."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

# Files no one means as input: editor droppings and OS metadata.
_IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


@dataclass(frozen=True)
class SourceFile:
    document: str  # path relative to raw/, "/" separators
    path: Path
    sha256: str
    size_bytes: int
    mtime_ns: int = 0


@dataclass(frozen=True)
class Unlisted:
    """A folder under raw/ that could not be listed: the documents under it are unknown this run."""
    folder: str  # relative to raw/, "/" separators ("." for raw/ itself)
    reason: str

    def holds(self, document: str) -> bool:
        return self.folder == "." or document.startswith(self.folder + "/")


@dataclass
class Scan:
    sources: list[SourceFile]
    unlisted: list[Unlisted]


@dataclass(frozen=True)
class Action:
    document: str
    action: str  # parse | reuse | remove | keep (its folder cannot be listed: the last records stay)
    reason: str
    source: SourceFile | None = None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_candidate(path: Path) -> bool:
    """A file named .pdf (whatever it holds: a bad one must be reported), or any file that starts
    like a PDF; notes, spreadsheets and READMEs kept beside the PDFs are not inputs."""
    if path.suffix.lower() == ".pdf":
        return True
    try:
        with path.open("rb") as f:
            return b"%PDF-" in f.read(1024)
    except OSError:
        return False


def discover(raw: Path, known: dict[str, dict] | None = None) -> list[SourceFile]:
    """Every readable candidate file under raw/; see `scan`."""
    return scan(raw, known).sources


def scan(raw: Path, known: dict[str, dict] | None = None) -> Scan:
    """Every regular file under raw/ (recursively), sorted by relative path, and the folders that
    could not be listed.

    `known` (the manifest: document → {size_bytes, mtime_ns, sha256}) lets an unchanged file keep
    its sha256 without being read again, as DVC and make do: a rerun over a thousand PDFs must not
    read a thousand PDFs. A file that cannot be read gets an empty sha256 (the read stage reports
    it). Symbolic links are not followed: a link could point outside raw/.
    """
    known = known or {}
    raw = raw.resolve()
    found: list[SourceFile] = []
    unlisted: list[Unlisted] = []

    def on_error(error: OSError) -> None:
        folder = Path(error.filename or raw)
        rel = folder.relative_to(raw).as_posix() if folder != raw else "."
        unlisted.append(Unlisted(rel, error.strerror or str(error)))

    for folder, dirs, files in os.walk(raw, onerror=on_error, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or name in _IGNORED_NAMES:
                continue
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file() or not _is_candidate(path):
                continue
            rel = path.relative_to(raw).as_posix()
            try:
                stat = path.stat()
                old = known.get(rel) or {}
                if (old.get("size_bytes") == stat.st_size and old.get("mtime_ns") == stat.st_mtime_ns
                        and old.get("sha256")):
                    if not os.access(path, os.R_OK):  # unchanged, but no longer readable
                        raise PermissionError
                    sha = old["sha256"]
                else:
                    sha = sha256_of(path)
            except FileNotFoundError:
                continue  # removed while we walked
            except OSError:
                # Unreadable (permissions, I/O): still a document, which the read stage reports.
                found.append(SourceFile(rel, path, "", 0, 0))
                continue
            found.append(SourceFile(rel, path, sha, stat.st_size, stat.st_mtime_ns))
    return Scan(sorted(found, key=lambda s: s.document), sorted(unlisted, key=lambda u: u.folder))


def plan(sources: list[SourceFile], previous: dict[str, dict], code_version: str,
         force: bool = False, unlisted: list[Unlisted] = ()) -> list[Action]:
    """What a run does with each document, given the manifest of the previous run.

    `previous` maps document → {"sha256", "code_version", "kept"?}; a document is reused only when
    both match and its last read did not fail for a reason that may go away ("kept": its records
    are from an earlier read). A known document under a folder that could not be listed is kept.
    """
    actions: list[Action] = []
    seen = set()
    for src in sources:
        seen.add(src.document)
        old = previous.get(src.document)
        if not src.sha256:
            actions.append(Action(src.document, "parse", "cannot be read", src))
        elif force:
            actions.append(Action(src.document, "parse", "forced (--force)", src))
        elif old is None:
            actions.append(Action(src.document, "parse", "new document", src))
        elif old.get("sha256") != src.sha256:
            actions.append(Action(src.document, "parse", "content changed (sha256 differs)", src))
        elif old.get("code_version") != code_version:
            actions.append(Action(src.document, "parse", "extraction code changed", src))
        elif old.get("kept"):
            actions.append(Action(src.document, "parse", f"its last read failed ({old['kept']['error_kind']})",
                                  src))
        else:
            actions.append(Action(src.document, "reuse", "unchanged", src))
    for document in sorted(set(previous) - seen):
        folder = next((u for u in unlisted if u.holds(document)), None)
        if folder:
            actions.append(Action(document, "keep", f"its folder {folder.folder}/ cannot be listed ({folder.reason})"))
        else:
            actions.append(Action(document, "remove", "no longer under raw/"))
    return actions
