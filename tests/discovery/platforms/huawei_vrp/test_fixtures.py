"""Every own fixture case of huawei_vrp parses to its expected.json (valid schema output), was
produced by declared, allowed commands, and every collector has a case."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.discovery.platforms.netcases import NetCases, case_id
from tests.discovery.platforms.netcontract import (
    check_case,
    check_commands_declared,
    check_every_collector_has_a_case,
)

CASES = NetCases("huawei_vrp")


@pytest.mark.parametrize("directory", CASES.case_dirs(), ids=case_id)
def test_case_parses_to_expected(directory: Path) -> None:
    check_case(directory)


@pytest.mark.parametrize("directory", CASES.case_dirs(), ids=case_id)
def test_case_commands_are_declared_and_allowed(directory: Path) -> None:
    check_commands_declared(directory)


def test_every_collector_has_a_case() -> None:
    check_every_collector_has_a_case(CASES)
