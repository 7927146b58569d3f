"""The `hardware` collector: chassis, stack members, modules, power supplies, fans and
transceivers from `show inventory` (NAME / DESCR / PID / VID / SN blocks)."""

from __future__ import annotations

from cmdb.schema import Component, Facts, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.cisco_ios.profile import PLATFORM_NAME
from discovery.platforms.netcli import records, required_text
from discovery.platforms.netfacts import InventoryFields, inventory

NAME = "hardware"
INVENTORY = "show inventory"
COMMANDS = (Command("inventory", INVENTORY),)
COMPLETE = frozenset({"Component"})
FIELDS = InventoryFields(name="name", description="descr", model="pid", serial="sn",
                         revision="vid")


def parse(outputs: Outputs) -> Facts:
    return Facts(nodes=tuple(parse_inventory(required_text(outputs, NAME, "inventory"))),
                 complete=COMPLETE)


def parse_inventory(output: str) -> list[Component]:
    # IOSv and some virtual routers print nothing at all: no component, not an error.
    # The inventory does not say who made a part (third-party optics): vendor not observed.
    return inventory(records(PLATFORM_NAME, INVENTORY, output, NAME), FIELDS, vendor=None)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
