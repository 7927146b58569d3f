"""Text parser for `ip addr show` (old iproute2 and busybox), the `interfaces` fallback.

    2: eth0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br0 state UP
        link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff
        inet 192.0.2.10/24 brd 192.0.2.255 scope global eth0
        inet 10.8.0.1 peer 10.8.0.2/32 scope global tun0
           valid_lft forever preferred_lft forever

Indented lines we do not know (valid_lft, altname, link-netnsid...) are skipped; an
unindented line that is not a link header is garbage and raises ParseError.
"""

from __future__ import annotations

import re
from dataclasses import replace

from cmdb.schema import Interface, IpAddress, Node
from discovery.platforms.common import parse_error
from discovery.platforms.linux._links import NAME, dedupe, mac_or_none, make_address

# `N: NAME[@PARENT]: <FLAGS> key value key value ...`
_HEADER = re.compile(r"(\d+):\s+([^\s:@]+)(?:@\S*)?:\s+<([^>]*)>(.*)")
_HEADER_KEYS = frozenset({"mtu", "qdisc", "master", "state", "group", "qlen", "mode"})


def parse_text(command: str, stdout: str) -> list[Node]:
    nodes: list[Node] = []
    current: Interface | None = None
    current_at = 0
    for raw in stdout.splitlines():
        line = raw.rstrip()
        if not line:
            continue
        if not line[0].isspace():
            current = _header(command, line)
            current_at = len(nodes)
            nodes.append(current)
            continue
        if current is None:
            raise parse_error(NAME, command, "indented line before any link header", line)
        words = line.split()
        if words[0].startswith("link/"):
            current = _with_link(current, words)
            nodes[current_at] = current
        elif words[0] in ("inet", "inet6"):
            nodes.append(_address(command, current.name, words))
    return dedupe(nodes)


def _header(command: str, line: str) -> Interface:
    match = _HEADER.fullmatch(line)
    if match is None:
        raise parse_error(NAME, command, "not a link header", line)
    flags = match.group(3).split(",")
    words = match.group(4).split()
    values = {
        key: value
        for key, value in zip(words, [*words[1:], ""], strict=True)
        if key in _HEADER_KEYS
    }
    mtu = values.get("mtu", "")
    state = values.get("state")
    return Interface(
        name=match.group(2),
        mtu=int(mtu) if mtu.isdigit() else None,
        admin_up="UP" in flags,
        # Very old iproute2 prints no `state`: the operational state was not observed.
        oper_status=state.lower() if state else None,
        master=values.get("master") or None,
    )


def _with_link(interface: Interface, words: list[str]) -> Interface:
    kind = words[0].removeprefix("link/") or None
    mac = mac_or_none(words[1]) if len(words) > 1 else None
    if "permaddr" in words[:-1]:  # bond slaves: the burned-in MAC, as in the JSON parser
        mac = mac_or_none(words[words.index("permaddr") + 1])
    return replace(interface, kind=kind, mac=mac)


def _address(command: str, interface: str, words: list[str]) -> IpAddress:
    """`inet ADDR/LEN ...`, or point-to-point `inet ADDR peer PEER/LEN ...`."""
    if len(words) < 2:
        raise parse_error(NAME, command, "address line without an address", " ".join(words))
    local, _, prefix = words[1].partition("/")
    if not prefix and "peer" in words:
        peer_at = words.index("peer") + 1
        prefix = words[peer_at].partition("/")[2] if peer_at < len(words) else ""
    if prefix and not prefix.isdigit():
        raise parse_error(NAME, command, "bad prefix length", " ".join(words))
    scope = words[words.index("scope") + 1] if "scope" in words[:-1] else None
    return make_address(command, interface, words[0], local,
                        int(prefix) if prefix else None, scope)
