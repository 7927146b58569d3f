"""The `facts` collector: identity and OS of a Cisco IOS / IOS XE device from `show version`.

A stack or a StackWise Virtual pair lists one model and serial per member; the first is the
active switch, the one the device is identified by (the members are Components from
`show inventory`). Uptime is not kept: it changes on every run.
"""

from __future__ import annotations

import re

from cmdb.schema import Device, DeviceRole, Facts, OperatingSystem, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.cisco_ios.profile import PLATFORM_NAME
from discovery.platforms.common import parse_error
from discovery.platforms.netcli import Record, records, required_text, text, texts

NAME = "facts"
VERSION = "show version"
COMMANDS = (Command("version", VERSION),)
VENDOR = "Cisco"

# ntc-templates field -> what it means for us (one place, STYLE: mapping per command).
FIELDS = {"hostname": "hostname", "version": "version", "model": "hardware",
          "serial": "serial"}
_IOS_XE = re.compile(r"IOS[ -]?XE", re.IGNORECASE)


def parse(outputs: Outputs) -> Facts:
    return Facts(nodes=parse_version(required_text(outputs, NAME, "version")))


def parse_version(output: str) -> tuple[Device, OperatingSystem]:
    rows = records(PLATFORM_NAME, VERSION, output, NAME)
    row = _with_version(rows, output)
    device = Device(
        role=DeviceRole.NETWORK.value,
        platform=PLATFORM_NAME,
        hostname=text(row.get(FIELDS["hostname"])),
        vendor=VENDOR,
        model=_first(row, FIELDS["model"]),
        serial=_first(row, FIELDS["serial"]),
    )
    os_node = OperatingSystem(
        family="ios",
        name="IOS XE" if _IOS_XE.search(output) else "IOS",
        version=text(row.get(FIELDS["version"])),
    )
    return device, os_node


def _with_version(rows: list[Record], output: str) -> Record:
    for row in rows:
        if text(row.get(FIELDS["version"])) is not None:
            return row
    raise parse_error(NAME, VERSION, "no software version in output", output)


def _first(row: Record, field: str) -> str | None:
    values = texts(row.get(field))
    return values[0] if values else None


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI)
