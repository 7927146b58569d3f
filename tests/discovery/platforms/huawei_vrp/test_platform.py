"""The huawei_vrp platform: its collectors, allowlist and failure markers."""

from __future__ import annotations

from pathlib import Path

import pytest

from discovery.platforms.huawei_vrp import COLLECTORS, PLATFORM, PROFILE
from tests.discovery.platforms.netcontract import (
    check_allowlist,
    check_garbage_is_a_parse_error,
    raw_outputs,
)

# VRP refusals, as the CLI prints them (VRP command reference; scrapli's huawei_vrp).
ERRORS = [
    "              ^\nError: Unrecognized command found at '^' position.",
    "                      ^\nError: Wrong parameter found at '^' position.",
    "Error:Ambiguous command found at '^' position.",
    "Error: Incomplete command found at '^' position.",
    "Error: Too many parameters found at '^' position.",
]


def test_platform() -> None:
    assert PLATFORM.name == "huawei_vrp"
    assert PROFILE.device_type == "huawei_vrp"
    assert PROFILE.paging_off == "screen-length 0 temporary"
    assert [c.name for c in COLLECTORS] == [
        "facts", "hardware", "interfaces", "neighbors", "vlans", "fdb"]


def test_allowlist() -> None:
    check_allowlist(PLATFORM)


@pytest.mark.parametrize("output", ERRORS)
def test_vendor_errors_are_failures(output: str) -> None:
    assert PROFILE.failure_line(output) == output.splitlines()[-1].strip()


@pytest.mark.parametrize("raw", raw_outputs("huawei_vrp") or [None],
                         ids=lambda p: p.stem if p else "absent")
def test_recorded_outputs_are_not_failures(raw: Path | None) -> None:
    if raw is None:
        pytest.skip("../shared/fixtures not present")
    assert PROFILE.failure_line(raw.read_text(encoding="utf-8")) is None


@pytest.mark.parametrize("collector", ["facts", "hardware", "interfaces"])
def test_garbage_is_a_parse_error(collector: str) -> None:
    check_garbage_is_a_parse_error(PLATFORM, collector)
