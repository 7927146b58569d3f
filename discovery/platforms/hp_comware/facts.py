"""The `facts` collector: vendor, model, Comware version and release, host name, serial.

`display version` has no ntc-templates template; three of its lines carry the facts:

    HPE Comware Software, Version 7.1.070, Release 3208P03
    Copyright (c) 2010-2018 Hewlett Packard Enterprise Development LP
    HPE 5940 48SFP+ 6QSFP28 Switch uptime is 0 weeks, 0 days, 1 hour, 9 minutes

(Comware 5 prints `Comware Software, Version 5.20.99, Release 2222P08` under a `HP
Comware Platform Software` banner.) The version is `7.1.070-3208P03`: the release is
what HPE/H3C publish fixes by, and the generic version order compares it after the
version. The vendor is the one the device names (`HP` is now `HPE`). The host name is
the sysname line of the current configuration; the serial is the chassis' (or the
first slot's) in `display device manuinfo`. Both are optional. Uptime is not stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cmdb.schema import Device, DeviceRole, Facts, OperatingSystem, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.common import parse_error
from discovery.platforms.netcli import clean, optional_text, records, required_text, text

NAME = "facts"
PLATFORM = "hp_comware"
VERSION = "display version"
SYSNAME = "display current-configuration | include sysname"
MANUINFO = "display device manuinfo"

COMMANDS = (
    Command("version", VERSION),
    Command("sysname", SYSNAME, required=False),
    Command("manuinfo", MANUINFO, required=False),
)

_VERSION = re.compile(r".*Software,? Version (?P<version>\d[\w.]*)"
                      r"(?:,? Release (?P<release>\w+))?.*")
_MODEL = re.compile(r"(?P<model>\S.*?) uptime is .*")
_VENDOR = re.compile(r"\b(HPE|HP|H3C)\b")
_SYSNAME = re.compile(r"\s*sysname\s+(\S.*?)\s*")
_VENDORS = {"HPE": "HPE", "HP": "HPE", "H3C": "H3C"}


def parse_version(output: str) -> dict[str, str | None]:
    """vendor, model, version (`7.1.070-3208P03`) and the version line itself."""
    values: dict[str, str | None] = {"vendor": None, "model": None, "version": None,
                                     "line": None}
    for line in clean(output).split("\n"):
        line = line.strip()
        version = _VERSION.fullmatch(line)
        if version and values["version"] is None:
            release = version.group("release")
            number = version.group("version")
            values["version"] = f"{number}-{release}" if release else number
            values["line"] = line
        model = _MODEL.fullmatch(line)
        if model and values["model"] is None:
            values["model"] = _VENDOR.sub("", model.group("model"), count=1).strip() or None
        vendor = _VENDOR.search(line)
        if vendor and values["vendor"] is None and (version or model or "Comware" in line):
            values["vendor"] = _VENDORS[vendor.group(1)]
    if values["version"] is None:
        raise parse_error(NAME, VERSION, "no 'Software, Version ...' line", output)
    return values


def parse_sysname(output: str) -> str | None:
    for line in clean(output).split("\n"):
        found = _SYSNAME.fullmatch(line)
        if found:
            return found.group(1)
    return None


def chassis_serial(output: str) -> str | None:
    """The serial of the `Chassis` entry, else of the first slot (a fixed switch)."""
    found = records(PLATFORM, MANUINFO, output, NAME, allow_empty=True)
    for wanted in ("chassis", "slot", None):
        for record in found:
            if _slot_type(record) == wanted and text(record.get("device_serial_number")):
                return text(record.get("device_serial_number"))
    return None


def _slot_type(record: Mapping[str, Any]) -> str | None:
    kind = text(record.get("slot_type"))
    return kind.lower() if kind else None


def parse(outputs: Outputs) -> Facts:
    version = parse_version(required_text(outputs, NAME, "version"))
    sysname = optional_text(outputs, "sysname")
    manuinfo = optional_text(outputs, "manuinfo")
    device = Device(role=DeviceRole.NETWORK.value, platform=PLATFORM,
                    hostname=parse_sysname(sysname) if sysname is not None else None,
                    serial=chassis_serial(manuinfo) if manuinfo is not None else None,
                    vendor=version["vendor"], model=version["model"])
    os_node = OperatingSystem(family="comware", name="Comware", version=version["version"],
                              pretty_name=version["line"])
    return Facts(nodes=(device, os_node))


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI)
