"""The `hardware` collector: chassis, boards, fans and power supplies with their serials
from `display device manuinfo`.

Entries are named as the device heads them: `Slot 1`, `Fan 2`, `Power 1`, `Chassis 1`;
on chassis IRF fabrics with their chassis (`Chassis 1 Slot 0`), and a subslot with the
slot above it (`Slot 2 Subslot 1`), as the template does not keep that parent. An entry
without a heading (single-board devices) is the `Chassis`. DEVICE_NAME is the board's
model; `NONE` values are not observed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cmdb.schema import Component, Facts, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.netcli import records, required_text, text
from discovery.platforms.netfacts import dedupe

NAME = "hardware"
PLATFORM = "hp_comware"
MANUINFO = "display device manuinfo"
COMMANDS = (Command("manuinfo", MANUINFO),)
COMPLETE = frozenset({"Component"})

# ntc-templates field -> ours.
MANUINFO_FIELDS = {"model": "device_name", "serial": "device_serial_number",
                   "vendor": "vendor_name", "chassis": "chassis_id", "type": "slot_type",
                   "number": "slot_id"}
KINDS = {"chassis": "chassis", "slot": "module", "subslot": "module", "fan": "fan",
         "power": "power-supply"}


def parse_manuinfo(output: str) -> list[Component]:
    found: list[Component] = []
    slot: str | None = None
    for record in records(PLATFORM, MANUINFO, output, NAME):
        kind, name = entry_name(record, slot)
        if kind == "slot":
            slot = name
        found.append(Component(
            name=name, kind=KINDS.get(kind, "other"),
            model=text(record.get(MANUINFO_FIELDS["model"])),
            serial=text(record.get(MANUINFO_FIELDS["serial"])),
            vendor=text(record.get(MANUINFO_FIELDS["vendor"]))))
    return [c for c in dedupe(found) if isinstance(c, Component)]


def entry_name(record: Mapping[str, Any], slot: str | None) -> tuple[str, str]:
    """(kind, name) of one entry; `slot` is the name of the last slot seen."""
    kind = (text(record.get(MANUINFO_FIELDS["type"])) or "chassis").lower()
    number = text(record.get(MANUINFO_FIELDS["number"]))
    chassis = text(record.get(MANUINFO_FIELDS["chassis"]))
    if kind == "chassis":
        return kind, "Chassis" if chassis is None else f"Chassis {chassis}"
    own = kind.capitalize() if number is None else f"{kind.capitalize()} {number}"
    if kind == "subslot" and slot is not None:
        return kind, f"{slot} {own}"
    return kind, own if chassis is None else f"Chassis {chassis} {own}"


def parse(outputs: Outputs) -> Facts:
    return Facts(nodes=tuple(parse_manuinfo(required_text(outputs, NAME, "manuinfo"))),
                 complete=COMPLETE)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
