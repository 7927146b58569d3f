"""Platforms by name: what discovery asks a target, and how it reads the answers."""

from __future__ import annotations

from collections.abc import Mapping

from discovery.errors import ConfigError
from discovery.platforms import (
    arista_eos,
    cisco_ios,
    cisco_nxos,
    hp_comware,
    huawei_vrp,
    juniper_junos,
)
from discovery.platforms.base import Platform
from discovery.platforms.common import DEFAULT_REDACTION_KEY
from discovery.platforms.generic_snmp import GenericSnmpPlatform
from discovery.platforms.linux import LinuxPlatform
from discovery.platforms.netcli import NetworkPlatform

NETWORK_PLATFORMS: tuple[NetworkPlatform, ...] = (
    cisco_ios.PLATFORM, cisco_nxos.PLATFORM, arista_eos.PLATFORM,
    juniper_junos.PLATFORM, huawei_vrp.PLATFORM, hp_comware.PLATFORM,
)


def build_platforms(redaction_key: bytes = DEFAULT_REDACTION_KEY) -> dict[str, Platform]:
    """Every platform, keyed by name; `redaction_key` keys the fingerprints of secrets
    redacted from captured configs (use the installation's own key in production)."""
    platforms: list[Platform] = [LinuxPlatform(redaction_key), GenericSnmpPlatform()]
    platforms += [network.keyed(redaction_key) for network in NETWORK_PLATFORMS]
    return {platform.name: platform for platform in platforms}


PLATFORMS: Mapping[str, Platform] = build_platforms()


def get_platform(name: str, platforms: Mapping[str, Platform] | None = None) -> Platform:
    """The platform called `name`; ConfigError (naming the known ones) otherwise."""
    available = PLATFORMS if platforms is None else platforms
    platform = available.get(name)
    if platform is None:
        known = ", ".join(sorted(available))
        raise ConfigError(f"unknown platform {name!r} (known: {known})")
    return platform


__all__ = ["NETWORK_PLATFORMS", "PLATFORMS", "Platform", "build_platforms", "get_platform"]
