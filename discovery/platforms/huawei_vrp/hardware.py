"""The `hardware` collector: boards, power supplies and fans from `display device`.

Each row is a slot (`3`, `PWR1`, `FAN1`), or a card inside a slot (`1` / `FAN1` on a
stack member), named `Slot 3`, `PWR1`, `Slot 1 FAN1`. The Type column is the board's
model; `*` before it marks a board configured but not active, which is still there.
`display device` prints no serials (they are in `display elabel`, which has no template).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cmdb.schema import Component, Facts, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.netcli import records, required_text, text
from discovery.platforms.netfacts import dedupe

NAME = "hardware"
PLATFORM = "huawei_vrp"
DEVICE = "display device"
COMMANDS = (Command("device", DEVICE),)
COMPLETE = frozenset({"Component"})

# ntc-templates field -> ours.
DEVICE_FIELDS = {"slot": "slot", "card": "card", "model": "pid"}
_KINDS = (("PWR", "power-supply"), ("POWER", "power-supply"), ("FAN", "fan"))


def component_name(slot: str, card: str | None) -> str:
    base = f"Slot {slot}" if slot.isdigit() else slot
    return base if card is None else f"{base} {card}"


def parse_device(output: str) -> list[Component]:
    found = [c for c in map(_component, records(PLATFORM, DEVICE, output, NAME)) if c]
    return [c for c in dedupe(found) if isinstance(c, Component)]


def _component(record: Mapping[str, Any]) -> Component | None:
    slot = text(record.get(DEVICE_FIELDS["slot"]))
    if slot is None:
        return None
    card = text(record.get(DEVICE_FIELDS["card"]))
    model = text(record.get(DEVICE_FIELDS["model"]))
    name = component_name(slot, card)
    return Component(name=name, kind=_kind(card or slot),
                     model=model.lstrip("*") if model else None)


def _kind(label: str) -> str:
    upper = label.upper()
    return next((kind for prefix, kind in _KINDS if upper.startswith(prefix)), "module")


def parse(outputs: Outputs) -> Facts:
    return Facts(nodes=tuple(parse_device(required_text(outputs, NAME, "device"))),
                 complete=COMPLETE)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
