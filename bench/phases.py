"""One store's whole benchmark, run in a fresh (spawned) process so that its peak RSS
is its own: first ingest, re-ingest, then a batched and a naive sample on fresh
databases. Only `ingest()` calls (or the naive writes) are inside the clock."""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from neo4j import GraphDatabase

from bench import naive
from bench.fleet import Shape, chunk_facts, chunks, run_info
from bench.probe import Cpu, Meter, peak_rss_mib, python_peak_rss_mib, tree_size_mib
from cmdb.ingest import ingest
from cmdb.store.base import GraphStore
from cmdb.store.neo4j import Neo4jStore
from cmdb.store.sqlite import SqliteStore
from tests.neo4j_server import Neo4jServer  # the Maven-built real Neo4j 5.26

STORES = ("sqlite", "neo4j")


@dataclass(frozen=True)
class Config:
    devices: int
    chunk: int
    sample: int
    heap: str
    page_cache: str
    shape: Shape


@dataclass
class Pass:
    """One pass of the fleet through `ingest()` under one run number."""

    run: int = 0
    seconds: float = 0.0  # inside ingest() only
    generate_seconds: float = 0.0
    chunk_seconds: list[float] = field(default_factory=list)
    changes: int = 0
    chunks_with_changes: int = 0
    cpu: Cpu = field(default_factory=Cpu)


@dataclass
class Sample:
    """The same first `devices` devices, batched and naive, each into a fresh database."""

    devices: int = 0
    rows: int = 0
    batched_seconds: float = 0.0
    naive_seconds: float = 0.0
    naive_rows: int = 0
    naive_statements: int = 0
    batched_cpu: Cpu = field(default_factory=Cpu)
    naive_cpu: Cpu = field(default_factory=Cpu)


@dataclass
class StoreResult:
    store: str
    counts: dict[str, int] = field(default_factory=dict)
    first: Pass = field(default_factory=Pass)
    again: Pass = field(default_factory=Pass)
    python_rss_mib: float = 0.0
    python_rss_start_mib: float = 0.0
    jvm_rss_mib: float | None = None
    size_mib: float = 0.0
    startup_seconds: float = 0.0
    sample: Sample = field(default_factory=Sample)
    wall_seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.counts.get("nodes", 0) + self.counts.get("relationships", 0)


def run(store: str, config: Config) -> StoreResult:
    """Entry point of the worker process."""
    began = time.perf_counter()
    result = StoreResult(store, python_rss_start_mib=python_peak_rss_mib())
    with TemporaryDirectory(prefix=f"cmdb-bench-{store}-") as tmp:
        if store == "sqlite":
            _sqlite(config, Path(tmp), result)
        else:
            _neo4j(config, Path(tmp), result)
    result.wall_seconds = time.perf_counter() - began
    return result


# ---- the real path -----------------------------------------------------------------

def fleet_pass(store: GraphStore, config: Config, devices: int, label: str,
               server_pid: int | None = None) -> Pass:
    """Every chunk through `ingest()`, all under one run number from `begin_run`."""
    result = Pass(run=store.begin_run("discovery", datetime.now(UTC)))
    meter = Meter(server_pid)
    for start, stop in chunks(devices, config.chunk):
        t0 = time.perf_counter()
        batch = chunk_facts(config.shape, start, stop)
        info = run_info(result.run, start, stop)
        meter.start()
        t1 = time.perf_counter()
        # ingest() splits a batch into transactions of `chunk` targets; ours is one.
        _, summary = ingest(store, batch, info, chunk=config.chunk)
        t2 = time.perf_counter()
        meter.stop()
        result.generate_seconds += t1 - t0
        result.chunk_seconds.append(t2 - t1)
        result.seconds += t2 - t1
        result.changes += summary.changes
        result.chunks_with_changes += summary.changes > 0
        _progress(label, stop, devices, result)
    result.cpu = meter.cpu
    return result


def _progress(label: str, done: int, total: int, p: Pass) -> None:
    if len(p.chunk_seconds) % 10 == 0 or done == total:
        print(f"  [{label}] {done}/{total} devices, {p.seconds:.1f} s in ingest",
              file=sys.stderr, flush=True)


def _naive_pass(config: Config, sample: Sample, write: Callable[[naive.Rows, int], int],
                server_pid: int | None = None) -> None:
    meter = Meter(server_pid)
    for start, stop in chunks(config.sample, config.chunk):
        info = run_info(1, start, stop)
        rows = naive.rows_of(chunk_facts(config.shape, start, stop), info)
        meter.start()
        t0 = time.perf_counter()
        sample.naive_statements += write(rows, 1)
        sample.naive_seconds += time.perf_counter() - t0
        meter.stop()
        sample.naive_rows += rows.count
    sample.naive_cpu = meter.cpu


# ---- SQLite ------------------------------------------------------------------------

def _sqlite(config: Config, tmp: Path, result: StoreResult) -> None:
    path = tmp / "main.sqlite"
    t0 = time.perf_counter()
    store = SqliteStore(path)
    result.startup_seconds = time.perf_counter() - t0
    _main_passes(store, config, result, "sqlite")
    result.counts = store.counts()
    store.close()
    result.size_mib = sum(tree_size_mib(p) for p in tmp.glob("main.sqlite*"))
    _sqlite_sample(config, tmp, result.sample)


def _sqlite_sample(config: Config, tmp: Path, sample: Sample) -> None:
    store = SqliteStore(tmp / "sample.sqlite")
    sample_pass = fleet_pass(store, config, config.sample, "sqlite sample")
    sample.devices, sample.batched_seconds = config.sample, sample_pass.seconds
    sample.batched_cpu = sample_pass.cpu
    sample.rows = _rows(store.counts())
    store.close()
    SqliteStore(tmp / "naive.sqlite").close()  # the store's own tables, nothing else
    conn = sqlite3.connect(tmp / "naive.sqlite", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # as the store sets it
    _naive_pass(config, sample, lambda rows, run: naive.sqlite_write(conn, rows, run))
    conn.close()


# ---- Neo4j -------------------------------------------------------------------------

@contextmanager
def _server(tmp: Path, name: str, config: Config) -> Iterator[tuple[str, int]]:
    with Neo4jServer() as server:
        uri = server.start(tmp / name, heap=config.heap, page_cache=config.page_cache)
        assert server.pid is not None
        yield uri, server.pid


def _neo4j(config: Config, tmp: Path, result: StoreResult) -> None:
    t0 = time.perf_counter()
    with _server(tmp, "main", config) as (uri, pid):
        store = Neo4jStore(uri)
        result.startup_seconds = time.perf_counter() - t0
        _main_passes(store, config, result, "neo4j", pid)
        result.jvm_rss_mib = peak_rss_mib(pid)
        result.counts = store.counts()  # after both passes: its scan would warm the cache
        store.close()
    result.size_mib = tree_size_mib(tmp / "main" / "data")
    _neo4j_sample(config, tmp, result.sample)


def _neo4j_sample(config: Config, tmp: Path, sample: Sample) -> None:
    with _server(tmp, "sample", config) as (uri, pid):
        store = Neo4jStore(uri)
        sample_pass = fleet_pass(store, config, config.sample, "neo4j sample", pid)
        sample.devices, sample.batched_seconds = config.sample, sample_pass.seconds
        sample.batched_cpu = sample_pass.cpu
        sample.rows = _rows(store.counts())
        store.close()
    with _server(tmp, "naive", config) as (uri, pid):
        Neo4jStore(uri).close()  # the same constraints and indexes as the real store
        with GraphDatabase.driver(uri, notifications_min_severity="OFF") as driver:
            _naive_pass(config, sample, lambda rows, _run: naive.neo4j_write(driver, rows), pid)


# ---- shared ------------------------------------------------------------------------

def _main_passes(store: GraphStore, config: Config, result: StoreResult, label: str,
                 server_pid: int | None = None) -> None:
    result.first = fleet_pass(store, config, config.devices, f"{label} first", server_pid)
    result.again = fleet_pass(store, config, config.devices, f"{label} again", server_pid)
    result.python_rss_mib = python_peak_rss_mib()  # before the samples, which are small


def _rows(counts: dict[str, int]) -> int:
    return counts["nodes"] + counts["relationships"]
