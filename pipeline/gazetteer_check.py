"""Is a gazetteer folder fit to resolve places with? Errors stop a run before it writes anything;
warnings are shown and the run goes on.

Kept apart from `gazetteer.py` (which loads and resolves): this looks at the files as a person left
them — empty, a header and no rows, a column missing, not UTF-8, a row cut short — before any
loader trips over them, then adds the semantic problems of `Gazetteer.check()`.
"""
from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .gazetteer import DEFAULT_FOLDER, FIELDS, VARIANTS_FILE, Gazetteer, data_files

VARIANT_FIELDS = ["place_id", "variant"]


@dataclass
class Verdict:
    """`errors`: the gazetteer must not be used; `warnings`: worth a look (homonymous places of a
    hand-curated file); `notes`: the same for the generated files (known, listed by `check` only)."""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    gazetteer: Gazetteer | None = None


def validate(folder: Path | None = None) -> Verdict:
    folder = Path(folder or DEFAULT_FOLDER)
    errors = file_problems(folder)
    if errors:
        return Verdict(errors=errors)
    gazetteer = Gazetteer.load(folder)
    verdict = Verdict(errors=gazetteer.check(), gazetteer=gazetteer)
    verdict.warnings, verdict.notes = _homonyms(gazetteer, _generated_ids(folder))
    return verdict


# The code that decides a verdict: a memo of one is reused only while none of it changed.
_CHECK_CODE = sorted([Path(__file__), *Path(__file__).with_name("gazetteer").glob("*.py"),
                      Path(__file__).with_name("vocabulary.py"),
                      *(Path(__file__).resolve().parents[1] / "normalizers").glob("*.py")])


def _code_digest() -> str:
    digest = hashlib.sha256()
    for path in _CHECK_CODE:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def validate_remembered(folder: Path, version: str) -> Verdict:
    """`validate(folder)`, or what it found before for the same data (`version`, the content
    version of `folder`'s files) and the same checking code: kept in the user's cache folder
    (pipeline/cachedir.py), so that a run into a new output folder does not pay the check again
    (about 0.2 s). A remembered verdict has no `gazetteer` (the caller loads it)."""
    from . import cachedir

    stamp = _code_digest()
    record = cachedir.read("gazetteer-check", version)
    if record is not None and record["stamp"] == stamp and isinstance(record["value"], dict):
        value = record["value"]
        return Verdict(errors=list(value.get("errors", [])), warnings=list(value.get("warnings", [])),
                       notes=list(value.get("notes", [])))
    verdict = validate(folder)
    cachedir.write("gazetteer-check", version, {"stamp": stamp, "value": {
        "errors": verdict.errors, "warnings": verdict.warnings, "notes": verdict.notes}})
    return verdict


def file_problems(folder: Path) -> list[str]:
    """One line per file that cannot be read as a gazetteer table."""
    files = data_files(folder)
    if not files:
        return [f"{folder}: no gazetteer files (*.csv)"]
    problems = []
    for path in files:
        rel = path.relative_to(folder).as_posix()
        raw = path.read_bytes()
        if not raw.strip():
            problems.append(f"{rel}: the file is empty")
            continue
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            problems.append(f"{rel}: not UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start}); save it as UTF-8")
            continue
        table = list(csv.reader(text.splitlines()))
        header = [c.strip() for c in table[0]]
        required = VARIANT_FIELDS if path.name == VARIANTS_FILE else FIELDS
        missing = [c for c in required if c not in header]
        if missing:
            problems.append(f"{rel}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
            continue
        data = [(n, r) for n, r in enumerate(table[1:], 2) if any(c.strip() for c in r)]
        if not data and path.name != VARIANTS_FILE:  # a list of extra spellings may be empty
            problems.append(f"{rel}: a header and no rows")
        short = [n for n, r in data if len(r) < len(header)]
        if short:
            problems.append(f"{rel}: line {short[0]} has fewer fields than the header"
                            + (f" (and {len(short) - 1} more lines)" if len(short) > 1 else ""))
    return problems


def _generated_ids(folder: Path) -> set[str]:
    ids = set()
    for path in data_files(folder):
        if path.parent.name == "generated":
            with open(path, encoding="utf-8-sig", newline="") as f:
                ids.update((r.get("place_id") or "").strip() for r in csv.DictReader(f))
    return ids


def _homonyms(gazetteer: Gazetteer, generated: set[str]) -> tuple[list[str], list[str]]:
    """Places of one country with the same canonical name under different parents (府中市 of Tokyo
    and of Hiroshima): allowed, the resolver leaves such a name unresolved with its candidates."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for place in gazetteer.places.values():
        if place.name_ja:  # generated places without a Japanese name are reached by transliteration
            groups[(place.name_ja, place.country)].append(place.place_id)
    warnings, notes = [], []
    for (name, country), ids in sorted(groups.items()):
        if len(ids) > 1:
            line = f"{name} ({country}) names {len(ids)} places: {', '.join(sorted(ids))}; mentions stay for review"
            (notes if set(ids) <= generated else warnings).append(line)
    return warnings, notes
