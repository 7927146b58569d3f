"""The `vlans` collector: VLANs from `show vlan` (every EOS switch has VLAN 1)."""

from __future__ import annotations

from cmdb.schema import Facts, Source, Vlan
from discovery.platforms.arista_eos.profile import PLATFORM_NAME
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.netcli import records, required_text
from discovery.platforms.netfacts import VlanFields, vlans

NAME = "vlans"
VLAN = "show vlan"
COMMANDS = (Command("vlan", VLAN),)
COMPLETE = frozenset({"Vlan"})
FIELDS = VlanFields(vlan_id="vlan_id", name="vlan_name", state="status")


def parse(outputs: Outputs) -> Facts:
    return Facts(nodes=tuple(parse_vlans(required_text(outputs, NAME, "vlan"))),
                 complete=COMPLETE)


def parse_vlans(output: str) -> list[Vlan]:
    return vlans(records(PLATFORM_NAME, VLAN, output, NAME), FIELDS)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
