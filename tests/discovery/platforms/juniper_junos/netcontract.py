"""Checks every network CLI platform of this folder's family must pass (own fixture
cases, allowlist, failure markers); each platform's test_platform.py runs them with its
own data."""

from __future__ import annotations

import json
from pathlib import Path

from cmdb.schema import facts_from_json, facts_to_json
from discovery.platforms.base import is_allowed
from discovery.platforms.netcli import NetworkPlatform
from discovery.recording import read_case
from inventory.model import Target
from tests.discovery.platforms.juniper_junos.netcases import EXPECTED, SHARED_CLI, NetCases

# Lines discovery must never send: configuration, reboot, save, delete, clear, command
# chaining; and whole-configuration dumps, which only the redacting config collector runs.
REFUSED = [
    "configure terminal", "configure", "configure private", "reload", "reboot", "write",
    "write memory", "save", "save force", "system-view", "delete flash:/vrpcfg.zip",
    "delete /unreserved flash:/startup.cfg", "clear counters", "clear arp", "reset arp all",
    "request system reboot", "request system zeroize", "commit", "undo stp enable",
    "display version; reboot", "display version\nsystem-view", "show version | save /tmp/x",
    "display current-configuration", "show configuration",
]


def case_id(directory: Path) -> str:
    return f"{directory.parent.name}/{directory.name}"


def check_case(cases: NetCases, directory: Path) -> None:
    expected = json.loads((directory / EXPECTED).read_text(encoding="utf-8"))
    assert cases.parse_case(directory) == expected
    facts = facts_from_json(expected, where=str(directory))
    assert facts_to_json(facts) == expected
    # A case without nodes proves something only when a command failed (not observed).
    failed = any(not output.ok for output in read_case(directory).values())
    assert facts.nodes or failed, "a case with no node at all proves little"
    if not facts.nodes:
        assert not facts.complete, "nothing observed must mark nothing absent"


def check_case_commands(cases: NetCases, platform: NetworkPlatform, directory: Path) -> None:
    declared = {c.name: c for c in cases.collector(directory.parent.name).commands}
    for name, output in read_case(directory).items():
        assert name in declared, name
        assert output.command == declared[name].line
        assert is_allowed(platform, output.command), output.command


def check_every_collector_has_a_case(cases: NetCases) -> None:
    for collector in cases.collectors:
        assert any((cases.fixtures / collector.name).glob("*/commands.json")), collector.name


def check_allowlist(platform: NetworkPlatform) -> None:
    target = Target(name="sw1.example.com", address="192.0.2.10")
    lines = [c.line for col in platform.collectors(target) for c in col.commands]
    assert len(lines) >= 6
    for line in lines:
        assert is_allowed(platform, line), line
    for line in REFUSED:
        assert not is_allowed(platform, line), line


def raw_outputs(platform: str) -> list[Path]:
    return sorted((SHARED_CLI / platform).glob("*/*.raw"))


GARBAGE = "Welcome to the example.com lab\n%%%% this is not what the command prints %%%%\n"


def check_garbage_is_a_parse_error(platform: NetworkPlatform, collector_name: str) -> None:
    """Output the parser cannot read is a ParseError naming the command, never a crash
    or an empty success, for collectors whose output always lists something."""
    import pytest

    from discovery.errors import ParseError
    from discovery.transports.base import CommandOutput

    target = Target(name="sw1.example.com", address="192.0.2.10")
    collector = next(c for c in platform.collectors(target) if c.name == collector_name)
    outputs = {c.name: CommandOutput(command=c.line, stdout=GARBAGE)
               for c in collector.commands}
    with pytest.raises(ParseError) as caught:
        collector.parse(outputs)
    assert any(c.line in str(caught.value) for c in collector.commands)
