"""The `c2c` command line: run, status, review, gazetteer check."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Turn the City-to-City Collaboration PDFs (都市間連携事業) into datasets.")
review_app = typer.Typer(help="What a person should look at; `accept` teaches the gazetteer a spelling.")
gazetteer_app = typer.Typer(help="The place data in gazetteer/.")
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


@app.command()
def run(raw: Path = RAW, out: Path = OUT,
        jobs: int = typer.Option(os.cpu_count() or 1, "--jobs", "-j", min=1, help="Parallel workers."),
        timeout: float = typer.Option(120.0, "--timeout", help="Seconds allowed per document (0: no limit)."),
        force: bool = typer.Option(False, "--force", help="Re-read every document, ignoring the manifest."),
        executor: str = typer.Option("local", "--executor", help="local or dask."),
        scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://host:port)."),
        no_ner: bool = typer.Option(False, "--no-ner", help="Do not ask the NER model for unknown place names.")):
    """Read every PDF under --raw and write the tables of SCHEMA.md into --out."""
    from .run import RunOptions, UsageError, run as run_pipeline

    if executor not in ("local", "dask"):
        _err(f"c2c: --executor must be local or dask, not {executor!r}")
        raise typer.Exit(2)
    opts = RunOptions(raw=raw, out=out, jobs=jobs, timeout=timeout or None, force=force, executor=executor,
                      scheduler=scheduler, use_ner=not no_ner)
    try:
        with _progress() as progress:
            result = run_pipeline(opts, progress=progress)
    except UsageError as e:
        _err(f"c2c: {e}")
        raise typer.Exit(2)
    except RuntimeError as e:
        _err(f"c2c: {e}")
        raise typer.Exit(1)
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
    raise typer.Exit(result.exit_code)


class _progress:
    """A rich progress bar on stderr when it is a terminal; silent otherwise."""

    def __enter__(self):
        self.bar = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("reading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                TextColumn("{task.description}"), console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = None
        return self.update

    def update(self, document: str, done: int, total: int) -> None:
        if self.bar is None:
            return
        if self.task is None:
            self.task = self.bar.add_task(document, total=total)
        self.bar.update(self.task, completed=done, description=document)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


@app.command()
def status(raw: Path = RAW, out: Path = OUT,
           force: bool = typer.Option(False, "--force", help="Show what --force would do."),
           no_ner: bool = typer.Option(False, "--no-ner", help="Show what a run with --no-ner would do.")):
    """Say which documents a run would read, reuse or drop, and why, without running anything."""
    from .run import UsageError, status as plan_status

    try:
        actions, rebuild = plan_status(raw, out, force, use_ner=not no_ner)
    except UsageError as e:
        _err(f"c2c: {e}")
        raise typer.Exit(2)
    words = {"parse": "read", "reuse": "reuse", "remove": "drop", "keep": "keep"}
    for a in actions:
        print(printable(f"{words[a.action]:6s} {a.document}: {a.reason}"))
    counts = {w: sum(1 for a in actions if a.action == k) for k, w in words.items()}
    print(f"{counts['read']} to read, {counts['reuse']} to reuse, {counts['drop']} to drop"
          + (f", {counts['keep']} to keep as last read" if counts["keep"] else ""))
    print("tables: " + (f"to rebuild ({'; '.join(rebuild)})" if rebuild else "up to date"))


@review_app.callback(invoke_without_command=True)
def review(ctx: typer.Context, out: Path = OUT,
           kind: Optional[str] = typer.Option(None, "--kind", help="Only this kind of review item.")):
    """List the review table."""
    if ctx.invoked_subcommand is not None:
        return
    path = out / "review.jsonl"
    if not path.exists():
        _err(f"c2c: {path} does not exist; run `c2c run` first")
        raise typer.Exit(2)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if kind is None or r["kind"] == kind]
    for r in rows:
        cands = ", ".join(f"{c['place_id']} ({c['score']:g})" for c in r.get("candidates") or [])
        where = f"{r['document']} p.{r['page']}" if r.get("page") else (r.get("document") or "")
        print(f"{r['kind']:20s} {where}: «{r['text']}» {r['detail']}" + (f" — candidates: {cands}" if cands else ""))
    print(f"{len(rows)} item" + ("" if len(rows) == 1 else "s"))


@review_app.command("accept")
def review_accept(mention: str = typer.Argument(..., help="The name as printed."),
                  place_id: str = typer.Argument(..., help="The gazetteer place it names.")):
    """Record MENTION as a spelling of PLACE_ID in the gazetteer files; the next run resolves it."""
    from .gazetteer import DEFAULT_FOLDER, Gazetteer, accept_variant

    gazetteer = Gazetteer.load()
    if place_id not in gazetteer.places:
        _err(f"c2c: no place {place_id!r} in the gazetteer")
        raise typer.Exit(2)
    try:
        accept_variant(DEFAULT_FOLDER, mention, place_id)
    except (ValueError, KeyError) as e:  # the spelling names another place already, or is empty
        _err(f"c2c: cannot accept «{mention}»: {e}")
        raise typer.Exit(2)
    problems = Gazetteer.load().check()
    if problems:
        _err("c2c: the gazetteer now has problems:\n" + "\n".join(problems))
        raise typer.Exit(1)
    print(f"«{mention}» is now a spelling of {place_id} ({gazetteer.places[place_id].name_ja})")


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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
