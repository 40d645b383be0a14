"""Where the per-document stage runs: this process, a local process pool, or a Dask cluster.

Every executor yields (index, Extraction) as documents finish; the caller orders results, so the
output never depends on which worker finished first.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, CancelledError, wait

from .discover import SourceFile
from .document import preload, read_document, read_document_without_ocr
from .records import Extraction


# Documents in flight per worker: enough to keep workers busy, few enough that memory stays flat.
IN_FLIGHT_PER_WORKER = 4
# Address space allowed to one worker process: a hostile PDF that makes the parser allocate without
# end fails that document (MemoryError → error_kind "internal") instead of the machine. 0: no limit.
WORKER_MEMORY_BYTES = int(os.environ.get("C2C_WORKER_MEMORY_MB", "6144")) * 1024 * 1024
DASK_LIMITS_WARNING = ("under --executor dask the workers are not c2c's: the worker memory limit "
                       "(C2C_WORKER_MEMORY_MB) and --timeout are not applied; give the Dask workers their own "
                       "--memory-limit")


# Allocations between two young-generation collections of Python's cycle collector, in a process
# that reads documents. A page model is hundreds of thousands of small objects that live until
# their document is closed, when reference counting frees them; at Python's default (700) the
# collector walks them again and again, about 12% of a worker's CPU (measured on raw/'s documents).
COLLECTOR_THRESHOLDS = (50_000, 20, 20)


def tune_collector() -> None:
    """Set this process's cycle collector for reading documents: what it holds now (imported
    modules) is never collected, and young collections are rarer (`COLLECTOR_THRESHOLDS`)."""
    gc.freeze()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)


def _start_worker(limit: int) -> None:
    """A document worker's start: the memory limit, then the collector's settings."""
    _limit_memory(limit)
    tune_collector()


def _limit_memory(limit: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: run unlimited
        pass


def _worker_died(src: SourceFile, error: BaseException) -> Extraction:
    """The result for a document whose worker failed under it (a crash in the PDF library, the
    memory limit): reported as an internal error, not cached, so the next run tries it again."""
    what = f"{type(error).__name__}: {error}".splitlines()[0][:200]
    return Extraction(document=src.document, sha256=src.sha256, size_bytes=src.size_bytes, status="error",
                      error_kind="internal", error=f"the worker reading it failed ({what}); it will be read again")


def _worker_stopped(src: SourceFile, seconds: float) -> Extraction:
    """The result for a document whose worker was still busy long after its own alarm should have
    stopped it: stuck inside the PDF library's C code, where the alarm cannot reach."""
    return Extraction(document=src.document, sha256=src.sha256, size_bytes=src.size_bytes, status="error",
                      error_kind="timeout",
                      error=f"still being read after {seconds:g} s (stuck inside the PDF library); its worker "
                            "was stopped")


# How long past --timeout a worker may stay busy before it is stopped from outside: its own alarm
# normally ends a slow document at --timeout with a precise message; this catches what it cannot.
HARD_LIMIT_GRACE = 10.0
# A scanned document's pages are each allowed --timeout (pipeline.document); the worker knows its
# page count, the pool only the file's size. Scans run to a few hundred KB a page, so the stop from
# outside allows --timeout per this many bytes: generous for scans, and for a digital file it only
# widens the outer safety net, the worker's own alarm still ends it at --timeout.
BYTES_PER_SCANNED_PAGE = 100_000


def hard_limit(src: SourceFile, timeout: float | None, grace: float = HARD_LIMIT_GRACE) -> float | None:
    """Seconds after which a worker still reading `src` is stopped from outside."""
    if not timeout:
        return None
    return timeout * max(1, -(-src.size_bytes // BYTES_PER_SCANNED_PAGE)) + grace


def largest_first(sources: list[SourceFile]) -> Iterator[tuple[int, SourceFile]]:
    """(index, source) in the order to hand documents to workers: largest file first, ties by index.
    A batch ends when its slowest document does; started last, a scan (the costliest kind, and the
    largest per page) would keep one worker busy after the others ran dry."""
    return iter(sorted(enumerate(sources), key=lambda item: (-item[1].size_bytes, item[0])))


def run_local(sources: list[SourceFile], jobs: int, timeout: float | None, reader=read_document,
              grace: float = HARD_LIMIT_GRACE) -> Iterator[tuple[int, Extraction]]:
    """Read documents in worker processes (`reader(src, timeout)` each). A worker that dies fails
    only its own document, and one stuck past `timeout + grace` is stopped and replaced. Even with
    one job and no timeout the memory limit needs a process of its own: it must not bind this one."""
    if jobs <= 1 and not timeout and not WORKER_MEMORY_BYTES:  # no limit to enforce: read in this process
        for i, src in enumerate(sources):
            yield i, reader(src, timeout)
        return
    from pebble import ProcessPool

    if multiprocessing.get_start_method() == "fork":  # workers inherit the reader's modules
        preload()
    queue = largest_first(sources)
    while True:  # a new pool whenever the last one broke (its workers kept dying before any task)
        with ProcessPool(max_workers=max(1, min(jobs, len(sources))), initializer=_start_worker,
                         initargs=(WORKER_MEMORY_BYTES,)) as pool:
            broken = yield from _windowed(
                lambda src: pool.schedule(reader, args=(src, timeout), timeout=hard_limit(src, timeout, grace)),
                queue, sources, jobs, lambda pending: wait(pending, return_when=FIRST_COMPLETED)[0],
                lambda src: hard_limit(src, timeout, grace))
        if not broken:
            return


def _windowed(submit, queue, sources: list[SourceFile], jobs: int, wait_some, limit_of=None,
              fatal: tuple[type[BaseException], ...] = ()):
    """Keep a few documents per worker in flight, no more: a finished result is handed on and
    dropped, so memory does not grow with the number of documents. Returns True when the executor
    broke (the rest of `queue` is left for a new one). Exceptions of the `fatal` types end the
    whole run instead of failing one document (the executor itself is gone)."""
    window = max(2, jobs * IN_FLIGHT_PER_WORKER)
    pending: dict = {}
    broken = False
    while True:
        if not broken:
            for i, src in queue:
                try:
                    pending[submit(src)] = i
                except BrokenExecutor as e:
                    yield i, _worker_died(src, e)
                    broken = True
                    break
                if len(pending) >= window:
                    break
        if not pending:
            return broken
        for future in wait_some(pending):
            i = pending.pop(future)
            try:
                result = future.result()
            except fatal:
                raise
            except TimeoutError:  # the pool stopped a worker stuck past the hard limit
                result = _worker_stopped(sources[i], (limit_of(sources[i]) if limit_of else None) or 0.0)
            except BrokenExecutor as e:
                broken = True
                result = _worker_died(sources[i], e)
            except Exception as e:  # the worker died under it, or could not even run the stage
                result = _worker_died(sources[i], e)
            yield i, result


def _quiet_dask_logs() -> None:
    """Distributed logs to stderr on its own (reconnection attempts, a lost scheduler); the run
    says what matters in one line, so its loggers speak only when c2c's own log is on (--verbose)."""
    if logging.getLogger("c2c").isEnabledFor(logging.INFO):
        return
    for name in list(logging.root.manager.loggerDict):
        if name == "distributed" or name.startswith("distributed."):
            logging.getLogger(name).setLevel(logging.CRITICAL)


class ExecutorUnavailable(Exception):
    """The executor cannot start: the Dask extra is missing, or no scheduler answers at the address
    given (a configuration error: exit status 2)."""


class ExecutorLost(RuntimeError):
    """The Dask scheduler went away while documents were being read (what was read is kept)."""


# How long to wait for a Dask scheduler to answer: an address that is wrong or down fails in seconds.
SCHEDULER_CONNECT_SECONDS = 5.0


def run_dask(sources: list[SourceFile], jobs: int, timeout: float | None,
             scheduler: str | None = None, ocr: bool = True) -> Iterator[tuple[int, Extraction]]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed as dask_completed
        from distributed.client import ClosedClientError
        from distributed.comm.core import CommClosedError
    except ImportError as e:  # the extra is not installed
        raise ExecutorUnavailable("--executor dask needs the dask extra: pip install 'c2c[dask]'") from e
    _quiet_dask_logs()
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout=SCHEDULER_CONNECT_SECONDS)
        except (OSError, TimeoutError, ValueError) as e:
            what = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise ExecutorUnavailable(f"no Dask scheduler answers at {scheduler} ({what[:160]})") from None
    else:
        cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        def first_done(pending):
            return [next(iter(dask_completed(list(pending))))]

        try:
            yield from _windowed(lambda src: client.submit(read_document, src, timeout=timeout, ocr=ocr,
                                                             pure=False),
                                 largest_first(sources), sources, jobs, first_done,
                                 fatal=(CancelledError, ClosedClientError, CommClosedError))
        except (CancelledError, ClosedClientError, CommClosedError):
            # Futures are cancelled when the client loses its scheduler, or a result on its way
            # finds the connection closed; the run stops (what was read is kept) rather than
            # failing every document left.
            raise ExecutorLost(f"lost the Dask scheduler at {scheduler or 'the local cluster'} while reading; "
                               "what was read is kept: run again to finish") from None
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_documents(sources: list[SourceFile], jobs: int, timeout: float | None, executor: str = "local",
                  scheduler: str | None = None, ocr: bool = True) -> Iterator[tuple[int, Extraction]]:
    """Read documents (`ocr`: pages without a usable text layer are read by OCR)."""
    if executor == "dask":
        return run_dask(sources, jobs, timeout, scheduler, ocr)
    return run_local(sources, jobs, timeout, reader=read_document if ocr else read_document_without_ocr)
