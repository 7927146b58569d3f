"""The checks every network platform's own fixture cases must pass, parametrised by
each platform's `test_fixtures.py`: the parse equals expected.json, expected.json is
valid schema output, and every recorded command is one the collector declares and the
platform allows."""

from __future__ import annotations

import json
from pathlib import Path

from cmdb.schema import facts_from_json, facts_to_json
from discovery.platforms.base import is_allowed
from discovery.recording import read_case
from tests.discovery.platforms.cisco_ios.netcases import (
    EXPECTED,
    PLATFORMS,
    collector_of,
    parse_case,
)


def check_parses_to_expected(directory: Path) -> None:
    expected = json.loads((directory / EXPECTED).read_text(encoding="utf-8"))
    assert parse_case(directory) == expected


def check_expected_is_valid(directory: Path) -> None:
    expected = json.loads((directory / EXPECTED).read_text(encoding="utf-8"))
    facts = facts_from_json(expected, where=str(directory))
    assert facts_to_json(facts) == expected
    # A case with no node proves little, unless it shows a refused command handled.
    failed = any(not output.ok for output in read_case(directory).values())
    assert facts.nodes or failed, "a case with no node and no failed command"


def check_commands_declared(directory: Path) -> None:
    platform = PLATFORMS[directory.parent.parent.name]
    declared = {c.name: c for c in collector_of(directory).commands}
    for name, output in read_case(directory).items():
        assert name in declared, name
        assert output.command == declared[name].line
        assert is_allowed(platform, output.command), output.command
