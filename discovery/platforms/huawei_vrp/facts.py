"""The `facts` collector: model, VRP release, host name and ESN.

`display version` gives the model and the release (`VRP (R) software, Version 5.170
(S5720 V200R010C00SPC600)`): the release token `V200R010C00SPC600` is the version audits
compare, as Huawei's release notes and the huawei-vrp-hardening pack do. It prints no
host name or serial: the sysname line of the current configuration and `display esn`
(both optional; no ntc-templates template, one line each) give them. Uptime is not stored.
"""

from __future__ import annotations

import re

from cmdb.schema import Device, DeviceRole, Facts, OperatingSystem, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.netcli import clean, optional_text, records, required_text, text

NAME = "facts"
PLATFORM = "huawei_vrp"
VERSION = "display version"
SYSNAME = "display current-configuration | include sysname"
ESN = "display esn"

COMMANDS = (
    Command("version", VERSION),
    Command("sysname", SYSNAME, required=False),
    Command("esn", ESN, required=False),
)

# ntc-templates field -> ours, for `display version`.
VERSION_FIELDS = {"model": "model", "vrp_version": "vrp_version",
                  "product_version": "product_version"}
_SYSNAME = re.compile(r"\s*sysname\s+(\S.*?)\s*")
_ESN = re.compile(r"\s*ESN of [^:]+:\s*(\S+)\s*")
_RELEASE = re.compile(r"V\d{3}R\d{3}\S*")


def parse_version(output: str) -> dict[str, str | None]:
    """model, vrp_version (`5.170`), product_version (`S5720 V200R010C00SPC600`) and
    release (`V200R010C00SPC600`)."""
    first = records(PLATFORM, VERSION, output, NAME)[0]
    values = {ours: text(first.get(theirs)) for ours, theirs in VERSION_FIELDS.items()}
    release = _RELEASE.search(values["product_version"] or "")
    values["release"] = release.group(0) if release else values["product_version"]
    return values


def parse_sysname(output: str) -> str | None:
    return _first(_SYSNAME, output)


def parse_esn(output: str) -> str | None:
    """The first `ESN of slot 0: ...` / `ESN of master: ...` / `ESN of device: ...`."""
    return _first(_ESN, output)


def _first(pattern: re.Pattern[str], output: str) -> str | None:
    for line in clean(output).split("\n"):
        found = pattern.fullmatch(line)
        if found:
            return found.group(1)
    return None


def parse(outputs: Outputs) -> Facts:
    version = parse_version(required_text(outputs, NAME, "version"))
    sysname = optional_text(outputs, "sysname")
    esn = optional_text(outputs, "esn")
    device = Device(role=DeviceRole.NETWORK.value, platform=PLATFORM, vendor="Huawei",
                    hostname=parse_sysname(sysname) if sysname is not None else None,
                    serial=parse_esn(esn) if esn is not None else None,
                    model=version["model"])
    pretty = (f"VRP {version['vrp_version']} ({version['product_version']})"
              if version["vrp_version"] and version["product_version"] else None)
    os_node = OperatingSystem(family="vrp", name="VRP", version=version["release"],
                              pretty_name=pretty)
    return Facts(nodes=(device, os_node))


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI)
