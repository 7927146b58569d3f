"""Device documents built from a real store: what rules, selectors and snapshots read."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from audit.document import device_documents
from cmdb.store.sqlite import SqliteStore
from tests.audit.audit_graph import discover


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with closing(SqliteStore(tmp_path / "graph.sqlite")) as opened:
        discover(opened, 1)
        yield opened


def by_host(store: SqliteStore, as_of: int | None = None) -> dict[str, dict[str, Any]]:
    return {str(doc["hostname"]): doc for doc in device_documents(store, as_of).values()}


def test_each_device_gets_its_site_and_its_owned_cis(store: SqliteStore) -> None:
    docs = by_host(store)
    assert {host: doc["site"] for host, doc in docs.items()} == {
        "web01": "dc1", "web02": "dc1", "db01": "dc2"}
    web01 = docs["web01"]
    assert list(web01["config_files"]) == ["/etc/ssh/sshd_config"]
    assert web01["config_files"]["/etc/ssh/sshd_config"]["settings"] == {
        "passwordauthentication": "no", "permitrootlogin": "no"}
    assert web01["interfaces"]["eth0"]["ips"] == ["10.0.0.1"]
    assert "config_files" not in docs["db01"]


def test_sites_as_of_a_past_run_agree_with_the_current_read(store: SqliteStore) -> None:
    current, as_of = by_host(store), by_host(store, as_of=1)
    assert {h: d.get("site") for h, d in as_of.items()} == {
        h: d.get("site") for h, d in current.items()}


def test_only_the_asked_devices(store: SqliteStore) -> None:
    web02 = store.resolve("web02")
    docs = device_documents(store, devices=web02)
    assert list(docs) == web02 and docs[web02[0]]["site"] == "dc1"
