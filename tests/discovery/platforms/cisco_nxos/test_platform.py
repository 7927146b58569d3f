"""The cisco_nxos platform as data: netmiko driver, paging command, failure markers (real
vendor error lines match, no recorded normal output does) and the allowlist."""

from __future__ import annotations

import pytest

from discovery.platforms.cisco_nxos import COLLECTORS, PLATFORM, PROFILE
from tests.discovery.platforms.netcontract import (
    check_allowlist,
    check_no_recorded_output_fails,
)

FAILURES = [
    "                 ^\n% Invalid command at '^' marker.",
    "% Invalid command at '^' marker.",
    "% Incomplete command at '^' marker.",
    "% Ambiguous command at '^' marker.",
    "% Permission denied for the role",
]
NORMAL = [
    "  Description: 100% uplink to core",
    "Total entries displayed: 0",
    "",
]


def test_driver_and_paging() -> None:
    assert (PLATFORM.name, PLATFORM.transport) == ("cisco_nxos", "cli")
    assert (PROFILE.device_type, PROFILE.paging_off) == ("cisco_nxos", "terminal length 0")
    assert [c.name for c in COLLECTORS] == [
        "facts", "hardware", "interfaces", "neighbors", "vlans", "fdb"]


@pytest.mark.parametrize("output", FAILURES)
def test_vendor_errors_are_failures(output: str) -> None:
    line = PROFILE.failure_line(output)
    assert line is not None and line.startswith("%")


@pytest.mark.parametrize("output", NORMAL)
def test_normal_lines_are_not_failures(output: str) -> None:
    assert PROFILE.failure_line(output) is None


# A recording of the device refusing the command (PIM not enabled): the real error line,
# so it must match (its .yml expects no record).
ERROR_RECORDINGS = frozenset({"cisco_nxos_show_ip_pim_neighbor_vrf_all1.raw"})


def test_no_recorded_output_is_a_failure() -> None:
    assert check_no_recorded_output_fails(PLATFORM, ERROR_RECORDINGS) > 0


def test_allowlist() -> None:
    check_allowlist(PLATFORM)
