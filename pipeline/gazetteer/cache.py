"""A cached copy of the loaded gazetteer: the places and their index, written with `marshal` after a
load builds them, read back by the next process when neither the data files nor the code that folds
and indexes names changed. Loading ~18,000 places and computing their match keys takes about twice
as long as reading this copy (benchmarks/bench.py, "gazetteer load").

The copy lives in $C2C_CACHE_DIR, else $XDG_CACHE_HOME/c2c, else ~/.cache/c2c, one file per
(data version, code version); a copy that cannot be read or written is simply not used.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from pathlib import Path

from ..cachedir import folder
from .data import Place, PlaceData
from .index import PlaceIndex

_FORMAT = 1
# The modules whose code decides what a cached index holds.
_CODE = [Path(__file__).with_name(n) for n in ("data.py", "index.py", "cache.py")] + [
    Path(__file__).resolve().parents[2] / "normalizers" / n for n in ("places.py", "text.py")] + [
    Path(__file__).resolve().parents[1] / "vocabulary.py"]


def _path(data_version: str) -> Path:
    digest = hashlib.sha256(str(_FORMAT).encode())
    for path in _CODE:
        digest.update(path.read_bytes() if path.exists() else b"-")
    return folder() / f"gazetteer-{data_version}-{digest.hexdigest()[:16]}.marshal"


def read(data_version: str) -> tuple[PlaceData, PlaceIndex] | None:
    """The cached places and index of this data version, or None."""
    try:
        raw = _path(data_version).read_bytes()
        rows, problems, sources, world, state = marshal.loads(raw)
    except (OSError, ValueError, EOFError, TypeError):
        return None
    places = {pid: Place(*row) for pid, row in rows.items()}
    data = PlaceData(places, data_version, tuple(problems), sources)
    return data, PlaceIndex.from_state(places, frozenset(world), state)


def write(data: PlaceData, index: PlaceIndex) -> None:
    """Keep a copy for the next process (atomically; failures are ignored)."""
    try:
        path = _path(data.version)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = marshal.dumps(({pid: tuple(p) for pid, p in data.places.items()}, list(data.problems),
                                 dict(data.sources), list(index.world), index.state()))
        fd, tmp = tempfile.mkstemp(prefix=".gazetteer-", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass
