"""One run: discover → (re)read changed documents → resolve → dedupe → emit, with the manifest.

The command line is a thin layer over `run()` and `status()`.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout

from . import publish
from .discover import Action, plan, scan
from .document import code_version
from .progress import Stages
from .propose import ModelProcess
from .records import Extraction, row_dict
from .state import STATE_DIR, State, append_run

SUMMARY_NAMES = 10  # review items named in the summary on stdout
# The cross-document stages' entry modules: besides the extractions and the gazetteer data, the
# tables depend on everything these import (see cachekey.py).
CROSS_DOCUMENT_STAGE = ("pipeline.run", "pipeline.resolve", "pipeline.dedupe", "pipeline.emit")
# Errors that may go away on their own are not cached: the next run tries the file again, and the
# document keeps the records of its last good read meanwhile.
_TRANSIENT_ERRORS = {"timeout", "internal"}
KEPT_NOTE = "its records are from the previous read"
# The manifest's list of new documents whose first read failed that way (no records to keep):
# {document: {sha256, error_kind}}, so the next run says it retries them.
_RETRY = "retry"
_RETRY_REASON = "its last read failed"


class UsageError(Exception):
    """A problem with how the command was called (exit status 2)."""


class GazetteerError(UsageError):
    """The gazetteer has errors: the run stops before writing anything (exit status 2)."""

    def __init__(self, folder, problems: list[str]):
        super().__init__("\nc2c: ".join([f"the gazetteer in {folder} has {len(problems)} error"
                                         f"{'s' if len(problems) > 1 else ''}; nothing was written "
                                         "(`c2c gazetteer check` says the same)", *problems]))


class LockedError(RuntimeError):
    """Another run holds the output folder (exit status 1)."""


@dataclass
class RunOptions:
    raw: Path
    out: Path
    jobs: int = 1
    timeout: float | None = 120.0
    force: bool = False
    executor: str = "local"
    scheduler: str | None = None
    use_ner: bool = True
    ocr: bool = True  # read pages without a usable text layer by OCR (--ocr/--no-ocr)
    lock_wait: float = 600.0
    allow_empty: bool = False  # a --raw with no PDFs may remove every document of the last run
    decisions: Path | None = None  # the review decisions folder (`review/` from the command line)


@dataclass
class RunResult:
    exit_code: int
    counts: dict[str, int]
    actions: list[dict]
    failed: list[Extraction] = field(default_factory=list)
    review_size: int = 0
    changes: dict[str, int] = field(default_factory=dict)  # counts of project_changes
    # Project ids added, removed, and changed (with the fields that changed) since the last tables.
    project_changes: dict = field(default_factory=lambda: {"added": [], "changed": {}, "removed": []})
    skipped_outputs: bool = False
    names_to_check: list[str] = field(default_factory=list)  # a few review items, for the summary


@functools.lru_cache(maxsize=1)
def _cross_version() -> str:
    from .cachekey import stage_key

    return stage_key(CROSS_DOCUMENT_STAGE)


def _check_paths(raw: Path, out: Path) -> None:
    if not raw.is_dir():
        raise UsageError(f"--raw {raw}: not a folder")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    raw_r, out_r = raw.resolve(), out.resolve()
    if out_r == raw_r or raw_r in out_r.parents:
        raise UsageError(f"--out {out} lies inside --raw {raw}: outputs would be read as inputs")


def _with_cache_check(actions: list[Action], state: State) -> list[Action]:
    """A document to reuse whose cached result has gone is read again."""
    return [Action(a.document, "parse", "cached result missing", a.source)
            if a.action == "reuse" and not state.has_extraction(a.document) else a for a in actions]


def _document_key(document: str, state: State, uncached: dict[str, Extraction]) -> tuple:
    """What the tables take from one document: its bytes, and whether its last read failed."""
    if document in uncached:
        return document, uncached[document].sha256
    entry = state.documents[document]
    kept = entry.get("kept")
    return (document, entry["sha256"], kept["error_kind"], kept["error"]) if kept else (document, entry["sha256"])


def _ner_model(use_ner: bool) -> str | None:
    from .propose import model_name

    return model_name() if use_ner else None


def _inputs_key(shas: list[tuple], version: str, gazetteer_version: str, use_ner: bool,
                decisions_digest: str = "") -> str:
    """Everything the tables are made from: (document, sha256) pairs, the code, the gazetteer (with
    the staff additions), the NER model asked (none with --no-ner) and the review decisions."""
    return hashlib.sha256(json.dumps(
        [shas, version, gazetteer_version, _cross_version(), _ner_model(use_ner), decisions_digest]).encode()
    ).hexdigest()


def _decisions(folder: Path | None):
    """The review decisions in `folder` (none when None); UsageError for a file that cannot be read."""
    from .decisions import Decisions, DecisionError, load

    if folder is None:
        return Decisions(Path("review"))
    try:
        return load(folder)
    except DecisionError as e:
        raise UsageError(str(e))


def _with_retries(actions: list[Action], state: State) -> list[Action]:
    """A new document whose first read failed for a reason that may go away (a timeout, a worker
    that died) is read again, and says so, like a known one whose records were kept."""
    retry = state.manifest.get(_RETRY, {})
    out = []
    for a in actions:
        entry = retry.get(a.document)
        if a.action == "parse" and a.reason == "new document" and entry and a.source \
                and entry.get("sha256") == a.source.sha256:
            a = Action(a.document, "parse", f"{_RETRY_REASON} ({entry.get('error_kind')})", a.source)
        out.append(a)
    return out


def is_retry(action: Action) -> bool:
    """Whether a run reads `action`'s document only to retry a read that failed for a reason that
    may go away."""
    return action.action == "parse" and action.reason.startswith(f"{_RETRY_REASON} (")


@dataclass
class StatusReport:
    """What a run would do: each document's action and why, and why the tables would be rebuilt
    (empty when they are up to date). `up_to_date` is False when a run would read a new, changed
    or removed document or rebuild the tables; documents waiting only for a retry after a
    transient failure, and documents kept because their folder cannot be listed, do not count."""

    actions: list[Action]
    rebuild: list[str]

    @property
    def up_to_date(self) -> bool:
        return not self.rebuild and all(a.action in ("reuse", "keep") or is_retry(a) for a in self.actions)

    def to_json(self) -> dict:
        words = {"parse": "read", "reuse": "reuse", "remove": "drop", "keep": "keep"}
        counts = {w: sum(1 for a in self.actions if a.action == k) for k, w in words.items()}
        counts["retry"] = sum(1 for a in self.actions if is_retry(a))
        return {"up_to_date": self.up_to_date,
                "documents": [{"document": a.document, "action": words[a.action], "reason": a.reason}
                              for a in self.actions],
                "counts": counts,
                "tables": {"up_to_date": not self.rebuild, "reasons": self.rebuild}}


def status(raw: Path, out: Path, force: bool = False, use_ner: bool = True,
           decisions: Path | None = None, ocr: bool = True) -> StatusReport:
    """What a run would do with each document, and why the tables would be rebuilt, without doing
    anything. It decides as `run` does. Raises UsageError for bad paths or decisions."""
    actions, rebuild = _status(raw, out, force, use_ner, decisions, ocr)
    return StatusReport(actions, rebuild)


def _status(raw: Path, out: Path, force: bool, use_ner: bool,
            decisions: Path | None, ocr: bool = True) -> tuple[list[Action], list[str]]:
    _check_paths(raw, out)
    state = State(out)
    version = code_version(ocr)
    found = scan(raw, state.documents)
    actions = _with_retries(
        _with_cache_check(plan(found.sources, state.documents, version, force, found.unlisted), state), state)
    recorded = state.manifest.get("outputs", {})
    if not recorded.get("files"):
        return actions, ["no tables written yet"]
    if any(a.action not in ("reuse", "keep") and not is_retry(a) for a in actions):
        return actions, ["documents to read or drop"]
    # The tables as the last run made them: a document waiting for a retry as it failed then.
    retry = state.manifest.get(_RETRY, {})
    keys = sorted([_document_key(d, state, {}) for d in state.documents]
                  + [(a.document, retry[a.document]["sha256"]) for a in actions
                     if is_retry(a) and a.document not in state.documents])
    from .decisions import gazetteer_folder

    decided = _decisions(decisions)
    with tempfile.TemporaryDirectory(prefix="c2c-status-") as work:
        gazetteer_version = _gazetteer_version(gazetteer_folder(decided, Path(work) / "gazetteer"))
    if state.outputs_current(_inputs_key(keys, version, gazetteer_version, use_ner, decided.digest)):
        return actions, []
    reasons = []
    if recorded.get("gazetteer_version") != gazetteer_version:
        reasons.append("the gazetteer changed")
    if recorded.get("decisions", "") != decided.digest:
        reasons.append("the review decisions changed")
    if recorded.get("cross_version") != _cross_version():
        reasons.append("the resolve/dedupe/emit code changed")
    if recorded.get("ner_failed"):
        reasons.append("the NER model could not run last time")
    last_model = recorded.get("ner_model")
    if last_model != _ner_model(use_ner):
        reasons.append(f"the last run used the NER model {last_model}" if last_model
                       else "the last run skipped the NER model")
    missing = state.changed_outputs()
    if missing:
        reasons.append(f"output files missing or changed: {', '.join(missing[:3])}"
                       + (f" and {len(missing) - 3} more" if len(missing) > 3 else ""))
    return actions, reasons or ["the inputs changed"]


def _fingerprint(project: dict) -> dict[str, str]:
    """A short digest per field of a project row, its sources without their sha256: a re-issued PDF
    changes every fingerprint of a file, but only the fields whose values differ have changed."""
    values = dict(project, sources=[(s["document"], s["pages"]) for s in project["sources"]])
    return {name: hashlib.sha1(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:12]
            for name, value in values.items() if name != "project_id"}


def _old_projects(out: Path) -> dict[str, dict[str, str]]:
    path = out / "projects.jsonl"
    if not path.exists():
        return {}
    rows = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:  # an edited or damaged file (it is rebuilt) gives what can still be read
                row = json.loads(line)
                rows[row["project_id"]] = _fingerprint(row)
            except (ValueError, TypeError, KeyError, AttributeError):
                continue
    return rows


def _project_changes(old: dict[str, dict[str, str]], projects: list[dict]) -> dict:
    """Which projects are new, gone, or changed, and in which fields, since the last tables."""
    new = {r["project_id"]: _fingerprint(r) for r in projects}
    changed = {}
    for project_id in sorted(set(new) & set(old)):
        fields = sorted(f for f in set(new[project_id]) | set(old[project_id])
                        if new[project_id].get(f) != old[project_id].get(f))
        if fields:
            changed[project_id] = fields
    return {"added": sorted(set(new) - set(old)), "changed": changed, "removed": sorted(set(old) - set(new))}


def printable(text: str) -> str:
    """`text` with control characters (newlines, escapes, undecodable bytes of a file name) written
    as Python escapes, so that one message stays one line and cannot drive the terminal."""
    return "".join(ch.encode("unicode_escape", "backslashreplace").decode("ascii")
                   if unicodedata.category(ch) in _UNPRINTABLE else ch for ch in text)


_UNPRINTABLE = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def run(opts: RunOptions, progress: Stages | None = None,
        log: Callable[[str], None] = lambda s: print(s, file=sys.stderr)) -> RunResult:
    """Read every PDF under `opts.raw` and write the tables into `opts.out`, reporting each stage
    to `progress` and each problem (one line each) to `log`.

    Raises UsageError (bad options or paths, a gazetteer with errors, decisions that cannot be read,
    a --raw with no PDFs that would remove every document), LockedError (another run holds --out),
    executors.ExecutorUnavailable (no Dask scheduler at --scheduler) and executors.ExecutorLost
    (the scheduler went away mid-run; what was read is kept)."""
    _check_paths(opts.raw, opts.out)
    shown = log
    log = lambda line: shown(printable(line))  # noqa: E731  every message is one line
    if opts.out.is_symlink():  # the set is published where the link points; the link stays
        opts = dataclasses.replace(opts, out=opts.out.resolve())
    try:
        publish.recover(opts.out)
        opts.out.mkdir(parents=True, exist_ok=True)
        publish.replace_planted_links(opts.out, log)
        (opts.out / STATE_DIR).mkdir(exist_ok=True)
        _probe_writable(opts.out / STATE_DIR)
    except OSError as e:
        raise UsageError(f"--out {opts.out}: cannot write there ({e.strerror or e})") from None
    if not os.access(opts.out.resolve().parent, os.W_OK | os.X_OK):
        raise UsageError(f"--out {opts.out}: cannot write beside it (a new set of tables is made in "
                         f"{publish.staging_folder(opts.out).name} there, then swapped in)")
    lock = FileLock(str(opts.out / STATE_DIR / "lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log(f"c2c: another run is writing {opts.out}; waiting for it (up to {opts.lock_wait:g} s)")
        try:
            lock.acquire(timeout=opts.lock_wait)
        except Timeout:
            raise LockedError(f"{opts.out} is locked by another c2c run; try again when it has finished")
    try:
        with contextlib.ExitStack() as cleanup:  # what the run starts (the NER model's process) stops with it
            return _run_locked(opts, progress or Stages(), log, cleanup)
    finally:
        lock.release()


def _probe_writable(folder: Path) -> None:
    """Raise OSError unless a file can be created in `folder`."""
    fd, name = tempfile.mkstemp(prefix=".probe-", dir=folder)
    os.close(fd)
    os.unlink(name)


def _gazetteer_version(folder: Path) -> str:
    from .gazetteer import content_version

    return content_version(folder)


def _checked_gazetteer(state: State, gazetteer_version: str, folder: Path, log):
    """The gazetteer of `folder` (the one in use, with the staff additions), validated when it
    changed since the last tables were made; None when it did not (it passed then). Raises
    GazetteerError when it has errors."""
    if state.manifest.get("outputs", {}).get("gazetteer_version") == gazetteer_version:
        return None
    from gazetteer import data_folder

    from .gazetteer_check import validate_remembered

    verdict = validate_remembered(folder, gazetteer_version)
    if verdict.errors:
        raise GazetteerError(data_folder(), verdict.errors)
    for line in verdict.warnings:
        log(f"c2c: gazetteer warning: {line}")
    return verdict.gazetteer


def _run_locked(opts: RunOptions, progress: Stages, log, cleanup: contextlib.ExitStack) -> RunResult:
    from .decisions import gazetteer_folder

    started = datetime.now(timezone.utc)
    state = State(opts.out)
    version = code_version(opts.ocr)
    decided = _decisions(opts.decisions)  # decisions that cannot be read stop the run first
    gazetteer_path = gazetteer_folder(decided, opts.out / STATE_DIR / "gazetteer")
    gazetteer_version = _gazetteer_version(gazetteer_path)
    gazetteer = _checked_gazetteer(state, gazetteer_version, gazetteer_path, log)
    progress.begin("finding")
    found = scan(opts.raw, state.documents)
    if not found.sources and not found.unlisted and state.documents and not opts.allow_empty:
        raise UsageError(f"--raw {opts.raw} holds no PDFs; refusing to remove the {len(state.documents)} "
                         "documents of the last run (pass --allow-empty to do so)")
    if not found.sources:
        log(f"c2c: warning: no PDFs under --raw {opts.raw}")
    actions = _with_retries(
        _with_cache_check(plan(found.sources, state.documents, version, opts.force, found.unlisted), state), state)
    retry: dict = state.manifest.setdefault(_RETRY, {})
    # Each document's sha256 in the last run (a new one waiting for a retry too), for the counts.
    previous = ({d: e.get("sha256") for d, e in retry.items()}
                | {d: e.get("sha256") for d, e in state.documents.items()})
    progress.end()
    publish.checkpoint("planned")
    for folder in found.unlisted:
        log(f"c2c: {folder.folder}/: cannot be listed ({folder.reason}); the documents under it keep the "
            "records of their last read")
    # Read results live in the cache, not in memory (memory stays flat in the number of documents);
    # only failures that are not cached (timeouts) are kept here.
    uncached: dict[str, Extraction] = {}
    reasons: dict[str, tuple[str, str]] = {}

    to_parse = []
    for a in actions:
        if a.action == "reuse":
            state.touch(a.document, a.source.mtime_ns)
            reasons[a.document] = ("reused", a.reason)
        elif a.action == "parse":
            to_parse.append(a)
        elif a.action == "remove":
            state.forget(a.document)
            retry.pop(a.document, None)
            reasons[a.document] = ("removed", a.reason)
        elif a.action == "keep":
            reasons[a.document] = ("failed", a.reason)
            if state.keep(a.document, "internal", a.reason):
                reasons[a.document] = ("failed", f"internal: {a.reason}; {KEPT_NOTE}")

    # Documents to read almost always bring text the NER model has not seen: its process loads the
    # model (about 0.8 s of CPU) towards the end of the reading rather than after it (`_read`);
    # stopped unused if no text needs it.
    model = cleanup.enter_context(contextlib.closing(ModelProcess())) if to_parse and opts.use_ner else None
    if to_parse:
        try:
            _read(opts, state, to_parse, version, reasons, uncached, retry, progress, log, model)
        finally:  # what was read survives a run that fails half-way (a lost Dask scheduler)
            state.save()
    for document, entry in sorted(state.documents.items()):
        if entry.get("status") == "error" and reasons.get(document, ("",))[0] == "reused":
            kind = entry.get("error_kind")
            message = (entry.get("error") or "").removeprefix(f"{kind}: ")
            log(f"c2c: {document}: {kind}: {message} (unchanged since the last run)")
            reasons[document] = ("failed", f"{kind}: {message} (unchanged since the last run)")
    documents = sorted(set(state.documents) | set(uncached))

    inputs_key = _inputs_key([_document_key(d, state, uncached) for d in documents], version, gazetteer_version,
                             opts.use_ner, decided.digest)
    result = RunResult(exit_code=0, counts={}, actions=[])
    edited = state.changed_outputs()
    # Named when their content was recorded (a manifest of an older version recorded sizes only).
    noticed = [n for n in edited if isinstance(state.manifest["outputs"]["files"].get(n), dict)]
    if noticed:
        log(f"c2c: warning: output files edited, damaged or missing since the last run: {', '.join(noticed[:5])}"
            + (f" and {len(noticed) - 5} more" if len(noticed) > 5 else "") + "; the tables are made again")
    if not to_parse and not edited and state.outputs_current(inputs_key):
        result.skipped_outputs = True
        result.review_size = state.manifest.get("outputs", {}).get("review_size", 0)
    else:
        result.review_size, result.project_changes, result.names_to_check = _build_outputs(
            opts, state, documents, uncached, inputs_key, progress, log, decided, gazetteer_path, gazetteer, model)
    result.changes = {"projects_added": len(result.project_changes["added"]),
                      "projects_removed": len(result.project_changes["removed"]),
                      "projects_changed": len(result.project_changes["changed"])}
    state.save()
    publish.checkpoint("saved")

    for a in actions:
        action, reason = reasons.get(a.document, ("failed", "not read"))
        result.actions.append({"document": a.document, "action": action, "reason": reason})
    result.failed = sorted(d for d in documents if (uncached[d].status if d in uncached
                                                    else state.documents[d].get("status")) == "error"
                           or state.documents.get(d, {}).get("kept"))
    result.counts = document_counts(actions, previous, set(result.failed))
    result.exit_code = 3 if result.failed or found.unlisted else 0
    append_run(opts.out, {
        "run_id": f"{started.strftime('%Y%m%dT%H%M%S%fZ')}",
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "code_version": version,
        "gazetteer_version": gazetteer_version,
        "documents": result.counts,
        "actions": result.actions,
        "projects": result.project_changes,
        "exit_code": result.exit_code,
    })
    publish.checkpoint("recorded")
    return result


# Seconds of reading left when the NER model's process is started: about what loading the model
# takes. Started earlier, it would take a core from the document workers for the whole of its load.
MODEL_START_LEAD_SECONDS = 1.5


def _read(opts: RunOptions, state: State, to_parse: list[Action], version: str, reasons: dict,
          uncached: dict[str, Extraction], retry: dict, progress: Stages, log, model=None) -> None:
    """The per-document stage over `to_parse`, results stored in the cache as they come. `model`
    (a `ModelProcess`) is started when the documents left would be read, at the pace so far,
    within `MODEL_START_LEAD_SECONDS`."""
    from .executors import DASK_LIMITS_WARNING, run_documents

    progress.begin("reading", len(to_parse))
    started = last_save = time.monotonic()
    done = 0
    for n, (i, ex) in enumerate(run_documents([a.source for a in to_parse], opts.jobs, opts.timeout,
                                              opts.executor, opts.scheduler, opts.ocr)):
        if n == 0 and opts.executor == "dask":  # said once a cluster answered
            log(f"c2c: warning: {DASK_LIMITS_WARNING}")
        a = to_parse[i]
        done += 1
        retry.pop(a.document, None)
        if ex.status == "error":
            message = (ex.error or "").removeprefix(f"{ex.error_kind}: ")
            # An error that may go away is not cached: the next run tries again. Meanwhile the
            # document keeps the records of its last good read, when it has some.
            transient = ex.error_kind in _TRANSIENT_ERRORS
            kept = transient and state.keep(a.document, ex.error_kind, message)
            note = f"; {KEPT_NOTE}" if kept else ""
            log(f"c2c: {a.document}: {ex.error_kind}: {message}{note}")
            reasons[a.document] = ("failed", f"{ex.error_kind}: {message}{note}")
            if transient and not kept:
                state.forget(a.document)
                uncached[a.document] = ex
                retry[a.document] = {"sha256": ex.sha256, "error_kind": ex.error_kind}
            elif not transient:
                state.store_extraction(ex, version, a.source.mtime_ns)
        else:
            reasons[a.document] = ("parsed", a.reason)
            state.store_extraction(ex, version, a.source.mtime_ns)
        if time.monotonic() - last_save > 5:  # progress survives a crash
            state.save()
            last_save = time.monotonic()
        publish.checkpoint(f"read-{done}")
        progress.advance(a.document)
        if model is not None and (len(to_parse) - done) * (time.monotonic() - started) / done \
                <= MODEL_START_LEAD_SECONDS:
            model.start()  # (once: a started process is not started again)
    progress.end()


def document_counts(actions: list[Action], previous: dict[str, str], failed: set[str]) -> dict[str, int]:
    """The summary's counts, one rule on every run: each document under --raw or in the last run
    is counted once, as
      failed     its result is an error (read now and failed, failed before and unchanged since, or
                 kept from its last good read);
      removed    in the last run, no longer under --raw;
      new        not in the last run, read without error;
      changed    its bytes differ from the last run's, read without error;
      unchanged  the same bytes as the last run, without error (reused, or read again because the
                 extraction code changed, its cached result went missing, --force, or a retry).
    `previous` maps each document of the last run (a failed one waiting for a retry too) to its
    sha256. So new + changed + unchanged + failed is the number of documents under --raw."""
    counts = {"new": 0, "changed": 0, "unchanged": 0, "removed": 0, "failed": 0}
    for a in actions:
        if a.action == "remove":
            counts["removed"] += 1
        elif a.document in failed:
            counts["failed"] += 1
        elif a.document not in previous:
            counts["new"] += 1
        elif a.source is not None and a.source.sha256 != previous[a.document]:
            counts["changed"] += 1
        else:
            counts["unchanged"] += 1
    return counts


class _StagedResolver:
    """The resolver, saying when the run moves on to the NER model's proposals (asked once every
    document is resolved) and then to writing the tables."""

    def __init__(self, resolver, progress: Stages, use_ner: bool):
        self._resolver, self._progress, self._use_ner = resolver, progress, use_ner

    def resolve(self, extraction):
        return self._resolver.resolve(extraction)

    def proposals(self):
        if self._use_ner:
            self._progress.begin("proposing")
        rows = self._resolver.proposals()
        self._progress.begin("writing")
        return rows


def _build_outputs(opts: RunOptions, state: State, documents: list[str], uncached: dict[str, Extraction],
                   inputs_key: str, progress: Stages, log, decided, gazetteer_path: Path,
                   gazetteer=None, model=None) -> tuple[int, dict, list[str]]:
    """The cross-document stages; extractions are loaded one at a time from the cache. The review
    decisions are applied to the tables last."""
    from .decisions import apply as apply_decisions
    from .dedupe import build_tables
    from .emit import Emitter
    from .gazetteer import Gazetteer
    from .resolve import Resolver

    gazetteer = gazetteer or Gazetteer.load(gazetteer_path)
    proposal_cache = state.load_proposals()
    staging = publish.new_staging(opts.out)
    emitter = Emitter(staging)
    resolver = Resolver(gazetteer, proposal_cache, use_ner=opts.use_ner, log=log, model=model)

    progress.begin("resolving", len(documents))

    def extractions():  # one at a time, in order: mention rows stream straight out
        for document in documents:
            extraction = uncached.get(document) or state.load_extraction(document)
            progress.advance(document)
            if extraction is None:
                continue
            kept = state.documents.get(document, {}).get("kept")
            if kept:  # resolved as read last time; its documents row says why
                extraction.status, extraction.error_kind = "error", kept["error_kind"]
                extraction.error = f"{kept['error']}; {KEPT_NOTE} (sha256 {extraction.sha256[:12]}…)"
            yield extraction
            publish.checkpoint(f"resolved-{document}")

    try:
        tables = build_tables(extractions(), gazetteer, _StagedResolver(resolver, progress, opts.use_ner),
                              spill_folder=emitter.folder,
                              stream_mentions=lambda rows: emitter.stream("mentions", rows))
        apply_decisions(tables, decided, log)
        old = _old_projects(opts.out)
        changes = _project_changes(old, [row_dict(r) for r in tables.projects])
        report = _write_report(emitter.folder, tables, changes, opts)
    except BaseException:
        resolver.close()
        emitter.abort()
        raise
    written = emitter.finish(tables, extra=(report,))
    progress.end()
    publish.checkpoint("emitted")
    state.save_proposals(proposal_cache, folder=staging)
    # Tables made without the proposals a model should have given are not current: the next run
    # builds them again and asks the model again.
    previous = set(state.manifest.get("outputs", {}).get("files", {}))
    state.record_outputs("" if resolver.model_failed else inputs_key, written, folder=staging)
    state.manifest["outputs"].update(gazetteer_version=gazetteer.version, cross_version=_cross_version(),
                                     decisions=decided.digest,
                                     ner_model=_ner_model(opts.use_ner), ner_failed=resolver.model_failed)
    state.manifest["outputs"]["review_size"] = len(tables.review)
    publish.carry_over(opts.out, staging, skip=previous | set(written), keep_docs=state.cache_names())
    publish.checkpoint("carried")
    state.save(folder=staging)  # last: a staging folder with its manifest is complete
    publish.checkpoint("staged")
    publish.swap(staging, opts.out)
    publish.checkpoint("swapped")
    publish.remove_old(opts.out)
    publish.checkpoint("published")
    names = [f"«{r.text}» ({r.document} p.{r.page}): {r.kind}" for r in tables.review
             if r.kind in ("unresolved_place", "low_confidence_place")]
    return len(tables.review), changes, names[:SUMMARY_NAMES]


def _write_report(folder: Path, tables, changes: dict, opts: RunOptions) -> str:
    """report.html beside the tables; review crops are rendered from the PDFs under --raw and kept
    in the state folder between runs."""
    from .report import write_report

    made = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return write_report(folder, tables, changes, opts.raw, opts.out / STATE_DIR / "crops", run_label=made,
                        processes=opts.jobs if opts.executor == "local" else 1)
