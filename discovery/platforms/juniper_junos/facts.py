"""The `facts` collector: host name, model, Junos version and chassis serial.

`show version` names the host, the model and the release; only some releases (QFabric)
print a serial there, so the chassis serial comes from `show chassis hardware` (optional:
without it the serial is simply not observed). On a virtual chassis or an SRX cluster
`show version` repeats per member (`fpc0:`, `node0:`); the first member speaks for all.
Uptime is not stored: it changes every run.
"""

from __future__ import annotations

from cmdb.schema import Device, DeviceRole, Facts, OperatingSystem, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.netcli import optional_text, records, required_text, text

NAME = "facts"
PLATFORM = "juniper_junos"
VERSION = "show version"
HARDWARE = "show chassis hardware"

COMMANDS = (
    Command("version", VERSION),
    Command("hardware", HARDWARE, required=False),
)

# ntc-templates field -> ours, for `show version`.
VERSION_FIELDS = {"hostname": "hostname", "model": "model", "version": "junos_version",
                  "serial": "serial_number"}


def parse_version(output: str) -> dict[str, str | None]:
    """hostname, model, version and serial (QFabric only) from `show version`."""
    first = records(PLATFORM, VERSION, output, NAME)[0]
    return {ours: text(first.get(theirs)) for ours, theirs in VERSION_FIELDS.items()}


def parse_chassis_serial(output: str) -> str | None:
    """The `Chassis` line's serial in `show chassis hardware`."""
    for record in records(PLATFORM, HARDWARE, output, NAME, allow_empty=True):
        serial = text(record.get("chassis_serial_number"))
        if serial is not None:
            return serial
    return None


def parse(outputs: Outputs) -> Facts:
    version = parse_version(required_text(outputs, NAME, "version"))
    hardware = optional_text(outputs, "hardware")
    serial = parse_chassis_serial(hardware) if hardware is not None else None
    device = Device(role=DeviceRole.NETWORK.value, platform=PLATFORM,
                    hostname=version["hostname"], vendor="Juniper",
                    model=version["model"], serial=serial or version["serial"])
    os_node = OperatingSystem(family="junos", name="Junos", version=version["version"])
    return Facts(nodes=(device, os_node))


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI)
