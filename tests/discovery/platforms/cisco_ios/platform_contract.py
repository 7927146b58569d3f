"""Checks every Cisco-style network platform passes, called by each platform's
`test_platform.py` with its own data: failure markers match the vendor's real error
lines and no recorded normal output; the allowlist is exactly the declared commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from discovery.platforms.base import is_allowed
from discovery.platforms.netcli import NetworkPlatform
from inventory.model import Target
from tests.discovery.platforms.cisco_ios.netcases import SHARED_CLI

# Never allowed, whatever the platform declares (DESIGN §6).
DANGEROUS = (
    "configure terminal", "conf t", "reload", "write memory", "write erase", "write",
    "copy running-config startup-config", "delete flash:config.text", "system-view",
    "clear mac address-table dynamic", "clear ip arp", "clear counters",
    "show version; reload", "show version\nreload", "show version | redirect flash:x",
    "show running-config", "terminal length 0",
)


def recorded_outputs(platform: str) -> list[Path]:
    folder = SHARED_CLI / platform
    if not folder.is_dir():
        pytest.skip("../shared/fixtures not present")
    return sorted(folder.glob("*/*.raw"))


def check_no_recorded_output_fails(platform: NetworkPlatform,
                                   errors: frozenset[str] = frozenset()) -> int:
    """Every recorded .raw of the platform is a normal output, so no marker may match,
    except the named recordings of the device's own error answer: they must match."""
    raws = recorded_outputs(platform.name)
    assert raws
    for raw in raws:
        line = platform.profile.failure_line(raw.read_text(encoding="utf-8"))
        if raw.name in errors:
            assert line is not None, raw.name
        else:
            assert line is None, f"{raw.name}: {line!r}"
    return len(raws)


def check_allowlist(platform: NetworkPlatform) -> None:
    target = Target(name="t", address="192.0.2.1", transport="cli")
    lines = [c.line for collector in platform.collectors(target)
             for c in collector.commands]
    assert lines, "a platform with no command"
    for line in lines:
        assert is_allowed(platform, line), line
        assert line.startswith("show "), line  # read-only by construction
    for line in DANGEROUS:
        assert not is_allowed(platform, line), line
