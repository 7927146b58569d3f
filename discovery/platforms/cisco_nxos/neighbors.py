"""The `neighbors` collector: LLDP and CDP neighbours from their `detail` views.

LLDP needs `feature lldp`; without it the command does not exist (`% Invalid command`),
so both commands are optional and Neighbor is complete only when both answered. NX-OS
CDP's `Device ID` carries the serial (`leaf1(SAL1234ABCD)`): the `System Name` names
the neighbour when it is sent, the device id otherwise.
"""

from __future__ import annotations

from cmdb.schema import Facts, Neighbor, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.cisco_nxos.profile import ALIASES, PLATFORM_NAME
from discovery.platforms.netcli import optional_text, records
from discovery.platforms.netfacts import NeighborFields, neighbors

NAME = "neighbors"
LLDP = "show lldp neighbors detail"
CDP = "show cdp neighbors detail"
COMMANDS = (Command("lldp", LLDP, required=False), Command("cdp", CDP, required=False))
COMPLETE = frozenset({"Neighbor"})

LLDP_FIELDS = NeighborFields(
    protocol="lldp", local="local_interface", device="neighbor_name",
    device_fallback="chassis_id", port="neighbor_interface", chassis="chassis_id",
    platform="neighbor_description", mgmt="mgmt_address")
CDP_FIELDS = NeighborFields(
    protocol="cdp", local="local_interface", device="neighbor_name",
    device_fallback="chassis_id", port="neighbor_interface", platform="platform",
    mgmt="mgmt_address")


def parse(outputs: Outputs) -> Facts:
    lldp, cdp = optional_text(outputs, "lldp"), optional_text(outputs, "cdp")
    nodes = [*(parse_lldp(lldp) if lldp is not None else []),
             *(parse_cdp(cdp) if cdp is not None else [])]
    answered = lldp is not None and cdp is not None
    return Facts(nodes=tuple(nodes), complete=COMPLETE if answered else frozenset())


def parse_lldp(output: str) -> list[Neighbor]:
    rows = records(PLATFORM_NAME, LLDP, output, NAME, allow_empty=True)
    return neighbors(rows, LLDP_FIELDS, ALIASES)


def parse_cdp(output: str) -> list[Neighbor]:
    rows = records(PLATFORM_NAME, CDP, output, NAME, allow_empty=True)
    return neighbors(rows, CDP_FIELDS, ALIASES)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI)
