"""The `system` collector: the Device and its OperatingSystem, from the SNMPv2-MIB system
group, snmpEngineID, the ENTITY-MIB chassis row and HOST-RESOURCES processors and memory.

Only this collector emits the Device (as on the linux platform). Decisions:
- sysUpTime is not asked: uptime is not configuration, and a boot time computed from it
  would move by a few seconds at every run.
- sysContact and sysLocation are not asked: the schema has no field for them yet.
- `platform` is the CLI platform the classification hands the device to (cisco_ios, ...),
  so audit packs selecting on it apply; None when the device has none (printer, UPS).
- sysName: a name with a dot is also the FQDN and its first label the host name; a value
  that is no host name at all (spaces, `<private>` in recordings) is not observed.
- The chassis is the lowest-index ENTITY row of class chassis, preferring one contained
  in nothing (on a stack, every member is a chassis inside the stack row: member 1 wins).
  Its model name wins over the model read from sysDescr.
"""

from __future__ import annotations

import ipaddress
import re

from cmdb.schema import Device, Facts, Node, OperatingSystem, Source
from discovery.errors import ParseError
from discovery.platforms.base import Collector, Outputs
from discovery.platforms.common import required
from discovery.platforms.generic_snmp import oids
from discovery.platforms.generic_snmp._common import (
    Answers,
    get_command,
    hex_string,
    integer,
    read,
    rows,
    text,
    walk_command,
)
from discovery.platforms.generic_snmp._snmprec import Oid, Value
from discovery.platforms.generic_snmp.classify import Classification, classify
from discovery.platforms.netcli import text as clean_text

NAME = "system"

COMMANDS = (
    get_command("system", oids.SYS_DESCR, oids.SYS_OBJECT_ID, oids.SYS_NAME,
                oids.SNMP_ENGINE_ID, required=True),
    walk_command("chassis", *oids.ENT_PHYSICAL.walk_oids(
        "descr", "contained_in", "klass", "serial", "mfg", "model")),
    walk_command("hr_device", *oids.HR_DEVICE.walk_oids()),
    get_command("hr_memory", oids.HR_MEMORY_SIZE),
)

_HOST_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?")


def parse(outputs: Outputs) -> Facts:
    required(outputs, NAME, "system")
    answers = read(outputs, NAME, (c.name for c in COMMANDS))
    walk = answers.walk
    descr = text(walk.get(oids.SYS_DESCR))
    object_id = walk.get(oids.SYS_OBJECT_ID)
    object_id = object_id if isinstance(object_id, str) else None
    if descr is None and object_id is None:
        raise ParseError("get: the agent answered neither sysDescr nor sysObjectID",
                         collector=NAME)
    found = classify(object_id, descr)
    nodes: list[Node] = [_device(answers, found)]
    if found.os_family is not None:
        nodes.append(OperatingSystem(
            family=found.os_family, name=found.os_name, version=found.os_version,
            kernel_release=found.kernel_release, architecture=found.architecture))
    return Facts(nodes=tuple(nodes))


def _device(answers: Answers, found: Classification) -> Device:
    walk = answers.walk
    hostname, fqdn = _names(walk.get(oids.SYS_NAME))
    chassis = _chassis(answers)
    cpu_model, cpu_count = _processors(answers)
    memory = integer(walk.get(oids.HR_MEMORY_SIZE))
    return Device(
        role=found.role.value if found.role is not None else None,
        platform=found.platform,
        hostname=hostname,
        fqdn=fqdn,
        serial=text(chassis.get("serial")),
        snmp_engine_id=hex_string(walk.get(oids.SNMP_ENGINE_ID)),
        vendor=found.vendor or text(chassis.get("mfg")),
        model=text(chassis.get("model")) or found.model,
        cpu_model=cpu_model,
        cpu_count=cpu_count,
        memory_bytes=memory * 1024 if memory is not None and memory > 0 else None,
    )


def _names(value: Value) -> tuple[str | None, str | None]:
    name = text(value)
    if name is None or not _HOST_NAME.fullmatch(name):
        return None, None
    if "." not in name or _is_ip(name):
        return name, None
    return name.split(".", 1)[0], name


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _chassis(answers: Answers) -> dict[str, Value]:
    found = rows(answers.walk, oids.ENT_PHYSICAL)
    chassis = [(index, row) for index, row in found.items()
               if integer(row.get("klass")) == oids.ENT_CLASS_CHASSIS]
    top = [(index, row) for index, row in chassis if integer(row.get("contained_in")) == 0]
    best: list[tuple[Oid, dict[str, Value]]] = top or chassis
    return best[0][1] if best else {}


def _processors(answers: Answers) -> tuple[str | None, int | None]:
    """hrDeviceTable processors: the first one's description and how many there are."""
    processor = ".".join(str(arc) for arc in oids.HR_DEVICE_PROCESSOR)
    found = [row for row in rows(answers.walk, oids.HR_DEVICE).values()
             if row.get("type") == processor]
    if not found:
        return None, None
    return _cpu_model(text(found[0].get("descr"))), len(found)


def _cpu_model(descr: str | None) -> str | None:
    """net-snmp writes `GenuineIntel: Intel(R) Xeon(R) ...`; the vendor id is noise."""
    if descr is None:
        return None
    if descr.lower().startswith("unknown"):
        return None  # Windows: "Unknown Processor Type"
    vendor, sep, model = descr.partition(": ")
    return clean_text(model) if sep and " " not in vendor else descr


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.SNMP)
