"""The net-snmp lab peer on several addresses (`more_addresses`, the fleet benchmark's
"devices"): one agent answers on each of them and on nothing else, and an address it
cannot take fails the start with a message naming it."""

from __future__ import annotations

import socket
import subprocess

import pytest

from discovery.lab.snmpd import SnmpdPeer, SnmpdStartError, free_udp_port
from tests.peers.snmp import require_snmpd

pytestmark = pytest.mark.peer

SYS_NAME_0 = "1.3.6.1.2.1.1.5.0"
ENGINE_ID_0 = "1.3.6.1.6.3.10.2.1.1.0"


def _get(peer: SnmpdPeer, address: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["snmpget", "-v2c", "-c", peer.community, "-r", "0", "-t", "0.5", "-On", "-Ox",
         f"{address}:{peer.port}", SYS_NAME_0, ENGINE_ID_0],
        capture_output=True, text=True, env=peer.client_env(), check=False)


def test_one_agent_answers_on_every_address_and_only_there() -> None:
    require_snmpd()
    more = ("127.0.64.2", "127.0.64.3")
    with SnmpdPeer("127.0.64.1", more_addresses=more) as peer:
        assert peer.addresses == ("127.0.64.1", *more)
        assert "2 more" in repr(peer) and peer.community not in repr(peer)
        answers = {a: _get(peer, a) for a in peer.addresses}
        assert all(done.returncode == 0 for done in answers.values()), answers
        # One agent: the same sysName and snmpEngineID behind every address.
        assert len({done.stdout for done in answers.values()}) == 1
        assert SYS_NAME_0 in answers["127.0.64.1"].stdout
        unlisted = _get(peer, "127.0.64.4")
        assert unlisted.returncode != 0 and "Timeout" in unlisted.stderr


def test_an_address_already_taken_fails_the_start_naming_it() -> None:
    require_snmpd()
    port = free_udp_port("127.0.64.11", "127.0.64.12")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
        squatter.bind(("127.0.64.12", port))
        peer = SnmpdPeer("127.0.64.11", port=port, more_addresses=("127.0.64.12",))
        try:
            with pytest.raises(SnmpdStartError, match=rf"127\.0\.64\.12:{port}"):
                peer.start()
        finally:
            peer.stop()
