"""The real OpenSSH server peer as pytest fixtures (TESTBED: "OpenSSH server").

`sshd_peer` is one server per session; `make_sshd` is a factory for tests that need
their own server (e.g. to rotate its host key). The server itself is
`discovery.lab.sshd.SshdPeer`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Protocol

import pytest

from discovery.lab.sshd import (
    SSHD,
    SshdPeer,
    SshdStartError,
    free_port,
    generate_key,
    public_key_line,
)

__all__ = ["SshdPeer", "SshdStartError", "free_port", "generate_key", "make_sshd",
           "public_key_line", "require_sshd", "sshd_peer"]


def require_sshd() -> None:
    """Skip (locally) or fail (in CI) when OpenSSH is not installed."""
    missing = [p for p in (str(SSHD), "ssh-keygen") if shutil.which(p) is None]
    if not missing:
        return
    msg = f"OpenSSH not installed ({', '.join(missing)} missing)"
    if os.environ.get("CI"):
        pytest.fail(f"{msg}; CI must provide it (apt-get install openssh-server)")
    pytest.skip(f"{msg}; install it with: apt-get install openssh-server openssh-client")


# -- pytest fixtures -------------------------------------------------------------------


class SshdFactory(Protocol):
    def __call__(self, address: str = "127.0.0.1", port: int | None = None,
                 host_key_types: tuple[str, ...] = ("ed25519",)) -> SshdPeer: ...


@pytest.fixture(scope="session")
def sshd_peer() -> Iterator[SshdPeer]:
    """One sshd shared by the whole session: do not rotate its keys or stop it."""
    require_sshd()
    with SshdPeer() as peer:
        yield peer


@pytest.fixture
def make_sshd() -> Iterator[SshdFactory]:
    """Start servers of your own; all are stopped when the test ends."""
    require_sshd()
    peers: list[SshdPeer] = []

    def factory(address: str = "127.0.0.1", port: int | None = None,
                host_key_types: tuple[str, ...] = ("ed25519",)) -> SshdPeer:
        peer = SshdPeer(address, port, host_key_types)
        peers.append(peer)  # before start: a failed start still gets cleaned up
        return peer.start()

    yield factory
    for peer in reversed(peers):
        peer.stop()
