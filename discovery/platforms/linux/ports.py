"""The `ports` collector: listening TCP and UDP sockets from `ss -tulpnH`.

Old iproute2 (before 4.13) has no `-H` and busybox has no `ss`: the fallback is
`netstat -tulpn`. Addresses are shown as the tool prints them, minus brackets and the
`%device` suffix of sockets bound to a device (`127.0.0.53%lo` -> `127.0.0.53`), so both
tools and the host agent name a socket the same way. Rows with the same (protocol,
address, port), e.g. SO_REUSEPORT workers, are one ListeningPort; the first row that
shows a process names it. The process is not visible without root: then it is None.
"""

from __future__ import annotations

import ipaddress
import re

from cmdb.schema import Facts, ListeningPort
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.common import lines, parse_error, required

NAME = "ports"
SS = "ss -tulpnH"
NETSTAT = "netstat -tulpn"

COMMANDS = (Command("sockets", SS, fallback=NETSTAT),)
COMPLETE = frozenset({"ListeningPort"})

_SS_PROCESS = re.compile(r'users:\(\("((?:[^"\\]|\\.)*)"')
_PROTOCOLS = {"tcp": "tcp", "udp": "udp", "tcp6": "tcp", "udp6": "udp"}
_QUEUE = re.compile(r"\d+")
_NETSTAT_STATE = re.compile(r"[A-Z][A-Z0-9_]*")

PortKey = tuple[str, str, int]


def parse(outputs: Outputs) -> Facts:
    output = required(outputs, NAME, "sockets")
    if output.command.split()[0] == "netstat":
        rows = _netstat(output.command, output.stdout)
    else:
        rows = _ss(output.command, output.stdout)
    ports: dict[PortKey, ListeningPort] = {}
    for row in rows:
        key = (row.protocol, row.address, row.port)
        if key not in ports or (ports[key].process is None and row.process is not None):
            ports[key] = row
    ordered = sorted(ports, key=lambda key: (key[0], key[2], key[1]))  # protocol, port, address
    return Facts(nodes=tuple(ports[key] for key in ordered), complete=COMPLETE)


def _ss(command: str, stdout: str) -> list[ListeningPort]:
    """`NETID STATE RECV-Q SEND-Q LOCAL:PORT PEER:PORT [users:(("name",pid=1,fd=3))]`."""
    rows = []
    for line in lines(stdout):
        words = line.split(None, 6)
        if (len(words) < 6 or words[0] not in _PROTOCOLS
                or not (_QUEUE.fullmatch(words[2]) and _QUEUE.fullmatch(words[3]))):
            raise parse_error(NAME, command, "expected NETID STATE RECV-Q SEND-Q LOCAL PEER",
                              line)
        address, port = _local(command, words[4], line)
        process = _SS_PROCESS.search(words[6]) if len(words) > 6 else None
        rows.append(ListeningPort(protocol=_PROTOCOLS[words[0]], address=address, port=port,
                                  process=process.group(1) if process else None))
    return rows


def _netstat(command: str, stdout: str) -> list[ListeningPort]:
    """`PROTO RECV-Q SEND-Q LOCAL FOREIGN [STATE] PID/PROGRAM`, after two header lines."""
    rows = []
    in_note = False
    for line in lines(stdout):
        # The "(Not all processes could be identified, ...)" note spans two lines.
        in_note = in_note or line.startswith("(")
        if in_note or line.startswith(("Active Internet", "Proto ")):
            in_note = in_note and not line.endswith(")")
            continue
        words = line.split()
        if (len(words) < 5 or words[0] not in _PROTOCOLS
                or not (_QUEUE.fullmatch(words[1]) and _QUEUE.fullmatch(words[2]))):
            raise parse_error(NAME, command, "expected PROTO RECV-Q SEND-Q LOCAL FOREIGN", line)
        address, port = _local(command, words[3], line)
        rest = words[5:]
        if rest and _NETSTAT_STATE.fullmatch(rest[0]):
            rest = rest[1:]
        program = " ".join(rest).partition("/")[2] if rest else ""
        rows.append(ListeningPort(protocol=_PROTOCOLS[words[0]], address=address, port=port,
                                  process=program or None))
    return rows


def _local(command: str, text: str, line: str) -> tuple[str, int]:
    """`0.0.0.0:22`, `[::]:22`, `:::22`, `*:68`, `127.0.0.53%lo:53`, `[fe80::1]%eth0:546`."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise parse_error(NAME, command, "local address without a port", line)
    host = host.replace("[", "").replace("]", "").partition("%")[0]
    if not host:
        raise parse_error(NAME, command, "local address without a host", line)
    if host != "*":
        try:
            host = ipaddress.ip_address(host).compressed
        except ValueError:
            raise parse_error(NAME, command, "not an IP address", line) from None
    return host, int(port)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, complete=COMPLETE)
