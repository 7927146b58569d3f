"""SNMP fleet benchmark: the whole discovery the product does (`discovery.runner.discover`
over an inventory of `generic_snmp` targets with `transport: snmp`: open, every
collector's walks and gets, the parsers) against a fleet of simulated devices, and
net-snmp's own clients doing the same requests to the same devices. See bench/README.md.

    python -m bench.snmp_fleet [--peer snmpd|snmpsim] [--devices 200] [--agents 4]
                               [--versions v2c v3] [--concurrency 8 16 32]
                               [--netsnmp-jobs 4]

--peer snmpd: `--agents` net-snmp `snmpd` processes (C), each answering on devices/agents
loopback addresses (127.62.0.1 on): every device answers this host's MIB data, which is
fine for throughput, not for realism. --peer snmpsim: the recordings of
../shared/fixtures/snmprec in turn (127.63.0.1 on) over `--agents` snmpsim processes
(Python); realistic data, but the simulator is the bottleneck on a small machine.

For each SNMP version and runner concurrency, prints the wall time, the CPU seconds of
this process (the tool: runner, transport, parsers), of the peers, and of everything else
on the machine during the run, the varbinds received and the targets not fully
discovered. The reference: per device one shell script running, one after the other, an
`snmpget` for what the transport's open asks and one `snmpbulkwalk` per walked subtree /
`snmpget` per get line of the collectors, `--netsnmp-jobs` devices at a time (the CPU of
the client processes is reported; this harness's own fork/exec CPU is left out). Goals
are printed as PASS/MISS, never asserted. Peer startup is not timed.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bench.probe import cpu_seconds, machine_busy_seconds
from bench.snmp_walk import FLEET_GOAL_S, SNMPREC_DIR
from discovery.lab.snmpd import SnmpdPeer, SnmpUser
from discovery.lab.snmpsim import SimDevice, SnmpsimPeer
from discovery.platforms.generic_snmp import GenericSnmpPlatform
from discovery.result import DiscoveryResult
from discovery.runner import RunnerOptions, discover
from discovery.transports.base import CommandOutput
from discovery.transports.snmp import SnmpSession, SnmpTransport
from inventory.credentials import resolve_secret
from inventory.model import (
    Inventory,
    RefKind,
    SecretRef,
    SnmpAuthProtocol,
    SnmpCredentials,
    SnmpPrivProtocol,
    SnmpVersion,
    Target,
)

# The transport's and the CLI's defaults (`cmdb discover --snmp-timeout 2 --snmp-retries 1`).
SNMP_TIMEOUT, SNMP_RETRIES, MAX_REPETITIONS = 2.0, 1, 100
OPEN_GET = ("1.3.6.1.2.1.1.2.0", "1.3.6.1.6.3.10.2.1.1.0")  # sysObjectID.0, snmpEngineID.0
USER = SnmpUser("cmdb-bench", "SHA", "AES")  # keys random per run
_ENV = "BENCH_FLEET_{}"  # secret references, by what they hold
_T = TypeVar("_T")
_VARYING = re.compile(r"\d+\.\d+\.\d+\.\d+:\d+|COMMUNITY_\d+")  # per target in messages


@dataclass(frozen=True)
class Device:
    """One simulated device: where it answers, its v2c community and v3 context."""

    name: str
    address: str
    port: int
    index: int  # in the fleet: names the env variable holding its community
    community: str
    context: str | None = None


@dataclass(frozen=True)
class Fleet:
    devices: tuple[Device, ...]
    pids: tuple[int, ...]
    env: dict[str, str]  # for net-snmp's clients


@dataclass(frozen=True)
class Run:
    """One measured pass over the fleet."""

    label: str
    version: str
    wall_s: float
    own_cpu_s: float  # this process (the tool), or net-snmp's client processes
    peer_cpu_s: float
    other_cpu_s: float
    varbinds: int
    failed: int
    errors: tuple[str, ...] = ()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    load = os.getloadavg()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; peer {args.peer}, {args.devices} "
          f"devices, {args.agents} peer processes", flush=True)
    begun = time.perf_counter()
    with _fleet(args) as fleet:
        print(f"fleet up in {time.perf_counter() - begun:.1f} s (not timed)", flush=True)
        runs: list[Run] = []
        for version in args.versions:
            for concurrency in args.concurrency:
                runs.append(_measure_tool(fleet, version, concurrency))
                _show(runs[-1])
            runs.append(_measure_net_snmp(fleet, version, args.netsnmp_jobs))
            _show(runs[-1])
    print("\n".join(_report(runs, args)))
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.snmp_fleet", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--peer", choices=("snmpd", "snmpsim"), default="snmpd")
    p.add_argument("--devices", type=int, default=200)
    p.add_argument("--agents", type=int, default=4, help="peer processes (default 4)")
    p.add_argument("--versions", nargs="+", choices=("v2c", "v3"), default=["v2c", "v3"])
    p.add_argument("--concurrency", nargs="+", type=int,
                   default=[RunnerOptions().concurrency, 16, 32],
                   help="runner concurrencies to measure (default: the runner's, 16, 32)")
    p.add_argument("--netsnmp-jobs", type=int, default=4,
                   help="devices net-snmp's clients work on at once (default 4)")
    return p


# -- the fleets ---------------------------------------------------------------------------

def _address(base: int, index: int) -> str:
    return f"127.{base}.{index // 250}.{1 + index % 250}"


@contextmanager
def _fleet(args: argparse.Namespace) -> Iterator[Fleet]:
    start = _snmpd_fleet if args.peer == "snmpd" else _snmpsim_fleet
    with start(args.devices, max(1, min(args.agents, args.devices))) as fleet:
        for device in fleet.devices:  # the secrets, for `resolve_secret`'s env references
            os.environ[_ENV.format(f"COMMUNITY_{device.index}")] = device.community
        os.environ[_ENV.format("AUTH")] = USER.auth_key
        os.environ[_ENV.format("PRIV")] = USER.priv_key
        yield fleet


@contextmanager
def _snmpd_fleet(devices: int, agents: int) -> Iterator[Fleet]:
    addresses = [_address(62, i) for i in range(devices)]
    peers = [SnmpdPeer(share[0], users=(USER,), more_addresses=share[1:])
             for share in (addresses[i::agents] for i in range(agents))]
    try:
        for peer in peers:
            peer.start()
        serving = {a: peer for peer in peers for a in peer.addresses}
        found = tuple(Device(f"snmpd-{a}", a, serving[a].port, i, serving[a].community)
                      for i, a in enumerate(addresses))
        yield Fleet(found, _pids(peers), peers[0].client_env())
    finally:
        for peer in peers:
            peer.stop()


@contextmanager
def _snmpsim_fleet(devices: int, agents: int) -> Iterator[Fleet]:
    recordings = sorted(p.stem for p in SNMPREC_DIR.glob("*.snmprec"))
    if not recordings:
        raise SystemExit(f"no recordings: {SNMPREC_DIR} not present")
    sims = [SimDevice(_address(63, i), recordings[i % len(recordings)])
            for i in range(devices)]
    # SnmpsimFleet with a v3 user: the recording is the v1/v2c community and v3 context.
    peers = [SnmpsimPeer(SNMPREC_DIR, sims[i::agents], v3_user=USER, start_timeout=300)
             for i in range(agents)]
    try:
        for peer in peers:
            peer.launch()
        for peer in peers:
            peer.wait_ready()
        port = {d: peer.port for peer in peers for d in peer.devices}
        found = tuple(Device(f"sim-{d.address}-{d.recording}", d.address, port[d], i,
                             d.community, d.recording) for i, d in enumerate(sims))
        yield Fleet(found, _pids(peers), peers[0].client_env())
    finally:
        for peer in peers:
            peer.stop()


def _pids(peers: Sequence[SnmpdPeer | SnmpsimPeer]) -> tuple[int, ...]:
    return tuple(p.pid for p in peers if p.pid is not None)


def _target(device: Device, version: str) -> Target:
    if version == "v2c":
        snmp = SnmpCredentials(SnmpVersion.V2C, _ref(f"COMMUNITY_{device.index}"),
                               port=device.port)
    else:
        snmp = SnmpCredentials(SnmpVersion.V3, user=USER.name,
                               auth_protocol=SnmpAuthProtocol.SHA,
                               auth_key=_ref("AUTH"), priv_protocol=SnmpPrivProtocol.AES128,
                               priv_key=_ref("PRIV"), context=device.context,
                               port=device.port)
    return Target(name=device.name, address=device.address, platform="generic_snmp",
                  transport="snmp", snmp=snmp)


def _ref(what: str) -> SecretRef:
    return SecretRef(RefKind.ENV, _ENV.format(what))


# -- the tool -----------------------------------------------------------------------------

class _CountingTransport:
    """The SNMP transport, counting the varbinds its sessions return (open included)."""

    def __init__(self, transport: SnmpTransport) -> None:
        self._transport = transport
        self._lock = threading.Lock()
        self.varbinds = 0

    def open(self, target: Target, timeout: float) -> _CountingSession:
        session = self._transport.open(target, timeout)
        self.add((session.sys_object_id is not None) + (session.engine_id is not None))
        return _CountingSession(session, self)

    def add(self, count: int) -> None:
        with self._lock:
            self.varbinds += count


class _CountingSession:
    def __init__(self, session: SnmpSession, counter: _CountingTransport) -> None:
        self._session = session
        self._counter = counter

    def run(self, command: str, timeout: float) -> CommandOutput:
        output = self._session.run(command, timeout)
        self._counter.add(output.stdout.count("\n"))
        return output

    def close(self) -> None:
        self._session.close()


def _measure_tool(fleet: Fleet, version: str, concurrency: int) -> Run:
    inventory = Inventory(tuple(_target(d, version) for d in fleet.devices))
    transport = _CountingTransport(SnmpTransport(
        resolve_secret=resolve_secret, timeout=SNMP_TIMEOUT, retries=SNMP_RETRIES,
        max_repetitions=MAX_REPETITIONS))
    options = RunnerOptions(concurrency=concurrency)
    own0 = time.process_time()
    result, wall, peers, others = _metered(
        fleet, lambda: discover(inventory, {"snmp": transport}, options))
    own = time.process_time() - own0
    label = f"tool, concurrency {concurrency}" + (
        " (runner default)" if concurrency == RunnerOptions().concurrency else "")
    return Run(label, version, wall, own, peers, others - own, transport.varbinds,
               result.failed, _errors(result))


def _metered(fleet: Fleet, work: Callable[[], _T]) -> tuple[_T, float, float, float]:
    """Run `work`: its result, wall seconds, the peers' CPU seconds, and the CPU seconds
    of everything else on the machine (the caller subtracts its own)."""
    peers0, (busy0, _) = sum(map(cpu_seconds, fleet.pids)), machine_busy_seconds()
    begun = time.perf_counter()
    result = work()
    wall = time.perf_counter() - begun
    peers = sum(map(cpu_seconds, fleet.pids)) - peers0
    return result, wall, peers, machine_busy_seconds()[0] - busy0 - peers


def _errors(result: DiscoveryResult) -> tuple[str, ...]:
    """Distinct failures (addresses and references blanked), one line each with how many
    targets had it and the first of them."""
    seen: Counter[str] = Counter()
    first: dict[str, str] = {}
    for target in result.targets:
        failures = [("unreached", target.error)] if target.error else []
        failures += [(c.name, c.error) for c in target.collectors if c.error]
        for where, error in failures:
            what = f"{where}: {error.kind.value}: {_VARYING.sub('*', error.message)[:150]}"
            seen[what] += 1
            first.setdefault(what, target.target)
    return tuple(f"{n} x {what} (e.g. {first[what]})" for what, n in seen.most_common())


# -- net-snmp -----------------------------------------------------------------------------

def _measure_net_snmp(fleet: Fleet, version: str, jobs: int) -> Run:
    workdir = Path(tempfile.mkdtemp(prefix="snmp-fleet-"))  # 0700: the scripts hold keys
    try:
        scripts = [_write_script(workdir, d, version) for d in fleet.devices]
        children0, driver0 = _children_cpu(), time.process_time()

        def run_all() -> list[tuple[int, int]]:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                return list(pool.map(lambda s: _run_script(s, fleet.env), scripts))

        outcomes, wall, peers, others = _metered(fleet, run_all)
        clients = _children_cpu() - children0
        others -= time.process_time() - driver0  # this harness's fork/exec: not net-snmp's
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return Run(f"net-snmp, {jobs} devices at a time", version, wall, clients, peers,
               others - clients, sum(n for n, _ in outcomes),
               sum(1 for _, rc in outcomes if rc))


def _write_script(workdir: Path, device: Device, version: str) -> Path:
    """The device's requests as net-snmp commands, the transport's order and settings."""
    agent = f"{device.address}:{device.port}"
    common = ["-r", str(SNMP_RETRIES), "-t", f"{SNMP_TIMEOUT:g}", "-On", "-Ox",
              "--hexOutputLength=0", *_auth_args(device, version), agent]
    lines = [_get(common, OPEN_GET)]
    target = _target(device, version)
    for collector in GenericSnmpPlatform().collectors(target):
        for command in collector.commands:
            op, *oids = command.line.split()
            if op == "get":
                lines.append(_get(common, oids))
            else:
                lines += [shlex.join(["snmpbulkwalk", f"-Cr{MAX_REPETITIONS}", *common, o])
                          for o in oids]
    script = workdir / f"{device.name}.sh"
    script.write_text("rc=0\n" + "".join(f"{line} || rc=1\n" for line in lines) + "exit $rc\n",
                      encoding="utf-8")
    return script


def _get(common: list[str], oids: Sequence[str]) -> str:
    return shlex.join(["snmpget", *common, *oids])


def _auth_args(device: Device, version: str) -> list[str]:
    if version == "v2c":
        return ["-v2c", "-c", device.community]
    context = ["-n", device.context] if device.context else []
    return ["-v3", "-l", "authPriv", "-u", USER.name, "-a", USER.auth_protocol,
            "-A", USER.auth_key, "-x", USER.priv_protocol, "-X", USER.priv_key, *context]


def _run_script(script: Path, env: dict[str, str]) -> tuple[int, int]:
    """Varbinds printed (the lines with a value) and the script's exit status."""
    done = subprocess.run(["sh", str(script)], capture_output=True, text=True, env=env,
                          check=False)
    count = sum(1 for line in done.stdout.splitlines()
                if " = " in line and "No Such" not in line and "No more variables" not in line)
    return count, done.returncode


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# -- the report ---------------------------------------------------------------------------

def _show(run: Run) -> None:
    print(f"  {run.version} {run.label}: {run.wall_s:.1f} s, {run.varbinds} varbinds, "
          f"{run.failed} failed", flush=True)


def _report(runs: Sequence[Run], args: argparse.Namespace) -> list[str]:
    lines = ["", "| SNMP | who | wall | CPU: tool / net-snmp clients | CPU: peers "
             "| CPU: rest of machine | varbinds | targets failed |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r.version} | {r.label} | {r.wall_s:.1f} s | {r.own_cpu_s:.1f} s "
              f"| {r.peer_cpu_s:.1f} s | {max(0.0, r.other_cpu_s):.1f} s | {r.varbinds} "
              f"| {r.failed} |" for r in runs]
    lines.append("")
    for version in args.versions:
        net_snmp = next(r for r in runs if r.version == version and r.label[:8] == "net-snmp")
        for run in (r for r in runs if r.version == version and r is not net_snmp):
            verdict = "PASS" if run.wall_s < FLEET_GOAL_S else "MISS"
            lines.append(f"{verdict}  {version} {run.label}: {args.devices} {args.peer} "
                         f"devices discovered in {run.wall_s:.1f} s (goal < "
                         f"{FLEET_GOAL_S:g} s), {run.failed} failed; tool / net-snmp "
                         f"= {run.wall_s / net_snmp.wall_s:.2f}x")
            lines += [f"      {e[:220]}" for e in run.errors[:8]]
    return lines


if __name__ == "__main__":
    sys.exit(main())
