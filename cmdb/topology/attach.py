"""Forwarding tables + ARP -> ATTACHED_TO: which switch port each known endpoint is
plugged into. Pure.

A switch learns an endpoint's MAC on the port it is plugged into, but also every MAC
behind each of its uplinks, so most MACs are seen on several switches. As Netdisco does,
the endpoint's port is the one that is not an uplink (no CONNECTED_TO link to another
network device), and among several such ports the one that learnt the fewest MACs (an
access port, not an unmanaged switch's). A tie stays unresolved rather than guessed.

The endpoint is an Interface in the graph with that MAC; when a forwarding entry's MAC is
unknown but ARP maps it to an IP, the interface holding that IP (its MAC not recorded) is
taken. Entries for the switch's own MACs and `self`/`cpu` entries are ignored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cmdb.topology.links import Link, normal_mac
from cmdb.topology.view import FdbRecord, TopologyView

NETWORK_ROLE = "network"
_IGNORED_TYPES = frozenset({"self", "cpu", "management", "router", "system"})


@dataclass(frozen=True)
class Attachment:
    endpoint: str  # the endpoint's Interface uid
    switch_port: str  # the switch's Interface uid


def derive_attachments(view: TopologyView, links: Iterable[Link]) -> tuple[Attachment, ...]:
    ports = {(p.device, p.name): p.uid for p in view.ports}
    device_of = {p.uid: p.device for p in view.ports}
    uplinks = _uplinks(view, links, device_of)
    entries = [e for e in view.fdb if _usable(e)]
    learnt = Counter(ports.get((e.device, e.interface or "")) for e in entries)
    endpoints = _endpoints(view)
    candidates: dict[str, set[str]] = {}
    for entry in entries:
        port = ports.get((entry.device, entry.interface or ""))
        endpoint = endpoints.by_mac.get(normal_mac(entry.mac) or "") or \
            endpoints.by_ip.get(entry.ip or "")
        if port is None or endpoint is None or port in uplinks:
            continue
        if device_of.get(endpoint) == entry.device:  # the switch's own MAC
            continue
        candidates.setdefault(endpoint, set()).add(port)
    return tuple(sorted(
        (Attachment(endpoint, port) for endpoint, found in candidates.items()
         if (port := _access_port(found, learnt)) is not None),
        key=lambda a: (a.endpoint, a.switch_port)))


@dataclass(frozen=True)
class _Endpoints:
    by_mac: Mapping[str, str]  # MAC -> the one Interface uid with it
    by_ip: Mapping[str, str]  # IP -> Interface uid, for interfaces without a MAC


def _endpoints(view: TopologyView) -> _Endpoints:
    macs: dict[str, set[str]] = {}
    for port in view.ports:
        mac = normal_mac(port.mac)
        if mac:
            macs.setdefault(mac, set()).add(port.uid)
    without_mac = {p.uid for p in view.ports if not normal_mac(p.mac)}
    ips: dict[str, set[str]] = {}
    for address in view.addresses:
        if address.interface in without_mac:
            ips.setdefault(address.address, set()).add(address.interface)
    # A MAC or IP on several interfaces (HSRP/VRRP, clones) names no one endpoint.
    return _Endpoints({k: next(iter(v)) for k, v in macs.items() if len(v) == 1},
                      {k: next(iter(v)) for k, v in ips.items() if len(v) == 1})


def _uplinks(view: TopologyView, links: Iterable[Link], device_of: Mapping[str, str]
             ) -> frozenset[str]:
    """Ports linked to a port of another network device."""
    def is_network(port: str) -> bool:
        device = view.devices.get(device_of.get(port, ""))
        return device is not None and device.role == NETWORK_ROLE

    found = set()
    for one in links:
        if is_network(one.b):
            found.add(one.a)
        if is_network(one.a):
            found.add(one.b)
    return frozenset(found)


def _usable(entry: FdbRecord) -> bool:
    return bool(entry.interface) and (entry.entry_type or "").lower() not in _IGNORED_TYPES


def _access_port(ports: set[str], learnt: Counter[str | None]) -> str | None:
    ranked = sorted(ports, key=lambda port: learnt[port])
    if len(ranked) > 1 and learnt[ranked[0]] == learnt[ranked[1]]:
        return None
    return ranked[0]
