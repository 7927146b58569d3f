"""The `vlans` collector: VLANs with their names from `display vlan all`. Comware prints
no per-VLAN state. Devices without switching refuse the command: no VLAN observed,
nothing marked absent.
"""

from __future__ import annotations

from cmdb.schema import Facts, Source, Vlan
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.juniper_junos.netfacts import dedupe, optional_text, records
from discovery.platforms.netcli import integer, text

NAME = "vlans"
PLATFORM = "hp_comware"
VLAN = "display vlan all"
COMMANDS = (Command("vlans", VLAN, required=False),)
COMPLETE = frozenset({"Vlan"})

# ntc-templates field -> ours.
VLAN_FIELDS = {"vlan_id": "vlan_id", "name": "vlan_name"}


def parse_vlans(output: str) -> list[Vlan]:
    found = []
    for record in records(PLATFORM, VLAN, output, NAME):
        vlan_id = integer(record.get(VLAN_FIELDS["vlan_id"]))
        if vlan_id is not None:
            found.append(Vlan(vlan_id=vlan_id, name=text(record.get(VLAN_FIELDS["name"]))))
    return [v for v in dedupe(found) if isinstance(v, Vlan)]


def parse(outputs: Outputs) -> Facts:
    output = optional_text(outputs, "vlans")
    if output is None:
        return Facts()
    return Facts(nodes=tuple(parse_vlans(output)), complete=COMPLETE)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
