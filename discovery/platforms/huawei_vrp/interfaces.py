"""The `interfaces` collector: every interface and its primary address from
`display interface`.

`current state` is `UP`, `DOWN` or `Administratively DOWN`; the speed is in Mbit/s. The
template keeps one address per interface (the primary; `sub` addresses are not read), so
only Interface is declared complete, not IpAddress.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cmdb.schema import Facts, Interface, Node, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.common import parse_error
from discovery.platforms.netcli import integer, mac, records, required_text, speed_bps, text
from discovery.platforms.netfacts import dedupe, ip_address

NAME = "interfaces"
PLATFORM = "huawei_vrp"
INTERFACE = "display interface"
COMMANDS = (Command("interfaces", INTERFACE),)
COMPLETE = frozenset({"Interface"})

# ntc-templates field -> ours.
INTERFACE_FIELDS = {"name": "interface", "state": "link_status", "description":
                    "interface_description", "mtu": "mtu", "mac": "mac_address",
                    "speed": "speed", "address": "ip_address"}
_NAME = re.compile(r"[A-Za-z0-9][\w\-./:]*")


def parse_interfaces(output: str) -> list[Node]:
    nodes: list[Node] = []
    for record in records(PLATFORM, INTERFACE, output, NAME):
        nodes.extend(_nodes(record))
    if not any(isinstance(n, Interface) for n in nodes):
        raise parse_error(NAME, INTERFACE, "no interface name in output", output)
    return dedupe(nodes)


def state(value: str | None) -> tuple[bool | None, str | None]:
    """(admin_up, oper_status) from `current state`: `UP`, `DOWN`, `Administratively
    DOWN` (also `UP ,` on dialer channels)."""
    if value is None:
        return None, None
    lowered = value.lower()
    if "administratively" in lowered:
        return False, "down"
    return True, lowered.split()[0].strip(",")


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
        speed_bps=speed_bps(text(field("speed")), unit="m"))]
    address = ip_address(name, text(field("address")), bare_is_host=True)
    if address is not None:
        nodes.append(address)
    return nodes


def parse(outputs: Outputs) -> Facts:
    return Facts(nodes=tuple(parse_interfaces(required_text(outputs, NAME, "interfaces"))),
                 complete=COMPLETE)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
