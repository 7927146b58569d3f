"""The `vlans` collector: VLANs with their names from `display vlan all`. Comware prints
no per-VLAN state. Devices without switching refuse the command: no VLAN observed,
nothing marked absent.
"""

from __future__ import annotations

from cmdb.schema import Facts, Source, Vlan
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.netcli import optional_text, records
from discovery.platforms.netfacts import VlanFields, vlans

NAME = "vlans"
PLATFORM = "hp_comware"
VLAN = "display vlan all"
COMMANDS = (Command("vlans", VLAN, required=False),)
COMPLETE = frozenset({"Vlan"})

# ntc-templates field -> ours.
FIELDS = VlanFields(vlan_id="vlan_id", name="vlan_name")


def parse_vlans(output: str) -> list[Vlan]:
    return vlans(records(PLATFORM, VLAN, output, NAME, allow_empty=True), FIELDS)


def parse(outputs: Outputs) -> Facts:
    output = optional_text(outputs, "vlans")
    if output is None:
        return Facts()
    return Facts(nodes=tuple(parse_vlans(output)), complete=COMPLETE)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
