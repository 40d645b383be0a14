"""Where the per-document stage runs: this process, a local process pool, or a Dask cluster.

Every executor yields (index, Extraction) as documents finish; the caller orders results, so the
output never depends on which worker finished first.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from .discover import SourceFile
from .document import read_document
from .records import Extraction


# Address space allowed to one worker process: a hostile PDF that makes the parser allocate without
# end fails that document (MemoryError → error_kind "internal") instead of the machine.
IN_FLIGHT_PER_WORKER = 4
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
        yield from _windowed(lambda src: pool.submit(read_document, src, timeout), sources, jobs,
                             lambda pending: wait(pending, return_when=FIRST_COMPLETED)[0])


def _windowed(submit, sources: list[SourceFile], jobs: int, wait_some) -> Iterator[tuple[int, Extraction]]:
    """Keep a few documents per worker in flight, no more: a finished result is handed on and
    dropped, so memory does not grow with the number of documents."""
    window = max(2, jobs * IN_FLIGHT_PER_WORKER)
    queue = iter(enumerate(sources))
    pending: dict = {}
    while True:
        for i, src in queue:
            pending[submit(src)] = i
            if len(pending) >= window:
                break
        if not pending:
            return
        for future in wait_some(pending):
            yield pending.pop(future), future.result()


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
        def first_done(pending):
            return [next(iter(dask_completed(list(pending))))]

        yield from _windowed(lambda src: client.submit(read_document, src, timeout=timeout, pure=False),
                             sources, jobs, first_done)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_documents(sources: list[SourceFile], jobs: int, timeout: float | None, executor: str = "local",
                  scheduler: str | None = None) -> Iterator[tuple[int, Extraction]]:
    if executor == "dask":
        return run_dask(sources, jobs, timeout, scheduler)
    return run_local(sources, jobs, timeout)
