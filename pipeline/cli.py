"""The `c2c` command line: run, status, review (and the decisions staff record), gazetteer check, browse.

Exit status everywhere: 0 done (for `status`: up to date), 1 anything else (for `status`: a run
would do something), 2 a usage or configuration error, given as one line on stderr, 3 (`run`) some
documents failed.
"""
from __future__ import annotations

import sys

from .progress import start_early

# `c2c run` on a terminal: the progress display is up before the libraries below load.
_EARLY = start_early(sys.argv)

import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Optional  # noqa: E402

import typer  # noqa: E402

app = typer.Typer(no_args_is_help=True, add_completion=True, rich_markup_mode=None,
                  pretty_exceptions_show_locals=False,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help="Turn the City-to-City Collaboration PDFs (都市間連携事業) into datasets.")
review_app = typer.Typer(no_args_is_help=False, rich_markup_mode=None,
                         context_settings={"help_option_names": ["-h", "--help"]},
                         help="What a person should look at, and the decisions staff record about it.")
gazetteer_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                            context_settings={"help_option_names": ["-h", "--help"]},
                            help="The place data in gazetteer/.")
app.add_typer(review_app, name="review")
app.add_typer(gazetteer_app, name="gazetteer")

RAW = typer.Option(Path("raw"), "--raw", help="Folder of input PDFs (searched recursively).")
OUT = typer.Option(Path("extracted"), "--out", help="Folder the tables are written to.")
SUMMARY_IDS = 10  # project ids named per line of the summary; the full lists are in runs.jsonl


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def printable(text: str) -> str:
    from .run import printable as escape

    return escape(text)


def _usage(message: str) -> typer.Exit:
    """A usage error found by a command: one line on stderr; raise the result (exit status 2)."""
    _err(f"c2c: {message}")
    return typer.Exit(2)


def _version(value: bool) -> None:
    if value:
        from importlib import metadata

        try:
            version = metadata.version("c2c")
        except metadata.PackageNotFoundError:  # run from a checkout that is not installed
            version = "unknown (not installed)"
        print(f"c2c {version}")
        raise typer.Exit(0)


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")):
    """Turn the City-to-City Collaboration PDFs (都市間連携事業) into datasets."""


def _setup_logging(verbose: bool) -> None:
    if verbose:
        logging.basicConfig(stream=sys.stderr, level=logging.DEBUG, format="c2c: %(message)s")
        for noisy in ("distributed", "asyncio", "fsspec", "tornado", "bokeh", "filelock"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def _stages(quiet: bool, verbose: bool):
    """The progress reporter: a live display on a terminal, log lines with --verbose, nothing with
    --quiet or when stderr is not a terminal (scripts and CI see only errors there)."""
    from .progress import LogStages, Stages

    if quiet:
        return Stages()
    if verbose:
        return LogStages()
    if _EARLY is not None:
        return _EARLY
    if sys.stderr.isatty():
        from .progress import RichStages

        return RichStages()
    return Stages()


@app.command()
def run(raw: Path = RAW, out: Path = OUT,
        jobs: int = typer.Option(os.cpu_count() or 1, "--jobs", "-j", help="Parallel workers (at least 1)."),
        timeout: float = typer.Option(120.0, "--timeout", help="Seconds allowed per document, and per page "
                                      "of a scanned one read by OCR (0: no limit)."),
        ocr: bool = typer.Option(True, "--ocr/--no-ocr", help="Read pages without a usable text layer by OCR."),
        force: bool = typer.Option(False, "--force", help="Re-read every document, ignoring the manifest."),
        executor: str = typer.Option("local", "--executor", help="local or dask."),
        scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                                help="Dask scheduler address (tcp://host:port); with --executor dask."),
        no_ner: bool = typer.Option(False, "--no-ner", help="Do not ask the NER model for unknown place names."),
        allow_empty: bool = typer.Option(False, "--allow-empty",
                                         help="Let a --raw with no PDFs remove every document of the last run."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress and no summary: errors only."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each stage and document to stderr."),
        decisions: Path = typer.Option(Path("review"), "--decisions",
                                       help="Folder of review decisions to apply (read only).")):
    """Read every PDF under --raw and write the tables of SCHEMA.md into --out."""
    if quiet and verbose:
        raise _usage("--quiet and --verbose cannot be used together")
    if jobs < 1:
        raise _usage(f"--jobs must be at least 1, not {jobs}")
    if not timeout >= 0 or timeout == float("inf"):
        raise _usage(f"--timeout must be a number of seconds, 0 or more (0: no limit), not {timeout:g}")
    if executor not in ("local", "dask"):
        raise _usage(f"--executor must be local or dask, not {executor!r}")
    if scheduler is not None and executor != "dask":
        raise _usage("--scheduler needs --executor dask")
    if scheduler is not None and "://" not in scheduler and ":" not in scheduler:
        raise _usage(f"--scheduler {scheduler!r} is not an address like tcp://host:port")
    _setup_logging(verbose)
    from .executors import tune_collector

    tune_collector()  # the run holds every table's rows at once: see COLLECTOR_THRESHOLDS
    progress = _stages(quiet, verbose)
    try:
        if progress is not _EARLY:  # (the early display began with it)
            progress.begin("starting")  # on screen before anything slow is imported
        from .executors import ExecutorLost, ExecutorUnavailable
        from .run import LockedError, RunOptions, UsageError, run as run_pipeline

        opts = RunOptions(raw=raw, out=out, jobs=jobs, timeout=timeout or None, force=force, executor=executor,
                          scheduler=scheduler, use_ner=not no_ner, allow_empty=allow_empty, decisions=decisions,
                          ocr=ocr)
        try:
            result = run_pipeline(opts, progress=progress)
        except (UsageError, ExecutorUnavailable) as e:
            progress.close()
            raise _usage(str(e))
        except (LockedError, ExecutorLost) as e:
            progress.close()
            _err(f"c2c: {e}")
            raise typer.Exit(1)
        except OSError as e:  # a disk that filled up, a folder that went away: one line
            progress.close()
            _err(f"c2c: {printable(str(e))}")
            raise typer.Exit(1)
    finally:
        progress.close()
    if not quiet:
        _summary(result, out)
    raise typer.Exit(result.exit_code)


def _summary(result, out: Path) -> None:
    c = result.counts
    ch = result.changes
    print(f"documents: {c['new']} new, {c['changed']} changed, {c['unchanged']} unchanged, "
          f"{c['removed']} removed, {c['failed']} failed")
    print(f"projects: {ch['projects_added']} added, {ch['projects_changed']} changed, "
          f"{ch['projects_removed']} removed")
    pc = result.project_changes
    for label, items in (("added", pc["added"]),
                         ("changed", [f"{pid} ({', '.join(fields)})" for pid, fields in pc["changed"].items()]),
                         ("removed", pc["removed"])):
        if items:
            more = f" and {len(items) - SUMMARY_IDS} more" if len(items) > SUMMARY_IDS else ""
            print(f"  {label}: {printable(', '.join(items[:SUMMARY_IDS]))}{more}")
    items = "item waits" if result.review_size == 1 else "items wait"
    print(f"review: {result.review_size} {items} for a person (c2c review --out {out})")
    for name in result.names_to_check:
        print(f"  {printable(name)}")


@app.command()
def status(raw: Path = RAW, out: Path = OUT,
           force: bool = typer.Option(False, "--force", help="Show what --force would do."),
           no_ner: bool = typer.Option(False, "--no-ner", help="Show what a run with --no-ner would do."),
           ocr: bool = typer.Option(True, "--ocr/--no-ocr", help="Show what a run with --no-ocr would do."),
           as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout instead of text."),
           decisions: Path = typer.Option(Path("review"), "--decisions",
                                          help="Folder of review decisions a run would apply.")):
    """Say which documents a run would read, reuse or drop, and why, without running anything.

    Exit status 0 when everything is up to date, 1 when a run would read a new, changed or removed
    document or rebuild the tables (documents waiting only for a retry after a timeout or a worker
    that died are listed but do not count), 2 on a usage error."""
    from .run import UsageError, is_retry, status as plan_status

    try:
        report = plan_status(raw, out, force, use_ner=not no_ner, decisions=decisions, ocr=ocr)
    except UsageError as e:
        raise _usage(str(e))
    data = report.to_json()
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        for action, d in zip(report.actions, data["documents"]):
            word = "retry" if is_retry(action) else d["action"]
            print(printable(f"{word:6s} {d['document']}: {d['reason']}"))
        counts = data["counts"]
        retry = f" ({counts['retry']} a retry)" if counts["retry"] else ""
        print(f"{counts['read']} to read{retry}, {counts['reuse']} to reuse, {counts['drop']} to drop"
              + (f", {counts['keep']} to keep as last read" if counts["keep"] else ""))
        rebuild = data["tables"]["reasons"]
        print("tables: " + (f"to rebuild ({'; '.join(rebuild)})" if rebuild else "up to date"))
    raise typer.Exit(0 if report.up_to_date else 1)


# Every kind of review item (the review table's `kind`).
REVIEW_KINDS = ("unresolved_place", "low_confidence_place", "low_confidence_ocr", "conflict", "possible_duplicate",
                "unknown_header", "no_table", "no_records")
DECISIONS = typer.Option(Path("review"), "--decisions",
                         help="Folder of review decisions, beside raw/ and extracted/ (plain files to keep "
                              "under version control).")


def _review_rows(out: Path) -> list[dict]:
    path = out / "review.jsonl"
    if not path.exists():
        raise _usage(f"{path} does not exist; run `c2c run` first")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _review_item(out: Path, review_id: str) -> dict | None:
    return next((r for r in _review_rows(out) if r.get("review_id") == review_id), None)


def _looks_like_id(text: str) -> bool:
    return len(text) == 16 and all(c in "0123456789abcdef" for c in text)


@review_app.callback(invoke_without_command=True)
def review(ctx: typer.Context, out: Path = OUT,
           kind: Optional[str] = typer.Option(None, "--kind", help="Only this kind of review item: "
                                                                   + ", ".join(REVIEW_KINDS) + "."),
           as_json: bool = typer.Option(False, "--json", help="One JSON object per line on stdout."),
           decided: bool = typer.Option(False, "--decided", help="List the decisions recorded instead."),
           decisions: Path = DECISIONS):
    """List the review table (each item with the id the decisions below take), or with --decided
    the decisions staff recorded."""
    if ctx.invoked_subcommand is not None:
        return
    if kind is not None and kind not in REVIEW_KINDS:
        raise _usage(f"--kind must be one of {', '.join(REVIEW_KINDS)}; not {kind!r}")
    if decided:
        from .decisions import listed

        rows = [r for r in listed(decisions) if kind is None or r.get("kind") == kind]
        for r in rows:
            if as_json:
                print(json.dumps(r, ensure_ascii=False, sort_keys=True))
            elif r["action"] == "accept":
                print(f"accept  «{r['variant']}» is {r['place_id']}")
            elif r["action"] == "set":
                print(f"set     {r['project_id']} {r['field']} = {json.dumps(r['value'], ensure_ascii=False)}"
                      f"  ({r['decided_at']} {r['decided_by']})")
            else:
                note = f" — {r['note']}" if r.get("note") else ""
                print(f"dismiss {r['review_id']} {r['kind']} «{r['text']}»{note}  ({r['decided_at']} {r['decided_by']})")
        if not as_json:
            print(f"{len(rows)} decision" + ("" if len(rows) == 1 else "s") + f" in {decisions}")
        return
    rows = [r for r in _review_rows(out) if kind is None or r["kind"] == kind]
    if as_json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
        return
    for r in rows:
        cands = ", ".join(f"{c['place_id']} ({c['score']:g})" for c in r.get("candidates") or [])
        where = f"{r['document']} p.{r['page']}" if r.get("page") else (r.get("document") or "")
        print(f"{r['review_id']} {r['kind']:20s} {where}: «{r['text']}» {r['detail']}"
              + (f" — candidates: {cands}" if cands else ""))
    print(f"{len(rows)} item" + ("" if len(rows) == 1 else "s"))


@review_app.command("accept")
def review_accept(item: str = typer.Argument(..., help="A review item's id, or the name as printed."),
                  place_id: str = typer.Argument(..., help="The gazetteer place it names."),
                  out: Path = OUT, decisions: Path = DECISIONS):
    """Record a printed name (review item ITEM's, or ITEM itself) as a spelling of PLACE_ID, in the
    decisions folder's variants.csv; every later run resolves it."""
    import tempfile

    from .decisions import DecisionError, accept

    text = item
    if _looks_like_id(item) and (out / "review.jsonl").exists():
        row = _review_item(out, item)
        if row is None:
            raise _usage(f"no review item {item} in {out / 'review.jsonl'}")
        if row["kind"] not in ("unresolved_place", "low_confidence_place"):
            raise _usage(f"review item {item} is a {row['kind']}, not a place name; use `c2c review set` "
                         "or `c2c review dismiss`")
        text = row["text"]
    try:
        with tempfile.TemporaryDirectory(prefix="c2c-accept-") as work:
            variant = accept(decisions, text, place_id, Path(work))
    except DecisionError as e:
        raise _usage(str(e))
    print(f"«{variant}» is now a spelling of {place_id} (recorded in {decisions}); the next run resolves it")


@review_app.command("set")
def review_set(item: str = typer.Argument(..., help="A project id, or the id of a conflict about one."),
               field_name: str = typer.Argument(..., metavar="FIELD", help="The project field to set."),
               value: str = typer.Argument(..., help="Its value (a list field: a JSON array, or one item)."),
               out: Path = OUT, decisions: Path = DECISIONS):
    """Set a project's FIELD to VALUE by hand (a misread, a conflict settled): every later run uses
    it over the extracted value and names the field in the project's set_by_hand."""
    from .decisions import DecisionError, conflict_subject, parse_value, set_value
    from .records import ReviewRow

    projects_path = out / "projects.jsonl"
    if not projects_path.exists():
        raise _usage(f"{projects_path} does not exist; run `c2c run` first")
    project_ids = {json.loads(line)["project_id"] for line in projects_path.read_text(encoding="utf-8").splitlines()
                   if line.strip()}
    row = None
    project_id = item
    if item not in project_ids:
        row = _review_item(out, item)
        if row is None:
            raise _usage(f"{item} is neither a project id in {projects_path} nor a review item's id")
        subject = conflict_subject(ReviewRow(kind=row["kind"], document=row["document"], page=row["page"],
                                             text=row["text"], candidates=[], detail=row["detail"]))
        if subject is None:
            raise _usage(f"review item {item} ({row['kind']}) is not about one project's field; give the project id")
        project_id = subject[0]
    try:
        parsed = parse_value(field_name, value)
        set_value(decisions, project_id, field_name, parsed, row)
    except DecisionError as e:
        raise _usage(str(e))
    print(f"{project_id} {field_name} is set by hand to {json.dumps(parsed, ensure_ascii=False)} "
          f"(recorded in {decisions}); the next run uses it")


@review_app.command("dismiss")
def review_dismiss(item: str = typer.Argument(..., help="The review item's id."),
                   note: Optional[str] = typer.Option(None, "--note", help="Why (kept with the decision)."),
                   out: Path = OUT, decisions: Path = DECISIONS):
    """Record that review item ITEM needs nothing more: later runs leave it out of the review table."""
    from .decisions import DecisionError, dismiss

    row = _review_item(out, item)
    if row is None:
        raise _usage(f"no review item {item} in {out / 'review.jsonl'}")
    try:
        dismiss(decisions, row, note)
    except DecisionError as e:
        raise _usage(str(e))
    print(f"{item} ({row['kind']} «{row['text']}») is dismissed (recorded in {decisions})")


@gazetteer_app.command("check")
def gazetteer_check(notes: bool = typer.Option(False, "--notes", help="Also list the homonyms of the generated "
                                                                      "files (known, allowed).")):
    """Validate the gazetteer: readable files with every column, unique ids, unambiguous variants and
    keys, existing parents. Errors exit 1; warnings (homonymous places) do not."""
    from .gazetteer_check import validate

    verdict = validate()
    for line in verdict.errors:
        print(printable(line))
    for line in verdict.warnings + (verdict.notes if notes else []):
        print(printable(f"warning: {line}"))
    places = len(verdict.gazetteer.places) if verdict.gazetteer else 0
    print(f"{places} places, {len(verdict.errors)} problems, {len(verdict.warnings)} warnings"
          + (f" ({len(verdict.notes)} known homonyms in the generated files: --notes lists them)"
             if verdict.notes and not notes else ""))
    raise typer.Exit(1 if verdict.errors else 0)


@app.command()
def browse(out: Path = OUT,
           port: int = typer.Option(8001, "--port", "-p", min=0, max=65535, help="Port on 127.0.0.1 (0: any free one).")):
    """Browse the tables in Datasette on 127.0.0.1 (needs: pip install -e '.[browse]')."""
    from .browse import BrowseError, serve

    try:
        code = serve(out, port)
    except BrowseError as e:
        _err(f"c2c: {e}")
        raise typer.Exit(2)
    raise typer.Exit(code)


def main(argv: list[str] | None = None) -> int:
    """The `c2c` entry point: every usage error is one line on stderr and exit status 2."""
    command = typer.main.get_command(app)
    try:
        try:
            code = command.main(args=argv, prog_name="c2c", standalone_mode=False)
        finally:
            if _EARLY is not None and _EARLY._progress.live.is_started:  # stopped before `run` began
                _EARLY.discard()
    except KeyboardInterrupt:
        _err("c2c: interrupted")
        code = 130
    except Exception as e:
        if hasattr(e, "format_message") and hasattr(e, "exit_code"):  # the parser's own errors
            if type(e).__name__ == "NoArgsIsHelpError":
                print(command.get_help(e.ctx) if getattr(e, "ctx", None) else "")
                code = 0
            else:
                where = getattr(getattr(e, "ctx", None), "command_path", "c2c")
                _err(f"{where}: {e.format_message()} (see {where} --help)".replace("\n", " "))
                code = e.exit_code
        elif type(e).__name__ == "Abort":
            _err("c2c: aborted")
            code = 1
        else:
            raise
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
