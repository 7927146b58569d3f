"""The `hardware` collector: ENTITY-MIB entPhysicalTable rows as Components.

Decisions:
- The name is entPhysicalName, else entPhysicalDescr, else `entity <index>`. Names are
  the Component key: a name several rows share gets ` #<entPhysicalIndex>` on every one
  of them (deterministic, and independent of which row came first).
- The firmware is entPhysicalFirmwareRev, else entPhysicalSoftwareRev.
- `complete` only when the table listed rows: agents without ENTITY-MIB (Junos, printers,
  hosts) answer an empty walk, which says nothing about their hardware.
"""

from __future__ import annotations

from cmdb.schema import Component, Facts, Source
from discovery.platforms.base import Collector, Outputs
from discovery.platforms.generic_snmp import oids
from discovery.platforms.generic_snmp._common import (
    integer,
    read,
    rows,
    text,
    unique_names,
    walk_command,
)
from discovery.platforms.generic_snmp._snmprec import Value

NAME = "hardware"

COMMANDS = (walk_command("entity", *oids.ENT_PHYSICAL.walk_oids(
    "descr", "klass", "name", "hardware_rev", "firmware_rev", "software_rev", "serial",
    "mfg", "model")),)

# ENTITY-MIB PhysicalClass -> Component.kind (RFC 6933 adds cpu and later classes).
KINDS = {1: "other", 2: "other", 3: "chassis", 4: "backplane", 5: "container",
         6: "power-supply", 7: "fan", 8: "sensor", 9: "module", 10: "port", 11: "stack",
         12: "cpu", 13: "other", 14: "battery", 15: "storage-drive"}
COMPLETE = frozenset({"Component"})


def parse(outputs: Outputs) -> Facts:
    answers = read(outputs, NAME, ("entity",))
    table = {index[0]: row for index, row in rows(answers.walk, oids.ENT_PHYSICAL).items()
             if len(index) == 1}
    names = unique_names({index: _name(index, row) for index, row in table.items()})
    nodes = tuple(_component(names[index], row) for index, row in table.items())
    return Facts(nodes=nodes, complete=COMPLETE if nodes else frozenset())


def _name(index: int, row: dict[str, Value]) -> str:
    return text(row.get("name")) or text(row.get("descr")) or f"entity {index}"


def _component(name: str, row: dict[str, Value]) -> Component:
    klass = integer(row.get("klass"))
    return Component(
        name=name,
        kind=None if klass is None else KINDS.get(klass, "other"),
        description=text(row.get("descr")),
        vendor=text(row.get("mfg")),
        model=text(row.get("model")),
        serial=text(row.get("serial")),
        hardware_revision=text(row.get("hardware_rev")),
        firmware=text(row.get("firmware_rev")) or text(row.get("software_rev")),
    )


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.SNMP,
                      complete=COMPLETE)
