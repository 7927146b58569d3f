"""`any_store`: each test that asks for it runs once per GraphStore implementation,
SQLite in a temporary file and the real Neo4j 5 server of tests/peers/neo4j.py (data
wiped before each test)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cmdb.store import GraphStore
from cmdb.store.neo4j import Neo4jStore
from cmdb.store.sqlite import SqliteStore

STORES: dict[str, Callable[[pytest.FixtureRequest, Path], GraphStore]] = {
    "sqlite": lambda _, tmp: SqliteStore(tmp / "cmdb.sqlite"),
    "neo4j": lambda request, _: Neo4jStore(request.getfixturevalue("neo4j_data_uri")),
}


@pytest.fixture(params=sorted(STORES))
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    opened = STORES[request.param](request, tmp_path)
    yield opened
    opened.close()
