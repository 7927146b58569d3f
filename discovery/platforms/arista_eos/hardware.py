"""The `hardware` collector: chassis, modules, power supplies, fans and transceivers
from `show inventory`.

ntc-templates reads every section into the same fields and drops the section headers,
so rows are told apart by shape: no slot number = the chassis (first) or a module
(named by its first column); a slot with a manufacturer = a transceiver; a slot with
only model and serial = a power supply, or a fan once the slot numbers start again at
1 (the template reads the power supply section before the fan section, always). The
port-count rows of `System has N ports` are no parts and are skipped.
"""

from __future__ import annotations

from dataclasses import replace

from cmdb.schema import Component, Facts, Source
from discovery.platforms.arista_eos.profile import PLATFORM_NAME
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.netcli import Record, integer, records, required_text, text
from discovery.platforms.netfacts import unique_names

NAME = "hardware"
INVENTORY = "show inventory"
COMMANDS = (Command("inventory", INVENTORY),)
COMPLETE = frozenset({"Component"})
FIELDS = {"slot": "port", "model": "pid", "serial": "sn", "description": "descr",
          "revision": "vid"}
_EMPTY_SLOT = frozenset({"not", "empty"})  # `Not Inserted`, `Not Present`, `Empty`


def parse(outputs: Outputs) -> Facts:
    return Facts(nodes=tuple(parse_inventory(required_text(outputs, NAME, "inventory"))),
                 complete=COMPLETE)


def parse_inventory(output: str) -> list[Component]:
    found: list[Component] = []
    slot_kind, last_slot = "power-supply", 0
    for row in records(PLATFORM_NAME, INVENTORY, output, NAME):
        slot, model = text(row.get(FIELDS["slot"])), text(row.get(FIELDS["model"]))
        if slot is None:
            found.append(_unslotted(row, first=not found))
        elif model is None:
            continue  # a `System has N ports` count row
        elif text(row.get(FIELDS["description"])) is not None:
            found.append(_part(row, f"Transceiver {slot}", "transceiver",
                               vendor=text(row.get(FIELDS["description"]))))
        else:
            number = integer(slot) or 0
            if number <= last_slot:
                slot_kind = "fan"
            last_slot = number
            if model.lower() not in _EMPTY_SLOT:
                label = "Power supply" if slot_kind == "power-supply" else "Fan"
                found.append(_part(row, f"{label} {slot}", slot_kind))
    return unique_names(found)


def _unslotted(row: Record, first: bool) -> Component:
    description = text(row.get(FIELDS["description"]))
    if first:
        return replace(_part(row, "Chassis", "chassis"), description=description)
    return _part(row, description or text(row.get(FIELDS["model"])) or "Module", "module")


def _part(row: Record, name: str, kind: str, vendor: str | None = None) -> Component:
    return Component(name=name, kind=kind, vendor=vendor,
                     model=text(row.get(FIELDS["model"])),
                     serial=text(row.get(FIELDS["serial"])),
                     hardware_revision=text(row.get(FIELDS["revision"])))


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
