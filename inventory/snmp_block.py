"""The `snmp:` block of an inventory layer: field checks while reading a file, and the
checks across fields once defaults, groups and host are merged (DESIGN §6: SNMPv3
authPriv preferred, v1/v2c accepted; communities and keys are secret *references*).

    snmp:
      version: 3                # 1 | 2c | 3; default: 3 with a user, 2c with a community
      user: cmdb
      auth_protocol: SHA-256    # MD5 SHA SHA-224 SHA-256 SHA-384 SHA-512
      auth_key: env:SNMP_AUTH
      priv_protocol: AES-128    # DES AES-128 AES-192 AES-256 AES-192-C AES-256-C
      priv_key: file:/etc/cmdb/snmp-priv
      context: ""               # optional SNMPv3 context name
      port: 161
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from inventory.credentials import InventoryError, parse_secret_ref
from inventory.model import (
    SecretRef,
    SnmpAuthProtocol,
    SnmpCredentials,
    SnmpPrivProtocol,
    SnmpVersion,
)
from inventory.yaml_source import KeyPath, Source, describe, dotted

__all__ = ["SNMP_KEYS", "build_snmp", "read_snmp_block"]

_E = TypeVar("_E", SnmpAuthProtocol, SnmpPrivProtocol)
# (key, problem) -> the error to raise, placed at the merged target's key path.
Fail = Callable[[str, str], InventoryError]


def read_snmp_block(src: Source, value: object, path: KeyPath) -> dict[str, object]:
    """Check each field of one layer's `snmp:` mapping; `null` clears an inherited key."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise src.error(path, f"expected a mapping, got {describe(value)}")
    for key in value:
        if key not in _CHECKS:
            close = difflib.get_close_matches(key, SNMP_KEYS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise src.error((*path, key), f"unknown key '{key}'{hint}; allowed: "
                                          f"{', '.join(sorted(SNMP_KEYS))}")
    return {k: None if v is None else _CHECKS[k](src, v, (*path, k)) for k, v in value.items()}


def build_snmp(merged: Mapping[str, object], fail: Fail) -> SnmpCredentials | None:
    """The target's settings from the merged keys, or None when none is set."""
    data = {k: v for k, v in merged.items() if v is not None}
    if not data:
        return None
    version = data.get("version") or _infer_version(data, fail)
    fields: dict[str, Any] = {**data, "version": version}
    if version is SnmpVersion.V3:
        _check_v3(data, fail)
    else:
        _check_community(data, version, fail)
    return SnmpCredentials(**fields)


def _infer_version(data: Mapping[str, object], fail: Fail) -> SnmpVersion:
    if "user" in data:
        return SnmpVersion.V3
    if "community" in data:
        return SnmpVersion.V2C
    raise fail("version", "snmp needs a user (SNMPv3, preferred) or a community (v1/v2c)")


def _check_v3(data: Mapping[str, object], fail: Fail) -> None:
    if "user" not in data:
        raise fail("user", "SNMPv3 needs a user")
    if "community" in data:
        raise fail("community", "a community is for versions 1 and 2c; SNMPv3 uses user "
                                "and keys (set community: null to drop an inherited one)")
    for kind in ("auth", "priv"):
        protocol, key = f"{kind}_protocol", f"{kind}_key"
        if (protocol in data) != (key in data):
            missing = key if protocol in data else protocol
            raise fail(missing, f"{protocol} and {key} go together; {missing} is missing")
    if "priv_key" in data and "auth_key" not in data:
        raise fail("auth_key", "SNMPv3 privacy needs authentication too (authPriv): "
                               "set auth_protocol and auth_key")


def _check_community(data: Mapping[str, object], version: object, fail: Fail) -> None:
    if "community" not in data:
        raise fail("community", f"SNMP version {version} needs a community")
    for key in ("user", "auth_protocol", "auth_key", "priv_protocol", "priv_key", "context"):
        if key in data:
            raise fail(key, f"{key} is for SNMPv3; this target uses version {version} "
                            f"(set {key}: null to drop an inherited value)")


# --- one field at a time --------------------------------------------------------------

def _version(src: Source, value: object, path: KeyPath) -> SnmpVersion:
    text = str(value) if type(value) is int else value
    if isinstance(text, str) and text.lower().removeprefix("v") in {"1", "2c", "3"}:
        return SnmpVersion(text.lower().removeprefix("v"))
    raise src.error(path, f"expected an SNMP version 1, 2c or 3, got {_show(value)}")


def _text(src: Source, value: object, path: KeyPath) -> str:
    if isinstance(value, str) and value.strip():
        return value
    raise src.error(path, f"expected a non-empty string, got {_show(value)}")


def _context(src: Source, value: object, path: KeyPath) -> str:
    if isinstance(value, str):  # "" is the default context, a valid explicit choice
        return value
    raise src.error(path, f"expected a string, got {describe(value)}")


def _secret(src: Source, value: object, path: KeyPath) -> SecretRef:
    # Never echo the value: it may be the literal community we are about to reject.
    if not isinstance(value, str):
        raise src.error(path, f"expected an env:NAME or file:/path reference, got "
                              f"{describe(value)}")
    try:
        return parse_secret_ref(value, dotted(path))
    except InventoryError as exc:
        raise src.error(path, exc.problem) from None


def _port(src: Source, value: object, path: KeyPath) -> int:
    if type(value) is int and 1 <= value <= 65535:  # bool is not a port
        return value
    raise src.error(path, f"expected an integer 1-65535, got {_show(value)}")


def _protocol(kind: type[_E]) -> Callable[[Source, object, KeyPath], _E]:
    by_name = {_squash(p.value): p for p in kind}
    by_name.update({"SHA1": kind("SHA")} if kind is SnmpAuthProtocol else
                   {"AES": kind("AES-128")})

    def check(src: Source, value: object, path: KeyPath) -> _E:
        found = by_name.get(_squash(value)) if isinstance(value, str) else None
        if found is None:
            raise src.error(path, f"expected one of {', '.join(p.value for p in kind)}, "
                                  f"got {_show(value)}")
        return found

    return check


def _squash(name: str) -> str:
    return name.upper().replace("-", "").replace("_", "")


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_CHECKS: Mapping[str, Callable[[Source, object, KeyPath], object]] = {
    "version": _version, "community": _secret, "user": _text,
    "auth_protocol": _protocol(SnmpAuthProtocol), "auth_key": _secret,
    "priv_protocol": _protocol(SnmpPrivProtocol), "priv_key": _secret,
    "context": _context, "port": _port,
}
SNMP_KEYS = frozenset(_CHECKS)
