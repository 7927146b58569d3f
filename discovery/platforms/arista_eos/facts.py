"""The `facts` collector: identity and OS of an Arista EOS device from `show version`
(model, serial, software image) and `show hostname` (host name and FQDN).

`show hostname` is optional (very old EOS lacks it): then the name is not observed.
vEOS/cEOS print no or a random serial; it is reported as seen. Uptime is not kept.
"""

from __future__ import annotations

from dataclasses import replace

from cmdb.schema import Device, DeviceRole, Facts, OperatingSystem, Source
from discovery.platforms.arista_eos.profile import PLATFORM_NAME
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.common import parse_error
from discovery.platforms.netcli import optional_text, records, required_text, text

NAME = "facts"
VERSION = "show version"
HOSTNAME = "show hostname"
COMMANDS = (Command("version", VERSION), Command("hostname", HOSTNAME, required=False))
VENDOR = "Arista"
VERSION_FIELDS = {"model": "model", "serial": "serial_number", "version": "image"}
HOSTNAME_FIELDS = {"hostname": "hostname", "fqdn": "fqdn"}


def parse(outputs: Outputs) -> Facts:
    device, os_node = parse_version(required_text(outputs, NAME, "version"))
    names = optional_text(outputs, "hostname")
    hostname, fqdn = parse_hostname(names) if names is not None else (None, None)
    return Facts(nodes=(replace(device, hostname=hostname, fqdn=fqdn), os_node))


def parse_version(output: str) -> tuple[Device, OperatingSystem]:
    rows = records(PLATFORM_NAME, VERSION, output, NAME)
    version = text(rows[0].get(VERSION_FIELDS["version"])) if rows else None
    if version is None:
        raise parse_error(NAME, VERSION, "no software image version in output", output)
    device = Device(
        role=DeviceRole.NETWORK.value,
        platform=PLATFORM_NAME,
        vendor=VENDOR,
        model=text(rows[0].get(VERSION_FIELDS["model"])),
        serial=text(rows[0].get(VERSION_FIELDS["serial"])),
    )
    return device, OperatingSystem(family="eos", name="EOS", version=version)


def parse_hostname(output: str) -> tuple[str | None, str | None]:
    """(host name, FQDN); a `FQDN:` without a dot is only the host name again."""
    rows = records(PLATFORM_NAME, HOSTNAME, output, NAME)
    if not rows:
        return None, None
    fqdn = text(rows[0].get(HOSTNAME_FIELDS["fqdn"]))
    return (text(rows[0].get(HOSTNAME_FIELDS["hostname"])),
            fqdn if fqdn is not None and "." in fqdn else None)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI)
