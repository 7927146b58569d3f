"""Platforms by name: what discovery asks a target, and how it reads the answers."""

from __future__ import annotations

from discovery.errors import ConfigError
from discovery.platforms.base import Platform
from discovery.platforms.linux import LinuxPlatform

PLATFORMS: dict[str, Platform] = {
    "linux": LinuxPlatform(),
}


def get_platform(name: str) -> Platform:
    """The platform called `name`; ConfigError (naming the known ones) otherwise."""
    platform = PLATFORMS.get(name)
    if platform is None:
        known = ", ".join(sorted(PLATFORMS))
        raise ConfigError(f"unknown platform {name!r} (known: {known})")
    return platform


__all__ = ["PLATFORMS", "Platform", "get_platform"]
