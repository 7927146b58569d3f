"""The juniper_junos platform: its collectors, allowlist and failure markers."""

from __future__ import annotations

from pathlib import Path

import pytest

from discovery.platforms.juniper_junos import COLLECTORS, PLATFORM, PROFILE
from tests.discovery.platforms.netcontract import (
    check_allowlist,
    check_garbage_is_a_parse_error,
    raw_outputs,
)

# Junos refusals, as the CLI prints them (Junos CLI User Guide; scrapli's junos markers).
ERRORS = [
    "                ^\nunknown command.",
    "                 ^\nsyntax error, expecting <command>.",
    "error: command is not valid on the mx240",
    "error: device ge-9/9/9 not found",
    "'sh' is ambiguous.",
    "                 ^\nmissing argument.",
]


def test_platform() -> None:
    assert PLATFORM.name == "juniper_junos"
    assert PROFILE.device_type == "juniper_junos"
    assert PROFILE.paging_off == "set cli screen-length 0"
    assert [c.name for c in COLLECTORS] == [
        "facts", "hardware", "interfaces", "neighbors", "vlans", "fdb"]


def test_allowlist() -> None:
    check_allowlist(PLATFORM)
    assert not PLATFORM.allowlist[0].fullmatch("show version | no-more; request system reboot")


@pytest.mark.parametrize("output", ERRORS)
def test_vendor_errors_are_failures(output: str) -> None:
    assert PROFILE.failure_line(output) == output.splitlines()[-1].strip()


@pytest.mark.parametrize("raw", raw_outputs("juniper_junos") or [None],
                         ids=lambda p: p.stem if p else "absent")
def test_recorded_outputs_are_not_failures(raw: Path | None) -> None:
    if raw is None:
        pytest.skip("../shared/fixtures not present")
    assert PROFILE.failure_line(raw.read_text(encoding="utf-8")) is None


@pytest.mark.parametrize("collector", ["facts", "hardware", "interfaces"])
def test_garbage_is_a_parse_error(collector: str) -> None:
    check_garbage_is_a_parse_error(PLATFORM, collector)
