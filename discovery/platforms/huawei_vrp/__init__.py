"""Huawei VRP over the network CLI (netmiko `huawei_vrp`): read-only `display`
commands and pure parsers, one module per fact kind.

The running configuration is the shared, redacted `running_config` collector of
`netconfig`:
`display current-configuration` prints it with `#` section separators and a
`!Software Version ...` header; paging is off after `screen-length 0 temporary`. Secrets
appear as `cipher %^%#...%^%#` or `irreversible-cipher $1a$...$`.
"""

from __future__ import annotations

from discovery.platforms.base import Collector
from discovery.platforms.huawei_vrp import facts, fdb, hardware, interfaces, neighbors, vlans
from discovery.platforms.huawei_vrp.profile import PROFILE
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

PLATFORM = NetworkPlatform("huawei_vrp", PROFILE, COLLECTORS, CONFIG_COMMAND)

__all__ = ["COLLECTORS", "CONFIG_COMMAND", "PLATFORM", "PROFILE"]
