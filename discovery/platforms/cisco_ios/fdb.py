"""The `fdb` collector: the MAC address table, with the IP the ARP table maps each MAC
to. Both commands are optional: a router has no MAC table, and an absent table is not
observed, never "empty"; ForwardingEntry is complete only when both answered."""

from __future__ import annotations

from cmdb.schema import Facts, ForwardingEntry, Source
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.cisco_ios.profile import ALIASES, PLATFORM_NAME
from discovery.platforms.netcli import Record, optional_text, records
from discovery.platforms.netfacts import ArpFields, MacFields, forwarding

NAME = "fdb"
MAC_TABLE = "show mac address-table"
ARP = "show ip arp"
COMMANDS = (Command("mac_table", MAC_TABLE, required=False),
            Command("arp", ARP, required=False))
COMPLETE = frozenset({"ForwardingEntry"})
MAC_FIELDS = MacFields(mac="destination_address", vlan_id="vlan_id",
                       ports="destination_port", entry_type="type")
ARP_FIELDS = ArpFields(ip="ip_address", mac="mac_address", interface="interface")


def parse(outputs: Outputs) -> Facts:
    table, arp = optional_text(outputs, "mac_table"), optional_text(outputs, "arp")
    entries = build(mac_rows(table) if table is not None else [],
                    arp_rows(arp) if arp is not None else [])
    answered = table is not None and arp is not None
    return Facts(nodes=tuple(entries), complete=COMPLETE if answered else frozenset())


def mac_rows(output: str) -> list[Record]:
    return records(PLATFORM_NAME, MAC_TABLE, output, NAME, allow_empty=True)


def arp_rows(output: str) -> list[Record]:
    return records(PLATFORM_NAME, ARP, output, NAME, allow_empty=True)


def build(table: list[Record], arp: list[Record]) -> list[ForwardingEntry]:
    return forwarding(table, MAC_FIELDS, arp, ARP_FIELDS, ALIASES)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI)
