"""The `interfaces` collector: every interface with its addresses from `display
interface`.

`Current state` is `UP`, `DOWN`, `Administratively DOWN` or `STP DOWN` (blocked by
spanning tree: administratively up, operationally down). The MTU is the IP MTU
(`Maximum transmission unit`), which only layer-3 interfaces print. The speed line
(`40Gbps-speed mode`, `1000Mbps-speed`, `Unknown-speed` while down) gives speed_bps.
A record whose name is not an interface name (the template reads `Output:` as one on
some E1 channels) is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cmdb.schema import Facts, Interface, Node, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.common import parse_error
from discovery.platforms.netcli import integer, mac, records, required_text, speed_bps, text, texts
from discovery.platforms.netfacts import dedupe, ip_address

NAME = "interfaces"
PLATFORM = "hp_comware"
INTERFACE = "display interface"
COMMANDS = (Command("interfaces", INTERFACE),)
COMPLETE = frozenset({"Interface", "IpAddress"})

# ntc-templates field -> ours.
INTERFACE_FIELDS = {"name": "interface", "state": "line_status", "description": "description",
                    "mtu": "mtu", "mac": "hw_address", "speed": "speed",
                    "addresses": "ip_address"}
_NAME = re.compile(r"[A-Za-z][\w\-./:]*[\w]")


def parse_interfaces(output: str) -> list[Node]:
    nodes: list[Node] = []
    for record in records(PLATFORM, INTERFACE, output, NAME):
        nodes.extend(_nodes(record))
    if not any(isinstance(n, Interface) for n in nodes):
        raise parse_error(NAME, INTERFACE, "no interface name in output", output)
    return dedupe(nodes)


def state(value: str | None) -> tuple[bool | None, str | None]:
    """(admin_up, oper_status) from `Current state`."""
    if value is None:
        return None, None
    lowered = value.lower()
    if lowered.startswith("administratively"):
        return False, "down"
    return True, "up" if lowered == "up" else "down"


def _nodes(record: Mapping[str, Any]) -> list[Node]:
    def field(ours: str) -> Any:
        return record.get(INTERFACE_FIELDS[ours])

    name = text(field("name"))
    if name is None or not _NAME.fullmatch(name):
        return []
    admin_up, oper = state(text(field("state")))
    nodes: list[Node] = [Interface(
        name=name, mac=mac(field("mac")), mtu=integer(field("mtu")), admin_up=admin_up,
        oper_status=oper, description=text(field("description")),
        speed_bps=speed_bps(text(field("speed")), unit=""))]
    for value in texts(field("addresses")):
        address = ip_address(name, value, bare_is_host=True)
        if address is not None:
            nodes.append(address)
    return nodes


def parse(outputs: Outputs) -> Facts:
    return Facts(nodes=tuple(parse_interfaces(required_text(outputs, NAME, "interfaces"))),
                 complete=COMPLETE)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
