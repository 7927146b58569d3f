"""The `system` collector: host identity, OS release, kernel, hardware and boot time.

DMI files are optional one by one: they are root-only (serial, uuid) or absent on ARM
boards, containers and OpenVZ, and then the value is simply not observed (None). Junk
DMI values ("To be filled by O.E.M.", all zeros) are reported as seen: filtering them is
the identity code's job, not the parser's.
"""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime

from cmdb.schema import Device, Facts, OperatingSystem
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.common import (
    lines,
    ok_stdout,
    parse_error,
    required,
    single_value,
)

NAME = "system"

COMMANDS = (
    Command("hostname", "hostname"),
    Command("fqdn", "hostname -f", required=False),
    Command("os_release", "cat /etc/os-release", fallback="cat /usr/lib/os-release",
            required=False),
    Command("uname", "uname -srm"),
    Command("machine_id", "cat /etc/machine-id", fallback="cat /var/lib/dbus/machine-id",
            required=False),
    Command("dmi_serial", "cat /sys/class/dmi/id/product_serial", required=False),
    Command("dmi_uuid", "cat /sys/class/dmi/id/product_uuid", required=False),
    Command("dmi_vendor", "cat /sys/class/dmi/id/sys_vendor", required=False),
    Command("dmi_model", "cat /sys/class/dmi/id/product_name", required=False),
    Command("cpuinfo", "cat /proc/cpuinfo"),
    Command("meminfo", "cat /proc/meminfo"),
    Command("stat", "cat /proc/stat"),
)

_KEY_VALUE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)")
_MACHINE_ID = re.compile(r"[0-9a-f]{32}")
_MEMTOTAL = re.compile(r"MemTotal:\s+(\d+)\s*kB")
# Where the CPU model lives in /proc/cpuinfo, by architecture, best first:
# x86/arm32 "model name", MIPS "cpu model", POWER "cpu", old ARM "Processor".
_CPU_MODEL_KEYS = ("model name", "cpu model", "cpu", "processor")


def parse(outputs: Outputs) -> Facts:
    hostname = _hostname(outputs)
    os_release = _os_release(outputs)
    kernel, arch = _uname(outputs)
    cpu_model, cpu_count = _cpuinfo(outputs)
    device = Device(
        platform="linux",
        hostname=hostname,
        fqdn=_fqdn(outputs),
        serial=single_value(ok_stdout(outputs, "dmi_serial")),
        system_uuid=_lower(single_value(ok_stdout(outputs, "dmi_uuid"))),
        machine_id=_machine_id(outputs),
        vendor=single_value(ok_stdout(outputs, "dmi_vendor")),
        model=single_value(ok_stdout(outputs, "dmi_model")),
        cpu_model=cpu_model,
        cpu_count=cpu_count,
        memory_bytes=_memory_bytes(outputs),
        boot_time=_boot_time(outputs),
    )
    os_node = OperatingSystem(
        family="linux",
        name=os_release.get("NAME"),
        distro_id=_lower(os_release.get("ID")),
        version=os_release.get("VERSION_ID"),
        pretty_name=os_release.get("PRETTY_NAME"),
        kernel_release=kernel,
        architecture=arch,
    )
    return Facts(nodes=(device, os_node))


def _lower(value: str | None) -> str | None:
    return value.lower() if value is not None else None


def _hostname(outputs: Outputs) -> str:
    output = required(outputs, NAME, "hostname")
    value = output.stdout.strip()
    if not value or len(value.split()) != 1:
        raise parse_error(NAME, output.command, "expected one host name", output.stdout)
    return value


def _fqdn(outputs: Outputs) -> str | None:
    """`hostname -f` falls back to the short name when no domain is known: a name without
    a dot is no FQDN, so it is not reported."""
    output = outputs.get("fqdn")
    value = single_value(ok_stdout(outputs, "fqdn"))
    if output is None or value is None:
        return None
    if len(value.split()) != 1:
        raise parse_error(NAME, output.command, "expected one name", output.stdout)
    return value if "." in value else None


def _os_release(outputs: Outputs) -> dict[str, str]:
    """os-release is shell-like `KEY=value` with optional quotes; empty values are None."""
    output = outputs.get("os_release")
    if output is None or not output.ok:
        return {}
    values: dict[str, str] = {}
    for line in lines(output.stdout):
        match = _KEY_VALUE.fullmatch(line.strip())
        if match is None:
            continue  # comments and stray lines; at least one KEY=VALUE is required below
        raw = match.group(2)
        try:
            words = shlex.split(raw)
        except ValueError:
            words = [raw.strip("\"'")]
        value = " ".join(words).strip()
        if value:
            values[match.group(1)] = value
    if not values:
        raise parse_error(NAME, output.command, "no KEY=VALUE line", output.stdout)
    return values


def _uname(outputs: Outputs) -> tuple[str, str]:
    output = required(outputs, NAME, "uname")
    words = output.stdout.split()
    if len(words) != 3:
        raise parse_error(NAME, output.command, "expected 'SYSTEM RELEASE MACHINE'",
                          output.stdout)
    return words[1], words[2]


def _machine_id(outputs: Outputs) -> str | None:
    """32 hex digits; an empty or `uninitialized` file (first boot) is not an id."""
    value = _lower(single_value(ok_stdout(outputs, "machine_id")))
    if value is None or not _MACHINE_ID.fullmatch(value):
        return None
    return value


def _cpuinfo(outputs: Outputs) -> tuple[str | None, int | None]:
    output = required(outputs, NAME, "cpuinfo")
    first: dict[str, str] = {}
    count = 0
    seen_field = False
    for line in lines(output.stdout):
        key, sep, value = line.partition(":")
        if not sep:
            continue
        seen_field = True
        key, value = key.strip().lower(), value.strip()
        if key == "processor" and value.isdigit():
            count += 1
            continue
        if key == "# processors" and value.isdigit():  # s390x summary line
            count = max(count, int(value))
        if value:
            first.setdefault(key, value)
    if not seen_field:
        raise parse_error(NAME, output.command, "no 'key : value' line", output.stdout)
    model = next((first[k] for k in _CPU_MODEL_KEYS if k in first), None)
    return model, count or None


def _memory_bytes(outputs: Outputs) -> int:
    output = required(outputs, NAME, "meminfo")
    for line in lines(output.stdout):
        match = _MEMTOTAL.fullmatch(line.strip())
        if match:
            return int(match.group(1)) * 1024
    raise parse_error(NAME, output.command, "no 'MemTotal: N kB' line", output.stdout)


def _boot_time(outputs: Outputs) -> str:
    output = required(outputs, NAME, "stat")
    for line in lines(output.stdout):
        words = line.split()
        if len(words) == 2 and words[0] == "btime" and words[1].isdigit():
            moment = datetime.fromtimestamp(int(words[1]), tz=UTC)
            return moment.isoformat().replace("+00:00", "Z")
    raise parse_error(NAME, output.command, "no 'btime SECONDS' line", output.stdout)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse)
