"""The `host_resources` collector: HOST-RESOURCES-MIB installed software as Packages and
fixed disks as Filesystems. Only hosts and a few appliances implement it.

Decisions:
- Package names: agents join name and version in hrSWInstalledName, each in its own way:
  `name_version_arch` (dpkg style), `name-version-release[.arch]` (net-snmp on rpm
  hosts, arch only on newer ones), `name-version` (net-snmp on Debian), `Name [version]`
  (Junos), plain display names (Windows). The version starts at the first `-` followed by
  a digit after which at most one more `-` follows (dpkg revision, rpm release), so
  `gcc-8-base-8.3.0-6` is gcc-8-base 8.3.0-6. No split: the whole text is the name.
- The arch is part of the Package key, so it must be a string: the parsed arch, else
  "unknown" (the agent did not say; such a package is not the same key as the one the
  SSH collector reports with its arch).
- A (name, arch) listed several times (kernels) keeps the newest version in rpm order,
  the others in `other_versions`. The manager is not observed.
- Filesystems: hrStorageTable rows of type hrStorageFixedDisk; the mount point is the
  description (Windows: its drive, `C:\\`); size = allocation units x size, not observed
  when the agent's 32-bit size is negative or zero.
- `complete`: Package when hrSWInstalledTable listed rows, Filesystem when hrStorageTable
  did; an empty walk means the agent does not implement the table.
"""

from __future__ import annotations

import re
from functools import cmp_to_key

from cmdb.schema import Facts, Filesystem, Node, Package, Source
from cmdb.schema.versions import rpm_vercmp
from discovery.platforms.base import Collector, Outputs
from discovery.platforms.generic_snmp import oids
from discovery.platforms.generic_snmp._common import (
    Answers,
    integer,
    read,
    rows,
    text,
    walk_command,
)
from discovery.platforms.generic_snmp._snmprec import Oid, Value, format_oid

NAME = "host_resources"

COMMANDS = (
    walk_command("software", *oids.HR_SW_INSTALLED.walk_oids("name")),
    walk_command("storage", *oids.HR_STORAGE.walk_oids()),
)
UNKNOWN_ARCH = "unknown"
ARCHES = frozenset({"x86_64", "i386", "i586", "i686", "noarch", "aarch64", "ppc64le",
                    "ppc64", "s390x", "armv7hl", "armhfp", "amd64", "arm64", "armhf", "all"})

_DPKG_STYLE = re.compile(r"(?P<name>[^_\s]+)_(?P<version>[^_\s]+)_(?P<arch>[^_\s]+)")
_BRACKETED = re.compile(r"(?P<name>.+?)\s*\[(?P<version>[^\]]+)\]")
_WINDOWS_DRIVE = re.compile(r"([A-Za-z]:\\)")
_MOUNTED_ON = re.compile(r"(?P<device>\S+), mounted on: (?P<mount>\S.*)")


def parse(outputs: Outputs) -> Facts:
    answers = read(outputs, NAME, (c.name for c in COMMANDS))
    packages = _packages(answers)
    storage = rows(answers.walk, oids.HR_STORAGE)
    filesystems = _filesystems(storage)
    complete = {"Package"} if packages else set()
    if storage:
        complete.add("Filesystem")
    nodes: tuple[Node, ...] = (*packages, *filesystems)
    return Facts(nodes=nodes, complete=frozenset(complete))


def split_package(raw: str) -> tuple[str, str | None, str]:
    """(name, version, arch) from one hrSWInstalledName (see the module's decisions)."""
    for pattern in (_DPKG_STYLE, _BRACKETED):
        match = pattern.fullmatch(raw)
        if match:
            found = match.groupdict()
            return found["name"], found["version"], found.get("arch") or UNKNOWN_ARCH
    stem, dot, arch = raw.rpartition(".")
    if not (dot and arch in ARCHES and "-" in stem):
        stem, arch = raw, UNKNOWN_ARCH
    for i, char in enumerate(stem):
        rest = stem[i + 1:]
        if char == "-" and i > 0 and rest[:1].isdigit() and rest.count("-") <= 1:
            return stem[:i], rest, arch
    return raw, None, UNKNOWN_ARCH


def _packages(answers: Answers) -> list[Package]:
    versions: dict[tuple[str, str], list[str]] = {}
    seen: set[tuple[str, str]] = set()
    for row in rows(answers.walk, oids.HR_SW_INSTALLED).values():
        raw = text(row.get("name"))
        if raw is None:
            continue
        name, version, arch = split_package(raw)
        seen.add((name, arch))
        if version is not None:
            versions.setdefault((name, arch), []).append(version)
    newest_first = cmp_to_key(rpm_vercmp)
    found = []
    for key in sorted(seen):
        ordered = sorted(set(versions.get(key, [])), key=newest_first, reverse=True)
        found.append(Package(name=key[0], arch=key[1],
                             version=ordered[0] if ordered else None,
                             other_versions=tuple(ordered[1:]) or None))
    return found


def _filesystems(storage: dict[Oid, dict[str, Value]]) -> list[Filesystem]:
    fixed = format_oid(oids.HR_STORAGE_FIXED_DISK)
    found: dict[str, Filesystem] = {}
    for row in storage.values():
        descr = text(row.get("descr"))
        if row.get("type") != fixed or descr is None:
            continue
        mount, device = _mount(descr)
        units, size = integer(row.get("units")), integer(row.get("size"))
        total = units * size if units and size and units > 0 and size > 0 else None
        found.setdefault(mount, Filesystem(mount_point=mount, block_device=device,
                                                  size_bytes=total))
    return [found[key] for key in sorted(found)]


def _mount(descr: str) -> tuple[str, str | None]:
    """(mount point, device): Windows `C:\\ Label:...`, Junos `DEV, mounted on: PATH`,
    net-snmp the bare mount point."""
    drive = _WINDOWS_DRIVE.match(descr)
    if drive:
        return drive.group(1), None
    mounted = _MOUNTED_ON.fullmatch(descr)
    if mounted:
        return mounted.group("mount"), mounted.group("device")
    return descr, None


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.SNMP,
                      complete=frozenset({"Package", "Filesystem"}))
