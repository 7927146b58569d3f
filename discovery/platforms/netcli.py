"""Parsing and normalising primitives shared by the network CLI platforms (cisco_ios,
cisco_nxos, juniper_junos, arista_eos, huawei_vrp, hp_comware): cleaning captured output,
TextFSM parsing through ntc-templates, and the small normalisations every vendor needs
(MACs, IPs, speeds, interface names, optional fields, list-valued TextFSM fields).

ntc-templates' field names are its own choice; each platform maps them to the schema in
its own collector modules. Nothing here knows a vendor. The builders of schema nodes
from these values are in `netfacts.py`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ntc_templates.parse import ParsingException, parse_output
from textfsm import TextFSMError

from discovery.errors import ParseError
from discovery.platforms.base import Collector, Outputs
from discovery.platforms.common import (
    DEFAULT_REDACTION_KEY,
    excerpt,
    ok_stdout,
    parse_error,
    required,
)
from discovery.platforms.netconfig.collector import running_config_collector
from discovery.transports.cli_profile import CliProfile
from inventory.model import Target

Record = Mapping[str, Any]

_HEX = re.compile(r"[0-9a-f]")
_NOT_OBSERVED = frozenset({"", "n/a", "na", "none", "unknown", "--", "-"})
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Pager leftovers a capture keeps when paging was not (yet) off: IOS ` --More-- ` and the
# backspaces that erase it, NX-OS/EOS `<--- More --->`, VRP/Comware `---- More ----`
# (plus the blanks of its cursor moves), Junos `---(more 42%)---`. Blanks around it on
# its own line are the erased prompt too.
_PAGER = re.compile(r"[^\S\n]*(?:<--- More --->|---\(more(?: \d+%)?\)---|-+ ?[Mm]ore ?-+)"
                    r"[^\S\n]*(?:\x08+ +\x08+)?")
# Junos prints the virtual-chassis/cluster role line of its prompt (`{master:0}`,
# `{primary:node0}`) before the prompt; captures keep it, templates reject it.
_PROMPT_CONTEXT = re.compile(r"\{\w+(?::\w+)?\}\s*")
_NAME = re.compile(r"([A-Za-z][A-Za-z-]*?)[ ]?(\d\S*)")
# `1000Mb/s`, `10 Gb/s`, `100Mbps`, `1000000 Kbit`, `40Gbps-speed` anywhere in the value;
# else a number at its start with an optional unit prefix (`10G`, `1000`).
_SPEED = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGT])(?:b/s|bps|bit)", re.IGNORECASE)
_BARE_SPEED = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(?:b(?:ps|it/s|/s)?)?", re.IGNORECASE)
_FACTOR = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}


def clean(output: str) -> str:
    """Output as the templates expect it: LF line ends, no terminal escapes, no pager
    prompts, no prompt context lines (real captures carry all of them)."""
    unified = _ANSI.sub("", output.replace("\r\n", "\n").replace("\r", "\n"))
    return _PAGER.sub("", "\n".join(line for line in unified.split("\n")
                                     if not _PROMPT_CONTEXT.fullmatch(line)))


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


def records(platform: str, command: str, output: str, collector: str, *,
            allow_empty: bool = False) -> list[Record]:
    """ntc-templates' records of the cleaned `output`. No record at all is a ParseError
    (the template could not read it) unless an empty table is a valid answer
    (`allow_empty`: LLDP neighbours, MAC tables, optional listings)."""
    found = textfsm_records(platform, command, clean(output), collector)
    if not found and not allow_empty:
        raise parse_error(collector, command, "the template found no record", output)
    return found


def required_text(outputs: Outputs, collector: str, name: str) -> str:
    return required(outputs, collector, name).stdout


def optional_text(outputs: Outputs, name: str) -> str | None:
    """stdout of an optional command that ran and succeeded; a failed one (e.g. no
    switching) is not observed (None)."""
    return ok_stdout(outputs, name)


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


def ip_or_none(value: object) -> str | None:
    """An IP address in canonical text; MACs and words some templates put there: None."""
    found = text(value)
    if found is None:
        return None
    try:
        return ipaddress.ip_address(found).compressed
    except ValueError:
        return None


def mac_or_text(value: object) -> str | None:
    """A chassis id: normalised when it is a MAC, else as sent (an IP, a name)."""
    return mac(value) or text(value)


def speed_bps(value: object, unit: str | None = None) -> int | None:
    """A speed as the CLI prints it (`1000Mb/s`, `10 Gb/s`, `100Mbps`, `1000000 Kbit`,
    `40Gbps-speed`, `10G`) in bits per second. A bare number is in `unit` (`""` bits,
    `k`, `m`, `g`), or no speed when the platform gives no unit; `auto-speed`, other
    words and 0 are not a speed (None)."""
    found = text(value)
    if found is None:
        return None
    match = _SPEED.search(found) or _BARE_SPEED.match(found)
    if match is None:
        return None
    prefix = match.group(2) or unit
    if prefix is None:
        return None
    return int(float(match.group(1)) * _FACTOR[prefix.lower()]) or None


def canonical_interface(name: str, aliases: Mapping[str, str]) -> str:
    """The long interface name the device shows in its interface listing.

    `aliases` maps lower-case abbreviations (and long forms) to the long form, e.g.
    {"gi": "GigabitEthernet", "xge": "Ten-GigabitEthernet"}. A prefix that is not an
    alias but starts exactly one long form is expanded too (`Gig1/0/1`); anything else
    (CPU, Drop, sup-eth1(R), vPC Peer-Link) is returned as the device printed it."""
    found = _NAME.fullmatch(name.strip())
    if found is None:
        return name.strip()
    prefix, rest = found.group(1).lower(), found.group(2)
    if prefix in aliases:
        return aliases[prefix] + rest
    longs = {long for long in aliases.values() if long.lower().startswith(prefix)}
    return longs.pop() + rest if len(longs) == 1 else name.strip()


class NetworkPlatform:
    """A network CLI platform is data: its name, how its CLI behaves (CliProfile), its
    fact collectors and the command printing its running configuration, which becomes
    the redacted `running_config` collector (secrets fingerprinted with `redaction_key`).
    The allowlist is exactly the collectors' command lines (and fallbacks): nothing else
    can be sent (DESIGN §6)."""

    transport = "cli"

    def __init__(self, name: str, profile: CliProfile, collectors: tuple[Collector, ...],
                 config_command: str, redaction_key: bytes = DEFAULT_REDACTION_KEY) -> None:
        self.name = name
        self.profile = profile
        self.fact_collectors = collectors
        self.config_command = config_command
        self._collectors = (*collectors,
                            running_config_collector(name, config_command, redaction_key))
        lines = [line for collector in self._collectors for command in collector.commands
                 for line in (command.line, command.fallback) if line is not None]
        self.allowlist = tuple(re.compile(re.escape(line)) for line in dict.fromkeys(lines))

    def keyed(self, redaction_key: bytes) -> NetworkPlatform:
        """The same platform fingerprinting redacted secrets with `redaction_key`."""
        return NetworkPlatform(self.name, self.profile, self.fact_collectors,
                               self.config_command, redaction_key)

    def collectors(self, target: Target) -> tuple[Collector, ...]:
        return self._collectors

    def __repr__(self) -> str:
        return f"NetworkPlatform({self.name!r})"
