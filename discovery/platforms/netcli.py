"""Helpers shared by the network CLI platforms (cisco_ios, cisco_nxos, juniper_junos,
arista_eos, huawei_vrp, hp_comware): TextFSM parsing through ntc-templates, and the small
normalisations every vendor needs (MACs, optional fields, list-valued TextFSM fields).

ntc-templates' field names are its own choice; each platform maps them to the schema in
its own collector modules. Nothing here knows a vendor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ntc_templates.parse import ParsingException, parse_output
from textfsm import TextFSMError

from discovery.errors import ParseError
from discovery.platforms.base import Collector, Outputs
from discovery.platforms.common import excerpt, required
from discovery.transports.cli_profile import CliProfile
from inventory.model import Target

Record = Mapping[str, Any]

_HEX = re.compile(r"[0-9a-f]")
_NOT_OBSERVED = frozenset({"", "n/a", "na", "none", "unknown", "--", "-"})


def textfsm_records(platform: str, command: str, text: str, collector: str) -> list[Record]:
    """Parse `text` (the output of `command` on `platform`) with ntc-templates' template.

    A template that cannot read the output is a ParseError naming the command; an empty
    result from a non-empty output is left to the caller (for some commands, e.g. LLDP
    neighbours, empty is a valid answer)."""
    try:
        records = parse_output(platform=platform, command=command, data=text)
    except (TextFSMError, ParsingException) as exc:
        raise ParseError(
            f"{command}: the {platform} template could not read the output ({exc}): "
            f"{excerpt(text)}",
            collector=collector,
        ) from exc
    return [dict(record) for record in records]


def command_records(outputs: Outputs, platform: str, collector: str, name: str,
                    command: str) -> list[Record]:
    """The TextFSM records of the required command called `name` (line `command`)."""
    return textfsm_records(platform, command, required(outputs, collector, name).stdout,
                           collector)


def text(value: Any) -> str | None:
    """A TextFSM field as one stripped string: the first item of a list field; empty and
    placeholder values ("", "n/a", "unknown", "--") are not observed (None)."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        value = value[0] if value else None
    if value is None:
        return None
    stripped = str(value).strip()
    return None if stripped.lower() in _NOT_OBSERVED else stripped


def texts(value: Any) -> list[str]:
    """A TextFSM field as a list of non-empty strings (list fields and scalars alike)."""
    items = value if isinstance(value, Sequence) and not isinstance(value, str) else [value]
    return [s for s in (text(item) for item in items) if s is not None]


def integer(value: Any) -> int | None:
    """A TextFSM field holding a whole number; anything else is not observed."""
    found = text(value)
    if found is None:
        return None
    try:
        return int(found.replace(",", ""))
    except ValueError:
        return None


def mac(value: Any) -> str | None:
    """Any vendor MAC notation (aabb.ccdd.eeff, aa-bb-cc-dd-ee-ff, aabb-ccdd-eeff,
    AA:BB:...) as lower-case colon form; None unless it has exactly 12 hex digits."""
    found = text(value)
    if found is None:
        return None
    digits = "".join(_HEX.findall(found.lower()))
    if len(digits) != 12 or len(re.sub(r"[0-9a-fA-F.:\-\s]", "", found)) > 0:
        return None
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


class NetworkPlatform:
    """A network CLI platform is data: its name, how its CLI behaves (CliProfile) and its
    collectors. The allowlist is exactly the collectors' command lines (and fallbacks):
    nothing else can be sent (DESIGN §6)."""

    transport = "cli"

    def __init__(self, name: str, profile: CliProfile,
                 collectors: tuple[Collector, ...]) -> None:
        self.name = name
        self.profile = profile
        self._collectors = collectors
        lines = [line for collector in collectors for command in collector.commands
                 for line in (command.line, command.fallback) if line is not None]
        self.allowlist = tuple(re.compile(re.escape(line)) for line in dict.fromkeys(lines))

    def collectors(self, target: Target) -> tuple[Collector, ...]:
        return self._collectors

    def __repr__(self) -> str:
        return f"NetworkPlatform({self.name!r})"
