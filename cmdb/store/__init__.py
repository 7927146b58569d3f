"""Graph stores behind one protocol. `open_store` picks one from a store URL."""

from __future__ import annotations

import os
from pathlib import Path

from cmdb.store.base import GraphStore, StoreError

STORE_ENV = "CMDB_STORE"


def default_store_url() -> str:
    """`$CMDB_STORE`, else an SQLite file under the user's data directory (XDG)."""
    if os.environ.get(STORE_ENV):
        return os.environ[STORE_ENV]
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:{data_home / 'cmdb-auditor' / 'cmdb.sqlite'}"


def open_store(url: str | None = None) -> GraphStore:
    """Open a store from `sqlite:PATH` (or a bare path); raise StoreError otherwise."""
    url = url or default_store_url()
    scheme, sep, rest = url.partition(":")
    if sep and scheme == "sqlite":
        from cmdb.store.sqlite import SqliteStore

        return SqliteStore(rest)
    if sep and scheme in ("neo4j", "bolt", "neo4j+s", "bolt+s"):
        raise StoreError(f"{url}: the Neo4j store is not available in this version yet; "
                         "use sqlite:PATH")
    if not sep or len(scheme) == 1:  # a bare path (or a Windows drive letter)
        from cmdb.store.sqlite import SqliteStore

        return SqliteStore(url)
    raise StoreError(f"{url}: unknown store type {scheme!r}; expected sqlite:PATH")


__all__ = ["STORE_ENV", "GraphStore", "StoreError", "default_store_url", "open_store"]
