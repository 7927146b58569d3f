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


class SnmpVersion(StrEnum):
    V1 = "1"
    V2C = "2c"
    V3 = "3"


class SnmpAuthProtocol(StrEnum):
    """SNMPv3 USM authentication (RFC 3414, RFC 7860 for SHA-2)."""

    MD5 = "MD5"
    SHA = "SHA"
    SHA224 = "SHA-224"
    SHA256 = "SHA-256"
    SHA384 = "SHA-384"
    SHA512 = "SHA-512"


class SnmpPrivProtocol(StrEnum):
    """SNMPv3 USM privacy. AES-192/256 come in two key-localization flavours: the
    Blumenthal draft (net-snmp's "AES-192"/"AES-256") and Reeder's (Cisco's, net-snmp's
    "AES-192-C"/"AES-256-C"); an agent accepts only the one it implements."""

    DES = "DES"
    AES128 = "AES-128"
    AES192 = "AES-192"
    AES256 = "AES-256"
    AES192_CISCO = "AES-192-C"
    AES256_CISCO = "AES-256-C"


@dataclass(frozen=True)
class SnmpCredentials:
    """How to talk SNMP to a target: v1/v2c with a community, or v3 USM (preferred:
    authPriv). Secrets are references only; `port` is the agent's UDP port."""

    version: SnmpVersion
    community: SecretRef | None = None
    user: str | None = None
    auth_protocol: SnmpAuthProtocol | None = None
    auth_key: SecretRef | None = None
    priv_protocol: SnmpPrivProtocol | None = None
    priv_key: SecretRef | None = None
    context: str | None = None
    port: int = 161


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
    # SNMP settings, for `transport: snmp` (and SNMP collectors); None: not configured.
    snmp: SnmpCredentials | None = None


@dataclass(frozen=True)
class Inventory:
    targets: tuple[Target, ...]
    sources: tuple[str, ...] = ()

    def by_name(self, name: str) -> Target | None:
        return next((t for t in self.targets if t.name == name), None)
