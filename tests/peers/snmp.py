"""Real SNMP peers as pytest fixtures (TESTBED: "net-snmp agent", "snmpsim").

- `snmpd_peer`: one net-snmp agent per session on 127.0.61.1 (v2c community and two
  SNMPv3 authPriv users, SHA/AES-128 and SHA-256/AES-256); do not stop or pause it.
- `make_snmpd`: agents of your own (on 127.0.61.2...), stopped when the test ends.
- `snmprec_dir`: `../shared/fixtures/snmprec` of the repository, or a skip.
- `snmpsim_peer`: snmpsim playing three recordings on 127.0.61.11-13, with a v3 user.
- `SilencingRelay`: a UDP relay in front of an agent that goes silent after N answers,
  for walks cut short at a known point.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

import pytest

from discovery.lab.snmpd import SNMPD, SnmpdPeer, SnmpUser
from discovery.lab.snmpsim import SimDevice, SnmpsimPeer, responder_path

__all__ = ["SIM_DEVICES", "SilencingRelay", "SnmpdPeer", "SnmpsimPeer", "make_snmpd",
           "require_snmpd", "snmpd_peer", "snmprec_dir", "snmpsim_peer"]

REPO_ROOT = Path(__file__).resolve().parents[2]
SNMPREC_DIR = REPO_ROOT.parent / "shared" / "fixtures" / "snmprec"
SIM_DEVICES = (SimDevice("127.0.61.11", "ios_2960x"), SimDevice("127.0.61.12", "vrp_5720"),
               SimDevice("127.0.61.13", "junos_qfx5100"))


def _require(missing: list[str], hint: str) -> None:
    if not missing:
        return
    msg = f"{', '.join(missing)} not installed"
    if os.environ.get("CI"):
        pytest.fail(f"{msg}; CI must provide it ({hint})")
    pytest.skip(f"{msg}; {hint}")


def require_snmpd() -> None:
    """Skip (locally) or fail (in CI) without net-snmp's agent and clients."""
    _require([p for p in (str(SNMPD), "snmpbulkwalk", "snmpget") if shutil.which(p) is None],
             "apt-get install snmpd snmp")


@pytest.fixture(scope="session")
def snmpd_peer() -> Iterator[SnmpdPeer]:
    require_snmpd()
    with SnmpdPeer("127.0.61.1") as peer:
        yield peer


@pytest.fixture
def make_snmpd() -> Iterator[Callable[[], SnmpdPeer]]:
    """`make_snmpd()` starts another agent, on its own address."""
    require_snmpd()
    peers: list[SnmpdPeer] = []

    def factory() -> SnmpdPeer:
        peer = SnmpdPeer(f"127.0.61.{2 + len(peers)}")
        peers.append(peer)  # before start: a failed start still gets cleaned up
        return peer.start()

    yield factory
    for peer in reversed(peers):
        peer.stop()


@pytest.fixture(scope="session")
def snmprec_dir() -> Path:
    if not SNMPREC_DIR.is_dir():
        pytest.skip(f"../shared/fixtures/snmprec not present ({SNMPREC_DIR})")
    return SNMPREC_DIR


@pytest.fixture(scope="session")
def snmpsim_peer(snmprec_dir: Path) -> Iterator[SnmpsimPeer]:
    try:
        responder_path()
    except RuntimeError as exc:
        _require([str(exc)], "pip install snmpsim pysmi cryptography")
    _require(["snmpgetnext"] if shutil.which("snmpgetnext") is None else [],
             "apt-get install snmp")
    with SnmpsimPeer(snmprec_dir, SIM_DEVICES,
                     v3_user=SnmpUser("cmdb-sim", "SHA", "AES")) as peer:
        yield peer


class SilencingRelay:
    """Forwards UDP between clients and an agent, then drops everything after
    `answers` replies: an agent that stops answering mid-walk, at a known point."""

    def __init__(self, address: str, agent: tuple[str, int], answers: int) -> None:
        self._agent = agent
        self._left = answers
        self._front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._front.bind((address, 0))
        self._back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._back.bind(("127.0.0.1", 0))
        self._client: tuple[str, int] | None = None
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._pump, args=(up,), daemon=True)
                         for up in (True, False)]

    @property
    def endpoint(self) -> tuple[str, int]:
        host, port = self._front.getsockname()
        return host, port

    def __enter__(self) -> SilencingRelay:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        for sock in (self._front, self._back):
            sock.close()
        for thread in self._threads:
            thread.join(2)

    def _pump(self, up: bool) -> None:
        source = self._front if up else self._back
        source.settimeout(0.1)
        while not self._stop.is_set():
            try:
                data, sender = source.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            if up:
                self._client = sender
                self._back.sendto(data, self._agent)
            elif self._left > 0 and self._client is not None:
                self._left -= 1
                self._front.sendto(data, self._client)
