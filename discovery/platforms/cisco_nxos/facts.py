"""The `facts` collector: identity and OS of a Cisco NX-OS device from `show version`
(`Device name`, `Processor Board ID`, the chassis line and the NXOS version).

The version is the release only: `10.4(5) [Maintenance Release]` and ACI's
`14.0(1h) [build 14.0(1h)]` become `10.4(5)` and `14.0(1h)`, so releases compare.
Uptime is not kept: it changes on every run.
"""

from __future__ import annotations

from cmdb.schema import Device, DeviceRole, Facts, OperatingSystem, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.cisco_nxos.profile import PLATFORM_NAME
from discovery.platforms.common import parse_error
from discovery.platforms.netcli import records, required_text, text

NAME = "facts"
VERSION = "show version"
COMMANDS = (Command("version", VERSION),)
VENDOR = "Cisco"
FIELDS = {"hostname": "hostname", "version": "os", "model": "platform", "serial": "serial"}


def parse(outputs: Outputs) -> Facts:
    return Facts(nodes=parse_version(required_text(outputs, NAME, "version")))


def parse_version(output: str) -> tuple[Device, OperatingSystem]:
    rows = records(PLATFORM_NAME, VERSION, output, NAME)
    version = text(rows[0].get(FIELDS["version"])) if rows else None
    if version is None:
        raise parse_error(NAME, VERSION, "no NXOS version in output", output)
    row = rows[0]
    device = Device(
        role=DeviceRole.NETWORK.value,
        platform=PLATFORM_NAME,
        hostname=text(row.get(FIELDS["hostname"])),
        vendor=VENDOR,
        model=text(row.get(FIELDS["model"])),
        serial=text(row.get(FIELDS["serial"])),
    )
    return device, OperatingSystem(family="nxos", name="NX-OS", version=version.split()[0])


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI)
