"""The `neighbors` collector: LLDP neighbours from `show lldp neighbors detail` (EOS
speaks no CDP). LLDP runs by default; the command always exists, so it is required and
Neighbor is complete. A neighbour that sends no System Name is dropped by the template
(its NEIGHBOR_NAME is Required); EOS's MAC-typed `Management Address` is no IP and is
not kept as one.
"""

from __future__ import annotations

from cmdb.schema import Facts, Neighbor, Source
from discovery.platforms.arista_eos.profile import ALIASES, PLATFORM_NAME
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.netcli import records, required_text
from discovery.platforms.netfacts import NeighborFields, neighbors

NAME = "neighbors"
LLDP = "show lldp neighbors detail"
COMMANDS = (Command("lldp", LLDP),)
COMPLETE = frozenset({"Neighbor"})
LLDP_FIELDS = NeighborFields(
    protocol="lldp", local="local_interface", device="neighbor_name",
    device_fallback="chassis_id", port="neighbor_interface", chassis="chassis_id",
    platform="neighbor_description", mgmt="mgmt_address")


def parse(outputs: Outputs) -> Facts:
    nodes = parse_lldp(required_text(outputs, NAME, "lldp"))
    return Facts(nodes=tuple(nodes), complete=COMPLETE)


def parse_lldp(output: str) -> list[Neighbor]:
    rows = records(PLATFORM_NAME, LLDP, output, NAME, allow_empty=True)
    return neighbors(rows, LLDP_FIELDS, ALIASES)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
