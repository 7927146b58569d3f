"""What a device is, from sysObjectID and sysDescr alone: vendor, the CLI platform to hand
it to, its role, and its OS family and version where the sysDescr format is known.

The rules are data, tried in order; the first whose enterprise prefix and sysDescr pattern
both match wins. One enterprise may run several OSes (Cisco IOS, IOS XE and NX-OS; HP
printers and HP Comware switches), so the more specific rules come first. A pattern's
named groups carry the values: `version` (or a rule's own `version_of`), `model`,
`kernel`, `arch`.

Decisions:
- OS families are the ones the audit packs select on: ios, nxos, junos, eos, vrp,
  comware, linux, windows. IOS XE is family `ios` with name `IOS XE`, so a device seen
  both over SNMP and the `cisco_ios` CLI keeps one OperatingSystem node.
- `vendor` is the hardware maker; for net-snmp hosts and Windows it is not observed.
- Windows hides its real version from SNMP (6.3 on every release since 8.1); the build
  number tells: build 10240 and later is 10.0.<build>.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from cmdb.schema import DeviceRole

VersionOf = Callable[[re.Match[str]], str | None]

CISCO, HUAWEI, H3C, HP, JUNIPER, ARISTA = (9,), (2011,), (25506,), (11,), (2636,), (30065,)
NET_SNMP, MICROSOFT = (8072,), (311,)


@dataclass(frozen=True)
class Classification:
    vendor: str | None = None
    platform: str | None = None
    role: DeviceRole | None = None
    os_family: str | None = None
    os_name: str | None = None
    os_version: str | None = None
    model: str | None = None
    kernel_release: str | None = None
    architecture: str | None = None


@dataclass(frozen=True)
class Rule:
    enterprise: tuple[int, ...] | None  # arcs below 1.3.6.1.4.1; None: any (or none)
    descr: re.Pattern[str] | None
    result: Classification
    version_of: VersionOf | None = field(default=None)


def _named(group: str) -> VersionOf:
    return lambda match: match.groupdict().get(group)


def _comware(match: re.Match[str]) -> str:
    release = match.group("release")
    return f"{match.group('version')} Release {release}" if release else match.group("version")


def _ie_terse(match: re.Match[str]) -> str:
    """Catalyst IE3x00 sysDescr: `Cisco <model> <serial> <n> V <major> <minor> <rebuild>`."""
    return ".".join(match.group("major", "minor", "rebuild"))


def _windows(match: re.Match[str]) -> str:
    build = int(match.group("build"))
    return f"10.0.{build}" if build >= 10240 else f"{match.group('version')}.{build}"


def _no_version(match: re.Match[str]) -> None:
    return None


def _rule(enterprise: tuple[int, ...] | None, descr: str | None,
          version_of: VersionOf | None = None, **values: Any) -> Rule:
    pattern = re.compile(descr, re.IGNORECASE | re.DOTALL) if descr is not None else None
    return Rule(enterprise, pattern, Classification(**values), version_of)


_NETWORK = DeviceRole.NETWORK
_CISCO_VERSION = r"Version (?P<version>[^,\s]+)"

RULES: tuple[Rule, ...] = (
    _rule(CISCO, r"NX-OS.*?" + _CISCO_VERSION, vendor="Cisco", platform="cisco_nxos",
          role=_NETWORK, os_family="nxos", os_name="NX-OS"),
    _rule(CISCO, r"(?:IOS[ -]?XE|IOS Software \[).*?" + _CISCO_VERSION, vendor="Cisco",
          platform="cisco_ios", role=_NETWORK, os_family="ios", os_name="IOS XE"),
    _rule(CISCO, r"\bIOS\b.*?Version (?P<version>1[6-9]\.[^,\s]+)", vendor="Cisco",
          platform="cisco_ios", role=_NETWORK, os_family="ios", os_name="IOS XE"),
    _rule(CISCO, r"^\W*Cisco\s+(?P<model>IE-?\d\S*)\s+\S+\s+\S+\s+V\s+(?P<major>1[6-9])\s+"
          r"(?P<minor>\d+)\s+(?P<rebuild>\d+)", _ie_terse, vendor="Cisco",
          platform="cisco_ios", role=_NETWORK, os_family="ios", os_name="IOS XE"),
    _rule(CISCO, r"\bIOS\b.*?" + _CISCO_VERSION, vendor="Cisco", platform="cisco_ios",
          role=_NETWORK, os_family="ios", os_name="IOS"),
    _rule(CISCO, r"\bIOS\b", vendor="Cisco", platform="cisco_ios", role=_NETWORK,
          os_family="ios", os_name="IOS"),
    _rule(CISCO, None, vendor="Cisco", role=_NETWORK),
    _rule(HUAWEI, r"Comware", vendor="H3C", platform="hp_comware", role=_NETWORK,
          os_family="comware", os_name="Comware"),
    _rule(HUAWEI, r"^\W*(?:(?:Huawei )?(?P<model>[\w-]+) )?Huawei Versatile.*?VRP.*?"
          r"\([^()]*?(?P<version>V\d{3}R\d{3}\w*)\)", vendor="Huawei",
          platform="huawei_vrp", role=_NETWORK, os_family="vrp", os_name="VRP"),
    _rule(HUAWEI, r"VRP", vendor="Huawei", platform="huawei_vrp", role=_NETWORK,
          os_family="vrp", os_name="VRP"),
    _rule(HUAWEI, None, vendor="Huawei", role=_NETWORK),
    _rule(H3C, r"^\W*HPE?\b.*Comware.*?Version (?P<version>[\d.]+)(?:,? Release (?P<release>\w+))?",
          _comware, vendor="HP", platform="hp_comware", role=_NETWORK, os_family="comware",
          os_name="Comware"),
    _rule(H3C, r"Comware.*?Version (?P<version>[\d.]+)(?:,? Release (?P<release>\w+))?",
          _comware, vendor="H3C", platform="hp_comware", role=_NETWORK, os_family="comware",
          os_name="Comware"),
    _rule(H3C, None, vendor="H3C", role=_NETWORK),
    _rule(HP, r"Comware.*?Version (?P<version>[\d.]+)(?:,? Release (?P<release>\w+))?",
          _comware, vendor="HP", platform="hp_comware", role=_NETWORK, os_family="comware",
          os_name="Comware"),
    _rule((*HP, 2, 3, 9), r"JETDIRECT|LaserJet|PageWide|OfficeJet", vendor="HP",
          role=DeviceRole.PRINTER),
    _rule((*HP, 2, 3, 7), None, vendor="HP", role=_NETWORK),  # ProCurve / Aruba (ProVision)
    _rule(JUNIPER, r"Juniper Networks, Inc\. (?P<model>\S+) .*?JUNOS (?P<version>[^,\s]+)",
          vendor="Juniper", platform="juniper_junos", role=_NETWORK, os_family="junos",
          os_name="Junos"),
    _rule(JUNIPER, None, vendor="Juniper", platform="juniper_junos", role=_NETWORK,
          os_family="junos", os_name="Junos"),
    _rule(ARISTA, r"EOS version (?P<version>\S+)(?: running on an Arista Networks "
          r"(?P<model>\S+))?", vendor="Arista", platform="arista_eos", role=_NETWORK,
          os_family="eos", os_name="EOS"),
    _rule(ARISTA, None, vendor="Arista", platform="arista_eos", role=_NETWORK,
          os_family="eos", os_name="EOS"),
    _rule((*MICROSOFT, 1, 1, 3, 1, 1), r"Windows Version (?P<version>[\d.]+) \(Build "
          r"(?P<build>\d+)", _windows, role=DeviceRole.DESKTOP, os_family="windows",
          os_name="Windows"),
    _rule(MICROSOFT, r"Windows Version (?P<version>[\d.]+) \(Build (?P<build>\d+)",
          _windows, role=DeviceRole.SERVER, os_family="windows", os_name="Windows"),
    _rule(None, r"^\W*Linux (?P<host>\S+) (?P<kernel>\S+) .*?(?P<arch>\w+)\W*$",
          _no_version, platform="linux", role=DeviceRole.SERVER, os_family="linux",
          os_name="Linux"),
    _rule(NET_SNMP, None, role=DeviceRole.SERVER),
    _rule((2385,), r"^\W*SHARP (?P<model>\S+)", vendor="Sharp", role=DeviceRole.PRINTER),
    _rule((318,), None, vendor="APC", role=DeviceRole.OTHER),
    _rule((705,), r"^\W*Eaton (?P<model>.+?)\W*$", vendor="Eaton", role=DeviceRole.OTHER),
    _rule((534,), None, vendor="Eaton", role=DeviceRole.OTHER),
)


def enterprise_of(sys_object_id: str | None) -> tuple[int, ...] | None:
    """The arcs of sysObjectID below enterprises (1.3.6.1.4.1), or None."""
    if sys_object_id is None:
        return None
    arcs = sys_object_id.strip().removeprefix(".").split(".")
    if arcs[:6] != ["1", "3", "6", "1", "4", "1"] or not all(a.isdigit() for a in arcs):
        return None
    return tuple(int(a) for a in arcs[6:])


def classify(sys_object_id: str | None, sys_descr: str | None) -> Classification:
    """The first matching rule's classification; an empty one when no rule matches."""
    enterprise = enterprise_of(sys_object_id)
    descr = " ".join((sys_descr or "").split())  # CR/LF and runs of blanks: one space
    for rule in RULES:
        if rule.enterprise is not None and (
                enterprise is None or enterprise[:len(rule.enterprise)] != rule.enterprise):
            continue
        match = rule.descr.search(descr) if rule.descr is not None else None
        if rule.descr is not None and match is None:
            continue
        return _result(rule, match)
    return Classification()


def _result(rule: Rule, match: re.Match[str] | None) -> Classification:
    if match is None:
        return rule.result
    groups = match.groupdict()
    version_of = rule.version_of or _named("version")
    return replace(rule.result, os_version=version_of(match),
                   model=groups.get("model") or rule.result.model,
                   kernel_release=groups.get("kernel"), architecture=groups.get("arch"))
