"""The `neighbors` collector: LLDP neighbours from `display lldp neighbor-information
verbose` (the list form prints no management address and abbreviates the local port).

The local port is the long name in brackets (`port 1[Ten-GigabitEthernet1/0/1]`); it is
passed through the abbreviation table anyway, so a short form would join too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cmdb.schema import Facts, Neighbor, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.hp_comware.names import long_name
from discovery.platforms.netcli import ip_or_none, mac_or_text, records, required_text, text
from discovery.platforms.netfacts import dedupe, lldp_neighbor

NAME = "neighbors"
PLATFORM = "hp_comware"
LLDP = "display lldp neighbor-information verbose"
COMMANDS = (Command("lldp", LLDP),)
COMPLETE = frozenset({"Neighbor"})

# ntc-templates field -> ours.
LLDP_FIELDS = {"local_interface": "local_interface", "remote_device": "neighbor_name",
               "remote_chassis_id": "chassis_id", "remote_port": "neighbor_interface",
               "remote_port_description": "neighbor_interface_description",
               "remote_mgmt_address": "mgmt_address"}


def parse_lldp(output: str) -> list[Neighbor]:
    rows = records(PLATFORM, LLDP, output, NAME, allow_empty=True)
    found = [n for n in map(_neighbor, rows) if n]
    return [n for n in dedupe(found) if isinstance(n, Neighbor)]



def _neighbor(record: Mapping[str, Any]) -> Neighbor | None:
    values = {ours: text(record.get(theirs)) for ours, theirs in LLDP_FIELDS.items()}
    chassis = values["remote_chassis_id"]
    return lldp_neighbor(long_name(values["local_interface"]), values["remote_device"],
                         mac_or_text(chassis), values["remote_port"],
                         remote_port_description=values["remote_port_description"],
                         remote_mgmt_address=ip_or_none(values["remote_mgmt_address"]))


def parse(outputs: Outputs) -> Facts:
    return Facts(nodes=tuple(parse_lldp(required_text(outputs, NAME, "lldp"))),
                 complete=COMPLETE)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
