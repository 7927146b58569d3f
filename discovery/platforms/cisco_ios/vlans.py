"""The `vlans` collector: VLANs of a Catalyst switch from `show vlan`.

Routers have no `show vlan` (`% Invalid input`): the command is optional and then no
VLAN is observed (and none declared complete)."""

from __future__ import annotations

from cmdb.schema import Facts, Source, Vlan
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.cisco_ios.profile import PLATFORM_NAME
from discovery.platforms.netcli import optional_text, records
from discovery.platforms.netfacts import VlanFields, vlans

NAME = "vlans"
VLAN = "show vlan"
COMMANDS = (Command("vlan", VLAN, required=False),)
COMPLETE = frozenset({"Vlan"})
FIELDS = VlanFields(vlan_id="vlan_id", name="vlan_name", state="status")


def parse(outputs: Outputs) -> Facts:
    output = optional_text(outputs, "vlan")
    if output is None:
        return Facts()
    return Facts(nodes=tuple(parse_vlans(output)), complete=COMPLETE)


def parse_vlans(output: str) -> list[Vlan]:
    return vlans(records(PLATFORM_NAME, VLAN, output, NAME), FIELDS)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI)
