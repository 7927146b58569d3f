"""The `interfaces` collector: links and their addresses from `ip -j addr show`.

Old iproute2 (before 4.14) and busybox know no `-j`; the runner then runs the fallback
`ip addr show` and the text parser in `interfaces_text` reads it. Both paths produce the
same nodes. An address belongs to the link whose block it appears in; its *label*
(`eth0:1`, or a stray label such as `brred` on `brblue`) is only an alias name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cmdb.schema import Facts, Interface, IpAddress, Node
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.common import parse_error, required
from discovery.platforms.linux._links import FAMILIES, NAME, dedupe, mac_or_none, make_address
from discovery.platforms.linux.interfaces_text import parse_text

PRIMARY = "ip -j addr show"
FALLBACK = "ip addr show"

COMMANDS = (Command("addr", PRIMARY, fallback=FALLBACK),)
COMPLETE = frozenset({"Interface", "IpAddress"})


def parse(outputs: Outputs) -> Facts:
    output = required(outputs, NAME, "addr")
    if "-j" in output.command.split():
        nodes = _from_json(output.command, output.stdout)
    else:
        nodes = parse_text(output.command, output.stdout)
    if not any(isinstance(n, Interface) for n in nodes):
        raise parse_error(NAME, output.command, "no interface in output", output.stdout)
    return Facts(nodes=tuple(nodes), complete=COMPLETE)


def _from_json(command: str, stdout: str) -> list[Node]:
    try:
        data = json.loads(stdout)
    except json.JSONDecodeError:
        raise parse_error(NAME, command, "output is not JSON", stdout) from None
    if not isinstance(data, list):
        raise parse_error(NAME, command, "expected a JSON list of links", stdout)
    nodes: list[Node] = []
    for item in data:
        if not isinstance(item, dict):
            raise parse_error(NAME, command, "expected a JSON object per link", str(item))
        if not item:
            continue  # iproute2 4.x printed `{}` for links it filtered out
        nodes.extend(_link_from_json(command, item))
    return dedupe(nodes)


def _link_from_json(command: str, item: Mapping[str, Any]) -> list[Node]:
    name = item.get("ifname")
    mtu = item.get("mtu")
    flags = item.get("flags", [])
    if not isinstance(name, str) or not name or not isinstance(flags, list):
        raise parse_error(NAME, command, "link without ifname/flags", json.dumps(item))
    operstate = item.get("operstate")
    master = item.get("master")
    link_type = item.get("link_type")
    nodes: list[Node] = [Interface(
        name=name,
        # A bond gives its slaves its own MAC; `permaddr` keeps the burned-in one.
        mac=mac_or_none(item.get("permaddr", item.get("address"))),
        kind=link_type if isinstance(link_type, str) else None,
        mtu=mtu if isinstance(mtu, int) else None,
        admin_up="UP" in flags,
        oper_status=operstate.lower() if isinstance(operstate, str) else None,
        master=master if isinstance(master, str) else None,
    )]
    addresses = item.get("addr_info", [])
    if not isinstance(addresses, list):
        raise parse_error(NAME, command, "addr_info is not a list", json.dumps(item))
    for info in addresses:
        if not isinstance(info, dict):
            raise parse_error(NAME, command, "addr_info entry is not an object", str(info))
        if info and info.get("family") in FAMILIES:  # skip `{}` and non-IP families
            nodes.append(_address_from_json(command, name, info))
    return nodes


def _address_from_json(command: str, interface: str, info: Mapping[str, Any]) -> IpAddress:
    local = info.get("local")
    prefix = info.get("prefixlen")
    scope = info.get("scope")
    if not isinstance(local, str) or not (prefix is None or isinstance(prefix, int)):
        raise parse_error(NAME, command, "address without local/prefixlen", json.dumps(info))
    return make_address(command, interface, str(info["family"]), local, prefix,
                        None if scope is None else str(scope))


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, complete=COMPLETE)
