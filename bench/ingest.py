"""Ingest benchmark: a synthetic 10,000-device discovery (≈1M nodes + relationships)
into SQLite and Neo4j through `cmdb.ingest.ingest`, against a naive one-statement-per-row
path, plus an unchanged re-ingest. See bench/README.md.

    python -m bench.ingest [--devices 10000] [--chunk 250] [--naive-sample 200]
                           [--stores sqlite,neo4j] [--json FILE]

Goals are measured and printed as PASS/MISS, never asserted. The exit status is 1 only
when a check of correctness fails (a re-ingest that changed something, or stores that
disagree on the counts).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import statistics
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import phases
from bench.fleet import Shape
from bench.phases import Config, Pass, StoreResult
from bench.probe import Cpu, machine

NEO4J_NAIVE_RATIO = 20.0
NEO4J_ROWS_PER_S = 30_000.0
REINGEST_SPEEDUP = 3.0


@dataclass(frozen=True)
class Goal:
    name: str
    measured: float
    wanted: float
    unit: str

    @property
    def met(self) -> bool:
        return self.measured >= self.wanted

    def line(self) -> str:
        verdict = "PASS" if self.met else "MISS"
        return (f"{verdict}  {self.name}: {self.measured:,.1f}{self.unit} "
                f"(goal ≥ {self.wanted:,.0f}{self.unit})")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    config = Config(args.devices, args.chunk, min(args.naive_sample, args.devices), args.heap,
                    args.page_cache,
                    Shape(packages=args.packages, services=args.services, seed=args.seed))
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    unknown = sorted(set(stores) - set(phases.STORES))
    if unknown:
        _parser().error(f"unknown store(s) {unknown}; choose from {list(phases.STORES)}")
    env = machine()
    print(_header(config, env), flush=True)
    results = [_in_fresh_process(store, config) for store in stores]
    goals, checks = _goals(results), _checks(results)
    print(_report(results, goals, checks))
    if args.json:
        Path(args.json).write_text(json.dumps(_as_json(config, env, results, goals, checks),
                                              indent=2) + "\n")
    return 0 if all(ok for _, ok in checks) else 1


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--devices", type=int, default=10_000, help="fleet size (default 10000)")
    p.add_argument("--chunk", type=int, default=250, help="devices per ingest() call")
    p.add_argument("--naive-sample", type=int, default=200,
                   help="devices for the naive comparison (and the batched one beside it)")
    p.add_argument("--stores", default="sqlite,neo4j", help="comma-separated, run in order")
    p.add_argument("--json", metavar="FILE", help="also write every number as JSON")
    p.add_argument("--heap", default="4g", help="Neo4j JVM heap (default 4g)")
    p.add_argument("--page-cache", default="256m",
                   help="Neo4j page cache (default 256m, the test launcher's own)")
    p.add_argument("--packages", type=int, default=Shape.packages, help="mean per device")
    p.add_argument("--services", type=int, default=Shape.services, help="mean per device")
    p.add_argument("--seed", type=int, default=Shape.seed)
    return p


def _in_fresh_process(store: str, config: Config) -> StoreResult:
    """Spawned, not forked: the worker's peak RSS is its own and nothing is pre-warmed."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(phases.run, store, config).result()


# ---- goals and checks ----------------------------------------------------------------

def rate(rows: int, seconds: float) -> float:
    return rows / seconds if seconds > 0 else 0.0


def _goals(results: Sequence[StoreResult]) -> list[Goal]:
    goals = []
    for r in results:
        if r.store == "neo4j":
            batched = rate(r.rows, r.first.seconds)
            naive = rate(r.sample.naive_rows, r.sample.naive_seconds)
            goals.append(Goal("Neo4j batched vs naive (rows/s ratio)",
                              batched / naive if naive else 0.0, NEO4J_NAIVE_RATIO, "x"))
            goals.append(Goal("Neo4j batched first ingest", batched, NEO4J_ROWS_PER_S,
                              " rows/s"))
    for r in results:
        speedup = r.first.seconds / r.again.seconds if r.again.seconds else 0.0
        goals.append(Goal(f"{_title(r.store)} re-ingest faster than first ingest", speedup,
                          REINGEST_SPEEDUP, "x"))
    return goals


def _checks(results: Sequence[StoreResult]) -> list[tuple[str, bool]]:
    checks = [(f"{_title(r.store)} re-ingest changed nothing ({r.again.changes} changes in "
               f"{r.again.chunks_with_changes} chunks)", r.again.changes == 0)
              for r in results]
    checks += [(f"{_title(r.store)} naive sample wrote the rows the batched one did "
                f"({r.sample.naive_rows:,} vs {r.sample.rows:,})",
                r.sample.naive_rows == r.sample.rows) for r in results]
    if len({(r.counts["nodes"], r.counts["relationships"]) for r in results}) > 1:
        checks.append(("stores hold the same nodes and relationships", False))
    elif len(results) > 1:
        checks.append(("stores hold the same nodes and relationships", True))
    return checks


# ---- output --------------------------------------------------------------------------

def _title(store: str) -> str:
    return {"sqlite": "SQLite", "neo4j": "Neo4j"}.get(store, store)


def _header(config: Config, env: dict[str, Any]) -> str:
    s = config.shape
    return (f"cmdb ingest benchmark: {config.devices} devices, chunks of {config.chunk}, "
            f"naive sample {config.sample} devices, Neo4j heap {config.heap}, "
            f"page cache {config.page_cache}\n"
            f"per device ≈ {s.interfaces} interfaces x {s.ips_per_interface} IPs, "
            f"{s.packages} packages, {s.services} services, 2-4 ports, 1-2 config files; "
            f"{s.sites} sites; seed {s.seed}\n"
            f"machine: {env['cpus']} CPUs ({env['cpu_model']}), {env['memory_gib']} GiB, "
            f"Python {env['python']}, {env['java']}; commit {env['commit']}"
            f"{' + local changes under cmdb/' if env['cmdb_modified'] else ''}")


def _report(results: Sequence[StoreResult], goals: Sequence[Goal],
            checks: Sequence[tuple[str, bool]]) -> str:
    lines = ["", f"{'':34}" + "".join(f"{_title(r.store):>16}" for r in results)]
    for name, cell in _ROWS:
        lines.append(f"{name:34}" + "".join(f"{cell(r):>16}" for r in results))
    lines += ["", "Goals (measured, not asserted):"] + [f"  {g.line()}" for g in goals]
    lines += ["", "Checks:"] + [f"  {'OK  ' if ok else 'FAIL'}  {text}" for text, ok in checks]
    return "\n".join(lines)


def _mib(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} MiB"


def _median_rate(r: StoreResult, p: Pass) -> float:
    """Rows/s of the median chunk: the rate without the cold start and the stalls."""
    return rate(r.rows // max(1, len(p.chunk_seconds)), statistics.median(p.chunk_seconds))


def _cpu(cpu: Cpu) -> str:
    """Where the timed seconds went; 'others' is load we did not cause (shared cores)."""
    return f"{cpu.python:,.0f}/{cpu.server:,.0f}/{cpu.others:,.0f}"


def _naive_ratio(r: StoreResult) -> str:
    naive = rate(r.sample.naive_rows, r.sample.naive_seconds)
    return f"{rate(r.rows, r.first.seconds) / naive:,.1f}x" if naive else "-"


_ROWS: list[tuple[str, Any]] = [
    ("nodes", lambda r: f"{r.counts['nodes']:,}"),
    ("relationships", lambda r: f"{r.counts['relationships']:,}"),
    ("rows (nodes + relationships)", lambda r: f"{r.rows:,}"),
    ("history entries / observations", lambda r: f"{r.counts['history'] // 1000:,}k / "
                                                 f"{r.counts['observations'] // 1000:,}k"),
    ("data generation (not timed)", lambda r: f"{r.first.generate_seconds:,.1f} s"),
    ("first ingest, time in ingest()", lambda r: f"{r.first.seconds:,.1f} s"),
    ("first ingest, rows/s", lambda r: f"{rate(r.rows, r.first.seconds):,.0f}"),
    ("first ingest, median chunk rows/s", lambda r: f"{_median_rate(r, r.first):,.0f}"),
    ("first ingest, slowest chunk", lambda r: f"{max(r.first.chunk_seconds):,.2f} s"),
    ("  CPU s: Python/JVM/others", lambda r: _cpu(r.first.cpu)),
    ("re-ingest, time in ingest()", lambda r: f"{r.again.seconds:,.1f} s"),
    ("re-ingest, rows/s", lambda r: f"{rate(r.rows, r.again.seconds):,.0f}"),
    ("re-ingest, median chunk rows/s", lambda r: f"{_median_rate(r, r.again):,.0f}"),
    ("first / re-ingest time", lambda r: f"{r.first.seconds / r.again.seconds:,.2f}x"),
    ("  CPU s: Python/JVM/others", lambda r: _cpu(r.again.cpu)),
    ("re-ingest changes", lambda r: f"{r.again.changes:,}"),
    ("Python peak RSS (start)", lambda r: f"{_mib(r.python_rss_mib)} "
                                          f"({r.python_rss_start_mib:,.0f})"),
    ("JVM peak RSS (VmHWM)", lambda r: _mib(r.jvm_rss_mib)),
    ("store size on disk", lambda r: _mib(r.size_mib)),
    ("store start-up", lambda r: f"{r.startup_seconds:,.1f} s"),
    ("phase wall time", lambda r: f"{r.wall_seconds:,.0f} s"),
    ("sample: devices / rows", lambda r: f"{r.sample.devices} / {r.sample.rows:,}"),
    ("sample: naive rows/s", lambda r: f"{rate(r.sample.naive_rows, r.sample.naive_seconds):,.0f}"),
    ("sample: naive statements", lambda r: f"{r.sample.naive_statements:,}"),
    ("  CPU s: Python/JVM/others", lambda r: _cpu(r.sample.naive_cpu)),
    ("sample: batched rows/s", lambda r: f"{rate(r.sample.rows, r.sample.batched_seconds):,.0f}"),
    ("  CPU s: Python/JVM/others", lambda r: _cpu(r.sample.batched_cpu)),
    ("batched (full) / naive (sample)", _naive_ratio),
    ("batched / naive, same sample", lambda r: (
        f"{r.sample.naive_seconds / r.sample.batched_seconds:,.1f}x"
        if r.sample.batched_seconds else "-")),
]


def _as_json(config: Config, env: dict[str, Any], results: Sequence[StoreResult],
             goals: Sequence[Goal], checks: Sequence[tuple[str, bool]]) -> dict[str, Any]:
    return {
        "config": dataclasses.asdict(config),
        "machine": env,
        "results": [{**dataclasses.asdict(r), "rows": r.rows,
                     "first_rows_per_s": rate(r.rows, r.first.seconds),
                     "again_rows_per_s": rate(r.rows, r.again.seconds),
                     "naive_rows_per_s": rate(r.sample.naive_rows, r.sample.naive_seconds)}
                    for r in results],
        "goals": [{**dataclasses.asdict(g), "met": g.met} for g in goals],
        "checks": [{"check": text, "ok": ok} for text, ok in checks],
    }


if __name__ == "__main__":
    sys.exit(main())
