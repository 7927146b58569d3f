"""The `interfaces` collector: every interface of `show interfaces` with its state, MAC,
MTU, bandwidth, description and primary IPv4 address.

Names are the long form EOS prints here (`Ethernet1`, `Port-Channel1`, `Management1`);
the other collectors expand their short forms (`Et1`, `Po1`) to it. ntc-templates does
not read the `Full-duplex, 10Gb/s` line, so the speed is the `BW ... kbit` EOS prints:
the link speed (the sum of the members' on a Port-Channel). No secondary or IPv6
address is read, so IpAddress is not declared complete.
"""

from __future__ import annotations

from cmdb.schema import Facts, Interface, Node, Source
from discovery.platforms.arista_eos.profile import PLATFORM_NAME
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.common import parse_error
from discovery.platforms.netcli import Record, integer, mac, records, required_text, speed_bps, text
from discovery.platforms.netfacts import dedupe, ip_address

NAME = "interfaces"
INTERFACES = "show interfaces"
COMMANDS = (Command("interfaces", INTERFACES),)
COMPLETE = frozenset({"Interface"})
FIELDS = {"name": "interface", "link": "link_status", "protocol": "protocol_status",
          "kind": "hardware_type", "mac": "mac_address", "bia": "bia",
          "description": "description", "ip": "ip_address", "mtu": "mtu",
          "speed": "bandwidth"}


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
        address = ip_address(name, row.get(FIELDS["ip"]), None)  # EOS prints a.b.c.d/len
        if address is not None:
            nodes.append(address)
    if not nodes:
        raise parse_error(NAME, INTERFACES, "no interface in output", output)
    return dedupe(nodes)  # a capture may repeat a block: the first one counts


def _interface(name: str, row: Record) -> Interface:
    """`<link>, line protocol is <protocol> (<reason>)`: link `administratively down` =
    shut; the protocol word is IF-MIB's ifOperStatus (up, lowerlayerdown, notpresent)."""
    link = (text(row.get(FIELDS["link"])) or "").lower()
    protocol = text(row.get(FIELDS["protocol"]))
    return Interface(
        name=name,
        mac=mac(row.get(FIELDS["bia"])) or mac(row.get(FIELDS["mac"])),
        kind=text(row.get(FIELDS["kind"])),
        mtu=integer(row.get(FIELDS["mtu"])),
        admin_up=None if not link else not link.startswith("administratively"),
        oper_status=protocol.split()[0].lower() if protocol else None,
        description=text(row.get(FIELDS["description"])),
        speed_bps=speed_bps(row.get(FIELDS["speed"])),
    )


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
