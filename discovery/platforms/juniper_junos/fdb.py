"""The `fdb` collector: learnt MACs (`show ethernet-switching table`) with the IPs ARP
(`show arp no-resolve`) maps them to.

The switching table is read by a small row parser, not ntc-templates: its template only
knows VLANs named `VlanNNN` or `BD-NNN` and raises on any other name (`v100-Control`,
`default`). Junos names the VLAN, so its id comes from `show vlans` (name -> tag), else
from a `vlanNNN` name, else it is 0. Routers have no switching table and some have no
`show vlans`: both are optional, a failure there is "not observed".
"""

from __future__ import annotations

import re

from cmdb.schema import Facts, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.juniper_junos.vlans import parse_vlans
from discovery.platforms.netcli import clean, mac, optional_text, records, required_text, text
from discovery.platforms.netfacts import ArpEntry, MacEntry, forwarding_entries

NAME = "fdb"
PLATFORM = "juniper_junos"
TABLE = "show ethernet-switching table"
VLANS = "show vlans"
ARP = "show arp no-resolve"
COMMANDS = (
    Command("table", TABLE, required=False),
    Command("vlans", VLANS, required=False),
    Command("arp", ARP),
)

# ntc-templates field -> ours, for `show arp no-resolve`.
ARP_FIELDS = {"mac": "mac_address", "ip": "ip_address", "interface": "interface"}
_ROW = re.compile(r"\s*(?P<vlan>\S+)\s+(?P<mac>[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})\s+"
                  r"(?P<flags>\S+)\s+(?P<age>\S+)\s+(?P<interface>\S+)")
_VLAN_NAME = re.compile(r"vlan[-_.]?(\d{1,4})", re.IGNORECASE)


def parse_table(output: str, tags: dict[str, int] | None = None) -> list[MacEntry]:
    """Rows of the switching table (ELS and the older EX format); `tags` maps VLAN names
    to ids."""
    found = []
    for line in clean(output).split("\n"):
        row = _ROW.match(line)
        address = mac(row.group("mac")) if row else None
        if row is None or address is None:
            continue
        found.append(MacEntry(mac=address, vlan_id=vlan_id(row.group("vlan"), tags or {}),
                              interface=row.group("interface"),
                              entry_type=_entry_type(row.group("flags"))))
    return found


def vlan_id(name: str, tags: dict[str, int]) -> int:
    if name in tags:
        return tags[name]
    number = _VLAN_NAME.fullmatch(name)
    return int(number.group(1)) if number else 0


def _entry_type(flags: str) -> str | None:
    """ELS flags (`D`, `DL`, `S`, `SE`) or the old `Learn`/`Static` words."""
    if flags.startswith("S"):
        return "static"
    if flags.startswith(("D", "Learn")):
        return "dynamic"
    return flags.lower()


def parse_arp(output: str) -> list[ArpEntry]:
    found = []
    for record in records(PLATFORM, ARP, output, NAME, allow_empty=True):
        address = mac(record.get(ARP_FIELDS["mac"]))
        ip = text(record.get(ARP_FIELDS["ip"]))
        if address is not None and ip is not None:
            found.append(ArpEntry(mac=address, ip=ip, vlan_id=None,
                                  interface=text(record.get(ARP_FIELDS["interface"]))))
    return found


def parse(outputs: Outputs) -> Facts:
    vlans = optional_text(outputs, "vlans")
    tags = {v.name: v.vlan_id for v in parse_vlans(vlans)} if vlans is not None else {}
    table = optional_text(outputs, "table")
    macs = parse_table(table, {k: v for k, v in tags.items() if k}) if table else []
    arps = parse_arp(required_text(outputs, NAME, "arp"))
    return Facts(nodes=tuple(forwarding_entries(macs, arps)))


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI)
