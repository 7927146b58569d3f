"""The `services` collector: systemd units, or SysV init scripts on hosts without systemd.

systemd: `list-units --all` gives the loaded units with their states; `list-unit-files`
adds the boot-time state (enabled, disabled, static, masked, ...) and the units that are
installed but not loaded. Instances (`getty@tty1.service`) get no boot-time state of
their own; the template (`getty@.service`) is reported as its own unit file.

SysV (the runner ran the fallbacks because systemctl failed: not installed, or systemd is
not PID 1 as in containers): the service names are the scripts in /etc/init.d, and a
service is `enabled` when an `S..` link exists in rcS.d or runlevel 2, 3 or 5, else
`disabled` (ls exits 2 when one of these directories is missing, but lists the others).
Run states are not observed: `service --status-all` executes every script, which is not a
read-only command. When the units came from SysV, list-unit-files output (systemd
installed but not running) is ignored: it describes a boot that does not happen.
"""

from __future__ import annotations

import re

from cmdb.schema import Facts, Service
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.common import lines, parse_error, required

NAME = "services"
UNITS = "systemctl list-units --type=service --all --no-legend --no-pager --plain"
UNIT_FILES = "systemctl list-unit-files --type=service --no-legend --no-pager"
INIT_D = "ls -1 /etc/init.d"
RC_DIRS = "ls -1 /etc/rcS.d /etc/rc2.d /etc/rc3.d /etc/rc5.d"

COMMANDS = (
    Command("units", UNITS, fallback=INIT_D),
    Command("unit_files", UNIT_FILES, fallback=RC_DIRS, required=False),
)
COMPLETE = frozenset({"Service"})

# Status markers some systemd versions print even with --plain.
_MARKERS = frozenset({"\u25cf", "*", "\u00d7"})  # black circle, asterisk, multiplication x
# Files in /etc/init.d that are not services.
_NOT_SERVICES = frozenset({"README", "skeleton", "functions", "rc", "rcS", "halt", "reboot",
                           "single", "killall"})
_RC_LINK = re.compile(r"([SK])(\d{2})(.+)")


def parse(outputs: Outputs) -> Facts:
    units = required(outputs, NAME, "units")
    unit_files = outputs.get("unit_files")
    if units.command == INIT_D:
        rc_links = None
        if unit_files is not None and unit_files.command == RC_DIRS:
            rc_links = unit_files.stdout  # ls exits 2 when one runlevel dir is missing
        services = _sysv(units.stdout, rc_links)
    else:
        states: dict[str, str] = {}
        if unit_files is not None and unit_files.ok and unit_files.command == UNIT_FILES:
            states = _unit_files(unit_files.command, unit_files.stdout)
        services = _systemd(units.command, units.stdout, states)
        if not services:
            raise parse_error(NAME, units.command, "systemd listed no service", units.stdout)
    return Facts(nodes=tuple(services[name] for name in sorted(services)), complete=COMPLETE)


def _systemd(command: str, stdout: str, states: dict[str, str]) -> dict[str, Service]:
    services: dict[str, Service] = {}
    for line in lines(stdout):
        words = line.split(None, 5)
        words = words[1:] if words and words[0] in _MARKERS else line.split(None, 4)
        if len(words) < 4 or not words[0].endswith(".service"):
            raise parse_error(NAME, command, "expected UNIT LOAD ACTIVE SUB DESCRIPTION", line)
        name = words[0]
        services[name] = Service(
            name=name,
            description=words[4].strip() if len(words) > 4 else None,
            active_state=words[2],
            sub_state=words[3],
            enabled=states.get(name),
        )
    for name, state in states.items():
        services.setdefault(name, Service(name=name, enabled=state))
    return services


def _unit_files(command: str, stdout: str) -> dict[str, str]:
    """`UNIT STATE [PRESET]`; the vendor-preset column came with systemd 245."""
    states: dict[str, str] = {}
    for line in lines(stdout):
        words = line.split()
        if len(words) not in (2, 3) or not words[0].endswith(".service"):
            raise parse_error(NAME, command, "expected UNIT STATE [PRESET]", line)
        states[words[0]] = words[1]
    return states


def _sysv(init_d: str, rc_links: str | None) -> dict[str, Service]:
    started = _started_at_boot(rc_links) if rc_links is not None else None
    services: dict[str, Service] = {}
    for line in lines(init_d):
        name = line.strip()
        if name in _NOT_SERVICES or name.startswith(".") or name.endswith(".dpkg-old"):
            continue
        enabled = None
        if started is not None:
            enabled = "enabled" if name in started else "disabled"
        services[name] = Service(name=name, enabled=enabled)
    return services


def _started_at_boot(listing: str) -> set[str] | None:
    """Scripts with an S link in `ls -1 DIR...` output (`/etc/rcN.d:` headers, names)."""
    started: set[str] = set()
    seen_dir = False
    for line in lines(listing):
        if line.endswith(":"):
            seen_dir = True
            continue
        match = _RC_LINK.fullmatch(line.strip())
        if match and match.group(1) == "S":
            started.add(match.group(3))
    return started if seen_dir else None


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, complete=COMPLETE)
