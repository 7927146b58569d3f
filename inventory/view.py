"""A JSON-friendly, flattened view of a target, for `cmdb inventory check`.

Credentials appear as their references (`env:NAME`, `file:/path`) and the key file path;
nothing is resolved here, so printing a summary can never print a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inventory.model import SecretRef, SnmpCredentials, Target

__all__ = ["target_summary"]


def target_summary(target: Target) -> dict[str, Any]:
    creds = target.credentials
    summary = {
        "name": target.name,
        "address": target.address,
        "platform": target.platform,
        "transport": target.transport,
        "port": target.port,
        "site": target.site,
        "role": target.role,
        "tags": list(target.tags),
        "groups": list(target.groups),
        "credentials": {
            "username": creds.username,
            "password": _ref(creds.password),
            "key_file": creds.key_file,
            "key_passphrase": _ref(creds.key_passphrase),
        },
        "vars": _jsonable(target.vars),
    }
    if target.snmp is not None:  # only when configured, so SSH-only summaries stay as they were
        summary["snmp"] = _snmp(target.snmp)
    return summary


def _snmp(snmp: SnmpCredentials) -> dict[str, Any]:
    return {
        "version": snmp.version.value,
        "community": _ref(snmp.community),
        "user": snmp.user,
        "auth_protocol": None if snmp.auth_protocol is None else snmp.auth_protocol.value,
        "auth_key": _ref(snmp.auth_key),
        "priv_protocol": None if snmp.priv_protocol is None else snmp.priv_protocol.value,
        "priv_key": _ref(snmp.priv_key),
        "context": snmp.context,
        "port": snmp.port,
    }


def _ref(ref: SecretRef | None) -> str | None:
    return None if ref is None else str(ref)


def _jsonable(value: Any) -> Any:
    # Targets may come from loaders other than YAML; coerce rather than fail on odd values.
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)
