"""Where the per-document stage runs: this process, a local process pool, or a Dask cluster.

Every executor yields (index, Extraction) as documents finish; the caller orders results, so the
output never depends on which worker finished first.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed

from .discover import SourceFile
from .document import read_document
from .records import Extraction


# Address space allowed to one worker process: a hostile PDF that makes the parser allocate without
# end fails that document (MemoryError → error_kind "internal") instead of the machine.
WORKER_MEMORY_BYTES = int(os.environ.get("C2C_WORKER_MEMORY_MB", "6144")) * 1024 * 1024


def _limit_memory(limit: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: run unlimited
        pass


def run_local(sources: list[SourceFile], jobs: int, timeout: float | None) -> Iterator[tuple[int, Extraction]]:
    if jobs <= 1 or len(sources) <= 1:
        for i, src in enumerate(sources):
            yield i, read_document(src, timeout)
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(sources)), initializer=_limit_memory,
                             initargs=(WORKER_MEMORY_BYTES,)) as pool:
        futures = {pool.submit(read_document, src, timeout): i for i, src in enumerate(sources)}
        for future in as_completed(futures):
            yield futures[future], future.result()


def run_dask(sources: list[SourceFile], jobs: int, timeout: float | None,
             scheduler: str | None = None) -> Iterator[tuple[int, Extraction]]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError as e:  # the extra is not installed
        raise RuntimeError("--executor dask needs the dask extra: pip install 'c2c[dask]'") from e
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        futures = client.map(read_document, sources, timeout=timeout, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for future in dask_completed(futures):
            yield index[future.key], future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_documents(sources: list[SourceFile], jobs: int, timeout: float | None, executor: str = "local",
                  scheduler: str | None = None) -> Iterator[tuple[int, Extraction]]:
    if executor == "dask":
        return run_dask(sources, jobs, timeout, scheduler)
    return run_local(sources, jobs, timeout)
