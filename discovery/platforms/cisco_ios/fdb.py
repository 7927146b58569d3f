"""The `fdb` collector: the MAC address table, with the IP the ARP table maps each MAC
to (see discovery.platforms.netfacts.MacArpFdb: both commands optional, complete only
when both answered)."""

from __future__ import annotations

from discovery.platforms.cisco_ios.profile import ALIASES, PLATFORM_NAME
from discovery.platforms.netfacts import ArpFields, MacArpFdb, MacFields

FDB = MacArpFdb(
    PLATFORM_NAME, ALIASES, mac_table="show mac address-table", arp="show ip arp",
    mac_fields=MacFields(mac="destination_address", vlan_id="vlan_id", ports="destination_port",
                         entry_type="type"),
    arp_fields=ArpFields(ip="ip_address", mac="mac_address", interface="interface"))
COLLECTOR = FDB.collector()
parse, mac_rows, arp_rows, build = FDB.parse, FDB.mac_rows, FDB.arp_rows, FDB.build
