"""The inventory model: what to discover and how to reach it.

A `Target` holds credential *references* only (`env:NAME`, `file:/path`, a key file
path); secrets are resolved at connect time and never stored here (DESIGN §6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class RefKind(StrEnum):
    ENV = "env"
    FILE = "file"


@dataclass(frozen=True)
class SecretRef:
    """Where a secret lives, e.g. `env:CMDB_SSH_PASSWORD` or `file:/etc/cmdb/pw`."""

    kind: RefKind
    name: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.name}"


@dataclass(frozen=True)
class Credentials:
    username: str | None = None
    password: SecretRef | None = None
    key_file: str | None = None
    key_passphrase: SecretRef | None = None


@dataclass(frozen=True)
class Target:
    name: str
    address: str
    platform: str = "linux"
    transport: str = "ssh"
    port: int | None = None
    site: str | None = None
    role: str | None = None
    tags: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    credentials: Credentials = field(default_factory=Credentials)
    # Free per-target settings for collectors, e.g. {"config_files": ["/etc/app.conf"]}.
    vars: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Inventory:
    targets: tuple[Target, ...]
    sources: tuple[str, ...] = ()

    def by_name(self, name: str) -> Target | None:
        return next((t for t in self.targets if t.name == name), None)
