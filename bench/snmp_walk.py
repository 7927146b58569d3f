"""SNMP walk benchmark: the SNMP transport against net-snmp's snmpbulkwalk, and a fleet
of simulated devices walked through a thread pool like the runner's. See bench/README.md.

    python -m bench.snmp_walk [--mode compare|fleet|both] [--repeat 3]
                              [--max-repetitions 100] [--devices 200] [--processes 8]
                              [--workers 8] [--recording comware]
                              [--client builtin|pysnmp]

compare: the generic SNMP platform's 15 subtrees from (a) a real net-snmp snmpd and (b)
the largest switch recording under snmpsim, by the transport (one session, all subtrees
in one `walk` command, walked concurrently) with `--client` and, for reference, with
pysnmp, and by snmpbulkwalk -Cr25 (one process per subtree, sequentially and all at
once). fleet: `--devices` snmpsim devices (recordings of ../shared/fixtures/snmprec in
turn, 127.0.61.10 on) over `--processes` snmpsim processes, each walked in full with
`--client`. Goals are printed as PASS/MISS, never asserted. The whole discovery (runner,
collectors, parsers) over a fleet of snmpd or snmpsim devices: `bench.snmp_fleet`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from discovery.errors import DiscoveryError
from discovery.lab.snmpd import SnmpdPeer
from discovery.lab.snmpsim import SimDevice, SnmpsimFleet, SnmpsimPeer
from discovery.transports.snmp import SnmpClient, SnmpTransport
from inventory.model import RefKind, SecretRef, SnmpCredentials, SnmpVersion, Target

SUBTREES = (
    "1.3.6.1.2.1.1", "1.3.6.1.2.1.2.2.1", "1.3.6.1.2.1.31.1.1.1", "1.3.6.1.2.1.4.20.1",
    "1.3.6.1.2.1.4.34.1", "1.3.6.1.2.1.47.1.1.1.1", "1.0.8802.1.1.2.1.4.1.1",
    "1.0.8802.1.1.2.1.4.2.1", "1.3.6.1.2.1.17.4.3.1", "1.3.6.1.2.1.17.7.1.2.2.1",
    "1.3.6.1.2.1.4.22.1", "1.3.6.1.2.1.25.6.3.1", "1.3.6.1.2.1.25.2.3.1",
    "1.3.6.1.2.1.25.3.2.1", "1.3.6.1.4.1.9.9.23.1.2.1.1",
)
WALK = "walk " + " ".join(SUBTREES)
SNMPREC_DIR = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "snmprec"
RATIO_GOAL = 3.0
FLEET_GOAL_S = 60.0
_ENV = "BENCH_SNMP_COMMUNITY_{}"


@dataclass(frozen=True)
class Agent:
    """Where to walk: a label, an address and port, a community, net-snmp's env."""

    label: str
    address: str
    port: int
    community: str
    env: dict[str, str]


@dataclass(frozen=True)
class Compared:
    label: str
    varbinds: int
    pysnmp_varbinds: int
    reference_varbinds: int
    tool_s: float
    pysnmp_s: float
    sequential_s: float
    parallel_s: float

    @property
    def ratio(self) -> float:
        return self.tool_s / self.sequential_s


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, client {args.client}, "
          f"max-repetitions {args.max_repetitions}, snmpbulkwalk -Cr25", flush=True)
    lines: list[str] = []
    if args.mode in ("compare", "both"):
        results = _compare(args)
        lines += _compare_report(results)
    if args.mode in ("fleet", "both"):
        lines += _fleet(args)
    print("\n".join(lines))
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.snmp_walk", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mode", choices=("compare", "fleet", "both"), default="both")
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    p.add_argument("--max-repetitions", type=int, default=100,
                   help="GETBULK max-repetitions (the transport's default: 100)")
    p.add_argument("--recording", default="comware", help="snmpsim recording to compare on")
    p.add_argument("--devices", type=int, default=200, help="fleet size")
    p.add_argument("--processes", type=int, default=8, help="snmpsim processes for the fleet")
    p.add_argument("--workers", type=int, default=8, help="threads walking the fleet")
    p.add_argument("--client", choices=[c.value for c in SnmpClient], default="builtin",
                   help="the transport's v1/v2c client (default: builtin, ours)")
    return p


# -- compare ------------------------------------------------------------------------------

def _compare(args: argparse.Namespace) -> list[Compared]:
    results = []
    with SnmpdPeer("127.0.61.1") as snmpd:
        agent = Agent("snmpd (net-snmp 5.9, this host)", snmpd.address, snmpd.port,
                      snmpd.community, snmpd.client_env())
        results.append(_compare_one(agent, args))
    if not SNMPREC_DIR.is_dir():
        print(f"skipped snmpsim: {SNMPREC_DIR} not present")
        return results
    device = SimDevice("127.0.61.2", args.recording)
    with SnmpsimPeer(SNMPREC_DIR, [device]) as sim:
        agent = Agent(f"snmpsim {args.recording}.snmprec", device.address, sim.port,
                      device.community, sim.client_env())
        results.append(_compare_one(agent, args))
    return results


def _compare_one(agent: Agent, args: argparse.Namespace) -> Compared:
    transport = _transport(args.max_repetitions, SnmpClient(args.client))
    reference = _transport(args.max_repetitions, SnmpClient.PYSNMP)
    target = _target(agent, 0)
    tool = [_timed(lambda: _walk_once(transport, target)) for _ in range(args.repeat)]
    ref = [_timed(lambda: _walk_once(reference, target)) for _ in range(args.repeat)]
    seq = [_timed(lambda: _net_snmp_sequential(agent)) for _ in range(args.repeat)]
    par = [_timed(lambda: _net_snmp_parallel(agent)) for _ in range(args.repeat)]
    return Compared(agent.label, tool[0][1], ref[0][1], seq[0][1], _median(tool),
                    _median(ref), _median(seq), _median(par))


def _transport(max_repetitions: int, client: SnmpClient) -> SnmpTransport:
    return SnmpTransport(resolve_secret=_resolve, timeout=5.0, retries=1,
                         max_repetitions=max_repetitions, client=client)


def _resolve(ref: SecretRef) -> str:
    return os.environ[ref.name]


def _target(agent: Agent, index: int) -> Target:
    os.environ[_ENV.format(index)] = agent.community
    snmp = SnmpCredentials(SnmpVersion.V2C, SecretRef(RefKind.ENV, _ENV.format(index)),
                           port=agent.port)
    return Target(name=agent.label, address=agent.address, transport="snmp", snmp=snmp)


def _walk_once(transport: SnmpTransport, target: Target) -> int:
    with transport.open(target, 30) as session:
        return session.run(WALK, 600).stdout.count("\n")


def _net_snmp_args(agent: Agent, subtree: str) -> list[str]:
    return ["snmpbulkwalk", "-v2c", "-c", agent.community, "-Cr25", "-On", "-Ox",
            "--hexOutputLength=0", f"{agent.address}:{agent.port}", subtree]


def _count(output: str) -> int:
    return sum(1 for line in output.splitlines() if " = " in line and "No Such" not in line)


def _net_snmp_sequential(agent: Agent) -> int:
    total = 0
    for subtree in SUBTREES:
        done = subprocess.run(_net_snmp_args(agent, subtree), capture_output=True, text=True,
                              env=agent.env, check=True)
        total += _count(done.stdout)
    return total


def _net_snmp_parallel(agent: Agent) -> int:
    procs = [subprocess.Popen(_net_snmp_args(agent, s), stdout=subprocess.PIPE, text=True,
                              env=agent.env) for s in SUBTREES]
    return sum(_count(p.communicate()[0]) for p in procs)


def _timed(work: Callable[[], int]) -> tuple[float, int]:
    begun = time.perf_counter()
    count = work()
    return time.perf_counter() - begun, count


def _median(runs: Sequence[tuple[float, int]]) -> float:
    return statistics.median(t for t, _ in runs)


def _compare_report(results: Sequence[Compared]) -> list[str]:
    lines = ["", "| agent | varbinds (tool / pysnmp / net-snmp) | tool | tool with pysnmp "
             "| snmpbulkwalk sequential | snmpbulkwalk parallel | tool / sequential "
             "| tool / parallel |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.label} | {r.varbinds} / {r.pysnmp_varbinds} / "
                     f"{r.reference_varbinds} | {r.tool_s:.3f} s | {r.pysnmp_s:.3f} s | "
                     f"{r.sequential_s:.3f} s | {r.parallel_s:.3f} s | "
                     f"{r.ratio:.1f}x | {r.tool_s / r.parallel_s:.1f}x |")
    lines.append("")
    for r in results:
        verdict = "PASS" if r.ratio <= RATIO_GOAL else "MISS"
        counts = {r.varbinds, r.pysnmp_varbinds, r.reference_varbinds}
        same = "" if len(counts) == 1 else "  (varbind counts DIFFER)"
        lines.append(f"{verdict}  {r.label}: tool / snmpbulkwalk sequential = {r.ratio:.1f}x "
                     f"(goal <= {RATIO_GOAL:g}x){same}")
    return lines


# -- fleet --------------------------------------------------------------------------------

def _fleet(args: argparse.Namespace) -> list[str]:
    recordings = sorted(p.stem for p in SNMPREC_DIR.glob("*.snmprec"))
    if not recordings:
        return [f"skipped fleet: {SNMPREC_DIR} not present"]
    devices = [SimDevice(f"127.0.61.{10 + i}", recordings[i % len(recordings)])
               for i in range(args.devices)]
    begun = time.perf_counter()
    with SnmpsimFleet(SNMPREC_DIR, devices, args.processes) as fleet:
        started = time.perf_counter() - begun
        agents = [Agent(f"sim-{d.address}-{d.recording}", d.address, port, d.community, {})
                  for d, port in fleet.endpoints()]
        transport = _transport(args.max_repetitions, SnmpClient(args.client))
        targets = [_target(a, i) for i, a in enumerate(agents)]
        pids = [p.pid for p in fleet.peers if p.pid is not None]
        sim_cpu, own_cpu = _cpu_seconds(pids), time.process_time()
        begun = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            outcomes = list(pool.map(lambda t: _walk_or_error(transport, t), targets))
        elapsed = time.perf_counter() - begun
        sim_cpu, own_cpu = _cpu_seconds(pids) - sim_cpu, time.process_time() - own_cpu
    varbinds = sum(n for n, _ in outcomes)
    errors = sorted({f"{t.name.split('-', 2)[2]}: {e}" for t, (_, e) in zip(targets, outcomes,
                                                                           strict=True) if e})
    failed = sum(1 for _, e in outcomes if e)
    verdict = "PASS" if elapsed < FLEET_GOAL_S else "MISS"
    return ["", f"fleet: {len(targets)} snmpsim devices ({len(recordings)} recordings in "
            f"turn) in {args.processes} processes, started in {started:.1f} s (not timed)",
            f"walked by {args.workers} threads ({args.client} client) in {elapsed:.1f} s: "
            f"{varbinds} varbinds, "
            f"{failed} targets failed", *(f"  error: {e[:200]}" for e in errors),
            f"CPU seconds during the walk: this process (the transport) {own_cpu:.1f}, "
            f"snmpsim processes {sim_cpu:.1f}",
            f"{verdict}  fleet walk {elapsed:.1f} s (goal < {FLEET_GOAL_S:g} s)"]


def _cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU of these processes so far (/proc/PID/stat, clock ticks)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _walk_or_error(transport: SnmpTransport, target: Target) -> tuple[int, str | None]:
    try:
        return _walk_once(transport, target), None
    except DiscoveryError as exc:
        return 0, str(exc)


if __name__ == "__main__":
    sys.exit(main())
