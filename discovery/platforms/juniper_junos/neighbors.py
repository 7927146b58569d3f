"""The `neighbors` collector: LLDP neighbours from `show lldp neighbors`.

The local port is named as `show interfaces` names the physical port: older EX releases
print the unit (`ge-0/0/1.0`), which is cut to `ge-0/0/1` so topology can join it. A
chassis id that is a MAC is normalised; `Port info` is the far end's port id.
"""

from __future__ import annotations

import re

from cmdb.schema import Facts, Neighbor, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.netcli import mac_or_text, records, required_text, text
from discovery.platforms.netfacts import dedupe, lldp_neighbor

NAME = "neighbors"
PLATFORM = "juniper_junos"
LLDP = "show lldp neighbors"
COMMANDS = (Command("lldp", LLDP),)
COMPLETE = frozenset({"Neighbor"})

# ntc-templates field -> ours.
LLDP_FIELDS = {"local_interface": "local_interface", "remote_device": "neighbor_name",
               "remote_chassis_id": "chassis_id", "remote_port": "neighbor_interface"}
_UNIT = re.compile(r"\.\d+$")


def physical(name: str | None) -> str | None:
    """`ge-0/0/1.0` -> `ge-0/0/1`: the port a unit belongs to."""
    return None if name is None else _UNIT.sub("", name)


def parse_lldp(output: str) -> list[Neighbor]:
    found = []
    for record in records(PLATFORM, LLDP, output, NAME, allow_empty=True):
        values = {ours: text(record.get(theirs)) for ours, theirs in LLDP_FIELDS.items()}
        chassis = values["remote_chassis_id"]
        neighbor = lldp_neighbor(physical(values["local_interface"]), values["remote_device"],
                                 mac_or_text(chassis), values["remote_port"])
        if neighbor is not None:
            found.append(neighbor)
    return [n for n in dedupe(found) if isinstance(n, Neighbor)]


def parse(outputs: Outputs) -> Facts:
    return Facts(nodes=tuple(parse_lldp(required_text(outputs, NAME, "lldp"))),
                 complete=COMPLETE)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
