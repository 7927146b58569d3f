"""The `vlans` collector: VLANs from `display vlan`.

VRP's `display vlan` has two tables (ports per VLAN, then status and description per
VLAN); ntc-templates merges them. The description (`VLAN 0010` unless set) is what VRP
shows as the VLAN's name; the state is `enable`/`disable`. Routers without switching
answer with an error: no VLAN observed, nothing marked absent.
"""

from __future__ import annotations

from cmdb.schema import Facts, Source, Vlan
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.netcli import integer, optional_text, records, text

NAME = "vlans"
PLATFORM = "huawei_vrp"
VLAN = "display vlan"
COMMANDS = (Command("vlans", VLAN, required=False),)
COMPLETE = frozenset({"Vlan"})

# ntc-templates field -> ours.
VLAN_FIELDS = {"vlan_id": "vlan_id", "name": "vlan_description", "state": "vlan_status"}


def parse_vlans(output: str) -> list[Vlan]:
    """One Vlan per id; the first record with a name or state supplies it."""
    found: dict[int, Vlan] = {}
    for record in records(PLATFORM, VLAN, output, NAME, allow_empty=True):
        vlan_id = integer(record.get(VLAN_FIELDS["vlan_id"]))
        if vlan_id is None:
            continue
        known = found.get(vlan_id, Vlan(vlan_id=vlan_id))
        found[vlan_id] = Vlan(vlan_id=vlan_id,
                              name=known.name or text(record.get(VLAN_FIELDS["name"])),
                              state=known.state or text(record.get(VLAN_FIELDS["state"])))
    return list(found.values())


def parse(outputs: Outputs) -> Facts:
    output = optional_text(outputs, "vlans")
    if output is None:
        return Facts()
    return Facts(nodes=tuple(parse_vlans(output)), complete=COMPLETE)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI,
                      complete=COMPLETE)
