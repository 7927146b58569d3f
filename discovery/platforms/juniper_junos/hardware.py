"""The `hardware` collector: the chassis inventory from `show chassis hardware`.

ntc-templates reads each line into fields named by the item's type (`fpc_serial_number`,
`xcvr_part`, ...) and fills FPC, MIC and PIC down into the lines below them, so one record
can hold several items. Each item becomes one Component named uniquely on the device:
top-level items by type and number (`PEM 0` and `Power Supply 0` both read as `Power
Supply 0`: the template does not keep which word the device used), items inside an FPC
with their FPC and PIC (`FPC 1 PIC 3 Xcvr 0`), as Junos numbers PICs per FPC.

`BUILTIN` (part of its parent) and `NON-JNPR` (a third-party optic) are not part numbers
or serials, so they are not observed.

The template only records a PIC or MIC when an optic (`Xcvr`) follows it and stops with a
ParseError at item types it does not know (MX960's `SCB`, `SPMB`): Component is therefore
not declared complete, so an item the template misses is never marked absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cmdb.schema import Component, Facts, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.netcli import records, required_text, text
from discovery.platforms.netfacts import dedupe

NAME = "hardware"
PLATFORM = "juniper_junos"
HARDWARE = "show chassis hardware"
COMMANDS = (Command("hardware", HARDWARE),)

_NOT_PARTS = frozenset({"BUILTIN", "NON-JNPR"})


@dataclass(frozen=True)
class Item:
    """One item type of the template: its field prefix, the name Junos gives it, our
    Component kind, and whether it lives inside an FPC (and a PIC)."""

    prefix: str
    label: str
    kind: str
    parents: tuple[str, ...] = ()


ITEMS = (
    Item("chassis", "Chassis", "chassis"),
    Item("mid", "Midplane", "module"),
    Item("ps", "Power Supply", "power-supply"),
    Item("re", "Routing Engine", "module"),
    Item("cb", "CB", "module"),
    Item("tfeb", "TFEB", "module"),
    Item("afeb", "AFEB", "module"),
    Item("qxm", "QXM", "module"),
    Item("fpc", "FPC", "module"),
    Item("cpu", "CPU", "cpu", ("fpc",)),
    Item("mic", "MIC", "module", ("fpc",)),
    Item("pic", "PIC", "module", ("fpc",)),
    Item("xcvr", "Xcvr", "transceiver", ("fpc", "pic")),
    Item("fan", "Fan Tray", "fan"),
)
_LABELS = {item.prefix: item.label for item in ITEMS}


def parse_hardware(output: str) -> list[Component]:
    found: list[Component] = []
    for record in records(PLATFORM, HARDWARE, output, NAME):
        for item in ITEMS:
            component = _component(record, item)
            if component is not None:
                found.append(component)
    return [c for c in dedupe(found) if isinstance(c, Component)]


def component_name(record: Mapping[str, Any], item: Item) -> str:
    """`FPC 1 PIC 3 Xcvr 0`: the item's parents (from the filled-down fields) first."""
    words = []
    for prefix in (*item.parents, item.prefix):
        number = text(record.get(f"{prefix}_number"))
        words.append(_LABELS[prefix] if number is None else f"{_LABELS[prefix]} {number}")
    return " ".join(words)


def _component(record: Mapping[str, Any], item: Item) -> Component | None:
    part = _part(record.get(f"{item.prefix}_part"))
    serial = _part(record.get(f"{item.prefix}_serial_number"))
    description = text(record.get(f"{item.prefix}_description"))
    seen = any(text(record.get(f"{item.prefix}_{f}")) for f in ("part", "serial_number"))
    if not seen and description is None:
        return None
    return Component(name=component_name(record, item), kind=item.kind,
                     description=description, model=part, serial=serial,
                     hardware_revision=_revision(record.get(f"{item.prefix}_version")),
                     vendor=None)


def _part(value: Any) -> str | None:
    found = text(value)
    return None if found is None or found in _NOT_PARTS else found


def _revision(value: Any) -> str | None:
    """`REV 08`; a lone `REV` or the `]` some optics print is no revision."""
    found = text(value)
    if found is None or found.upper() in {"REV", "]"}:
        return None
    return found


def parse(outputs: Outputs) -> Facts:
    return Facts(nodes=tuple(parse_hardware(required_text(outputs, NAME, "hardware"))))


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI)
