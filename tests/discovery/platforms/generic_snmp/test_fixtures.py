"""The platform contract on the project's own fixture cases: every case parses to its
expected.json, which is valid schema output; its commands are the declared ones and pass
the allowlist; every collector has at least one case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cmdb.schema import Source, facts_from_json, facts_to_json
from discovery.platforms.base import Collector, is_allowed
from discovery.platforms.generic_snmp import COLLECTORS, GenericSnmpPlatform
from discovery.recording import read_case
from tests.discovery.platforms.generic_snmp.cases import (
    BY_NAME,
    EXPECTED,
    FIXTURES,
    case_dirs,
    parse_case,
)

CASES = case_dirs()


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
    assert facts.complete <= BY_NAME[directory.parent.name].complete


@pytest.mark.parametrize("directory", CASES, ids=_id)
def test_case_commands_are_declared_and_allowed(directory: Path) -> None:
    platform = GenericSnmpPlatform()
    declared = {c.name: c.line for c in BY_NAME[directory.parent.name].commands}
    for name, output in read_case(directory).items():
        assert is_allowed(platform, output.command), output.command
        assert declared[name] == output.command


@pytest.mark.parametrize("collector", COLLECTORS, ids=lambda c: c.name)
def test_every_collector_has_a_case_with_nodes(collector: Collector) -> None:
    name = collector.name
    cases = [d for d in CASES if d.parent.name == name]
    assert cases, f"no fixture case under {FIXTURES / name}"
    assert any(parse_case(d)["nodes"] for d in cases)
    assert collector.source is Source.SNMP
