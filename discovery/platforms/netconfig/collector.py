"""The `running_config` collector every network CLI platform includes: one read-only
command that prints the running configuration, parsed into one redacted, content-
addressed `ConfigSnapshot(kind="running")`.

An output that is not a whole configuration is a ParseError naming the command, so the
stored version is kept (a truncated capture would otherwise look like massive drift):
- empty (or only volatile lines, e.g. a bare prompt);
- its first line is an error message (`% Invalid input`, `Error:`, `error:`);
- it misses the platform's end: IOS and EOS end with `end`, VRP and Comware with
  `return`, hierarchical Junos closes every `{`. NX-OS and Junos `display set` output
  have no end marker, so their truncation cannot be detected from the text.
Error messages quote only redacted text.

The collector declares nothing `complete`: a device has one running snapshot and may get
other kinds (startup) from other collectors, which must never be marked absent by this one.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from cmdb.schema import ConfigSnapshot, Facts, Source
from discovery.errors import ParseError
from discovery.platforms.base import Collector, Command, Outputs, Parser, Redactor
from discovery.platforms.common import DEFAULT_REDACTION_KEY, excerpt, required
from discovery.platforms.netconfig.redact import RedactedConfig, redact_config
from discovery.platforms.netconfig.rules import PlatformRules, rules_for

NAME = "running_config"
KIND = "running"


def running_config_collector(platform: str, command: str,
                             key: bytes = DEFAULT_REDACTION_KEY) -> Collector:
    """The collector of `platform` (ValueError if it has no rules) running `command`,
    e.g. `show running-config`, `show configuration`, `display current-configuration`."""
    rules_for(platform)
    return Collector(name=NAME, commands=(Command(NAME, command),),
                     parse=make_parser(platform, key), source=Source.CLI,
                     recordable=make_recordable(platform))


def make_parser(platform: str, key: bytes = DEFAULT_REDACTION_KEY) -> Parser:
    def parse_running_config(outputs: Outputs) -> Facts:
        return parse(outputs, platform, key)

    return parse_running_config


def parse(outputs: Outputs, platform: str, key: bytes = DEFAULT_REDACTION_KEY) -> Facts:
    output = required(outputs, NAME, NAME)
    rules = rules_for(platform)
    redacted = redact_config(platform, output.stdout, key)
    check_complete(rules, redacted, output.command)
    text = redacted.text
    snapshot = ConfigSnapshot(
        kind=KIND, sha256=hashlib.sha256(text.encode()).hexdigest(), text=text,
        line_count=text.count("\n"),
        secret_fingerprints=dict(sorted(redacted.fingerprints.items())))
    return Facts(nodes=(snapshot,))


def make_recordable(platform: str) -> Redactor:
    """What `cmdb discover --record` may write of the outputs: the configuration
    redacted (secrets never reach recordings, DESIGN §6); it still parses as one."""

    def recordable(outputs: Outputs) -> Outputs:
        return {name: replace(output, stdout=redact_config(
                    platform, output.stdout, DEFAULT_REDACTION_KEY).text)
                for name, output in outputs.items()}

    return recordable


def check_complete(rules: PlatformRules, config: RedactedConfig, command: str) -> None:
    """ParseError unless `config` looks like a whole configuration (see module doc)."""
    lines = config.text.splitlines()
    if not lines:
        raise _error(command, "empty output, not a configuration")
    if any(marker.match(lines[0]) for marker in rules.error_markers):
        raise _error(command, f"the device answered with an error: {excerpt(lines[0])}")
    if rules.end_line is not None and lines[-1].strip() != rules.end_line:
        raise _error(command, f"no final {rules.end_line!r} line: the configuration is "
                              f"truncated (last line {excerpt(lines[-1])})")
    if rules.balanced_braces and not _is_set_format(lines) and not _balanced(lines):
        raise _error(command, "unbalanced braces: the configuration is truncated")


def _error(command: str, reason: str) -> ParseError:
    return ParseError(f"{command}: {reason}; the stored configuration is kept",
                      collector=NAME)


def _is_set_format(lines: list[str]) -> bool:
    return not any(line.rstrip().endswith("{") for line in lines)


def _balanced(lines: list[str]) -> bool:
    depth = 0
    for line in lines:
        stripped = line.strip()
        if stripped.endswith("{"):
            depth += 1
        elif stripped.startswith("}"):
            depth -= 1
            if depth < 0:
                return False
    return depth == 0
