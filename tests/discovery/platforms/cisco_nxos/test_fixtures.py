"""Every own cisco_nxos fixture case parses to its expected.json, with valid schema output,
produced by commands the collector declares and the platform allows; every collector
has at least one case."""

from __future__ import annotations

from pathlib import Path

import pytest

from discovery.platforms.cisco_nxos import COLLECTORS
from tests.discovery.platforms.netcases import case_dirs, case_id
from tests.discovery.platforms.netcontract import (
    check_commands_declared,
    check_expected_is_valid,
    check_parses_to_expected,
)

CASES = case_dirs("cisco_nxos")


@pytest.mark.parametrize("directory", CASES, ids=case_id)
def test_case_parses_to_expected(directory: Path) -> None:
    check_parses_to_expected(directory)


@pytest.mark.parametrize("directory", CASES, ids=case_id)
def test_expected_is_valid_schema_output(directory: Path) -> None:
    check_expected_is_valid(directory)


@pytest.mark.parametrize("directory", CASES, ids=case_id)
def test_case_commands_are_declared_and_allowed(directory: Path) -> None:
    check_commands_declared(directory)


def test_every_collector_has_a_case() -> None:
    covered = {directory.parent.name for directory in CASES}
    assert covered == {collector.name for collector in COLLECTORS}
