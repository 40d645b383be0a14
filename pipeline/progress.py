"""What a run tells a person while it works: the stage it is in, how far along, for how long.

`run()` reports through a `Stages` object: `begin(stage, total)` opens a stage (a bar when the total
is known, a spinner otherwise), `advance(detail)` moves it on by one, `end()` closes it. Three
implementations:
  Stages      says nothing (tests, the Python API, `--quiet`, stderr not a terminal);
  LogStages   one log line per stage and per document (`--verbose`), through `logging`;
  RichStages  a live display on a terminal: every stage so far on its own line, with its own bar or
              spinner, its count and its own elapsed time; started before anything slow happens.
Stage names are the words of STAGES, so the display, the log and the README say the same thing.
"""
from __future__ import annotations

import logging
import time

# The stages of a run, in order (a run skips those it does not need).
STAGES = {
    "starting": "starting",
    "finding": "finding PDFs",
    "reading": "reading",
    "resolving": "resolving places",
    "proposing": "proposing names",
    "writing": "writing tables",
}

log = logging.getLogger("c2c")


class Stages:
    """The silent reporter: the interface every reporter has."""

    def begin(self, stage: str, total: int | None = None) -> None:
        """Start `stage` (a key of STAGES); `total` is the number of steps when it is known."""

    def advance(self, detail: str = "") -> None:
        """One step of the current stage done (`detail`: what it was, e.g. the document)."""

    def end(self) -> None:
        """The current stage is over."""

    def close(self) -> None:
        """The run is over (or failed): stop any display."""


class LogStages(Stages):
    """Stages and documents as log lines (INFO), with each stage's duration."""

    def __init__(self):
        self._stage: str | None = None
        self._total: int | None = None
        self._done = 0
        self._started = 0.0

    def begin(self, stage: str, total: int | None = None) -> None:
        self.end()
        self._stage, self._total, self._done, self._started = stage, total, 0, time.monotonic()
        log.info("%s%s", STAGES[stage], f" ({total})" if total is not None else "")

    def advance(self, detail: str = "") -> None:
        self._done += 1
        if detail:
            log.debug("%s %d/%s: %s", STAGES.get(self._stage or "", ""), self._done, self._total or "?", detail)

    def end(self) -> None:
        if self._stage is not None:
            log.info("%s done in %.2f s", STAGES[self._stage], time.monotonic() - self._started)
            self._stage = None

    def close(self) -> None:
        self.end()


class RichStages(Stages):
    """A live display on stderr: one line per stage, the current one moving, finished ones ticked."""

    def __init__(self, console=None):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(SpinnerColumn(finished_text="✓"), TextColumn("{task.description:<16}"),
                                  BarColumn(), TextColumn("{task.fields[count]:>9}"), TimeElapsedColumn(),
                                  TextColumn("{task.fields[detail]}", style="dim"),
                                  console=console or Console(stderr=True), transient=False,
                                  refresh_per_second=8)
        self._progress.start()
        self._task = None
        self._total: int | None = None
        self._done = 0

    def begin(self, stage: str, total: int | None = None) -> None:
        self.end()
        # A spinner stage has no total: its bar pulses and its count is blank until it ends.
        self._total, self._done = total, 0
        self._task = self._progress.add_task(STAGES[stage], total=total, detail="", count=self._count())

    def _count(self) -> str:
        return f"{self._done}/{self._total}" if self._total is not None else ""

    def advance(self, detail: str = "") -> None:
        if self._task is not None:
            self._done += 1
            self._progress.update(self._task, advance=1, detail=_short(detail), count=self._count())

    def end(self) -> None:
        if self._task is not None:
            # A finished spinner stage shows a full bar; a bar stage keeps its N/M.
            total = self._total if self._total is not None else 1
            self._progress.update(self._task, total=total, completed=total, detail="")
            self._progress.stop_task(self._task)  # its clock stops at its own duration
            self._task = None

    def close(self) -> None:
        self.end()
        if self._progress.live.is_started:
            self._progress.stop()


    def discard(self) -> None:
        """Take the display off the screen (the command stopped before doing anything)."""
        for task in list(self._progress.task_ids):
            self._progress.remove_task(task)
        self._task = None
        if self._progress.live.is_started:
            self._progress.stop()


# Set in the environment by the process that shows the display.
_DISPLAY_OWNER = "C2C_PROGRESS_DISPLAY"
# Options after which `c2c run` shows no live display (help, or logging instead).
_NO_DISPLAY = {"-h", "--help", "-q", "--quiet", "-v", "--verbose"}


def start_early(argv: list[str]) -> RichStages | None:
    """For `c2c run` on a terminal, the display with its first stage, started before the command
    line's own libraries load (they take about a second on a busy machine). None otherwise."""
    import os
    import sys

    name = os.path.basename(argv[0]) if argv else ""
    if name not in ("c2c", "cli.py") or argv[1:2] != ["run"] or _NO_DISPLAY & set(argv[2:]):
        return None
    # Processes the run starts (the NER model's, spawned: they import the command line again with
    # the same arguments and the same terminal) must not draw a display of their own.
    if not sys.stderr.isatty() or os.environ.get(_DISPLAY_OWNER):
        return None
    os.environ[_DISPLAY_OWNER] = str(os.getpid())
    stages = RichStages()
    stages.begin("starting")
    return stages


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1):]
