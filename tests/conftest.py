"""Shared fixtures: the real OpenSSH server peer (tests/peers/sshd.py)."""

from tests.peers.sshd import make_sshd, sshd_peer

__all__ = ["make_sshd", "sshd_peer"]
