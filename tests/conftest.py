"""Shared fixtures: the real peers, OpenSSH (tests/peers/sshd.py) and Neo4j
(tests/peers/neo4j.py), started by the tests on loopback."""

from tests.peers.neo4j import (
    neo4j_clean,
    neo4j_data_uri,
    neo4j_restartable,
    neo4j_server,
    neo4j_uri,
)
from tests.peers.sshd import make_sshd, sshd_peer

__all__ = ["make_sshd", "neo4j_clean", "neo4j_data_uri", "neo4j_restartable", "neo4j_server",
           "neo4j_uri", "sshd_peer"]
