"""The arista_eos platform as data: netmiko driver, paging command, failure markers (real
vendor error lines match, no recorded normal output does) and the allowlist."""

from __future__ import annotations

import pytest

from discovery.platforms.arista_eos import COLLECTORS, PLATFORM, PROFILE
from tests.discovery.platforms.netcontract import (
    check_allowlist,
    check_no_recorded_output_fails,
)

FAILURES = [
    "% Invalid input (at token 1: 'shwo')",
    "% Incomplete command (at token 4: 'drops')",
    "% Ambiguous command",
    "% Unavailable command (not supported on this hardware platform)",
]
NORMAL = [
    "  Description: 100% uplink to core",
    "Total entries displayed: 0",
    "",
]


def test_driver_and_paging() -> None:
    assert (PLATFORM.name, PLATFORM.transport) == ("arista_eos", "cli")
    assert (PROFILE.device_type, PROFILE.paging_off) == ("arista_eos", "terminal length 0")
    assert [c.name for c in COLLECTORS] == [
        "facts", "hardware", "interfaces", "neighbors", "vlans", "fdb"]


@pytest.mark.parametrize("output", FAILURES)
def test_vendor_errors_are_failures(output: str) -> None:
    line = PROFILE.failure_line(output)
    assert line is not None and line.startswith("%")


@pytest.mark.parametrize("output", NORMAL)
def test_normal_lines_are_not_failures(output: str) -> None:
    assert PROFILE.failure_line(output) is None


def test_no_recorded_output_is_a_failure() -> None:
    assert check_no_recorded_output_fails(PLATFORM) > 0


def test_allowlist() -> None:
    check_allowlist(PLATFORM)
