"""A deterministic synthetic discovery: one SSH TargetFacts and one inventory TargetFacts
per device, built from `cmdb.schema` classes exactly as collectors return them.

Device `i` depends only on (seed, i), so any chunk can be rebuilt on demand: both stores
and both runs see identical facts without the whole fleet sitting in memory (which would
inflate the peak RSS we report).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime

from cmdb.changeset import RunInfo
from cmdb.schema import (
    ConfigFile,
    Device,
    Facts,
    Interface,
    IpAddress,
    Link,
    ListeningPort,
    Node,
    NodeRef,
    Package,
    Service,
    Site,
    Source,
    TargetFacts,
    TargetOutcome,
)

DISCOVERED = frozenset({"Interface", "IpAddress", "Package", "Service", "ListeningPort",
                        "ConfigFile"})
COLLECTORS = ("device", "interfaces", "packages", "services", "ports", "configs")
# Fixed run times: the stores write them into history, and equal input must give equal rows.
RUN_AT = datetime(2026, 1, 1, tzinfo=UTC)

_PACKAGE_CATALOG = 400
_SERVICE_CATALOG = 60
_ANY = "0.0.0.0"  # noqa: S104 (a fact we report, not an address we bind)
_PORTS = (("tcp", _ANY, 22, "sshd"), ("tcp", "::", 22, "sshd"),
          ("tcp", "127.0.0.1", 25, "master"), ("udp", "127.0.0.1", 323, "chronyd"),
          ("tcp", _ANY, 443, "nginx"), ("tcp", "127.0.0.1", 5432, "postgres"),
          ("tcp", _ANY, 9100, "node_exporter"))
_SSHD = {"PermitRootLogin": ("no", "prohibit-password"), "PasswordAuthentication": ("no", "yes"),
         "X11Forwarding": ("no", "yes"), "MaxAuthTries": ("3", "6"), "UsePAM": ("yes",),
         "ClientAliveInterval": ("0", "300"), "LogLevel": ("INFO", "VERBOSE"),
         "Port": ("22",)}
_CHRONY = {"server": ("ntp1.example.net iburst", "ntp2.example.net iburst"),
           "makestep": ("1.0 3",), "rtcsync": ("yes",), "driftfile": ("/var/lib/chrony/drift",)}


@dataclass(frozen=True)
class Shape:
    """What one device carries; counts are averages (uniform ±spread) so devices differ.

    The defaults give ≈99 nodes+relationships per device (≈1M for 10,000 devices).
    """

    interfaces: int = 4
    ips_per_interface: int = 2
    packages: int = 24
    services: int = 8
    sites: int = 20
    seed: int = 20260101

    def rng(self, device: int) -> random.Random:
        # Synthetic data, not secrets; str seeds hash stably (sha512) across runs.
        return random.Random(f"{self.seed}:{device}")  # noqa: S311


def target_name(device: int) -> str:
    return f"host{device:05d}.bench.example"


def device_facts(shape: Shape, device: int) -> list[TargetFacts]:
    """The SSH facts and the inventory placement of one device."""
    rng = shape.rng(device)
    nodes: list[Node] = [_device(device, rng)]
    nodes += _interfaces(shape, device, rng)
    nodes += _packages(shape, rng)
    nodes += _services(shape, rng)
    nodes += _ports(rng)
    nodes += _configs(rng)
    site = f"site-{rng.randrange(shape.sites):02d}"
    target = target_name(device)
    return [
        TargetFacts(target, Source.SSH, Facts(nodes=tuple(nodes), complete=DISCOVERED)),
        TargetFacts(target, Source.INVENTORY, Facts(
            nodes=(Device(role="server"), Site(name=site)),
            links=(Link("LOCATED_IN", NodeRef("Site", (site,))),),
            complete=frozenset({"LOCATED_IN"}))),
    ]


def chunk_facts(shape: Shape, start: int, stop: int) -> list[TargetFacts]:
    return [item for device in range(start, stop) for item in device_facts(shape, device)]


def run_info(run: int, start: int, stop: int) -> RunInfo:
    outcomes = tuple(TargetOutcome(target_name(d), True, ok=COLLECTORS)
                     for d in range(start, stop))
    return RunInfo(run, "discovery", RUN_AT, RUN_AT, outcomes)


def chunks(devices: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(start + size, devices)) for start in range(0, devices, size)]


def _spread(rng: random.Random, mean: int) -> int:
    """Uniform around `mean` (±1/6), so the average stays exact."""
    half = mean // 6
    return mean + rng.randint(-half, half)


def _device(device: int, rng: random.Random) -> Device:
    return Device(
        platform="linux", hostname=f"h{device:05d}", fqdn=target_name(device),
        serial=f"BX{device:07d}", machine_id=f"{device:08x}{rng.getrandbits(96):024x}",
        vendor=rng.choice(("Dell Inc.", "HPE", "Lenovo", "QEMU")),
        model=rng.choice(("PowerEdge R650", "ProLiant DL360 Gen10", "ThinkSystem SR630",
                          "Standard PC (Q35 + ICH9, 2009)")),
        cpu_model="Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz",
        cpu_count=rng.choice((2, 4, 8, 16, 32)), memory_bytes=rng.choice((4, 8, 16, 64)) << 30,
        boot_time=f"2025-12-{rng.randint(1, 28):02d}T0{rng.randint(0, 9)}:00:00Z",
    )


def _mac(device: int, index: int) -> str:
    """Universally administered (00:16:3e, Xen OUI) and unique for < 4M devices."""
    n = device * 4 + index
    return f"00:16:3e:{n >> 16 & 0xff:02x}:{n >> 8 & 0xff:02x}:{n & 0xff:02x}"


def _interfaces(shape: Shape, device: int, rng: random.Random) -> list[Node]:
    nodes: list[Node] = []
    for j in range(shape.interfaces):
        name, mac = f"eth{j}", _mac(device, j)
        nodes.append(Interface(name=name, mac=mac, kind="ether",
                               mtu=rng.choice((1500, 9000)), admin_up=True,
                               oper_status=rng.choice(("up", "up", "up", "down"))))
        for k in range(shape.ips_per_interface):
            nodes.append(_ip(name, device, j, k, mac))
    return nodes


def _ip(interface: str, device: int, j: int, k: int, mac: str) -> IpAddress:
    """Even k: a global IPv4; k=1: the EUI-64 link-local; other odd k: a ULA."""
    if k % 2 == 0:
        address = f"10.{device >> 8 & 0xff}.{device & 0xff}.{j * 16 + k + 1}"
        return IpAddress(interface=interface, address=address, prefix_length=24,
                         family="ipv4", scope="global")
    if k == 1:
        o = mac.split(":")
        address = f"fe80::{int(o[0], 16) ^ 2:x}{o[1]}:{o[2]}ff:fe{o[3]}:{o[4]}{o[5]}"
        return IpAddress(interface=interface, address=address, prefix_length=64,
                         family="ipv6", scope="link")
    return IpAddress(interface=interface, address=f"fd00:{k:x}::{device:x}:{j:x}",
                     prefix_length=64, family="ipv6", scope="global")


def _packages(shape: Shape, rng: random.Random) -> list[Node]:
    picked = rng.sample(range(_PACKAGE_CATALOG), _spread(rng, shape.packages))
    return [Package(name=f"pkg-{n:03d}", arch="all" if n % 7 == 0 else "amd64",
                    version=f"{n % 9}.{n % 13}.{rng.choice((1, 1, 1, 2))}-{n % 5}",
                    manager="dpkg") for n in sorted(picked)]


def _services(shape: Shape, rng: random.Random) -> list[Node]:
    picked = rng.sample(range(_SERVICE_CATALOG), _spread(rng, shape.services))
    nodes: list[Node] = []
    for n in sorted(picked):
        running = rng.random() < 0.8
        nodes.append(Service(name=f"svc-{n:02d}.service", description=f"Service number {n}",
                             active_state="active" if running else "inactive",
                             sub_state="running" if running else "dead",
                             enabled=rng.choice(("enabled", "enabled", "disabled", "static"))))
    return nodes


def _ports(rng: random.Random) -> list[Node]:
    picked = rng.sample(_PORTS, rng.randint(2, 4))
    return [ListeningPort(protocol=p, address=a, port=n, process=proc)
            for p, a, n, proc in sorted(picked)]


def _configs(rng: random.Random) -> list[Node]:
    files = [("/etc/ssh/sshd_config", "sshd", _SSHD)]
    if rng.random() < 0.5:
        files.append(("/etc/chrony/chrony.conf", "chrony", _CHRONY))
    nodes: list[Node] = []
    for path, fmt, options in files:
        settings = {k: rng.choice(v) for k, v in options.items()}
        text = "\n".join(f"{k} {v}" for k, v in sorted(settings.items()))
        nodes.append(ConfigFile(path=path, format=fmt, size=len(text) + 200,
                                sha256=hashlib.sha256(text.encode()).hexdigest(),
                                settings=settings))
    return nodes
