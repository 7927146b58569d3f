"""HPE/H3C Comware over the network CLI (netmiko `hp_comware`): read-only `display`
commands and pure parsers, one module per fact kind.

The running configuration is not collected here (it needs redaction; the lead wires it):
`display current-configuration` prints it with `#` section separators; paging is off
after `screen-length disable`. Secrets appear as `cipher $c$3$...` or `hash $h$6$...`.
"""

from __future__ import annotations

from discovery.platforms.base import Collector
from discovery.platforms.hp_comware import facts, fdb, hardware, interfaces, neighbors, vlans
from discovery.platforms.hp_comware.profile import PROFILE
from discovery.platforms.netcli import NetworkPlatform

COLLECTORS: tuple[Collector, ...] = (
    facts.COLLECTOR,
    hardware.COLLECTOR,
    interfaces.COLLECTOR,
    neighbors.COLLECTOR,
    vlans.COLLECTOR,
    fdb.COLLECTOR,
)

PLATFORM = NetworkPlatform("hp_comware", PROFILE, COLLECTORS)

__all__ = ["COLLECTORS", "PLATFORM", "PROFILE"]
