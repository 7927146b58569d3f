"""The Neo4j peer itself: it starts, the Python driver talks to it, wiping works, it is
loopback-only, and committed data survives SIGKILL + restart (uncommitted data does not)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from neo4j import Driver, GraphDatabase
from neo4j.exceptions import AuthError, DriverError, Neo4jError

from tests.neo4j_server import Neo4jServer, build, is_built
from tests.peers.neo4j import (
    neo4j_clean,
    neo4j_restartable,
    neo4j_server,
    neo4j_uri,
    wipe,
)

__all__ = ["neo4j_clean", "neo4j_restartable", "neo4j_server", "neo4j_uri"]

pytestmark = pytest.mark.peer


def _driver(server: Neo4jServer) -> Driver:
    return GraphDatabase.driver(server.uri, auth=server.auth)


def _count(driver: Driver, query: str = "MATCH (n) RETURN count(n) AS c") -> int:
    count: int = driver.execute_query(query).records[0]["c"]
    return count


# -- the session server ------------------------------------------------------------------


def test_driver_round_trip(neo4j_uri: str) -> None:
    assert neo4j_uri.startswith("bolt://127.0.0.1:")
    with GraphDatabase.driver(neo4j_uri, auth=None) as driver:
        driver.verify_connectivity()
        assert driver.execute_query("RETURN 1 AS one").records[0]["one"] == 1
        driver.execute_query("CREATE (:Host {name: $name, cpus: 2})", name="web-1")
        records = driver.execute_query("MATCH (h:Host) RETURN h.name AS name, h.cpus AS cpus")
        assert [dict(r) for r in records.records] == [{"name": "web-1", "cpus": 2}]


def test_is_neo4j_5_26_community(neo4j_uri: str) -> None:
    with GraphDatabase.driver(neo4j_uri, auth=None) as driver:
        record = driver.execute_query("CALL dbms.components()").records[0]
    assert record["name"] == "Neo4j Kernel"
    assert record["versions"][0].startswith("5.26.")
    assert record["edition"] == "community"


def test_leaves_data_and_schema_behind(neo4j_uri: str) -> None:
    """Dirties the database on purpose; the next test must find it empty."""
    with GraphDatabase.driver(neo4j_uri, auth=None) as driver:
        driver.execute_query("UNWIND range(1, 50) AS i CREATE (:Leftover {i: i})-[:R]->(:X)")
        driver.execute_query("CREATE CONSTRAINT leftover_i FOR (n:Leftover) REQUIRE n.i IS UNIQUE")
        driver.execute_query("CREATE INDEX `odd name``s` FOR (n:X) ON (n.v)")


def test_starts_empty_after_a_dirty_test(neo4j_uri: str) -> None:
    with GraphDatabase.driver(neo4j_uri, auth=None) as driver:
        assert _count(driver) == 0
        assert _count(driver, "SHOW CONSTRAINTS YIELD name RETURN count(*) AS c") == 0
        types = [r["type"] for r in driver.execute_query("SHOW INDEXES YIELD type").records]
    assert types == ["LOOKUP", "LOOKUP"]  # Neo4j's own token indexes are kept


def test_wipe_deletes_in_batches(neo4j_clean: Neo4jServer) -> None:
    with _driver(neo4j_clean) as driver:
        driver.execute_query("UNWIND range(1, 25000) AS i CREATE (:Bulk {i: i})")
        wipe(neo4j_clean)
        assert _count(driver) == 0


def test_listens_on_loopback_only(neo4j_server: Neo4jServer) -> None:
    assert neo4j_server.pid is not None
    listening = _listening_addresses(neo4j_server.pid)
    assert listening, "the JVM listens on no socket at all?"
    assert all(_is_loopback(addr) for addr, _ in listening), listening
    assert {port for _, port in listening} == {neo4j_server.port}  # Bolt only, no HTTP


def test_build_is_skipped_when_up_to_date(neo4j_server: Neo4jServer) -> None:
    assert is_built()
    started = time.monotonic()
    build()
    assert time.monotonic() - started < 1.0


# -- servers of a test's own -------------------------------------------------------------


def test_second_server_with_password_runs_alongside(
    neo4j_clean: Neo4jServer, tmp_path: Path
) -> None:
    with Neo4jServer() as other:
        other.start(tmp_path / "other", password="s3cret-pw", heap="512m")
        assert other.port != neo4j_clean.port
        with _driver(other) as driver:
            driver.execute_query("CREATE (:OnlyHere)")
            assert _count(driver) == 1
        with pytest.raises(AuthError), GraphDatabase.driver(other.uri, auth=None) as anon:
            anon.verify_connectivity()
        with pytest.raises(AuthError), GraphDatabase.driver(
            other.uri, auth=("neo4j", "wrong")
        ) as wrong:
            wrong.verify_connectivity()
    with _driver(neo4j_clean) as driver:
        assert _count(driver) == 0  # separate data directories


def test_committed_data_survives_kill_and_restart(neo4j_restartable: Neo4jServer) -> None:
    server = neo4j_restartable
    port = server.port
    with _driver(server) as driver:
        driver.execute_query("CREATE (:Change {id: 'before-stop'})")
    server.stop()  # clean: checkpoint, then a normal restart
    assert "NEO4J_STOPPED" in server.log_path.read_text()
    assert server.restart() == f"bolt://127.0.0.1:{port}"

    with _driver(server) as driver:
        driver.execute_query("CREATE (:Change {id: 'committed'})")
        with driver.session() as session:
            tx = session.begin_transaction()
            tx.run("CREATE (:Change {id: 'in-flight'})").consume()
            server.kill()  # the "apply interrupted by server death" case
            with pytest.raises((DriverError, Neo4jError)):
                tx.commit()

    server.restart()  # recovery replays the transaction log
    assert server.port == port
    with _driver(server) as driver:
        ids = driver.execute_query("MATCH (c:Change) RETURN c.id AS id ORDER BY id").records
    assert [r["id"] for r in ids] == ["before-stop", "committed"]
    assert "recover" in server.debug_log_path.read_text().lower()


# -- helpers -----------------------------------------------------------------------------


def _listening_addresses(pid: int) -> list[tuple[str, int]]:
    """(hex address, port) of every listening TCP socket and bound UDP socket of `pid`."""
    inodes = _socket_inodes(pid)
    found: list[tuple[str, int]] = []
    for table, listen_state in (("tcp", "0A"), ("tcp6", "0A"), ("udp", "07"), ("udp6", "07")):
        path = Path("/proc/net") / table
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == listen_state and inode in inodes:
                address, port = local.split(":")
                found.append((address, int(port, 16)))
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # the fd closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    return inodes


def _is_loopback(hex_address: str) -> bool:
    """127.0.0.0/8 (/proc's little-endian hex), ::1, or ::ffff:127.x.x.x."""
    if len(hex_address) == 8:
        return hex_address.endswith("7F")
    ipv6_loopback = "00000000000000000000000001000000"
    mapped_prefix = "0000000000000000FFFF0000"
    return hex_address == ipv6_loopback or (
        hex_address.startswith(mapped_prefix) and hex_address.endswith("7F")
    )
