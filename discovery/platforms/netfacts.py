"""Builders of schema nodes shared by the network CLI platforms (cisco_ios, cisco_nxos,
arista_eos, juniper_junos, huawei_vrp, hp_comware): addresses, hardware components,
neighbours, VLANs and forwarding entries, from values `netcli.py` has normalised.

Nothing here knows a vendor. A platform module states *which* ntc-templates field holds
what (the `*Fields` mappings) and *how* its interface names abbreviate (an alias table),
or builds the small value records (`MacEntry`, `ArpEntry`) itself when it reads the
output without a template; the functions here do the rest the same way for every vendor.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from cmdb.schema import Component, Facts, ForwardingEntry, IpAddress, Neighbor, Node, Source, Vlan
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.netcli import (
    Record,
    canonical_interface,
    integer,
    ip_or_none,
    mac,
    mac_or_text,
    optional_text,
    records,
    text,
    texts,
)


def ip_address(interface: str, address: object, prefix: object = None, *,
               bare_is_host: bool = False) -> IpAddress | None:
    """An IpAddress owned by `interface`: `192.0.2.1/24` (as EOS prints it), or an
    address plus a prefix length or dotted mask. A bare address has no prefix length,
    unless the platform prints bare addresses for hosts (`bare_is_host`: /32, /128).
    Anything that is no address (sanitised `A.B.C.D/XY`, `unassigned`) is None."""
    found = text(address)
    if found is None:
        return None
    length = text(prefix)
    try:
        if "/" not in found and length is None and not bare_is_host:
            bare = ipaddress.ip_address(found)
            return IpAddress(interface=interface, address=bare.compressed,
                             family=f"ipv{bare.version}")
        spec = found if length is None else f"{found}/{length}"
        network = ipaddress.ip_interface(spec)
    except ValueError:
        return None
    return IpAddress(interface=interface, address=network.ip.compressed,
                     prefix_length=network.network.prefixlen,
                     family=f"ipv{network.version}")


def dedupe(nodes: Iterable[Node]) -> list[Node]:
    """One node per label and key, the first one seen (tables and filldown templates
    repeat rows)."""
    seen: dict[tuple[str, tuple[object, ...]], Node] = {}
    for item in nodes:
        seen.setdefault((item.SPEC.label, tuple(item.key_values())), item)
    return list(seen.values())


# --- hardware inventory --------------------------------------------------------------

_KINDS = (  # first match wins; checked against "name description", lower case
    ("power-supply", ("power supply", "power-supply", "psu", "pwr-")),
    ("fan", ("fan",)),
    ("transceiver", ("transceiver", "sfp", "gbic", "xfp", "qsfp", "cfp")),
    ("chassis", ("chassis",)),
    ("stack", ("stack",)),
    ("cpu", ("supervisor", "route processor", "cpu")),
    ("module", ("module", "slot", "linecard", "line card", "card", "switch ")),
)


@dataclass(frozen=True)
class InventoryFields:
    """Which ntc-templates field of an inventory row holds what."""

    name: str
    description: str
    model: str
    serial: str
    revision: str


def component_kind(name: str, description: str | None, model: str | None = None) -> str:
    """A coarse kind from the words vendors use in name, description and part number
    (`QSFP-100G-SR4-S`); `other` when none says what it is."""
    words = f"{name} {description or ''} {model or ''}".lower()
    for kind, needles in _KINDS:
        if any(needle in words for needle in needles):
            return kind
    return "other"


def unique_names(components: Sequence[Component]) -> list[Component]:
    """Component names are keys: a repeated name (old IOS prints `One port Fastethernet
    TX` for every such card) gets ` (2)`, ` (3)`... in output order."""
    seen: dict[str, int] = {}
    result = []
    for item in components:
        count = seen.get(item.name, 0) + 1
        seen[item.name] = count
        if count > 1:
            item = replace(item, name=f"{item.name} ({count})")
        result.append(item)
    return result


def inventory(rows: Iterable[Record], fields: InventoryFields,
              vendor: str | None) -> list[Component]:
    """Components from inventory rows; a row without a name is skipped."""
    found = []
    for row in rows:
        name = text(row.get(fields.name))
        if name is None:
            continue
        description, model = text(row.get(fields.description)), text(row.get(fields.model))
        found.append(Component(
            name=name, kind=component_kind(name, description, model),
            description=description, vendor=vendor, model=model,
            serial=text(row.get(fields.serial)),
            hardware_revision=text(row.get(fields.revision))))
    return unique_names(found)


# --- LLDP / CDP neighbours ------------------------------------------------------------

def neighbor(protocol: str, local: str | None, device: str | None, port: str | None,
             **extra: str | None) -> Neighbor | None:
    """A neighbour; without a local interface, a far end (name or id) or a remote port
    it is skipped (None)."""
    if local is None or device is None or port is None:
        return None
    return Neighbor(protocol=protocol, local_interface=local, remote_device=device,
                    remote_port=port, **extra)


def lldp_neighbor(local: str | None, name: str | None, chassis_id: str | None,
                  port: str | None, **extra: str | None) -> Neighbor | None:
    """An LLDP neighbour; the far end is named by its system name, or by its chassis id
    when it sends none."""
    return neighbor("lldp", local, name or chassis_id, port, remote_chassis_id=chassis_id,
                    **extra)


@dataclass(frozen=True)
class NeighborFields:
    """Which ntc-templates field of a neighbour record holds what. `device` is the
    neighbour's name; when it is empty, `device_fallback` (CDP device id, LLDP chassis
    id) names it instead. `None` = the template has no such field."""

    protocol: str
    local: str
    device: str
    port: str
    device_fallback: str | None = None
    chassis: str | None = None
    port_description: str | None = None
    platform: str | None = None
    mgmt: str | None = None


def neighbors(rows: Iterable[Record], fields: NeighborFields,
              aliases: Mapping[str, str]) -> list[Neighbor]:
    """Neighbours, the local interface in the platform's long form; a record without a
    local interface, neighbour name/id or remote port is skipped."""
    found: list[Node] = []
    for row in rows:
        local = text(row.get(fields.local))
        found_neighbor = neighbor(
            fields.protocol, canonical_interface(local, aliases) if local else None,
            text(row.get(fields.device)) or _field(row, fields.device_fallback),
            text(row.get(fields.port)),
            remote_chassis_id=mac_or_text(row.get(fields.chassis)) if fields.chassis else None,
            remote_port_description=_field(row, fields.port_description),
            remote_platform=_field(row, fields.platform),
            remote_mgmt_address=ip_or_none(row.get(fields.mgmt)) if fields.mgmt else None)
        if found_neighbor is not None:
            found.append(found_neighbor)
    return [n for n in dedupe(found) if isinstance(n, Neighbor)]


def _field(row: Record, name: str | None) -> str | None:
    return text(row.get(name)) if name is not None else None


# --- VLANs -----------------------------------------------------------------------------

@dataclass(frozen=True)
class VlanFields:
    """Which ntc-templates field of a VLAN row holds what; `state` None = not printed."""

    vlan_id: str
    name: str
    state: str | None = None


def vlans(rows: Iterable[Record], fields: VlanFields) -> list[Vlan]:
    """VLANs; a row without a numeric id is skipped."""
    found: list[Node] = []
    for row in rows:
        vlan_id = integer(row.get(fields.vlan_id))
        if vlan_id is None:
            continue
        state = _field(row, fields.state)
        found.append(Vlan(vlan_id=vlan_id, name=text(row.get(fields.name)),
                          state=state.lower() if state else None))
    return [v for v in dedupe(found) if isinstance(v, Vlan)]


# --- MAC address table and ARP ---------------------------------------------------------

@dataclass(frozen=True)
class MacEntry:
    """One MAC address table row, already normalised."""

    mac: str
    vlan_id: int
    interface: str | None
    entry_type: str | None


@dataclass(frozen=True)
class ArpEntry:
    """One ARP entry, already normalised; `vlan_id` None = ARP names no VLAN."""

    mac: str
    ip: str
    interface: str | None
    vlan_id: int | None


def forwarding_entries(macs: Iterable[MacEntry], arps: Iterable[ArpEntry],
                       ) -> list[ForwardingEntry]:
    """The MAC table, each entry with the IP ARP maps its MAC to; MACs only ARP knows
    (routed ports, devices without switching) become entries of type `arp` on the ARP
    interface, in the VLAN ARP names or 0."""
    arps = list(arps)
    ips: dict[str, str] = {}
    for arp in arps:
        ips.setdefault(arp.mac, arp.ip)
    entries: dict[tuple[str, int], ForwardingEntry] = {}
    for row in macs:
        entries.setdefault((row.mac, row.vlan_id), ForwardingEntry(
            mac=row.mac, vlan_id=row.vlan_id, interface=row.interface,
            ip=ips.get(row.mac), entry_type=row.entry_type))
    learnt = {address for address, _ in entries}
    for arp in arps:
        if arp.mac in learnt:
            continue
        vlan = arp.vlan_id or 0
        entries.setdefault((arp.mac, vlan), ForwardingEntry(
            mac=arp.mac, vlan_id=vlan, interface=arp.interface, ip=ips[arp.mac],
            entry_type="arp"))
    return list(entries.values())


@dataclass(frozen=True)
class MacFields:
    """Which ntc-templates field of a MAC table row holds what."""

    mac: str
    vlan_id: str
    ports: str
    entry_type: str


@dataclass(frozen=True)
class ArpFields:
    """Which ntc-templates field of an ARP row holds what."""

    ip: str
    mac: str
    interface: str


_VLAN_INTERFACE = re.compile(r"vlan\s?(\d+)", re.IGNORECASE)


def forwarding(mac_rows: Iterable[Record], mac_fields: MacFields,
               arp_rows: Iterable[Record], arp_fields: ArpFields,
               aliases: Mapping[str, str]) -> list[ForwardingEntry]:
    """`forwarding_entries` from ntc-templates' MAC table and ARP records.

    A row whose VLAN is not a number (IOS lists its CPU's multicast entries under VLAN
    `All`) or whose MAC is malformed is skipped. A MAC learnt on several ports (static
    multicast) has no single port: interface None. ARP's first entry per MAC counts
    (a router answers with one MAC on many VLAN interfaces)."""
    macs = []
    for row in mac_rows:
        address, vlan_id = mac(row.get(mac_fields.mac)), integer(row.get(mac_fields.vlan_id))
        if address is None or vlan_id is None:
            continue
        ports = texts(row.get(mac_fields.ports))
        kind = text(row.get(mac_fields.entry_type))
        macs.append(MacEntry(
            mac=address, vlan_id=vlan_id,
            interface=canonical_interface(ports[0], aliases) if len(ports) == 1 else None,
            entry_type=kind.lower() if kind else None))
    return forwarding_entries(macs, _arp_entries(arp_rows, arp_fields, aliases).values())


def _arp_entries(rows: Iterable[Record], fields: ArpFields,
                 aliases: Mapping[str, str]) -> dict[str, ArpEntry]:
    """MAC -> its first ARP entry, the VLAN that of a `VlanN` interface."""
    table: dict[str, ArpEntry] = {}
    for row in rows:
        address, ip = mac(row.get(fields.mac)), ip_or_none(row.get(fields.ip))
        if address is None or ip is None:
            continue  # `Incomplete` entries have no MAC yet
        # EOS prints `Vlan101, Port-Channel2`: the first is the routed interface.
        raw = text(row.get(fields.interface))
        interface = canonical_interface(raw.split(",")[0], aliases) if raw else None
        vlan = _VLAN_INTERFACE.fullmatch(interface or "")
        table.setdefault(address, ArpEntry(mac=address, ip=ip, interface=interface,
                                           vlan_id=int(vlan.group(1)) if vlan else None))
    return table


@dataclass(frozen=True)
class MacArpFdb:
    """The `fdb` collector of a platform that answers a MAC table command and an ARP
    command ntc-templates can read (IOS, NX-OS, EOS differ only in this data).

    Both commands are optional: a router has no MAC table, and an absent table is not
    observed, never "empty"; ForwardingEntry is complete only when both answered."""

    platform: str
    aliases: Mapping[str, str]
    mac_table: str
    arp: str
    mac_fields: MacFields
    arp_fields: ArpFields
    name: str = "fdb"

    def collector(self) -> Collector:
        commands = (Command("mac_table", self.mac_table, required=False),
                    Command("arp", self.arp, required=False))
        return Collector(name=self.name, commands=commands, parse=self.parse,
                         source=Source.CLI)

    def parse(self, outputs: Outputs) -> Facts:
        table, arp = optional_text(outputs, "mac_table"), optional_text(outputs, "arp")
        entries = self.build(self.mac_rows(table) if table is not None else [],
                             self.arp_rows(arp) if arp is not None else [])
        answered = table is not None and arp is not None
        complete = frozenset({"ForwardingEntry"}) if answered else frozenset()
        return Facts(nodes=tuple(entries), complete=complete)

    def mac_rows(self, output: str) -> list[Record]:
        return records(self.platform, self.mac_table, output, self.name, allow_empty=True)

    def arp_rows(self, output: str) -> list[Record]:
        return records(self.platform, self.arp, output, self.name, allow_empty=True)

    def build(self, table: list[Record], arp: list[Record]) -> list[ForwardingEntry]:
        return forwarding(table, self.mac_fields, arp, self.arp_fields, self.aliases)
