"""Interface names on VRP: `display interface` and LLDP print the long form
(`GigabitEthernet0/0/1`, `XGigabitEthernet0/0/1`, `Eth-Trunk1`, `Vlanif10`, `40GE0/0/1`);
the MAC and ARP tables of S-series switches print short forms (`GE0/0/1`, `XGE0/0/1`),
expanded here so forwarding entries join interfaces by name.

CloudEngine switches name their gigabit ports `GE1/0/1` natively; on them this
expansion is wrong, and cannot be told from the tables alone (see the report).
"""

from __future__ import annotations

import re

from discovery.platforms.netcli import canonical_interface

ABBREVIATIONS = {"ge": "GigabitEthernet", "xge": "XGigabitEthernet", "eth": "Ethernet"}
_VLANIF = re.compile(r"Vlanif(\d{1,4})(?:\.\d+)?", re.IGNORECASE)


def long_name(name: str | None) -> str | None:
    return None if name is None else canonical_interface(name, ABBREVIATIONS)


def vlanif_id(name: str | None) -> int | None:
    """`Vlanif10` -> 10: the VLAN an ARP entry on a VLAN interface belongs to."""
    found = _VLANIF.fullmatch(name or "")
    return int(found.group(1)) if found else None
