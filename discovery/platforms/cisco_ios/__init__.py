"""Cisco IOS and IOS XE over the network CLI (netmiko `cisco_ios`): read-only `show`
commands parsed with ntc-templates, one module per fact kind.

The running configuration (`show running-config`) is the shared, redacted
`running_config` collector of `netconfig`."""

from __future__ import annotations

from discovery.platforms.base import Collector
from discovery.platforms.cisco_ios import facts, fdb, hardware, interfaces, neighbors, vlans
from discovery.platforms.cisco_ios.profile import PLATFORM_NAME, PROFILE
from discovery.platforms.netcli import NetworkPlatform

COLLECTORS: tuple[Collector, ...] = (
    facts.COLLECTOR,
    hardware.COLLECTOR,
    interfaces.COLLECTOR,
    neighbors.COLLECTOR,
    vlans.COLLECTOR,
    fdb.COLLECTOR,
)

CONFIG_COMMAND = "show running-config"

PLATFORM = NetworkPlatform(PLATFORM_NAME, PROFILE, COLLECTORS, CONFIG_COMMAND)

__all__ = ["COLLECTORS", "CONFIG_COMMAND", "PLATFORM", "PROFILE"]
