"""LLDP/CDP neighbours -> CONNECTED_TO links between interfaces. Pure.

A neighbour record names the far end as the far device announces itself: a system name
(`sw2`, `sw2.example.com`, CDP's `sw2(FOC1234X0AB)` on NX-OS), a chassis id (often a
MAC), a management address, and a port (`Gi1/0/2`, `GigabitEthernet1/0/2`, a MAC, or an
ifIndex with the name in the port description). The far end is resolved only when exactly
one device, then exactly one of its ports, fits; otherwise the neighbour stays pending
with the reason, never guessed.

Interface names are matched without knowing the vendor (cmdb imports no discovery code):
exactly, then as an abbreviation of the same port number (`Gi1/0/2` = `GigabitEthernet
1/0/2`, `Eth1/1` = `Ethernet1/1`, `GE0/0/1` = `GigabitEthernet0/0/1`, `XGE1/0/49` =
`Ten-GigabitEthernet1/0/49`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cmdb.topology.view import NeighborRecord, Port, TopologyView

_PORT = re.compile(r"^(?P<kind>[A-Za-z][A-Za-z-]*?)[ -]?(?P<number>\d[\w/.:-]*)$")
_MAC = re.compile(r"^[0-9a-f]{2}(?:[:.-]?[0-9a-f]{2}){5}$")
_CDP_SERIAL = re.compile(r"^(?P<name>[^()]+)\([^()]*\)$")
# Abbreviations that are neither a prefix nor the capitals of the long name (Comware's
# `XGE` = Ten-GigabitEthernet, `FGE` = FortyGigE, `HGE` = HundredGigE, `WGE`).
_ODD_ABBREVIATIONS = {"xge": "tengigabitethernet", "fge": "fortygige",
                      "hge": "hundredgige", "wge": "twentyfivegige"}


@dataclass(frozen=True)
class Link:
    """One physical link; `a` < `b` so that both ends' records give the same link."""

    a: str
    b: str


def link(one: str, other: str) -> Link:
    return Link(*sorted((one, other)))


@dataclass(frozen=True)
class Pending:
    """A neighbour whose far end is not (uniquely) in the graph, and why."""

    neighbor: NeighborRecord
    reason: str


@dataclass(frozen=True)
class NeighborLinks:
    links: Mapping[Link, tuple[NeighborRecord, ...]]  # each link and the records behind it
    pending: tuple[Pending, ...]


def derive_links(view: TopologyView) -> NeighborLinks:
    index = _Index.build(view)
    links: dict[Link, list[NeighborRecord]] = {}
    pending: list[Pending] = []
    for record in view.neighbors:
        found = index.resolve(record)
        if isinstance(found, str):
            pending.append(Pending(record, found))
        else:
            links.setdefault(link(*found), []).append(record)
    return NeighborLinks({k: tuple(v) for k, v in links.items()}, tuple(pending))


@dataclass(frozen=True)
class _Index:
    ports: Mapping[str, tuple[Port, ...]]  # device -> its ports
    by_name: Mapping[str, frozenset[str]]  # device name (lower, also short) -> devices
    by_address: Mapping[str, frozenset[str]]
    by_mac: Mapping[str, frozenset[str]]

    @staticmethod
    def build(view: TopologyView) -> _Index:
        ports: dict[str, list[Port]] = {}
        for port in view.ports:
            ports.setdefault(port.device, []).append(port)
        return _Index(
            {device: tuple(found) for device, found in ports.items()},
            _group((name, d.uid) for d in view.devices.values()
                   for full in d.names for name in _name_forms(full)),
            _group((a.address, a.device) for a in view.addresses),
            _group((mac, p.device) for p in view.ports if (mac := normal_mac(p.mac))))

    def resolve(self, record: NeighborRecord) -> tuple[str, str] | str:
        """(local port uid, remote port uid), or why not."""
        local = self._port_named(record.device, record.local_interface)
        if local is None:
            return f"local interface {record.local_interface} is not in the graph"
        device, why = self._device(record)
        if device is None:
            return why
        remote = self._remote_port(device, record)
        if remote is None:
            return f"{record.remote_port} is not a known interface of {record.remote_device}"
        return local.uid, remote.uid

    def _device(self, record: NeighborRecord) -> tuple[str | None, str]:
        """The far device's uid by name, management address or chassis MAC; all that
        answer must agree."""
        tried = [_named_by(self.by_name, _name_forms(record.remote_device), record.device),
                 _named_by(self.by_address, [record.remote_mgmt_address], record.device),
                 _named_by(self.by_mac, [normal_mac(record.remote_chassis_id)], record.device)]
        found = set().union(*tried)
        if len(found) == 1:
            return found.pop(), ""
        if not found:
            return None, f"no device in the graph is {record.remote_device}"
        return None, f"{record.remote_device} fits several devices by name, address or chassis id"

    def _remote_port(self, device: str, record: NeighborRecord) -> Port | None:
        port = self._port_named(device, record.remote_port)
        if port is None and record.remote_port_description:
            port = self._port_named(device, record.remote_port_description)
        mac = normal_mac(record.remote_port)
        if port is None and mac is not None:
            port = _only(p for p in self.ports.get(device, ()) if normal_mac(p.mac) == mac)
        return port

    def _port_named(self, device: str, name: str) -> Port | None:
        ports = self.ports.get(device, ())
        wanted = name.strip().casefold()
        exact = _only(p for p in ports if p.name.casefold() == wanted)
        return exact or _only(p for p in ports if same_port(name, p.name))


def same_port(short: str, long: str) -> bool:
    """`short` names the same port as `long` in another spelling of the interface kind."""
    a, b = _PORT.match(short.strip()), _PORT.match(long.strip())
    if a is None or b is None or a["number"] != b["number"]:
        return False
    kind, full = a["kind"].casefold(), b["kind"].replace("-", "").casefold()
    capitals = "".join(c for c in b["kind"] if c.isupper()).casefold()
    return (full.startswith(kind.replace("-", "")) or kind == capitals
            or _ODD_ABBREVIATIONS.get(kind) == full)


def normal_mac(value: str | None) -> str | None:
    """`0011.2233.4455`, `00-11-22-33-44-55`, `001122334455` -> `00:11:22:33:44:55`."""
    if not value or not _MAC.match(value.strip().lower()):
        return None
    digits = re.sub(r"[^0-9a-f]", "", value.lower())
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def _name_forms(name: str) -> list[str]:
    """A system name as announced, and its host part: `sw2.example.com` -> both, CDP's
    `sw2(FOC1234X0AB)` -> `sw2`."""
    text = name.strip().rstrip(".").casefold()
    cdp = _CDP_SERIAL.match(text)
    if cdp:
        text = cdp["name"].strip()
    return list(dict.fromkeys([text, text.split(".")[0]])) if text else []


def _named_by(index: Mapping[str, frozenset[str]], keys: Iterable[str | None],
              this_device: str) -> frozenset[str]:
    """The devices the first known key names (keys go from exact to loose), never the
    device that reports the neighbour."""
    for key in keys:
        devices = index.get(key, frozenset()) - {this_device} if key else frozenset()
        if devices:
            return devices
    return frozenset()


def _group(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    grouped: dict[str, set[str]] = {}
    for key, device in pairs:
        grouped.setdefault(key, set()).add(device)
    return {key: frozenset(devices) for key, devices in grouped.items()}


def _only(ports: Iterable[Port]) -> Port | None:
    found = list(ports)
    return found[0] if len(found) == 1 else None
