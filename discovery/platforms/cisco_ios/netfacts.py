"""Builders shared by the Cisco-style CLI platforms (cisco_ios, cisco_nxos, arista_eos):
TextFSM records in, schema nodes out, through one small field mapping per command.

Meant for `discovery/platforms/netcli.py` (it knows no vendor either); it lives here only
because that file belongs to another change. A platform module states *which* ntc-templates
field holds what (the `*Fields` mappings) and *how* its interface names abbreviate; the
functions here do the rest the same way for every vendor.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from cmdb.schema import Component, ForwardingEntry, IpAddress, Neighbor, Node, Vlan
from discovery.platforms.base import Outputs
from discovery.platforms.common import ok_stdout, parse_error, required
from discovery.platforms.netcli import Record, integer, mac, text, textfsm_records, texts

# Pager leftovers a capture may hold when paging was not (yet) off.
_PAGER = re.compile(r" ?-+ ?[Mm]ore ?-+ ?(?:\x08+ +\x08+)?|<--- More --->")
_NAME = re.compile(r"([A-Za-z][A-Za-z-]*?)[ ]?(\d\S*)")
_SPEED = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGT])(?:b/s|bps|bit)", re.IGNORECASE)
_UNITS = {"k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}


def clean(output: str) -> str:
    """CRLF/CR line ends and pager leftovers out; everything else is the template's job."""
    unified = output.replace("\r\n", "\n").replace("\r", "\n")
    return _PAGER.sub("", unified)


def records(platform: str, command: str, output: str, collector: str, *,
            allow_empty: bool = False) -> list[Record]:
    """ntc-templates' records of `output`; a non-blank output with no record at all is a
    ParseError unless an empty table is a valid answer (`allow_empty`)."""
    found = textfsm_records(platform, command, clean(output), collector)
    if not found and output.strip() and not allow_empty:
        raise parse_error(collector, command, "the template found no record", output)
    return found


def required_text(outputs: Outputs, collector: str, name: str) -> str:
    return required(outputs, collector, name).stdout


def optional_text(outputs: Outputs, name: str) -> str | None:
    """stdout of an optional command that ran and succeeded; None = not observed."""
    return ok_stdout(outputs, name)


def canonical_interface(name: str, aliases: Mapping[str, str]) -> str:
    """The long interface name the device shows in `show interface(s)`.

    `aliases` maps lower-case abbreviations (and long forms) to the long form, e.g.
    {"gi": "GigabitEthernet", "gigabitethernet": "GigabitEthernet"}. A prefix that is
    not an alias but starts exactly one long form is expanded too (`Gig1/0/1`); anything
    else (CPU, Drop, sup-eth1(R), vPC Peer-Link) is returned as the device printed it."""
    found = _NAME.fullmatch(name.strip())
    if found is None:
        return name.strip()
    prefix, rest = found.group(1).lower(), found.group(2)
    if prefix in aliases:
        return aliases[prefix] + rest
    longs = {long for long in aliases.values() if long.lower().startswith(prefix)}
    return longs.pop() + rest if len(longs) == 1 else name.strip()


def speed_bps(value: object) -> int | None:
    """`1000Mb/s`, `10 Gb/s`, `100Mbps`, `1000000 Kbit` as bits per second; `auto-speed`
    and other words are not a speed (None)."""
    found = text(value)
    match = _SPEED.search(found) if found else None
    if match is None:
        return None
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def ip_address(interface: str, address: object, prefix: object) -> IpAddress | None:
    """An IpAddress owned by `interface`; a missing or malformed address is None.
    `address` may carry its prefix (`192.0.2.1/24`, as EOS prints it)."""
    found = text(address)
    if found is None:
        return None
    length = text(prefix)
    try:
        if "/" not in found and length is None:
            bare = ipaddress.ip_address(found)
            return IpAddress(interface=interface, address=bare.compressed,
                             family=f"ipv{bare.version}")
        network = ipaddress.ip_interface(found if "/" in found else f"{found}/{length}")
    except ValueError:
        return None
    return IpAddress(interface=interface, address=network.ip.compressed,
                     prefix_length=network.network.prefixlen,
                     family=f"ipv{network.version}")


def ip_or_none(value: object) -> str | None:
    """An IP address in canonical text; MACs and words some templates put there: None."""
    found = text(value)
    if found is None:
        return None
    try:
        return ipaddress.ip_address(found).compressed
    except ValueError:
        return None


def mac_or_text(value: object) -> str | None:
    """A chassis id: normalised when it is a MAC, else as sent (an IP, a name)."""
    return mac(value) or text(value)


def dedupe(nodes: Iterable[Node]) -> list[Node]:
    """One node per label and key, the first one seen (tables repeat rows)."""
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
        device = text(row.get(fields.device)) or _field(row, fields.device_fallback)
        port = text(row.get(fields.port))
        if local is None or device is None or port is None:
            continue
        found.append(Neighbor(
            protocol=fields.protocol,
            local_interface=canonical_interface(local, aliases),
            remote_device=device,
            remote_port=port,
            remote_chassis_id=mac_or_text(row.get(fields.chassis)) if fields.chassis else None,
            remote_port_description=_field(row, fields.port_description),
            remote_platform=_field(row, fields.platform),
            remote_mgmt_address=ip_or_none(row.get(fields.mgmt)) if fields.mgmt else None,
        ))
    return [n for n in dedupe(found) if isinstance(n, Neighbor)]


def _field(row: Record, name: str | None) -> str | None:
    return text(row.get(name)) if name is not None else None


# --- VLANs -----------------------------------------------------------------------------

@dataclass(frozen=True)
class VlanFields:
    vlan_id: str
    name: str
    state: str


def vlans(rows: Iterable[Record], fields: VlanFields) -> list[Vlan]:
    """VLANs; a row without a numeric id is skipped."""
    found: list[Node] = []
    for row in rows:
        vlan_id = integer(row.get(fields.vlan_id))
        if vlan_id is None:
            continue
        state = text(row.get(fields.state))
        found.append(Vlan(vlan_id=vlan_id, name=text(row.get(fields.name)),
                          state=state.lower() if state else None))
    return [v for v in dedupe(found) if isinstance(v, Vlan)]


# --- MAC address table and ARP ---------------------------------------------------------

@dataclass(frozen=True)
class MacFields:
    mac: str
    vlan_id: str
    ports: str
    entry_type: str


@dataclass(frozen=True)
class ArpFields:
    ip: str
    mac: str
    interface: str


_VLAN_INTERFACE = re.compile(r"vlan\s?(\d+)", re.IGNORECASE)


def forwarding(mac_rows: Iterable[Record], mac_fields: MacFields,
               arp_rows: Iterable[Record], arp_fields: ArpFields,
               aliases: Mapping[str, str]) -> list[ForwardingEntry]:
    """FDB entries, each with the IP ARP maps its MAC to; ARP entries whose MAC the FDB
    does not hold (routed ports, routers) become entries of type `arp`.

    A row whose VLAN is not a number (IOS lists its CPU's multicast entries under VLAN
    `All`) or whose MAC is malformed is skipped. A MAC learnt on several ports (static
    multicast) has no single port: interface None."""
    arp = _arp_table(arp_rows, arp_fields, aliases)
    entries: dict[tuple[str, int], ForwardingEntry] = {}
    for row in mac_rows:
        address, vlan_id = mac(row.get(mac_fields.mac)), integer(row.get(mac_fields.vlan_id))
        if address is None or vlan_id is None:
            continue
        ports = texts(row.get(mac_fields.ports))
        kind = text(row.get(mac_fields.entry_type))
        entries.setdefault((address, vlan_id), ForwardingEntry(
            mac=address, vlan_id=vlan_id,
            interface=canonical_interface(ports[0], aliases) if len(ports) == 1 else None,
            ip=arp.get(address, (None, None, 0))[0],
            entry_type=kind.lower() if kind else None))
    learnt = {address for address, _ in entries}
    for address, (ip, interface, vlan_id) in arp.items():
        if address not in learnt:
            entries.setdefault((address, vlan_id), ForwardingEntry(
                mac=address, vlan_id=vlan_id, interface=interface, ip=ip, entry_type="arp"))
    return list(entries.values())


def _arp_table(rows: Iterable[Record], fields: ArpFields,
               aliases: Mapping[str, str]) -> dict[str, tuple[str, str | None, int]]:
    """MAC -> (first IP, L3 interface, VLAN of a `VlanN` interface or 0)."""
    table: dict[str, tuple[str, str | None, int]] = {}
    for row in rows:
        address, ip = mac(row.get(fields.mac)), ip_or_none(row.get(fields.ip))
        if address is None or ip is None:
            continue  # `Incomplete` entries have no MAC yet
        # EOS prints `Vlan101, Port-Channel2`: the first is the routed interface.
        raw = text(row.get(fields.interface))
        interface = canonical_interface(raw.split(",")[0], aliases) if raw else None
        vlan = _VLAN_INTERFACE.fullmatch(interface or "")
        table.setdefault(address, (ip, interface, int(vlan.group(1)) if vlan else 0))
    return table
