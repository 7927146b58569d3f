"""The `interfaces` collector: every interface of `show interface` with its state, MAC,
MTU, speed, description and primary IPv4 address.

Names are the long form NX-OS prints here (`Ethernet1/1`, `port-channel1`, `mgmt0`);
the other collectors expand their short forms (`Eth1/1`, `Po1`) to it. No secondary or
IPv6 address is shown here, so IpAddress is not declared complete.
"""

from __future__ import annotations

from cmdb.schema import Facts, Interface, Node, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.cisco_nxos.profile import PLATFORM_NAME
from discovery.platforms.common import parse_error
from discovery.platforms.netcli import Record, integer, mac, records, required_text, speed_bps, text
from discovery.platforms.netfacts import dedupe, ip_address

NAME = "interfaces"
INTERFACES = "show interface"
COMMANDS = (Command("interfaces", INTERFACES),)
COMPLETE = frozenset({"Interface"})
FIELDS = {"name": "interface", "link": "link_status", "admin": "admin_state",
          "kind": "hardware_type", "mac": "mac_address", "bia": "bia",
          "description": "description", "ip": "ip_address", "prefix": "prefix_length",
          "mtu": "mtu", "speed": "speed"}


def parse(outputs: Outputs) -> Facts:
    nodes = parse_interfaces(required_text(outputs, NAME, "interfaces"))
    return Facts(nodes=tuple(nodes), complete=COMPLETE)


def parse_interfaces(output: str) -> list[Node]:
    nodes: list[Node] = []
    for row in records(PLATFORM_NAME, INTERFACES, output, NAME):
        name = text(row.get(FIELDS["name"]))
        if name is None:
            continue
        nodes.append(_interface(name, row))
        address = ip_address(name, row.get(FIELDS["ip"]), row.get(FIELDS["prefix"]))
        if address is not None:
            nodes.append(address)
    if not nodes:
        raise parse_error(NAME, INTERFACES, "no interface in output", output)
    return dedupe(nodes)  # a capture may repeat a block: the first one counts


def admin_up(link: str, admin: str) -> bool | None:
    """`admin state is up|down[, ...]` when printed (truncated to `u` on some SVIs);
    otherwise `is down (Administratively down)` / `is up` on the first line."""
    if "administratively down" in link:
        return False
    if admin:
        return admin.startswith("u")
    return True if link.startswith("up") else None


def oper_status(link: str) -> str | None:
    """`up`, or `down` whatever the reason in brackets (`Link not connected`, ...)."""
    if not link:
        return None
    return "up" if link.startswith("up") else "down"


def _interface(name: str, row: Record) -> Interface:
    link = (text(row.get(FIELDS["link"])) or "").lower()
    admin = (text(row.get(FIELDS["admin"])) or "").lower()
    return Interface(
        name=name,
        mac=mac(row.get(FIELDS["bia"])) or mac(row.get(FIELDS["mac"])),
        kind=text(row.get(FIELDS["kind"])),
        mtu=integer(row.get(FIELDS["mtu"])),
        admin_up=admin_up(link, admin),
        oper_status=oper_status(link),
        description=text(row.get(FIELDS["description"])),
        speed_bps=speed_bps(row.get(FIELDS["speed"])),
    )


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
