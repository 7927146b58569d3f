"""What topology derivation reads from the graph: devices and their names, ports, IP
addresses, LLDP/CDP neighbours, forwarding entries and the links already stored.

`TopologyView` is plain data, so the derivation stays pure and testable on its own; only
`read_view` talks to a store (through the GraphStore protocol).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cmdb.store.base import GraphStore, NodeRecord, RelRecord

CONNECTED_TO = "CONNECTED_TO"
ATTACHED_TO = "ATTACHED_TO"


@dataclass(frozen=True)
class DeviceInfo:
    uid: str
    name: str  # what people call it: hostname, else FQDN, else uid
    names: tuple[str, ...]  # every name it may be announced by (hostname, FQDN)
    role: str | None
    site: str | None


@dataclass(frozen=True)
class Port:
    uid: str
    device: str
    name: str
    mac: str | None


@dataclass(frozen=True)
class Address:
    address: str
    device: str
    interface: str  # the owning Interface's uid


@dataclass(frozen=True)
class NeighborRecord:
    uid: str
    device: str
    protocol: str
    local_interface: str
    remote_device: str
    remote_port: str
    remote_chassis_id: str | None = None
    remote_port_description: str | None = None
    remote_mgmt_address: str | None = None


@dataclass(frozen=True)
class FdbRecord:
    device: str
    mac: str
    vlan_id: int
    interface: str | None
    ip: str | None
    entry_type: str | None


@dataclass(frozen=True)
class TopologyView:
    devices: Mapping[str, DeviceInfo]
    ports: tuple[Port, ...]
    addresses: tuple[Address, ...]
    neighbors: tuple[NeighborRecord, ...]
    fdb: tuple[FdbRecord, ...]
    links: tuple[RelRecord, ...]  # stored CONNECTED_TO
    attachments: tuple[RelRecord, ...]  # stored ATTACHED_TO


def read_view(store: GraphStore) -> TopologyView:
    """The present part of the graph topology needs. A graph without neighbours,
    forwarding entries or links (servers only) costs four small reads, not a read of
    every interface and address."""
    neighbors = store.nodes("Neighbor")
    fdb = store.nodes("ForwardingEntry")
    links = tuple(store.relationships(CONNECTED_TO))
    attachments = tuple(store.relationships(ATTACHED_TO))
    if not (neighbors or fdb or links or attachments):
        return TopologyView({}, (), (), (), (), (), ())
    sites = _sites(store)
    devices = {r.uid: _device(r, sites.get(r.uid)) for r in store.nodes("Device")}
    return TopologyView(
        devices=devices,
        ports=tuple(Port(r.uid, r.device or "", str(r.value("name")), r.value("mac"))
                    for r in store.nodes("Interface") if r.device in devices),
        addresses=tuple(Address(str(r.value("address")), r.device or "", r.owner or "")
                        for r in store.nodes("IpAddress") if r.device in devices),
        neighbors=tuple(_neighbor(r) for r in neighbors if r.device in devices),
        fdb=tuple(_fdb(r) for r in fdb if r.device in devices),
        links=links,
        attachments=attachments,
    )


def _sites(store: GraphStore) -> dict[str, str]:
    names = {r.uid: str(r.value("name")) for r in store.nodes("Site")}
    return {rel.src: names[rel.dst] for rel in store.relationships("LOCATED_IN")
            if rel.dst in names}


def _device(record: NodeRecord, site: str | None) -> DeviceInfo:
    names = tuple(str(v) for v in (record.value("hostname"), record.value("fqdn")) if v)
    return DeviceInfo(record.uid, names[0] if names else record.uid, names,
                      record.value("role"), site)


def _neighbor(record: NodeRecord) -> NeighborRecord:
    value = record.value
    return NeighborRecord(
        record.uid, record.device or "", str(value("protocol")), str(value("local_interface")),
        str(value("remote_device")), str(value("remote_port")), value("remote_chassis_id"),
        value("remote_port_description"), value("remote_mgmt_address"))


def _fdb(record: NodeRecord) -> FdbRecord:
    value = record.value
    return FdbRecord(record.device or "", str(value("mac")), int(value("vlan_id")),
                     value("interface"), value("ip"), value("entry_type"))
