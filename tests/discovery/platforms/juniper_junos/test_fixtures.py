"""Every own fixture case of juniper_junos parses to its expected.json (valid schema output), was
produced by declared, allowed commands, and every collector has a case."""

from __future__ import annotations

from pathlib import Path

import pytest

from discovery.platforms.juniper_junos import PLATFORM
from tests.discovery.platforms.juniper_junos.cases import CASES
from tests.discovery.platforms.juniper_junos.netcontract import (
    case_id,
    check_case,
    check_case_commands,
    check_every_collector_has_a_case,
)


@pytest.mark.parametrize("directory", CASES.case_dirs(), ids=case_id)
def test_case_parses_to_expected(directory: Path) -> None:
    check_case(CASES, directory)


@pytest.mark.parametrize("directory", CASES.case_dirs(), ids=case_id)
def test_case_commands_are_declared_and_allowed(directory: Path) -> None:
    check_case_commands(CASES, PLATFORM, directory)


def test_every_collector_has_a_case() -> None:
    check_every_collector_has_a_case(CASES)
