"""Neo4j-only behaviour against real servers: connection errors, and a server that dies
in the middle of an apply (the graph is the old state or the new one, never half)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cmdb.changeset import ChangeSet
from cmdb.ingest import ingest
from cmdb.reconcile import evidence_by_target, reconcile
from cmdb.schema import Package, TargetFacts
from cmdb.store import StoreError, open_store
from cmdb.store.neo4j import Neo4jStore, supported
from cmdb.store.sqlite import SqliteStore
from tests.cmdb.builders import host, placed, run_info
from tests.neo4j_server.server import Neo4jServer
from tests.peers.neo4j import require_neo4j


def fleet(count: int, packages: int = 40) -> list[TargetFacts]:
    batch = []
    for i in range(count):
        extra = tuple(Package(name=f"pkg{j}", arch="amd64", version=f"1.{i}.{j}")
                      for j in range(packages))
        batch.append(host(f"t{i}", serial=f"S{i:05d}", machine_id=f"m{i}", hostname=f"h{i}",
                          interfaces={"eth0": f"00:16:3e:00:{i // 256:02x}:{i % 256:02x}"},
                          extra=extra))
        batch.append(placed(f"t{i}", f"site{i % 5}"))
    return batch


def changeset_for(store: Neo4jStore, batch: list[TargetFacts], run: int) -> ChangeSet:
    evidence = [pair for ev in evidence_by_target(batch).values() for pair in ev.items()]
    return reconcile(batch, store.snapshot(evidence), run_info(run))


def test_a_server_killed_mid_apply_leaves_the_old_state(
        neo4j_restartable: Neo4jServer, tmp_path: Path) -> None:
    uri = neo4j_restartable.uri
    store = Neo4jStore(uri, driver_options={"max_transaction_retry_time": 1.0})
    ingest(store, fleet(5), run_info(store.begin_run("discovery", datetime.now(UTC))))
    before = store.counts()
    big = changeset_for(store, fleet(250), store.begin_run("discovery", datetime.now(UTC)))
    errors: list[Exception] = []

    def apply() -> None:
        try:
            store.apply(big)
        except StoreError as exc:
            errors.append(exc)

    worker = threading.Thread(target=apply)
    worker.start()
    time.sleep(1.0)
    assert worker.is_alive(), "the apply finished before the server could be killed"
    neo4j_restartable.kill()
    worker.join(timeout=120)
    assert errors and "not committed" in str(errors[0])
    store.close()

    neo4j_restartable.restart()
    after_crash = Neo4jStore(neo4j_restartable.uri)
    before_runs = before.pop("runs")
    counts = after_crash.counts()
    assert counts.pop("runs") == before_runs + 1  # begin_run of the failed run, committed
    assert counts == before  # nothing of the interrupted apply
    # The same ChangeSet applies cleanly afterwards and gives the full new state.
    summary = after_crash.apply(big)
    reference = SqliteStore(tmp_path / "reference.sqlite")
    ingest(reference, fleet(5), run_info(reference.begin_run("d", datetime.now(UTC))))
    reference.begin_run("d", datetime.now(UTC))
    assert summary == reference.apply(big)
    assert after_crash.counts()["nodes"] == reference.counts()["nodes"]
    after_crash.close()


def test_connection_errors_are_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_neo4j()
    with pytest.raises(StoreError, match="cannot reach the Neo4j server"):
        open_store("bolt://127.0.0.1:1")
    with pytest.raises(StoreError, match="give the password as a reference"):
        open_store("bolt://neo4j:hunter2@127.0.0.1:7687")
    with pytest.raises(StoreError, match="needs \\?password=env:NAME"):
        open_store("bolt://neo4j@127.0.0.1:7687")
    with pytest.raises(StoreError, match="unsupported URL"):
        open_store("bolt://127.0.0.1:7687?pasword=env:X")

    server = Neo4jServer()
    try:
        uri = server.start(tmp_path / "auth", password="correct-horse")
        port = uri.rsplit(":", 1)[1]
        monkeypatch.setenv("CMDB_TEST_NEO4J_PW", "wrong-password")

        def resolve(ref: str) -> str:
            import os
            return os.environ[ref.removeprefix("env:")]

        with pytest.raises(StoreError, match="authentication failed") as failed:
            open_store(f"bolt://neo4j@127.0.0.1:{port}?password=env:CMDB_TEST_NEO4J_PW",
                       resolve)
        assert "wrong-password" not in str(failed.value)
        monkeypatch.setenv("CMDB_TEST_NEO4J_PW", "correct-horse")
        good = open_store(f"bolt://neo4j@127.0.0.1:{port}?password=env:CMDB_TEST_NEO4J_PW",
                          resolve)
        assert good.counts()["nodes"] == 0
        good.close()
    finally:
        server.stop()


def test_only_supported_versions() -> None:
    assert supported("5.26.30") and supported("5.21.0") and supported("2025.01.0")
    assert not supported("5.20.0") and not supported("4.4.30") and not supported("?")
