"""Cisco IOS and IOS XE over the network CLI (netmiko `cisco_ios`): read-only `show`
commands parsed with ntc-templates, one module per fact kind.

Running configuration (wired by the lead, with redaction): `show running-config`."""

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

PLATFORM = NetworkPlatform(PLATFORM_NAME, PROFILE, COLLECTORS)

__all__ = ["COLLECTORS", "PLATFORM", "PROFILE"]
