"""Independent expectations for the network platforms' shared-fixture tests: how a value
ntc-templates printed in its .yml must look after our normalisation. Written apart from the parsers
(no production normaliser is reused here, except netcli's `text` for "not observed"),
so a wrong alias table or unit conversion shows up as a failure."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from discovery.platforms.netcli import text

_SHORT = re.compile(r"([A-Za-z][A-Za-z-]*)(\d\S*)")


def long_name(name: str, table: Mapping[str, str]) -> str:
    """`Gi1/0/1` -> `GigabitEthernet1/0/1` through the test's own table."""
    found = _SHORT.fullmatch(name.strip())
    if found is None:
        return name.strip()
    return table.get(found.group(1), found.group(1)) + found.group(2)


def colon_mac(value: str | None) -> str | None:
    if not value:
        return None
    digits = re.sub(r"[.:\-]", "", value).lower()
    if not re.fullmatch(r"[0-9a-f]{12}", digits):
        return None  # sanitised recordings hold `jenn.3057.8423`: no MAC
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def chassis(value: str | None) -> str | None:
    """A chassis id is a MAC when it looks like one, else kept as sent."""
    if value and re.fullmatch(r"[0-9a-fA-F]{4}(\.[0-9a-fA-F]{4}){2}|"
                              r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}", value.strip()):
        return colon_mac(value.strip())
    return text(value)


def ip_only(value: str | None) -> str | None:
    """Management addresses: kept only when they are IPs (EOS sends MACs there)."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        result.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return result


def first(value: Any) -> str | None:
    if isinstance(value, list):
        return text(value[0]) if value else None
    return text(value)
