"""The per-user cache folder and small on-disk memos kept in it.

The folder is $C2C_CACHE_DIR, else $XDG_CACHE_HOME/c2c, else ~/.cache/c2c. A memo keeps one value
(JSON) computed from something slow to read (a file's hash, the installed fonts) together with a
stamp: cheap facts that change whenever that value may (sizes, mtimes, names of install records).
The value is reused only while the stamp is equal; a memo that cannot be read or written is simply
not used, and writes are atomic (a temporary file, then os.replace).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

_FORMAT = 1


def folder() -> Path:
    """$C2C_CACHE_DIR, else $XDG_CACHE_HOME/c2c, else ~/.cache/c2c (not created here)."""
    if os.environ.get("C2C_CACHE_DIR"):
        return Path(os.environ["C2C_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "c2c"


def _memo_path(kind: str, identity: str) -> Path:
    name = hashlib.sha256(f"{_FORMAT}\n{kind}\n{identity}".encode()).hexdigest()[:16]
    return folder() / f"memo-{kind}-{name}.json"


def read(kind: str, identity: str) -> dict | None:
    """The memo record {"stamp": ..., "value": ...} of (kind, identity), or None."""
    try:
        record = json.loads(_memo_path(kind, identity).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and "stamp" in record and "value" in record else None


def write(kind: str, identity: str, record: dict) -> None:
    """Keep `record` (JSON-serialisable) for the next process; failures are ignored."""
    try:
        path = _memo_path(kind, identity)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".memo-{kind}-", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(record, f, sort_keys=True)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, ValueError, TypeError):
        pass


def memo(kind: str, identity: str, stamp: Any, compute: Callable[[], Any]) -> Any:
    """compute(), or the value a previous call with the same kind, identity and stamp kept. `stamp`
    and the value must survive a JSON round trip (lists, not tuples)."""
    stamp = json.loads(json.dumps(stamp))
    record = read(kind, identity)
    if record is not None and record["stamp"] == stamp:
        return record["value"]
    value = compute()
    write(kind, identity, {"stamp": stamp, "value": value})
    return value
