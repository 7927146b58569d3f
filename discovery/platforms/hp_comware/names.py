"""Interface names on Comware: `display interface`, `display mac-address` and the
verbose LLDP output print the long form (`Ten-GigabitEthernet1/0/1`,
`Bridge-Aggregation1`, `Vlan-interface10`); `display arp`, `display interface brief`
and the LLDP list print the abbreviations of the Comware command references'
"interface name abbreviations" table, expanded here so data joins by name.
"""

from __future__ import annotations

from discovery.platforms.netcli import canonical_interface

ABBREVIATIONS = {
    "ge": "GigabitEthernet", "xge": "Ten-GigabitEthernet", "fge": "FortyGigE",
    "hge": "HundredGigE", "wge": "Twenty-FiveGigE", "m-ge": "M-GigabitEthernet",
    "bagg": "Bridge-Aggregation", "ragg": "Route-Aggregation", "vlan": "Vlan-interface",
    "loop": "LoopBack", "inloop": "InLoopBack", "tun": "Tunnel", "eth": "Ethernet",
    "m-eth": "M-Ethernet", "reg": "Register-Tunnel",
}


def long_name(name: str | None) -> str | None:
    return None if name is None else canonical_interface(name, ABBREVIATIONS)
