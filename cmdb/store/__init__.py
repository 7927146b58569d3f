"""Graph stores behind one protocol. `open_store` picks one from a store URL."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from cmdb.store.base import GraphStore, StoreError

STORE_ENV = "CMDB_STORE"


def data_dir() -> Path:
    """This user's cmdb-auditor data directory (XDG_DATA_HOME)."""
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "cmdb-auditor"


def default_store_url() -> str:
    """`$CMDB_STORE`, else an SQLite file in the user's data directory."""
    return os.environ.get(STORE_ENV) or f"sqlite:{data_dir() / 'cmdb.sqlite'}"


def local_dir(store_url: str) -> Path:
    """Where files that go with a store live (pinned host keys, the installation key):
    beside an SQLite file; the user's data directory for a server store."""
    scheme, sep, rest = store_url.partition(":")
    if sep and scheme == "sqlite":
        return Path(rest).expanduser().parent
    if sep and scheme in NEO4J_SCHEMES:
        return data_dir()
    return Path(store_url).expanduser().parent


NEO4J_SCHEMES = ("neo4j", "bolt", "neo4j+s", "neo4j+ssc", "bolt+s", "bolt+ssc")
SecretResolver = Callable[[str], str]  # "env:NAME" / "file:PATH" -> the secret


def open_store(url: str | None = None, resolve_secret: SecretResolver | None = None
               ) -> GraphStore:
    """Open a store from `sqlite:PATH` (or a bare path) or
    `neo4j://[user@]host:port[/database]?password=env:NAME&ca_file=PATH&batch_size=N`;
    raise StoreError otherwise. TLS: `neo4j+s://` (verified), `neo4j+ssc://`
    (self-signed), or `ca_file=` with a private CA."""
    url = url or default_store_url()
    scheme, sep, rest = url.partition(":")
    if sep and scheme == "sqlite":
        from cmdb.store.sqlite import SqliteStore

        return SqliteStore(rest)
    if sep and scheme in NEO4J_SCHEMES:
        return _open_neo4j(url, resolve_secret)
    if not sep or len(scheme) == 1:  # a bare path (or a Windows drive letter)
        from cmdb.store.sqlite import SqliteStore

        return SqliteStore(url)
    raise StoreError(f"{url}: unknown store type {scheme!r}; expected sqlite:PATH")


def _open_neo4j(url: str, resolve_secret: SecretResolver | None) -> GraphStore:
    from neo4j import TrustCustomCAs

    from cmdb.store.neo4j import Neo4jStore

    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    unknown = sorted(set(query) - {"password", "ca_file", "batch_size"})
    if unknown or parts.password:
        raise StoreError(f"{_safe(url)}: unsupported URL part(s) "
                         f"{unknown or ['a password in the URL']}; give the password as a "
                         "reference: ?password=env:NAME or ?password=file:PATH")
    auth = None
    if parts.username:
        if "password" not in query or resolve_secret is None:
            raise StoreError(f"{_safe(url)}: user {parts.username!r} needs "
                             "?password=env:NAME or ?password=file:PATH")
        try:
            auth = (parts.username, resolve_secret(query["password"]))
        except ValueError as exc:
            raise StoreError(f"{_safe(url)}: {exc}") from None
    options: dict[str, object] = {}
    if "ca_file" in query:
        options = {"encrypted": True, "trusted_certificates": TrustCustomCAs(query["ca_file"])}
    return Neo4jStore(f"{parts.scheme}://{parts.hostname}:{parts.port or 7687}", auth=auth,
                      database=parts.path.strip("/") or None,
                      batch_size=int(query.get("batch_size", 2000)), driver_options=options)


def _safe(url: str) -> str:
    """The URL without its query, which may name where a secret lives."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 7687}{parts.path}"


__all__ = [
    "NEO4J_SCHEMES",
    "STORE_ENV",
    "GraphStore",
    "SecretResolver",
    "StoreError",
    "data_dir",
    "default_store_url",
    "local_dir",
    "open_store",
]
