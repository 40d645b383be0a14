"""Cost of the stage cache keys (pipeline/cachekey.py) in one process: the per-document key and the
cross-document key, cold (an empty cache folder) and warm (the memos of a previous process).

Each measurement runs in a fresh interpreter so that no in-process cache hides the cost; prints
seconds per key. Usage: python benchmarks/cachekeys.py [--repeat N]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

CHILD = """
import time
t0 = time.perf_counter()
from pipeline.cachekey import stage_key
from pipeline.run import CROSS_DOCUMENT_STAGE
t1 = time.perf_counter()
stage_key(('pipeline.document',))
t2 = time.perf_counter()
stage_key(CROSS_DOCUMENT_STAGE)
t3 = time.perf_counter()
print(f"{t2 - t1:.3f} {t3 - t2:.3f}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "C2C_CACHE_DIR": cache}
        for round_ in range(args.repeat + 1):
            label = "cold" if round_ == 0 else f"warm {round_}"
            out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True,
                                 check=True).stdout.split()
            print(f"{label:8} per-document key {out[0]} s   cross-document key {out[1]} s")


if __name__ == "__main__":
    main()
