"""Vendor-neutral helpers of the juniper_junos, huawei_vrp and hp_comware collectors:
cleaning captured output, reading TextFSM records, and building the schema nodes every
network platform emits the same way (addresses, speeds, neighbours, forwarding entries).

Nothing here knows a vendor. It lives in this folder only because the platform engineers
may not edit `discovery/platforms/netcli.py`; it belongs there.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cmdb.schema import ForwardingEntry, IpAddress, Neighbor, Node
from discovery.platforms.base import Outputs
from discovery.platforms.common import ok_stdout, parse_error, required
from discovery.platforms.netcli import Record, textfsm_records

# Pager leftovers and terminal escapes some captures keep (VRP/Comware "---- More ----"
# followed by cursor moves, Junos "---(more)---").
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PAGER = re.compile(r"\s*(?:-{2,4} ?More ?-{2,4}|---\(more(?: \d+%)?\)---)\s*")
# Junos prints the virtual-chassis/cluster role line of its prompt (`{master:0}`,
# `{primary:node0}`) before the prompt; captures keep it, templates reject it.
_PROMPT_CONTEXT = re.compile(r"\{\w+(?::\w+)?\}\s*")
_SPEED = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(?:b(?:ps|it/s|/s)?)?", re.IGNORECASE)
_FACTOR = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}


def clean(text: str) -> str:
    """Output as the templates expect it: LF line ends, no terminal escapes, no pager
    prompts, no prompt context lines (real captures carry all of them)."""
    text = _ANSI.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(_PAGER.sub("", line) if _PAGER.search(line) else line
                      for line in text.split("\n") if not _PROMPT_CONTEXT.fullmatch(line))


def records(platform: str, command: str, text: str, collector: str) -> list[Record]:
    """TextFSM records of one command's (cleaned) output."""
    return textfsm_records(platform, command, clean(text), collector)


def some_records(platform: str, command: str, text: str, collector: str) -> list[Record]:
    """Records of a command that always lists something (interfaces, versions): an empty
    parse of its output means the template could not read it, a ParseError."""
    found = records(platform, command, text, collector)
    if not found:
        raise parse_error(collector, command, "the template found nothing it knows", text)
    return found


def required_text(outputs: Outputs, collector: str, name: str) -> str:
    return required(outputs, collector, name).stdout


def optional_text(outputs: Outputs, name: str) -> str | None:
    """stdout of an optional command; a failed one (e.g. no switching) is not observed."""
    return ok_stdout(outputs, name)


def ip_address(interface: str, value: str | None, prefix: int | str | None = None,
               ) -> IpAddress | None:
    """`10.0.0.1/24`, or `10.0.0.1` plus a prefix length or dotted mask, as an IpAddress;
    anything that is no address (sanitised `A.B.C.D/XY`, `unassigned`) is None."""
    if value is None:
        return None
    spec = value.strip() if prefix is None else f"{value.strip()}/{prefix}"
    try:
        found = ipaddress.ip_interface(spec)
    except ValueError:
        return None
    family = "ipv4" if found.version == 4 else "ipv6"
    return IpAddress(interface=interface, address=found.ip.compressed,
                     prefix_length=found.network.prefixlen, family=family)


def speed_bps(value: str | None, unit: str = "") -> int | None:
    """A speed as the CLI prints it (`1000mbps`, `40Gbps-speed`, `1000Mb/s`, `10G`,
    `1000000 kbps`) in bits per second; a bare number is in `unit` (k, m or g)."""
    if value is None:
        return None
    match = _SPEED.match(value.strip())
    if match is None:
        return None
    prefix = (match.group(2) or unit).lower()
    bps = float(match.group(1)) * _FACTOR[prefix]
    return int(bps) or None


def dedupe(nodes: Iterable[Node]) -> list[Node]:
    """One node per label and key, the first seen (filldown templates repeat parents)."""
    seen: dict[tuple[str, tuple[str, ...]], Node] = {}
    for item in nodes:
        seen.setdefault((item.SPEC.label, item.key_values()), item)
    return list(seen.values())


def lldp_neighbor(local: str | None, name: str | None, chassis_id: str | None,
                  port: str | None, **extra: str | None) -> Neighbor | None:
    """An LLDP neighbour; the far end is named by its system name, or by its chassis id
    when it sends none. Without a local interface, a far end or a port it is skipped."""
    remote = name or chassis_id
    if local is None or remote is None or port is None:
        return None
    return Neighbor(protocol="lldp", local_interface=local, remote_device=remote,
                    remote_port=port, remote_chassis_id=chassis_id, **extra)


@dataclass(frozen=True)
class MacEntry:
    """One MAC address table row, already normalised."""

    mac: str
    vlan_id: int
    interface: str | None
    entry_type: str | None


@dataclass(frozen=True)
class ArpEntry:
    mac: str
    ip: str
    interface: str | None
    vlan_id: int | None


def forwarding_entries(macs: Iterable[MacEntry], arps: Iterable[ArpEntry],
                       ) -> list[ForwardingEntry]:
    """The MAC table, each entry with the IP ARP maps its MAC to; MACs only ARP knows
    (routed ports, devices without switching) become entries of type `arp` on the ARP
    interface, in the VLAN ARP names or 0."""
    ips: dict[str, str] = {}
    for arp in arps:
        ips.setdefault(arp.mac, arp.ip)
    entries: dict[tuple[str, int], ForwardingEntry] = {}
    for row in macs:
        entries.setdefault((row.mac, row.vlan_id), ForwardingEntry(
            mac=row.mac, vlan_id=row.vlan_id, interface=row.interface,
            ip=ips.get(row.mac), entry_type=row.entry_type))
    learnt = {mac for mac, _ in entries}
    for arp in arps:
        if arp.mac in learnt:
            continue
        vlan = arp.vlan_id or 0
        entries.setdefault((arp.mac, vlan), ForwardingEntry(
            mac=arp.mac, vlan_id=vlan, interface=arp.interface, ip=ips[arp.mac],
            entry_type="arp"))
    return list(entries.values())


def expand(name: str, abbreviations: Mapping[str, str]) -> str:
    """`XGE1/0/1` -> `Ten-GigabitEthernet1/0/1`: a short interface-type prefix followed by
    its number is replaced by the long one; names already long are unchanged."""
    match = re.fullmatch(r"([A-Za-z][A-Za-z\-]*?)(\d.*)", name)
    if match is None:
        return name
    long = abbreviations.get(match.group(1).lower())
    return name if long is None else long + match.group(2)
