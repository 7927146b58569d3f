"""HPE/H3C Comware over the network CLI (netmiko `hp_comware`): read-only `display`
commands and pure parsers, one module per fact kind.

The running configuration is the shared, redacted `running_config` collector of
`netconfig`:
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

CONFIG_COMMAND = "display current-configuration"

PLATFORM = NetworkPlatform("hp_comware", PROFILE, COLLECTORS, CONFIG_COMMAND)

__all__ = ["COLLECTORS", "CONFIG_COMMAND", "PLATFORM", "PROFILE"]
