"""A JSON-friendly, flattened view of a target, for `cmdb inventory check`.

Credentials appear as their references (`env:NAME`, `file:/path`) and the key file path;
nothing is resolved here, so printing a summary can never print a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inventory.model import SecretRef, Target

__all__ = ["target_summary"]


def target_summary(target: Target) -> dict[str, Any]:
    creds = target.credentials
    return {
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
