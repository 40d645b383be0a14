"""Cold runs of this checkout and of an earlier commit, taken in turn on the same files.

    .venv/bin/python benchmarks/sidebyside.py --rev a07053d --sizes 30 --rounds 8
    .venv/bin/python benchmarks/sidebyside.py --rev a07053d --sizes 1000 --rounds 2 -- --no-ner

A machine shared with other work runs at a speed that drifts by tens of percent within minutes, so
a figure measured today is no answer to "is it slower than the figure of last week". This script
answers "is this code slower than that code" instead: it checks out `--rev` as a detached git
worktree (under `--work`, kept for the next call), builds the N distinct PDFs of `bench.py` once,
and then, round after round, times a cold `c2c run` of the earlier code, of this checkout and bare
PyMuPDF `get_text()`, one after the other, each in a fresh process. Both trees run with this
checkout's Python and libraries (the earlier code is imported from its worktree: `python -m
pipeline.cli` with the worktree as working folder), so only the code differs.

It prints every round, then per tree the median and the least time (the least is the run the
machine disturbed least) and this checkout's median and least against the earlier code's, as
ratios. Arguments after `--` go to both runs of `c2c run`.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from bench import BARE, MEASURE, build_corpus  # noqa: E402


def worktree(rev: str, work: Path) -> Path:
    """A detached worktree of `rev` (made once, under `work`), its modules compiled."""
    sha = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout.strip()
    tree = work / f"rev-{sha[:12]}"
    if not (tree / "pipeline").is_dir():
        if tree.exists():
            shutil.rmtree(tree)
        subprocess.run(["git", "worktree", "prune"], cwd=REPO, check=True)
        subprocess.run(["git", "worktree", "add", "--detach", "--force", str(tree), sha], cwd=REPO, check=True,
                       capture_output=True)
    # compiled once here, so that no run pays for compiling (PYTHONDONTWRITEBYTECODE may be set)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "pipeline", "normalizers", "gazetteer"],
                   cwd=tree, check=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""})
    return tree


def timed(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """Seconds and exit status of `cmd` run in `cwd` (bench.py's measurement, memory aside)."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, check=True, cwd=cwd)
    elapsed, _rss, _tree, code = out.stdout.partition("\n")[0].split()
    return float(elapsed), int(code)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rev", required=True, help="the earlier commit (any git revision)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[30])
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--source", type=Path, default=REPO / "raw")
    ap.add_argument("--work", type=Path, default=HERE / "work")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("run_args", nargs="*", help="extra arguments for `c2c run` (after --)")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    earlier = worktree(a.rev, a.work)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "pipeline", "normalizers", "gazetteer"],
                   cwd=REPO, check=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""})
    trees = {a.rev: earlier, "this checkout": REPO}
    for n in a.sizes:
        raw = a.work / f"raw{n}"
        pages = build_corpus(a.source, raw, n)
        print(f"{n} documents, {pages} pages, --jobs {a.jobs}; cold runs taken in turn (seconds)")
        times: dict[str, list[float]] = {name: [] for name in [*trees, "bare PyMuPDF"]}
        for k in range(1, a.rounds + 1):
            line = []
            for name, tree in trees.items():
                out = a.work / f"sbs-out{n}"
                if out.exists():
                    shutil.rmtree(out)
                seconds, code = timed([sys.executable, "-m", "pipeline.cli", "run", "--raw", str(raw),
                                       "--out", str(out), "--jobs", str(a.jobs), *a.run_args], tree)
                if code not in (0, 3):
                    print(f"c2c run of {name} failed with exit status {code}", file=sys.stderr)
                    return 1
                times[name].append(seconds)
                line.append(f"{name} {seconds:6.2f}")
            bare, _code = timed([sys.executable, "-c", BARE, str(raw)], REPO)
            times["bare PyMuPDF"].append(bare)
            print(f"  round {k}: " + "  ".join(line) + f"  bare {bare:5.2f}", flush=True)
        for name, values in times.items():
            print(f"  {name:<16} median {statistics.median(values):6.2f}  least {min(values):6.2f}  "
                  f"({pages / statistics.median(values):.0f} pages/s at the median)")
        then, now = times[a.rev], times["this checkout"]
        print(f"  this checkout against {a.rev}: median {statistics.median(now) / statistics.median(then):.2f}×, "
              f"least {min(now) / min(then):.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
