"""The checks every network CLI platform must pass, run by each platform's
`test_fixtures.py` and `test_platform.py` with its own data: its own fixture cases parse
to expected.json (valid schema output) from declared, allowed commands; its allowlist is
exactly the declared read-only commands; its failure markers match no recorded normal
output; output no template can read is a ParseError naming the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cmdb.schema import facts_from_json, facts_to_json
from discovery.errors import ParseError
from discovery.platforms.base import is_allowed
from discovery.platforms.netcli import NetworkPlatform
from discovery.recording import read_case
from discovery.transports.base import CommandOutput
from tests.discovery.platforms.netcases import (
    EXPECTED,
    PLATFORMS,
    SHARED_CLI,
    TARGET,
    NetCases,
    collector_of,
    parse_case,
)

# Lines discovery must never send, whatever the platform declares (DESIGN §6):
# configuration, reboot, save, delete, clear, command chaining; and whole-configuration
# dumps, which only the redacting config collector runs.
REFUSED = (
    "configure terminal", "conf t", "configure", "configure private", "reload", "reboot",
    "write", "write memory", "write erase", "save", "save force", "system-view",
    "copy running-config startup-config", "delete flash:config.text",
    "delete flash:/vrpcfg.zip", "delete /unreserved flash:/startup.cfg",
    "clear mac address-table dynamic", "clear ip arp", "clear counters", "clear arp",
    "reset arp all", "request system reboot", "request system zeroize", "commit",
    "undo stp enable", "terminal length 0",
    "show version; reload", "show version\nreload", "show version | redirect flash:x",
    "display version; reboot", "display version\nsystem-view", "show version | save /tmp/x",
    "show running-config | redirect flash:x", "show configuration | save /tmp/x",
    "display current-configuration > flash:/x.cfg",
)
READ_ONLY_VERBS = ("show ", "display ")
GARBAGE = "Welcome to the example.com lab\n%%%% this is not what the command prints %%%%\n"


def check_parses_to_expected(directory: Path) -> None:
    expected = json.loads((directory / EXPECTED).read_text(encoding="utf-8"))
    assert parse_case(directory) == expected


def check_expected_is_valid(directory: Path) -> None:
    expected = json.loads((directory / EXPECTED).read_text(encoding="utf-8"))
    facts = facts_from_json(expected, where=str(directory))
    assert facts_to_json(facts) == expected
    # A case with no node proves something only when a command failed (not observed).
    failed = any(not output.ok for output in read_case(directory).values())
    assert facts.nodes or failed, "a case with no node and no failed command"
    if not facts.nodes:
        assert not facts.complete, "nothing observed must mark nothing absent"


def check_case(directory: Path) -> None:
    check_parses_to_expected(directory)
    check_expected_is_valid(directory)


def check_commands_declared(directory: Path) -> None:
    platform = PLATFORMS[directory.parent.parent.name]
    declared = {c.name: c for c in collector_of(directory).commands}
    for name, output in read_case(directory).items():
        assert name in declared, name
        assert output.command == declared[name].line
        assert is_allowed(platform, output.command), output.command


def check_every_collector_has_a_case(cases: NetCases) -> None:
    covered = {directory.parent.name for directory in cases.case_dirs()}
    assert covered == {collector.name for collector in cases.collectors}


def check_allowlist(platform: NetworkPlatform) -> None:
    lines = [c.line for collector in platform.collectors(TARGET)
             for c in collector.commands]
    assert len(lines) >= 6, "a platform with fewer commands than collectors"
    for line in lines:
        assert is_allowed(platform, line), line
        assert line.startswith(READ_ONLY_VERBS), line  # read-only by construction
    for line in REFUSED:
        assert not is_allowed(platform, line), line
    # The running configuration is read by its own, redacting collector, and only so.
    assert is_allowed(platform, platform.config_command)
    assert [c.name for c in platform.collectors(TARGET)][-1] == "running_config"


def raw_outputs(platform: str) -> list[Path]:
    """Every recorded `.raw` of the platform in ../shared (none when it is absent)."""
    return sorted((SHARED_CLI / platform).glob("*/*.raw"))


def check_no_recorded_output_fails(platform: NetworkPlatform,
                                   errors: frozenset[str] = frozenset()) -> int:
    """Every recorded .raw of the platform is a normal output, so no marker may match,
    except the named recordings of the device's own error answer: they must match."""
    if not (SHARED_CLI / platform.name).is_dir():
        pytest.skip("../shared/fixtures not present")
    raws = raw_outputs(platform.name)
    assert raws
    for raw in raws:
        line = platform.profile.failure_line(raw.read_text(encoding="utf-8"))
        if raw.name in errors:
            assert line is not None, raw.name
        else:
            assert line is None, f"{raw.name}: {line!r}"
    return len(raws)


def check_garbage_is_a_parse_error(platform: NetworkPlatform, collector_name: str) -> None:
    """Output the parser cannot read is a ParseError naming the command, never a crash
    or an empty success, for collectors whose output always lists something."""
    collector = next(c for c in platform.collectors(TARGET) if c.name == collector_name)
    outputs = {c.name: CommandOutput(command=c.line, stdout=GARBAGE)
               for c in collector.commands}
    with pytest.raises(ParseError) as caught:
        collector.parse(outputs)
    assert any(c.line in str(caught.value) for c in collector.commands)
