"""Every recorded case parses to its expected.json, with valid schema output, and was
produced by commands the platform declares and allows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cmdb.schema import facts_from_json, facts_to_json
from discovery.platforms.base import is_allowed
from discovery.platforms.linux import STATIC_COLLECTORS, LinuxPlatform
from discovery.recording import read_case
from tests.discovery.platforms.linux.cases import (
    EXPECTED,
    FIXTURES,
    case_dirs,
    parse_case,
    parser_for,
)

CASES = case_dirs()
COLLECTORS = ("system", "interfaces", "packages", "services", "ports", "configs")


def _id(directory: Path) -> str:
    return f"{directory.parent.name}/{directory.name}"


@pytest.mark.parametrize("directory", CASES, ids=_id)
def test_case_parses_to_expected(directory: Path) -> None:
    expected = json.loads((directory / EXPECTED).read_text(encoding="utf-8"))
    assert parse_case(directory) == expected


@pytest.mark.parametrize("directory", CASES, ids=_id)
def test_expected_is_valid_schema_output(directory: Path) -> None:
    expected = json.loads((directory / EXPECTED).read_text(encoding="utf-8"))
    facts = facts_from_json(expected, where=str(directory))
    assert facts_to_json(facts) == expected
    assert facts.nodes, "a case with no node at all proves little"


@pytest.mark.parametrize("directory", CASES, ids=_id)
def test_case_commands_are_declared_and_allowed(directory: Path) -> None:
    platform = LinuxPlatform()
    outputs = read_case(directory)
    declared = {c.name: c for c in STATIC_COLLECTORS}.get(directory.parent.name)
    for name, output in outputs.items():
        assert is_allowed(platform, output.command), output.command
        if declared is not None:
            command = next(c for c in declared.commands if c.name == name)
            assert output.command in (command.line, command.fallback)


@pytest.mark.parametrize("collector", COLLECTORS)
def test_every_collector_has_the_three_base_cases(collector: str) -> None:
    cases = {p.name for p in (FIXTURES / collector).iterdir() if p.is_dir()}
    assert {"debian12", "rhel9", "minimal"} <= cases
    assert parser_for(collector) is not None
