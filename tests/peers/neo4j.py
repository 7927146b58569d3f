"""The real Neo4j 5.26 peer as pytest fixtures (TESTBED: "Neo4j").

`neo4j_server` is one server per session (auth off); `neo4j_clean` / `neo4j_uri` hand it
to a test with an empty database; `neo4j_restartable` is a server of the test's own, on
its own data directory, to kill and restart. The server is
`tests.neo4j_server.Neo4jServer` (a Maven-built embedded Neo4j, see its README.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.neo4j_server import INSTALL_HINT, Neo4jServer, missing_tools

__all__ = ["Neo4jServer", "neo4j_clean", "neo4j_data_uri", "neo4j_restartable", "neo4j_server",
           "neo4j_uri",
           "require_neo4j", "wipe"]

_SESSION_HEAP = "1g"
_RESTARTABLE_HEAP = "512m"  # a second JVM next to the session one: keep it smaller
_WIPE_BATCH = 10_000  # nodes per delete transaction: bounded transaction memory


def require_neo4j() -> None:
    """Skip (locally) or fail (in CI) when Java or Maven is missing."""
    missing = missing_tools()
    if not missing:
        return
    msg = f"Neo4j test server needs {' and '.join(missing)}"
    if os.environ.get("CI"):
        pytest.fail(f"{msg}; CI must provide it ({INSTALL_HINT})")
    pytest.skip(f"{msg}; install it with: {INSTALL_HINT}")


def wipe(server: Neo4jServer, keep_schema: bool = False) -> None:
    """Empty the database: all nodes and relationships, constraints, indexes
    (`keep_schema`: data only — for store tests, whose schema is idempotent anyway).

    The two built-in token LOOKUP indexes stay: Neo4j creates them with every database
    and label/type scans are slow without them.
    """
    from neo4j import GraphDatabase  # here: a missing driver must not break collection

    with GraphDatabase.driver(server.uri, auth=server.auth) as driver:
        while True:
            records = driver.execute_query(
                "MATCH (n) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted",
                batch=_WIPE_BATCH,
            ).records
            if records[0]["deleted"] < _WIPE_BATCH:
                break
        if keep_schema:
            return
        # Constraints first: dropping one also drops the index it owns.
        for record in driver.execute_query("SHOW CONSTRAINTS YIELD name").records:
            driver.execute_query(f"DROP CONSTRAINT {_quote(record['name'])} IF EXISTS")
        for record in driver.execute_query(
            "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'"
        ).records:
            driver.execute_query(f"DROP INDEX {_quote(record['name'])} IF EXISTS")


def _quote(name: str) -> str:
    """A schema name as a Cypher identifier (names cannot be query parameters)."""
    return "`" + name.replace("`", "``") + "`"


# -- pytest fixtures -------------------------------------------------------------------


# The session server lives here, not in the fixture: if this module's fixtures are
# imported both by tests/conftest.py and by a test module, pytest registers the fixture
# twice, and each registration would otherwise start its own JVM.
_session: Neo4jServer | None = None


def _session_server(tmp_path_factory: pytest.TempPathFactory) -> Neo4jServer:
    global _session
    if _session is None:
        server = Neo4jServer()
        server.start(tmp_path_factory.mktemp("neo4j") / "home", heap=_SESSION_HEAP)
        _session = server
    return _session


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer]:
    """One Neo4j for the whole session, auth off. Do not stop, kill or restart it."""
    require_neo4j()
    server = _session_server(tmp_path_factory)
    yield server
    server.stop()  # idempotent: a second registration's teardown finds it stopped


@pytest.fixture
def neo4j_data_uri(neo4j_server: Neo4jServer) -> str:
    """Like neo4j_uri, but constraints and indexes from earlier tests stay: the stores
    create theirs idempotently, and dropping and re-creating ~40 of them per test
    costs seconds."""
    if not neo4j_server.running:
        pytest.fail(f"the session Neo4j died; its log is {neo4j_server.log_path}")
    wipe(neo4j_server, keep_schema=True)
    return neo4j_server.uri


@pytest.fixture
def neo4j_clean(neo4j_server: Neo4jServer) -> Neo4jServer:
    """The session server with an empty database (wiped before the test)."""
    if not neo4j_server.running:
        pytest.fail(f"the session Neo4j died; its log is {neo4j_server.log_path}")
    wipe(neo4j_server)
    return neo4j_server


@pytest.fixture
def neo4j_uri(neo4j_clean: Neo4jServer) -> str:
    """Bolt URI (bolt://127.0.0.1:PORT, no auth) of the session server, database empty."""
    return neo4j_clean.uri


@pytest.fixture
def neo4j_restartable(tmp_path: Path) -> Iterator[Neo4jServer]:
    """A started server of this test's own (auth off) to kill(), restart() or stop()."""
    require_neo4j()
    server = Neo4jServer()
    try:
        server.start(tmp_path / "neo4j", heap=_RESTARTABLE_HEAP)
        yield server
    finally:
        server.stop()
