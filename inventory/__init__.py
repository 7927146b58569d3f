"""Inventory: what to discover and how to reach it (DESIGN §3).

Imports nothing of this project; credentials are references, resolved only at connect time.
"""

from inventory.credentials import (
    InventoryError,
    SecretError,
    installation_key,
    parse_secret_ref,
    resolve_secret,
    secret_file_too_open,
)
from inventory.loader import TRANSPORTS, load_inventory
from inventory.model import (
    Credentials,
    Inventory,
    RefKind,
    SecretRef,
    SnmpAuthProtocol,
    SnmpCredentials,
    SnmpPrivProtocol,
    SnmpVersion,
    Target,
)
from inventory.view import target_summary

__all__ = [
    "TRANSPORTS",
    "Credentials",
    "Inventory",
    "InventoryError",
    "RefKind",
    "SecretError",
    "SecretRef",
    "SnmpAuthProtocol",
    "SnmpCredentials",
    "SnmpPrivProtocol",
    "SnmpVersion",
    "Target",
    "installation_key",
    "load_inventory",
    "parse_secret_ref",
    "resolve_secret",
    "secret_file_too_open",
    "target_summary",
]
