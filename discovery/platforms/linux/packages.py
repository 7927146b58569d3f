"""The `packages` collector: installed packages from dpkg and/or rpm.

Both commands are optional: most hosts have one manager, some have both (an `rpm` tool
on Debian answers with an empty database). Only when no manager answered does the
collector fail, and only when one answered does it claim to list packages completely.

Decisions:
- dpkg: a package is installed when dpkg's *status* letter (2nd of `db:Status-Abbrev`)
  says its files are on disk: i (installed), t/W (trigger pending/awaited), F/U/H (half
  configured, unpacked, half installed: broken, but the code is there, which is what an
  audit cares about). `n` (not installed) and `c` (config files only) are skipped. The
  desired-action letter (i, h = hold, r, p, u) does not matter: `hi` is installed.
- Epochs: shown only when non-zero (`1:2.3-4`), the way dpkg and dnf print them, so rpm
  `0:1.2-3` becomes `1.2-3`; dpkg already prints its versions that way.
- rpm `gpg-pubkey` entries are imported signing keys, not software; they are skipped.
- Several versions of one (name, arch) (rpm install-only packages such as kernel-core):
  `version` is the newest in rpm order, `other_versions` the rest, newest first.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cmdb.schema import Facts, Package
from cmdb.schema.versions import newest_first_dpkg, newest_first_rpm
from discovery.errors import CommandError
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.common import excerpt, lines, parse_error

NAME = "packages"
DPKG = r"dpkg-query -W -f='${Package}\t${Architecture}\t${Version}\t${db:Status-Abbrev}\n'"
RPM = r"rpm -qa --qf '%{NAME}\t%{ARCH}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\n'"

COMMANDS = (
    Command("dpkg", DPKG, required=False),
    Command("rpm", RPM, required=False),
)
COMPLETE = frozenset({"Package"})

_DPKG_STATUS = re.compile(r"[uihrp][ncHUFWti][ R]?")
_DPKG_INSTALLED = frozenset("itWFUH")
_RPM_EVR = re.compile(r"(\d+):(.+)-([^-]+)")

PackageKey = tuple[str, str]


def parse(outputs: Outputs) -> Facts:
    found: dict[PackageKey, Package] = {}
    answered: list[str] = []
    failures: list[str] = []
    for name, reader in (("dpkg", _dpkg), ("rpm", _rpm)):
        output = outputs.get(name)
        if output is None:
            continue
        if not output.ok:
            failures.append(f"{output.command.split()[0]}: exit status {output.exit_status}"
                            f" {excerpt(output.stderr)}")
            continue
        answered.append(name)
        for package in reader(output.command, output.stdout):
            # The first manager wins a (name, arch) both claim; that never happens in practice.
            found.setdefault((package.name, package.arch), package)
    if not answered:
        raise CommandError("no package manager answered: " + "; ".join(failures or ["none ran"]),
                           collector=NAME)
    if not found:
        raise parse_error(NAME, " and ".join(answered), "no installed package listed")
    nodes = tuple(found[key] for key in sorted(found))
    return Facts(nodes=nodes, complete=COMPLETE)


def _dpkg(command: str, stdout: str) -> list[Package]:
    versions: dict[PackageKey, list[str]] = {}
    for line in lines(stdout):
        fields = line.split("\t")
        if len(fields) != 4 or not _DPKG_STATUS.fullmatch(fields[3]) or not fields[0]:
            raise parse_error(NAME, command, "expected NAME<TAB>ARCH<TAB>VERSION<TAB>STATUS",
                              line)
        name, arch, version, status = fields
        if status[1] not in _DPKG_INSTALLED:
            continue
        if not arch or not version:
            raise parse_error(NAME, command, "installed package without arch/version", line)
        versions.setdefault((name, arch), []).append(version)
    return _packages(versions, "dpkg", newest_first_dpkg)


def _rpm(command: str, stdout: str) -> list[Package]:
    evrs: dict[PackageKey, list[tuple[int, str, str]]] = {}
    for line in lines(stdout):
        fields = line.split("\t")
        match = _RPM_EVR.fullmatch(fields[2]) if len(fields) == 3 else None
        if match is None or not fields[0] or not fields[1]:
            raise parse_error(NAME, command, "expected NAME<TAB>ARCH<TAB>EPOCH:VERSION-RELEASE",
                              line)
        if fields[0] == "gpg-pubkey":
            continue
        evr = (int(match.group(1)), match.group(2), match.group(3))
        evrs.setdefault((fields[0], fields[1]), []).append(evr)
    by_key = {key: [_rpm_version(evr) for evr in newest_first_rpm(found)]
              for key, found in evrs.items()}
    return _packages(by_key, "rpm", lambda ordered: ordered)


def _rpm_version(evr: tuple[int, str, str]) -> str:
    epoch, version, release = evr
    return f"{epoch}:{version}-{release}" if epoch else f"{version}-{release}"


def _packages(versions: dict[PackageKey, list[str]], manager: str,
              newest_first: Callable[[list[str]], list[str]]) -> list[Package]:
    packages = []
    for (name, arch), found in versions.items():
        ordered = newest_first(list(dict.fromkeys(found)))
        packages.append(Package(name=name, arch=arch, version=ordered[0],
                                other_versions=tuple(ordered[1:]) or None, manager=manager))
    return packages


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, complete=COMPLETE)
