"""Juniper Junos over the network CLI (netmiko `juniper_junos`): read-only `show`
commands and pure parsers, one module per fact kind.

The running configuration is the shared, redacted `running_config` collector of
`netconfig`:
`show configuration | display set` gives one self-contained line per setting, and
`show configuration` the hierarchical text; both print `## SECRET-DATA` after encrypted
values (`$9$...`), which are secrets.
"""

from __future__ import annotations

from discovery.platforms.base import Collector
from discovery.platforms.juniper_junos import facts, fdb, hardware, interfaces, neighbors, vlans
from discovery.platforms.juniper_junos.profile import PROFILE
from discovery.platforms.netcli import NetworkPlatform

COLLECTORS: tuple[Collector, ...] = (
    facts.COLLECTOR,
    hardware.COLLECTOR,
    interfaces.COLLECTOR,
    neighbors.COLLECTOR,
    vlans.COLLECTOR,
    fdb.COLLECTOR,
)

CONFIG_COMMAND = "show configuration"

PLATFORM = NetworkPlatform("juniper_junos", PROFILE, COLLECTORS, CONFIG_COMMAND)

__all__ = ["COLLECTORS", "CONFIG_COMMAND", "PLATFORM", "PROFILE"]
