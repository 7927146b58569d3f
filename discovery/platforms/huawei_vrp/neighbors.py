"""The `neighbors` collector: LLDP neighbours from `display lldp neighbor`.

ntc-templates calls the far end's port id NEIGHBOR_PORT_ID and its port *description*
NEIGHBOR_INTERFACE; the mapping below puts each where it belongs. The local port is
printed in its long form already (`GigabitEthernet0/0/1`; CloudEngine's native `GE1/0/1`),
as `display interface` names it. The system description's first line is the platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cmdb.schema import Facts, Neighbor, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.netcli import ip_or_none, mac_or_text, records, required_text, text
from discovery.platforms.netfacts import dedupe, lldp_neighbor

NAME = "neighbors"
PLATFORM = "huawei_vrp"
LLDP = "display lldp neighbor"
COMMANDS = (Command("lldp", LLDP),)
COMPLETE = frozenset({"Neighbor"})

# ntc-templates field -> ours.
LLDP_FIELDS = {"local_interface": "local_interface", "remote_device": "neighbor_name",
               "remote_chassis_id": "chassis_id", "remote_port": "neighbor_port_id",
               "remote_port_description": "neighbor_interface",
               "remote_platform": "neighbor_description",
               "remote_mgmt_address": "mgmt_address"}


def parse_lldp(output: str) -> list[Neighbor]:
    rows = records(PLATFORM, LLDP, output, NAME, allow_empty=True)
    found = [n for n in map(_neighbor, rows) if n]
    return [n for n in dedupe(found) if isinstance(n, Neighbor)]



def _neighbor(record: Mapping[str, Any]) -> Neighbor | None:
    values = {ours: text(record.get(theirs)) for ours, theirs in LLDP_FIELDS.items()}
    chassis = values["remote_chassis_id"]
    return lldp_neighbor(values["local_interface"], values["remote_device"],
                         mac_or_text(chassis), values["remote_port"],
                         remote_port_description=values["remote_port_description"],
                         remote_platform=values["remote_platform"],
                         remote_mgmt_address=ip_or_none(values["remote_mgmt_address"]))


def parse(outputs: Outputs) -> Facts:
    return Facts(nodes=tuple(parse_lldp(required_text(outputs, NAME, "lldp"))),
                 complete=COMPLETE)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
