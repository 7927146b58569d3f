"""Audit benchmark (issue 4): a full audit of a synthetic graph on the embedded store.

The graph is bench.fleet's synthetic discovery (Linux servers with interfaces, IP
addresses, packages, services, listening ports and config files) ingested into SQLite
until it holds at least --cis CIs, where every node counts as a CI (≈54 per device, so
100,000 CIs is ≈1,850 devices). The policy baseline holds --rules synthetic rules, every
one of which applies to every device, spread over every operator and over the paths the
shipped packs use (package versions, config settings, services, ports, interfaces, fan-out
with all/any/count). So the audit makes devices x rules checks and stores as many
findings, each with expected and actual, in a hash-chained evidence manifest.

What is measured: `cmdb audit run` as the CLI does it (service.audit: documents from the
store, every check, waivers, trends against the previous run, manifest, audit DB), twice,
each in a fresh process as each `cmdb audit run` is, so the build does not count and
each audit's peak RSS is its own: a first audit, and a second one that also compares
with the first (what a scheduled audit does). Beside the wall time, the CPU seconds of
the audit and of every other process on the machine meanwhile (a shared machine's load
shows there). Goal: a full audit under 60 s with peak memory under 2 GB on this 2-core
machine.

    .venv/bin/python -m bench.audit                       # 100,000 CIs x 300 rules
    .venv/bin/python -m bench.audit --cis 20000 --rules 100   # a quick look
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from audit import baselines, service
from audit.auditdb import AuditDb
from bench.fleet import Shape, chunk_facts, chunks, run_info
from bench.probe import Meter, machine, python_peak_rss_mib
from cmdb.ingest import ingest
from cmdb.store.sqlite import SqliteStore

GOAL_SECONDS = 60.0
GOAL_RSS_MIB = 2048.0
_CHUNK = 250
_STALE_AFTER = timedelta(days=3650)  # the synthetic runs carry fixed dates


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.audit_only:
        print(json.dumps(_audit_once(Path(args.audit_only[0]), Path(args.audit_only[1]))))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        graph, db = Path(tmp) / "graph.sqlite", Path(tmp) / "audit.sqlite"
        print(f"building a graph of >= {args.cis:,} CIs ...", flush=True)
        built = _build_graph(graph, args.cis)
        _baseline(db, Path(tmp) / "bench-pack.yaml", args.rules)
        runs = []
        for name in ("first", "second"):
            print(f"{name} audit: {built['devices']:,} devices x {args.rules} rules "
                  "(fresh process) ...", flush=True)
            child = subprocess.run(
                [sys.executable, "-m", "bench.audit", "--audit-only", str(graph), str(db)],
                check=True, capture_output=True, text=True)
            runs.append(json.loads(child.stdout))
    result = {"config": {"cis": args.cis, "rules": args.rules}, "graph": built,
              "audit": {"runs": runs}, "machine": machine()}
    print(_report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.audit", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cis", type=int, default=100_000, help="CIs in the graph (default 100000)")
    p.add_argument("--rules", type=int, default=300, help="rules in the baseline (default 300)")
    p.add_argument("--json", metavar="FILE", help="also write every number as JSON")
    p.add_argument("--audit-only", nargs=2, metavar=("GRAPH", "AUDIT_DB"),
                   help=argparse.SUPPRESS)  # the measured child process
    return p


# ---- the graph and the baseline ------------------------------------------------------------

def _build_graph(path: Path, cis: int) -> dict[str, Any]:
    shape, begun = Shape(), time.perf_counter()
    with closing(SqliteStore(path)) as store:
        run = store.begin_run("discovery", datetime.now(UTC))
        devices = nodes = 0
        while nodes < cis:
            for start, stop in chunks(_CHUNK, _CHUNK):
                batch = chunk_facts(shape, devices + start, devices + stop)
                ingest(store, batch, run_info(run, devices + start, devices + stop),
                       chunk=_CHUNK)
            devices += _CHUNK
            nodes = store.counts()["nodes"]
            print(f"  {devices:,} devices, {nodes:,} CIs", flush=True)
    return {"devices": devices, "cis": nodes, "seconds": time.perf_counter() - begun}


def _baseline(db_path: Path, pack_path: Path, rules: int) -> None:
    pack_path.write_text(yaml.safe_dump(bench_pack(rules), sort_keys=False))
    now = datetime.now(UTC)
    with AuditDb(db_path) as db:
        service.create_policy(db, "bench", [str(pack_path)], {"platform": "linux"},
                              "alice", now)
        baselines.approve(db, "bench", None, "bob", now)


def bench_pack(count: int) -> dict[str, Any]:
    """`count` rules over the fleet's paths, cycling through every kind of check."""
    makers = (_package_version, _package_absent, _sshd_setting, _service_state,
              _port_fanout, _interface_fanout, _hostname_regex, _package_count,
              _chrony_present, _vendor_in)
    rules = []
    for i in range(count):
        rule = makers[i % len(makers)](i)
        rules.append({"id": f"BENCH-{i:03d}", "title": f"synthetic check {i}",
                      "severity": ("low", "medium", "high")[i % 3], **rule})
    return {"pack": "bench", "version": "1.0.0", "rules": rules}


def _package_version(i: int) -> dict[str, Any]:
    return {"path": ["packages", f"pkg-{i % 400:03d}", "version"],
            "version": {"at_least": f"{i % 9}.0", "scheme": "dpkg"},
            "when_missing": "not-applicable"}


def _package_absent(i: int) -> dict[str, Any]:
    return {"path": ["packages", f"pkg-{(i * 7) % 400:03d}"], "absent": True}


def _sshd_setting(i: int) -> dict[str, Any]:
    setting = ("permitrootlogin", "passwordauthentication", "x11forwarding")[i % 3]
    return {"path": ["config_files", "/etc/ssh/sshd_config", "settings", setting],
            "equals": "no"}


def _service_state(i: int) -> dict[str, Any]:
    return {"path": ["services", f"svc-{i % 60:02d}.service", "active_state"],
            "in": ["active", "activating"], "when_missing": "compliant"}


def _port_fanout(i: int) -> dict[str, Any]:
    return {"path": ["listening_ports", "*", "port"], "all": {"not_in": [23, 513, 514 + i]}}


def _interface_fanout(i: int) -> dict[str, Any]:
    return {"path": ["interfaces", "*", "mtu"], "all": {"in": [1500, 9000]}}


def _hostname_regex(i: int) -> dict[str, Any]:
    return {"path": ["hostname"], "regex": f"h[0-9]{{4}}{i % 10}"}


def _package_count(i: int) -> dict[str, Any]:
    return {"path": ["packages", "*"], "count": {"min": 10, "max": 20 + i % 20}}


def _chrony_present(i: int) -> dict[str, Any]:
    return {"path": ["config_files", "/etc/chrony/chrony.conf", "settings", "server"],
            "present": True}


def _vendor_in(i: int) -> dict[str, Any]:
    return {"path": ["vendor"], "in": ["Dell Inc.", "HPE", "Lenovo"][: 1 + i % 3]}


# ---- the measured child ---------------------------------------------------------------------

def _audit_once(graph: Path, db_path: Path) -> dict[str, Any]:
    """One `cmdb audit run`, in this fresh process; the manifest it stored."""
    meter = Meter(None)
    with closing(SqliteStore(graph)) as store, AuditDb(db_path) as db:
        begun = time.perf_counter()
        meter.start()
        outcome = service.audit(store, db, [], datetime.now(UTC), stale_after=_STALE_AFTER)
        meter.stop()
        seconds = time.perf_counter() - begun
        verdicts: dict[str, int] = {}
        trends: dict[str, int] = {}
        for finding in outcome.report.findings:
            verdicts[finding.verdict.value] = verdicts.get(finding.verdict.value, 0) + 1
            trend = finding.trend.value if finding.trend else "none"
            trends[trend] = trends.get(trend, 0) + 1
        return {"seconds": seconds, "cpu_seconds": meter.cpu.python,
                "others_cpu_seconds": meter.cpu.others, "findings": len(outcome.report.findings),
                "verdicts": verdicts, "trends": trends, "resolved": len(outcome.report.resolved),
                "manifest_mib": len(outcome.manifest.body) / 2**20,
                "peak_rss_mib": python_peak_rss_mib()}


# ---- the report -----------------------------------------------------------------------------

def _report(result: dict[str, Any]) -> str:
    graph, runs = result["graph"], result["audit"]["runs"]
    lines = [
        "",
        f"graph: {graph['cis']:,} CIs on {graph['devices']:,} devices "
        f"(built in {graph['seconds']:.0f} s); {result['config']['rules']} rules",
        f"machine: {result['machine']}",
        "",
        "| audit | seconds | CPU s (audit / others) | findings | manifest (MiB) "
        "| peak RSS (MiB) |",
        "|---|---|---|---|---|---|",
    ]
    for name, run in zip(("first", "second (with trends)"), runs, strict=True):
        lines.append(f"| {name} | {run['seconds']:.1f} | {run['cpu_seconds']:.1f} / "
                     f"{run['others_cpu_seconds']:.1f} | {run['findings']:,} | "
                     f"{run['manifest_mib']:.0f} | {run['peak_rss_mib']:.0f} |")
    worst = max(run["seconds"] for run in runs)
    peak = max(run["peak_rss_mib"] for run in runs)
    lines += ["", f"verdicts: {runs[0]['verdicts']}",
              f"trends of the second audit: {runs[1]['trends']}, "
              f"resolved: {runs[1]['resolved']}",
              f"goal full audit < {GOAL_SECONDS:.0f} s: "
              f"{'PASS' if worst < GOAL_SECONDS else 'MISS'} ({worst:.1f} s)",
              f"goal peak RSS < {GOAL_RSS_MIB:.0f} MiB: "
              f"{'PASS' if peak < GOAL_RSS_MIB else 'MISS'} ({peak:.0f} MiB)"]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
