"""The `running_config` collector: its declaration, every fixture case parsing to its
expected.json, and the outputs it refuses to store as a new version."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import pytest

from cmdb.schema import ConfigSnapshot, Source, facts_from_json, facts_to_json
from discovery.errors import CommandError, ParseError
from discovery.platforms.common import DEFAULT_REDACTION_KEY
from discovery.platforms.netconfig import running_config_collector
from discovery.platforms.netconfig.collector import NAME, parse
from discovery.platforms.netconfig.redact import fingerprint
from discovery.recording import read_case
from discovery.transports.base import CommandOutput
from tests.discovery.platforms.netconfig.cases import (
    EXPECTED,
    case_dirs,
    parse_case,
    platform_of,
    raw_config,
    secrets_of,
)

CASES = case_dirs()
KEY = b"test-key/collector"


def _id(directory: Path) -> str:
    return f"{platform_of(directory)}/{directory.name}"


def _snapshot(platform: str, stdout: str, key: bytes = KEY) -> ConfigSnapshot:
    (node,) = parse({NAME: CommandOutput("show running-config", stdout)}, platform, key).nodes
    assert isinstance(node, ConfigSnapshot)
    return node


def test_declaration() -> None:
    collector = running_config_collector("cisco_ios", "show running-config", KEY)
    assert collector.name == NAME == "running_config"
    assert [(c.name, c.line, c.required) for c in collector.commands] == [
        (NAME, "show running-config", True)]
    assert collector.source is Source.CLI
    assert collector.complete == frozenset()


def test_unknown_platform_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="acme_os"):
        running_config_collector("acme_os", "show config")


@pytest.mark.parametrize("directory", CASES, ids=_id)
def test_case_parses_to_expected(directory: Path) -> None:
    expected = json.loads((directory / EXPECTED).read_text(encoding="utf-8"))
    assert parse_case(directory) == expected
    assert facts_to_json(facts_from_json(expected, str(directory))) == expected
    text = json.dumps(expected)
    assert not [v for v in secrets_of(directory) if v in text]


@pytest.mark.parametrize("directory", CASES, ids=_id)
def test_snapshot_values(directory: Path) -> None:
    collector = running_config_collector(platform_of(directory),
                                         read_case(directory)[NAME].command, KEY)
    (node,) = collector.parse(read_case(directory)).nodes
    assert isinstance(node, ConfigSnapshot) and node.text is not None
    assert node.kind == "running"
    assert node.sha256 == hashlib.sha256(node.text.encode()).hexdigest()
    assert node.line_count == len(node.text.splitlines())
    assert node.secret_fingerprints is not None
    assert set(node.secret_fingerprints.values()) == {
        fingerprint(v, KEY) for v in secrets_of(directory)}
    # The key given to the collector is the one used (expected.json has the default).
    expected = json.loads((directory / EXPECTED).read_text(encoding="utf-8"))
    default = expected["nodes"][0]["properties"]["secret_fingerprints"]
    assert default.keys() == node.secret_fingerprints.keys()
    assert default == {k: fingerprint_default(v, directory)
                       for k, v in node.secret_fingerprints.items()}


def fingerprint_default(keyed: str, directory: Path) -> str:
    """The default-key fingerprint of the secret whose KEY fingerprint is `keyed`."""
    (value,) = [v for v in secrets_of(directory) if fingerprint(v, KEY) == keyed]
    return fingerprint(value, DEFAULT_REDACTION_KEY)


@pytest.mark.parametrize("directory", CASES, ids=_id)
def test_nothing_secret_is_logged(directory: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _snapshot(platform_of(directory), raw_config(directory))
    truncated = raw_config(directory).rsplit("\n", 3)[0]
    try:
        _snapshot(platform_of(directory), truncated)
    except ParseError as exc:
        caplog.records.append(logging.makeLogRecord({"msg": str(exc)}))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not [v for v in secrets_of(directory) if v in logged]


@pytest.mark.parametrize(("platform", "stdout", "message"), [
    ("cisco_ios", "", "show running-config: empty output"),
    ("cisco_ios", "\r\n  \r\n", "empty output"),
    ("cisco_ios", "rtr1#show running-config\nrtr1#\n", "empty output"),
    ("cisco_ios", "Building configuration...\n\nCurrent configuration : 12 bytes\n",
     "empty output"),
    ("cisco_ios", "% Invalid input detected at '^' marker.\n",
     "the device answered with an error: \"% Invalid input"),
    ("cisco_ios", "                 ^\n% Invalid input detected at '^' marker.\n",
     "answered with an error"),
    ("cisco_nxos", "% Permission denied for the role\n", "answered with an error"),
    ("arista_eos", "% Authorization denied for command 'show running-config'\n",
     "answered with an error"),
    ("juniper_junos", "error: permission denied\n", "answered with an error"),
    ("juniper_junos", "syntax error, expecting <command>.\n", "answered with an error"),
    ("huawei_vrp", "Error: Unrecognized command found at '^' position.\n",
     "answered with an error"),
    ("hp_comware", "% Unrecognized command found at '^' position.\n",
     "answered with an error"),
    ("cisco_ios", "!\nhostname rtr1\n!\ninterface Gi0/0\n ip address 192.0.2.1 255.255.255.0\n",
     "no final 'end' line: the configuration is truncated"),
    ("arista_eos", "hostname leaf1\n!\n", "no final 'end' line"),
    ("huawei_vrp", "#\nsysname core1\n#\n", "no final 'return' line"),
    ("hp_comware", "#\n sysname acc1\n#\n", "no final 'return' line"),
    ("juniper_junos", "system {\n    host-name mx1;\n", "unbalanced braces"),
    ("juniper_junos", "system {\n    host-name mx1;\n}\n}\n", "unbalanced braces"),
])
def test_not_a_whole_configuration(platform: str, stdout: str, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        _snapshot(platform, stdout)
    assert caught.value.collector == NAME
    assert "the stored configuration is kept" in str(caught.value)


def test_truncation_message_quotes_only_redacted_text() -> None:
    stdout = "hostname rtr1\nsnmp-server community Inv3ntedTrunc RO\n"
    with pytest.raises(ParseError, match="no final 'end'") as caught:
        _snapshot("cisco_ios", stdout)
    assert "Inv3ntedTrunc" not in str(caught.value)
    assert "snmp-server community <redacted> RO" in str(caught.value)


@pytest.mark.parametrize(("platform", "stdout"), [
    ("cisco_nxos", "hostname nx1\n"),  # NX-OS has no end marker: accepted as is
    ("juniper_junos", "set system host-name mx1\n"),  # display set: no braces
    ("cisco_ios", "banner motd ^C\n% Authorized access only\n^C\nend\n"),  # not first
])
def test_accepted_outputs(platform: str, stdout: str) -> None:
    assert _snapshot(platform, stdout).text == stdout


def test_snapshot_without_secrets_has_an_empty_mapping() -> None:
    node = _snapshot("cisco_ios", "hostname rtr1\nend\n")
    assert node.secret_fingerprints == {} and node.line_count == 2


def test_a_failed_command_is_a_command_error() -> None:
    failed = CommandOutput("show running-config", "", "% Invalid input detected", 1)
    with pytest.raises(CommandError, match="exit status 1"):
        parse({NAME: failed}, "cisco_ios", KEY)
    with pytest.raises(CommandError, match="no output"):
        parse({}, "cisco_ios", KEY)
