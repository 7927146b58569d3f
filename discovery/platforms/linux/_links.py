"""Helpers shared by the JSON and the text parser of the `interfaces` collector."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from cmdb.schema import IpAddress, Node
from discovery.platforms.common import parse_error

NAME = "interfaces"
FAMILIES = {"inet": "ipv4", "inet6": "ipv6"}
# EUI-48 and longer hardware addresses (EUI-64, InfiniBand); tunnels print IPs there.
_MAC = re.compile(r"[0-9a-f]{2}(?::[0-9a-f]{2}){5,19}")


def mac_or_none(value: object) -> str | None:
    """A hardware address, lower case; anything else (IPs of tunnels, none) is None."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return text if _MAC.fullmatch(text) else None


def make_address(command: str, interface: str, family: str, local: str,
                 prefix: int | None, scope: str | None) -> IpAddress:
    """Normalize the address text (`fe80::0302:03ff:...` -> `fe80::302:3ff:...`)."""
    try:
        address = ipaddress.ip_address(local)
    except ValueError:
        raise parse_error(NAME, command, "not an IP address", local) from None
    if prefix is None:
        prefix = address.max_prefixlen
    return IpAddress(interface=interface, address=address.compressed, prefix_length=prefix,
                     family=FAMILIES.get(family), scope=scope)


def dedupe(nodes: Iterable[Node]) -> list[Node]:
    """One node per label and key; a repeated address on one link is kept once."""
    seen: dict[tuple[str, tuple[str, ...]], Node] = {}
    for item in nodes:
        seen.setdefault((item.SPEC.label, item.key_values()), item)
    return list(seen.values())
