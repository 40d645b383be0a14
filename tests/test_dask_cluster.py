"""`c2c run --executor dask --scheduler` against a real cluster: a `dask scheduler` and two `dask worker`
processes on 127.0.0.1, started here as a person would start them (not a LocalCluster in this process)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("dask.distributed")

REPO = Path(__file__).resolve().parent.parent
OUTPUT_FILES = [f"{t}.{ext}" for t in ("documents", "projects", "city_pairs", "jcm_projects", "places",
                                          "mentions", "review") for ext in ("jsonl", "csv", "parquet")]
OUTPUT_FILES += ["c2c.sqlite", "datapackage.json"]
ENV = dict(os.environ, PYTHONPATH=str(REPO))
# Said once per run under Dask: the limits c2c cannot apply to workers that are not its own.
DASK_WARNING = "c2c: warning: under --executor dask the workers are not c2c's"


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUT_FILES}


def c2c(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "run", *map(str, args), "--no-ner"], cwd=REPO,
                          env=ENV, capture_output=True, text=True, timeout=600)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A scheduler and two single-threaded workers, each its own process (group)."""

    def __init__(self, tmp: Path):
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.procs: list[subprocess.Popen] = []
        self.scheduler = self._start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
                                      str(self.port), "--no-dashboard"], tmp / "scheduler.log")
        for i in range(2):
            # The workers import the pipeline's per-document stage from this checkout.
            self._start(["distributed.cli.dask_worker", self.address, "--nthreads", "1", "--nworkers", "1",
                         "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{i}"], tmp / f"worker{i}.log")
        self._wait_for_workers(2)

    def _start(self, args: list[str], log: Path) -> subprocess.Popen:
        with open(log, "wb") as f:
            proc = subprocess.Popen([sys.executable, "-m", *args], env=ENV, stdout=f, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        self.procs.append(proc)
        return proc

    def _wait_for_workers(self, n: int, limit: float = 120.0) -> None:
        from dask.distributed import Client

        deadline = time.monotonic() + limit
        while True:
            try:
                with Client(self.address, timeout=5) as client:
                    client.wait_for_workers(n, timeout=max(1.0, deadline - time.monotonic()))
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def stop_scheduler(self) -> None:
        os.killpg(self.scheduler.pid, signal.SIGTERM)
        self.scheduler.wait(timeout=30)

    def close(self) -> None:
        # Workers whose scheduler is gone take long to give up: the test is over, stop them now
        # (each started in a process group of its own, nanny and worker together).
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def cluster(tmp_path):
    logs = tmp_path / "cluster"
    logs.mkdir()
    c = Cluster(logs)
    yield c
    c.close()


@pytest.fixture
def many_raw(corpus, tmp_path) -> Path:
    """The dev corpus, copied under several names: enough documents to stop a run half-way."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(5):
        for pdf in sorted(corpus.glob("*.pdf")):
            shutil.copy(pdf, raw / f"{i:02d}_{pdf.name}")
    return raw


def test_a_real_cluster_gives_the_bytes_of_a_local_run_and_a_lost_scheduler_stops_the_run(
        cluster, many_raw, corpus, tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    for pdf in sorted(corpus.glob("*.pdf")):
        shutil.copy(pdf, small)
    local, remote = tmp_path / "local", tmp_path / "remote"
    assert c2c("--raw", small, "--out", local, "--jobs", "2").returncode == 0
    on_cluster = c2c("--raw", small, "--out", remote, "--executor", "dask", "--scheduler", cluster.address)
    assert on_cluster.returncode == 0, on_cluster.stderr
    assert [line for line in on_cluster.stderr.splitlines() if not line.startswith(DASK_WARNING)] == []
    assert outputs(remote) == outputs(local)

    # Stop the scheduler once the first documents are in: the run stops with one line.
    out = tmp_path / "out"
    run = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", "--raw", str(many_raw), "--out", str(out),
                            "--no-ner", "--executor", "dask", "--scheduler", cluster.address], cwd=REPO, env=ENV,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    cache = out / ".c2c" / "docs"
    deadline = time.monotonic() + 120
    while not (cache.exists() and any(cache.iterdir())):
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    cluster.stop_scheduler()
    stdout, stderr = run.communicate(timeout=120)
    assert run.returncode == 1, (stdout, stderr)
    assert stdout == ""
    assert [line for line in stderr.splitlines() if not line.startswith(DASK_WARNING)] == [f"c2c: lost the Dask scheduler at {cluster.address} while reading; what was "
                                   "read is kept: run again to finish"]
    assert not (out / "projects.jsonl").exists()

    # The next run, local, finishes the job: the same tables as one clean local run.
    finish = c2c("--raw", many_raw, "--out", out, "--jobs", "2")
    assert finish.returncode == 0, finish.stderr
    clean = tmp_path / "clean"
    assert c2c("--raw", many_raw, "--out", clean, "--jobs", "2").returncode == 0
    assert outputs(out) == outputs(clean)
