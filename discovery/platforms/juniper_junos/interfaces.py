"""The `interfaces` collector: physical and logical interfaces and their addresses from
`show interfaces`.

Read by a small block parser, not by ntc-templates: its template raises on lines every
real device prints (`Type: Loopback, MTU: Unlimited` of lo0), keeps one address per
unit, drops `Local:` addresses without a `Destination:` (lo0's /32s) and reads no MAC or
speed. The parser keeps what it knows and ignores the rest, so new Junos lines do not
break it; the shared ntc-templates recordings still check its values.

Names are the device's: `ge-0/0/0` (physical) and `ge-0/0/0.2036` (logical unit, which
holds the addresses). A unit's prefix length comes from its `Destination:` network; a
`Local:` without one is a host address (/32, /128).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from cmdb.schema import Facts, Interface, IpAddress, Node, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.common import parse_error
from discovery.platforms.netcli import clean, mac, required_text, speed_bps
from discovery.platforms.netfacts import dedupe, ip_address

NAME = "interfaces"
INTERFACES = "show interfaces"
COMMANDS = (Command("interfaces", INTERFACES),)
COMPLETE = frozenset({"Interface", "IpAddress"})

_PHYSICAL = re.compile(
    r"Physical interface: (?P<name>\S+?),? (?P<admin>Enabled|Administratively down|Disabled)"
    r"(?:, Physical link is (?P<link>\w+))?", re.IGNORECASE)
_LOGICAL = re.compile(r"\s+Logical interface (?P<name>\S+)")
_DESCRIPTION = re.compile(r"\s+Description: (?P<value>.*\S)")
_LINK_TYPE = re.compile(r"(?:^|\s)Link-level type: (?P<type>[^,]+), MTU: (?P<mtu>\w+)")
_SPEED = re.compile(r"(?:^|[\s,])Speed: (?P<speed>[^,\s]+)")
_ADDRESS = re.compile(r"\s+Current address: (?P<current>\S+?), Hardware address: (?P<hw>\S+)")
_FLAGS = re.compile(r"\s+Flags: (?P<flags>.*)")
_PROTOCOL = re.compile(r"\s+Protocol (?P<family>\S+?),(?: MTU: (?P<mtu>\w+))?")
_LOCAL = re.compile(r"\s+(?:Destination: (?P<dest>[^,\s]+), )?Local: (?P<local>[^,\s]+)")


@dataclass
class _Block:
    """One interface while it is being read (mutable; turned into nodes at the end)."""

    interface: Interface
    logical: bool
    addresses: list[IpAddress] = field(default_factory=list)
    family: str | None = None
    seen_flags: bool = False


def parse_interfaces(output: str) -> list[Node]:
    blocks: list[_Block] = []
    for line in clean(output).split("\n"):
        physical = _PHYSICAL.match(line)
        if physical:
            blocks.append(_Block(_physical(physical), logical=False))
            continue
        logical = _LOGICAL.match(line)
        if logical and blocks:
            blocks.append(_Block(Interface(name=logical.group("name")), logical=True))
            continue
        if blocks:
            _read_line(blocks[-1], line)
    if not blocks:
        raise parse_error(NAME, INTERFACES, "no 'Physical interface:' line", output)
    nodes: list[Node] = []
    for block in blocks:
        nodes.append(block.interface)
        nodes.extend(block.addresses)
    return dedupe(nodes)


def _physical(match: re.Match[str]) -> Interface:
    link = match.group("link")
    return Interface(name=match.group("name"),
                     admin_up=match.group("admin").lower() == "enabled",
                     oper_status=link.lower() if link else None)


def _read_line(block: _Block, line: str) -> None:
    """Fold one line of the current block into it; unknown lines are ignored."""
    iface = block.interface
    if (found := _DESCRIPTION.match(line)) and iface.description is None:
        block.interface = replace(iface, description=found.group("value"))
    elif (found := _ADDRESS.match(line)) and not block.logical:
        block.interface = replace(iface, mac=mac(found.group("hw")) or mac(found.group("current")))
    elif block.logical and (found := _FLAGS.match(line)) and not block.seen_flags:
        block.seen_flags = True
        block.interface = replace(iface, oper_status=_unit_status(found.group("flags")))
    elif block.logical and (found := _PROTOCOL.match(line)):
        block.family = found.group("family")
        if iface.mtu is None and block.family == "inet":
            block.interface = replace(iface, mtu=_mtu(found.group("mtu")))
    elif block.logical and (found := _LOCAL.match(line)) and block.family in ("inet", "inet6"):
        address = _address(iface.name, found.group("local"), found.group("dest"))
        if address is not None:
            block.addresses.append(address)
    elif not block.logical:
        _physical_details(block, line)


def _physical_details(block: _Block, line: str) -> None:
    iface = block.interface
    if (found := _LINK_TYPE.search(line)) and iface.mtu is None:
        iface = replace(iface, kind=found.group("type").strip().lower(),
                        mtu=_mtu(found.group("mtu")))
    if (found := _SPEED.search(line)) and iface.speed_bps is None:
        iface = replace(iface, speed_bps=speed_bps(found.group("speed"), unit=""))
    block.interface = iface


def _unit_status(flags: str) -> str | None:
    """`Up ...`, or why it is not (`Down`, `Device-Down`, `Link-Layer-Down`); lo0.0 and
    other units without either flag say nothing about their state (not observed)."""
    words = flags.split()
    if any(word.endswith("Down") for word in words):
        return "down"
    return "up" if "Up" in words else None


def _mtu(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def _address(interface: str, local: str, destination: str | None) -> IpAddress | None:
    """`Local:` with the prefix length of `Destination:` (a network), else a host."""
    prefix = None
    if destination is not None and "/" in destination:
        prefix = destination.rsplit("/", 1)[1]
    found = ip_address(interface, local, prefix, bare_is_host=True)
    if found is None and prefix is not None:
        found = ip_address(interface, local, bare_is_host=True)
    return found


def parse(outputs: Outputs) -> Facts:
    return Facts(nodes=tuple(parse_interfaces(required_text(outputs, NAME, "interfaces"))),
                 complete=COMPLETE)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
