"""The `fdb` collector: learnt MACs (`display mac-address`) with the IPs ARP (`display
arp`) maps them to.

The MAC table names ports in full; ARP abbreviates them (`XGE1/0/47`), expanded by
names.py. States: `Learned` is dynamic, `Config static`/`Static` static, others as shown
(`Blackhole`, `Security`). The template reads the state as one word, so it would take
`Config static` for state `Config` on port `static`; the two words are joined first.
Routers without switching refuse the MAC table: optional.
"""

from __future__ import annotations

import re

from cmdb.schema import Facts, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.hp_comware.names import long_name
from discovery.platforms.netcli import integer, mac, optional_text, records, required_text, text
from discovery.platforms.netfacts import ArpEntry, MacEntry, forwarding_entries

NAME = "fdb"
PLATFORM = "hp_comware"
TABLE = "display mac-address"
ARP = "display arp"
COMMANDS = (Command("table", TABLE, required=False), Command("arp", ARP))

# ntc-templates field -> ours.
TABLE_FIELDS = {"mac": "mac_address", "vlan_id": "vlan_id", "interface": "interface",
                "entry_type": "state"}
ARP_FIELDS = {"mac": "mac_address", "ip": "ip_address", "interface": "interface",
              "vlan_id": "vlan_id"}
_STATES = {"learned": "dynamic", "config-static": "static", "static": "static",
           "config-dynamic": "dynamic"}
_TWO_WORD_STATE = re.compile(r"\bConfig (static|dynamic)\b")


def parse_table(output: str) -> list[MacEntry]:
    found = []
    joined = _TWO_WORD_STATE.sub(r"Config-\1", output)
    for record in records(PLATFORM, TABLE, joined, NAME, allow_empty=True):
        address = mac(record.get(TABLE_FIELDS["mac"]))
        if address is None:
            continue
        state = (text(record.get(TABLE_FIELDS["entry_type"])) or "").lower()
        found.append(MacEntry(
            mac=address, vlan_id=integer(record.get(TABLE_FIELDS["vlan_id"])) or 0,
            interface=long_name(text(record.get(TABLE_FIELDS["interface"]))),
            entry_type=_STATES.get(state, state or None)))
    return found


def parse_arp(output: str) -> list[ArpEntry]:
    found = []
    for record in records(PLATFORM, ARP, output, NAME, allow_empty=True):
        address = mac(record.get(ARP_FIELDS["mac"]))
        ip = text(record.get(ARP_FIELDS["ip"]))
        if address is None or ip is None:
            continue
        found.append(ArpEntry(
            mac=address, ip=ip, interface=long_name(text(record.get(ARP_FIELDS["interface"]))),
            vlan_id=integer(record.get(ARP_FIELDS["vlan_id"]))))
    return found


def parse(outputs: Outputs) -> Facts:
    table = optional_text(outputs, "table")
    macs = parse_table(table) if table is not None else []
    arps = parse_arp(required_text(outputs, NAME, "arp"))
    return Facts(nodes=tuple(forwarding_entries(macs, arps)))


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI)
