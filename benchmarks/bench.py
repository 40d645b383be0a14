"""Throughput benchmark: cold run, no-change rerun and bare PyMuPDF text extraction.

    .venv/bin/python benchmarks/bench.py                 # N = 30, 300, 1000 documents
    .venv/bin/python benchmarks/bench.py --sizes 30 --jobs 2
    .venv/bin/python benchmarks/bench.py --sizes         # the parts' timings only

First it times parts that must stay quick, each against a budget (a line ends in "over budget"
when one is exceeded; these were wall-clock assertions in the tests, where a loaded machine made
them fail): loading the gazetteer in a fresh process, scanning a pamphlet's pages for place names,
and reading each adoption table of --source and of tests/fixtures.

For each N it builds N distinct PDFs from the PDFs in --source (same content, different bytes: a
per-copy metadata field), then times, each in a fresh process:
  - `c2c run` on a cold output folder,
  - `c2c run` again with nothing changed,
  - bare PyMuPDF `page.get_text()` over the same files,
and prints pages per second, the ratio to bare PyMuPDF, and the cold run's peak memory two ways:
the largest single process's peak RSS, and the peak total PSS of the whole process tree (the run,
its document workers and the NER model's process), sampled every 20 ms.

Arguments after `--` go to `c2c run` (e.g. `-- --no-ner`).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

BARE = """
import sys, pymupdf
from pathlib import Path
pages = 0
for path in sorted(Path(sys.argv[1]).rglob("*.pdf")):
    with pymupdf.open(path) as doc:
        for page in doc:
            page.get_text()
            pages += 1
print(pages)
"""

MEASURE = """
import os, resource, subprocess, sys, time

def tree(pid):
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            for child in f.read().split():
                pids += tree(int(child))
    except OSError:
        pass
    return pids

def pss_kib(pid):
    # Proportional set size: pages shared between the run's processes are counted once in total.
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
tree_peak = 0
while proc.poll() is None:
    tree_peak = max(tree_peak, sum(pss_kib(p) for p in tree(proc.pid)))
    time.sleep(0.02)
out = proc.stdout.read()
elapsed = time.perf_counter() - start
largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest single process
print(f"{elapsed:.3f} {largest} {tree_peak} {proc.returncode}")
print(out, end="")
"""


def build_corpus(source: Path, target: Path, n: int) -> int:
    """N distinct PDFs cycling over the source PDFs; returns the total page count."""
    import pymupdf

    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    originals = sorted(p for p in source.glob("*.pdf"))
    pages = 0
    for i in range(n):
        src = originals[i % len(originals)]
        with pymupdf.open(src) as doc:
            meta = dict(doc.metadata or {})
            meta["subject"] = f"benchmark copy {i}"
            doc.set_metadata({k: v for k, v in meta.items() if k in (
                "author", "producer", "creator", "title", "format", "encryption", "creationDate",
                "modDate", "subject", "keywords", "trapped")})
            pages += doc.page_count
            doc.save(target / f"{i:05d}_{src.name}")
    return pages


PARTS = """
import sys, time
from pathlib import Path
t = time.perf_counter()
from pipeline.gazetteer import Gazetteer
gazetteer = Gazetteer.load()
print("gazetteer load (fresh process)", time.perf_counter() - t, 0.5)
import pymupdf
from pipeline import classify, pdf
from pipeline.extract.adoption_table import extract_adoption_table
for path in map(Path, sys.argv[1:]):
    with pymupdf.open(path) as doc:
        texts = pdf.page_texts(doc)
        kind = classify.classify(texts, pdf.page_sizes(doc))
        if kind == "pamphlet":
            t = time.perf_counter()
            for text in texts:
                gazetteer.scan(text)
            print(f"gazetteer scan of {path.name} ({len(texts)} pages)", time.perf_counter() - t, 0.5)
        elif kind == "adoption_table":
            t = time.perf_counter()
            extract_adoption_table(doc)
            print(f"adoption table {path.name}", time.perf_counter() - t, 0.8)
"""


def parts(source: Path) -> None:
    """Seconds taken by the parts with a budget (see the module docstring), one line each."""
    files = sorted(source.glob("*.pdf")) + sorted((REPO / "tests" / "fixtures").glob("*.pdf"))
    out = subprocess.run([sys.executable, "-c", PARTS, *map(str, files)], capture_output=True, text=True,
                         check=True, cwd=REPO).stdout
    for line in out.splitlines():
        name, seconds, budget = line.rsplit(" ", 2)
        over = "  over budget" if float(seconds) > float(budget) else ""
        print(f"{name:<52} {float(seconds):7.3f} s (budget {float(budget):g} s){over}")
    print()


def measure(cmd: list[str]) -> tuple[float, int, int, int, str]:
    """Seconds, the largest process's peak RSS (KiB), the process tree's peak PSS (KiB, sampled
    every 20 ms), the exit status, and stdout."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, check=True)
    first, _, rest = out.stdout.partition("\n")
    elapsed, rss_kib, tree_kib, code = first.split()
    return float(elapsed), int(rss_kib), int(tree_kib), int(code), rest


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[30, 300, 1000])
    ap.add_argument("--source", type=Path, default=REPO / "raw")
    ap.add_argument("--work", type=Path, default=HERE / "work")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("run_args", nargs="*", help="extra arguments for `c2c run` (after --)")
    a = ap.parse_args()
    c2c = [sys.executable, "-m", "pipeline.cli"]
    parts(a.source)
    if not a.sizes:
        return 0
    print(f"{'docs':>6} {'pages':>7} | {'cold s':>7} {'pages/s':>8} {'largest':>7} {'tree':>6} | "
          f"{'rerun s':>7} | {'bare s':>6} {'pages/s':>8} | {'ratio':>5}      (memory: peak MiB)")
    for n in a.sizes:
        raw, out = a.work / f"raw{n}", a.work / f"out{n}"
        pages = build_corpus(a.source, raw, n)
        if out.exists():
            shutil.rmtree(out)
        command = [*c2c, "run", "--raw", str(raw), "--out", str(out), "--jobs", str(a.jobs), *a.run_args]
        cold, rss, tree, code, _ = measure(command)
        if code not in (0, 3):
            print(f"c2c run failed with exit status {code}", file=sys.stderr)
            return 1
        rerun, _, _, _, _ = measure(command)
        bare, _, _, _, _ = measure([sys.executable, "-c", BARE, str(raw)])
        print(f"{n:>6} {pages:>7} | {cold:>7.2f} {pages / cold:>8.1f} {rss / 1024:>7.0f} {tree / 1024:>6.0f} | "
              f"{rerun:>7.2f} | {bare:>6.2f} {pages / bare:>8.1f} | {cold / bare:>5.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
