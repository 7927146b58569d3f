"""Edge cases of the `ports` parser (ss and netstat)."""

from __future__ import annotations

import pytest

from cmdb.schema import ListeningPort
from discovery.errors import ParseError
from discovery.platforms.linux import ports
from discovery.transports.base import CommandOutput


def _parse(command: str, stdout: str) -> list[ListeningPort]:
    nodes = ports.parse({"sockets": CommandOutput(command, stdout)}).nodes
    return [n for n in nodes if isinstance(n, ListeningPort)]


def test_ss_dedupes_and_prefers_a_row_with_a_process() -> None:
    stdout = ("tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\r\n"
              'tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=1,fd=3))\n'
              'tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("other",pid=2,fd=3))\n'
              "\n"
              'udp UNCONN 0 0 127.0.0.53%lo:53 0.0.0.0:* users:(("systemd-resolve",pid=9,fd=1))\n'
              'tcp LISTEN 0 5 [::ffff:127.0.0.1]:631 *:* users:(("tmux: server",pid=3,fd=4))\n')
    found = _parse(ports.SS, stdout)
    assert [(p.protocol, p.address, p.port, p.process) for p in found] == [
        ("tcp", "0.0.0.0", 22, "sshd"),
        ("tcp", "::ffff:7f00:1", 631, "tmux: server"),
        ("udp", "127.0.0.53", 53, "systemd-resolve"),
    ]


def test_ss_with_no_listener_is_an_empty_complete_list() -> None:
    facts = ports.parse({"sockets": CommandOutput(ports.SS, "")})
    assert facts.nodes == () and facts.complete == {"ListeningPort"}


def test_netstat_as_non_root() -> None:
    stdout = ("(Not all processes could be identified, non-owned process info\n"
              " will not be shown, you would have to be root to see it all.)\n"
              "Active Internet connections (only servers)\n"
              "Proto Recv-Q Send-Q Local Address  Foreign Address  State   PID/Program name\n"
              "tcp        0      0 0.0.0.0:22     0.0.0.0:*        LISTEN  -\n"
              "udp        0      0 0.0.0.0:68     0.0.0.0:*                -\n"
              "tcp6       0      0 :::80          :::*             LISTEN  4321/python3 -m\n")
    found = _parse(ports.NETSTAT, stdout)
    assert [(p.protocol, p.address, p.port, p.process) for p in found] == [
        ("tcp", "0.0.0.0", 22, None), ("tcp", "::", 80, "python3 -m"), ("udp", "0.0.0.0", 68, None),
    ]


@pytest.mark.parametrize(("command", "stdout", "message"), [
    (ports.SS, "ss: invalid option -- 'H'\n", "expected NETID STATE"),
    (ports.SS, "tcp LISTEN 0 128 0.0.0.0:22\n", "expected NETID STATE"),
    (ports.SS, "tcp LISTEN 0 128 0.0.0.0:ssh 0.0.0.0:*\n", "local address without a port"),
    (ports.SS, "tcp LISTEN 0 128 localhost:22 0.0.0.0:*\n", "not an IP address"),
    (ports.SS, "tcp LISTEN 0 128 :22 0.0.0.0:*\n", "local address without a host"),
    (ports.NETSTAT, "tcp 0 0 0.0.0.0\n", "expected PROTO RECV-Q"),
    (ports.NETSTAT, "unix 2 [ ACC ] STREAM LISTENING 1 /run/x\n", "expected PROTO RECV-Q"),
])
def test_garbage_is_a_parse_error(command: str, stdout: str, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        _parse(command, stdout)
    assert command in str(caught.value)
