"""Review decisions: what staff decided about review items, kept as plain files in the working
directory (default `review/`, beside `raw/` and `extracted/`), never inside the installed package.

Files in the decisions folder (all sorted, one item per line, so a diff shows each decision):
  decisions.jsonl  one JSON object per line:
                   {"action": "dismiss", "review_id", "kind", "document", "page", "text", "note", ...}
                   {"action": "set", "project_id", "field", "value", "review_id" (when given), ...}
                   with "decided_at" (UTC) and "decided_by" (the login name).
  variants.csv     place_id,variant — spellings staff accepted (`c2c review accept`), merged over the
                   shipped gazetteer's.
  places.csv       optional: places staff add, in the gazetteer's places.csv columns.

`c2c run` only reads these; `c2c review accept|set|dismiss` write them, each decision validated
first, then written atomically (a temporary file renamed into place) under a lock, so concurrent
commands all land. Raises DecisionError (one line, the reason) for a decision that cannot stand.
"""
from __future__ import annotations

import csv
import getpass
import hashlib
import io
import json
import re
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock

from .records import ProjectRow, columns

DEFAULT_FOLDER = Path("review")
DECISIONS_FILE = "decisions.jsonl"
VARIANTS_FILE = "variants.csv"
PLACES_FILE = "places.csv"
LOCK_FILE = ".decisions.lock"
# How long a command waits for another one writing the same folder.
LOCK_WAIT_SECONDS = 60.0
# Project fields a person may set by hand, and how a value typed on the command line is read.
SETTABLE_FIELDS = {"title": str, "proposer": str, "country": str, "summary": str, "fiscal_year": int,
                   "round": int, "number": int, "co_implementers": list, "fields": list}
# Characters a spelling may not hold: "|" separates spellings in the gazetteer's files and in CSV
# cells, so a name holding one would come back as two.
_FORBIDDEN_IN_NAMES = "|"


class DecisionError(Exception):
    """A decision that cannot be recorded (exit status 2): the message says why, in one line."""


@dataclass
class Decisions:
    """What the decisions folder holds, read once per run."""

    folder: Path
    dismissed: dict[str, dict] = field(default_factory=dict)  # review_id → decision
    set_values: dict[tuple[str, str], dict] = field(default_factory=dict)  # (project_id, field) → decision
    variants: list[tuple[str, str]] = field(default_factory=list)  # (place_id, variant)
    has_places: bool = False
    digest: str = ""  # of every decision file: part of what the tables are made from

    @property
    def empty(self) -> bool:
        return not (self.dismissed or self.set_values or self.variants or self.has_places)


def load(folder: Path | None) -> Decisions:
    """The decisions in `folder` (default `review/`); an absent folder holds none. Raises
    DecisionError for a file that cannot be read (named, with the line)."""
    folder = Path(folder or DEFAULT_FOLDER)
    decisions = Decisions(folder)
    digest = hashlib.sha256()
    path = folder / DECISIONS_FILE
    if path.exists():
        raw = path.read_bytes()
        digest.update(b"decisions\0" + raw)
        for n, line in enumerate(raw.decode("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                action = d["action"]
            except (ValueError, KeyError, TypeError):
                raise DecisionError(f"{path}:{n}: not a decision (a JSON object with an action)") from None
            if action == "dismiss":
                decisions.dismissed[d["review_id"]] = d
            elif action == "set":
                decisions.set_values[(d["project_id"], d["field"])] = d
            else:
                raise DecisionError(f"{path}:{n}: unknown action {action!r}")
    variants = folder / VARIANTS_FILE
    if variants.exists():
        raw = variants.read_bytes()
        digest.update(b"variants\0" + raw)
        decisions.variants = [(r["place_id"], r["variant"]) for r in _csv_rows(raw)]
    places = folder / PLACES_FILE
    if places.exists():
        digest.update(b"places\0" + places.read_bytes())
        decisions.has_places = True
    decisions.digest = digest.hexdigest()[:16] if path.exists() or variants.exists() or places.exists() else ""
    return decisions


def _csv_rows(raw: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


# --- the gazetteer a run uses: the shipped one with the staff additions over it --------------

def gazetteer_folder(decisions: Decisions, work: Path, shipped: Path | None = None) -> Path:
    """The gazetteer folder to load: `shipped` (default: the one in use) when staff added nothing,
    else a copy of it in `work` (replaced) with the staff variants added to its variants.csv and
    the staff places as staff_places.csv."""
    from gazetteer import data_folder

    shipped = Path(shipped or data_folder())
    if not decisions.variants and not decisions.has_places:
        return shipped
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(shipped, work, ignore=shutil.ignore_patterns("*.py", "__pycache__", "*.md", "*.pyc"))
    if decisions.variants:
        rows = []
        existing = work / VARIANTS_FILE
        if existing.exists():
            rows = [(r["place_id"], r["variant"]) for r in _csv_rows(existing.read_bytes())]
        _write_variants(existing, rows + decisions.variants)
    if decisions.has_places:
        shutil.copyfile(decisions.folder / PLACES_FILE, work / "staff_places.csv")
    return work


def _variants_csv(rows: list[tuple[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["place_id", "variant"])
    writer.writerows(sorted(set(rows)))
    return buffer.getvalue()


def _write_variants(path: Path, rows: list[tuple[str, str]]) -> None:
    from .state import atomic_write_text

    atomic_write_text(path, _variants_csv(rows))


# --- applying the decisions to a run's tables ---------------------------------------------------

def conflict_subject(row) -> tuple[str, str] | None:
    """(project_id, field) a conflict review row is about (its detail starts with them)."""
    m = re.match(r"(\S+) ([a-z_]+): ", row.detail or "") if row.kind == "conflict" else None
    return (m[1], m[2]) if m else None


def apply(tables, decisions: Decisions, log: Callable[[str], None]) -> None:
    """Values set by hand replace the extracted ones (and the project's `set_by_hand` names the
    field; its boxes in `field_sources` go); dismissed review items, and conflicts about a field set by hand, leave the review
    table. A decision about a project no longer in the tables is named on `log`, once."""
    by_id = {row.project_id: row for row in tables.projects}
    for (project_id, name), d in sorted(decisions.set_values.items()):
        row = by_id.get(project_id)
        if row is None:
            log(f"c2c: warning: {decisions.folder / DECISIONS_FILE}: no project {project_id} any more; "
                f"its {name} set by hand is not applied")
            continue
        setattr(row, name, d["value"])
        row.set_by_hand = sorted(set(row.set_by_hand) | {name})
    # A box shows where an extracted value is printed; a value set by hand is printed nowhere.
    if getattr(tables, "field_sources", None):
        tables.field_sources = [b for b in tables.field_sources
                                if (b.project_id, b.field) not in decisions.set_values]
    tables.review = [r for r in tables.review if r.review_id not in decisions.dismissed
                     and conflict_subject(r) not in decisions.set_values]


# --- recording a decision -----------------------------------------------------------------------

def _stamp() -> dict:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        who = ""
    return {"decided_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "decided_by": who}


def _locked(folder: Path) -> FileLock:
    folder.mkdir(parents=True, exist_ok=True)
    return FileLock(str(folder / LOCK_FILE), timeout=LOCK_WAIT_SECONDS)


def _record(folder: Path, key: Callable[[dict], tuple], decision: dict) -> None:
    """Add `decision` to decisions.jsonl, replacing an earlier one with the same key, under the lock,
    the file rewritten atomically and sorted."""
    from .state import atomic_write_text

    path = folder / DECISIONS_FILE
    with _locked(folder):
        rows = []
        if path.exists():
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        rows = [r for r in rows if key(r) != key(decision)] + [decision]
        rows.sort(key=lambda r: (r["action"], r.get("project_id") or "", r.get("field") or "",
                                 r.get("review_id") or ""))
        atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows))


def dismiss(folder: Path, row, note: str | None = None) -> dict:
    """Record that review item `row` (a ReviewRow or its dict) needs nothing more."""
    row = _as_dict(row)
    decision = {"action": "dismiss", "review_id": row["review_id"], "kind": row["kind"],
                "document": row["document"], "page": row["page"], "text": row["text"],
                "detail": row["detail"], "note": note, **_stamp()}
    _record(Path(folder), lambda r: (r["action"], r.get("review_id")), decision)
    return decision


def parse_value(name: str, text: str):
    """A value typed on the command line as the field's type: an int, a list (a JSON array, or one
    item), or text kept whole. Raises DecisionError for an unknown field or a value of the wrong type."""
    kind = SETTABLE_FIELDS.get(name)
    if kind is None:
        raise DecisionError(f"cannot set {name!r}; fields that can be set: {', '.join(SETTABLE_FIELDS)}")
    text = unicodedata.normalize("NFC", text)
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise DecisionError(f"{name} must be a whole number, not {text!r}") from None
    if kind is list:
        if text.lstrip().startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise DecisionError(f"{name}: {text!r} is not a JSON array of strings") from None
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise DecisionError(f"{name}: {text!r} is not a JSON array of strings")
            return value
        return [text] if text.strip() else []
    if not text.strip():
        raise DecisionError(f"{name} cannot be set to an empty value")
    if name == "country" and not re.fullmatch(r"[A-Z]{2}", text):
        raise DecisionError(f"country must be an ISO 3166-1 alpha-2 code such as VN, not {text!r}")
    return text


def set_value(folder: Path, project_id: str, name: str, value, row=None) -> dict:
    """Record `value` as project `project_id`'s `name`, set by hand (from review item `row`, if any)."""
    assert name in {n for n, _ in columns(ProjectRow)}, name
    decision = {"action": "set", "project_id": project_id, "field": name, "value": value, **_stamp()}
    if row is not None:
        decision["review_id"] = _as_dict(row)["review_id"]
    _record(Path(folder), lambda r: (r["action"], r.get("project_id"), r.get("field")), decision)
    return decision


def spelling(text: str) -> str:
    """A printed name as a gazetteer spelling: NFKC, a name broken over lines joined again (kept
    whole), spaces at the ends removed. Raises DecisionError for an empty one or one holding "|"."""
    variant = re.sub(r"\s*[\r\n]+\s*", "", unicodedata.normalize("NFKC", text)).strip()
    if not variant:
        raise DecisionError("an empty name cannot be a spelling")
    if any(c in variant for c in _FORBIDDEN_IN_NAMES):
        raise DecisionError(f"«{variant}» holds '|', which separates spellings in the gazetteer's files; "
                            "accept each name on its own")
    return variant


def accept(folder: Path, text: str, place_id: str, work: Path) -> str:
    """Record `text` as a spelling of `place_id` in the folder's variants.csv, once the gazetteer with
    it added still passes its checks (a spelling another place has, a bare stem such as 大阪 that
    would match every 大阪X, an unknown place: DecisionError, nothing written). Returns the spelling
    recorded. `work` is a scratch folder for the trial gazetteer."""
    from .gazetteer import Gazetteer

    folder = Path(folder)
    variant = spelling(text)
    current = load(folder)
    before = Gazetteer.load(gazetteer_folder(current, work / "before"))
    if place_id not in before.places:
        raise DecisionError(f"no place {place_id!r} in the gazetteer")
    place = before.places[place_id]
    if variant in (place.name_ja, *place.variants):
        return variant
    # A spelling another place already has, in any country (the gazetteer's own check allows the
    # same name in two countries, as GeoNames has them): a person teaching a spelling means one place.
    others = [pid for pid, p in before.places.items()
              if pid != place_id and variant in (p.name_ja, *p.variants)]
    if others:
        raise DecisionError(f"cannot accept «{variant}» as {place_id}: spelling {variant!r} is claimed by "
                            f"{', '.join(sorted([*others, place_id]))}")
    trial = Decisions(folder, variants=current.variants + [(place_id, variant)], has_places=current.has_places)
    after = Gazetteer.load(gazetteer_folder(trial, work / "after"))
    new_problems = sorted(set(after.check()) - set(before.check()))
    if new_problems:
        raise DecisionError(f"cannot accept «{variant}» as {place_id}: {new_problems[0]}")
    path = folder / VARIANTS_FILE
    with _locked(folder):
        rows = [(r["place_id"], r["variant"]) for r in _csv_rows(path.read_bytes())] if path.exists() else []
        taken = [pid for pid, v in rows if v == variant and pid != place_id]
        if taken:  # accepted for another place while this one was being checked
            raise DecisionError(f"cannot accept «{variant}» as {place_id}: already accepted as {taken[0]}")
        _write_variants(path, rows + [(place_id, variant)])
    return variant


def listed(folder: Path) -> list[dict]:
    """Every decision in `folder`, for `c2c review --decided`: decisions.jsonl's, then the accepted
    spellings as {"action": "accept", "place_id", "variant"}."""
    folder = Path(folder)
    rows = []
    path = folder / DECISIONS_FILE
    if path.exists():
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    variants = folder / VARIANTS_FILE
    if variants.exists():
        rows += [{"action": "accept", "place_id": r["place_id"], "variant": r["variant"]}
                 for r in _csv_rows(variants.read_bytes())]
    return rows


def _as_dict(row) -> dict:
    if isinstance(row, dict):
        return row
    from .records import row_dict

    return row_dict(row)
