"""The `vlans` collector: VLANs from `show vlans` (ELS switches: EX2300/3400/4300, QFX).

A VLAN without a tag (`default` on some releases, or a VLAN only named) has no 802.1Q id
and is not a Vlan node. Junos prints no state for a VLAN.
"""

from __future__ import annotations

from cmdb.schema import Facts, Source, Vlan
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.netcli import optional_text, records
from discovery.platforms.netfacts import VlanFields, vlans

NAME = "vlans"
PLATFORM = "juniper_junos"
VLANS = "show vlans"
# Routers answer `show vlans` with an error: no VLANs observed, nothing marked absent.
COMMANDS = (Command("vlans", VLANS, required=False),)
COMPLETE = frozenset({"Vlan"})

# ntc-templates field -> ours.
FIELDS = VlanFields(vlan_id="tag", name="vlan_name")


def parse_vlans(output: str) -> list[Vlan]:
    return vlans(records(PLATFORM, VLANS, output, NAME, allow_empty=True), FIELDS)


def parse(outputs: Outputs) -> Facts:
    output = optional_text(outputs, "vlans")
    if output is None:
        return Facts()
    return Facts(nodes=tuple(parse_vlans(output)), complete=COMPLETE)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
