"""Platforms by name: what discovery asks a target, and how it reads the answers."""

from __future__ import annotations

from collections.abc import Mapping

from discovery.errors import ConfigError
from discovery.platforms.base import Platform
from discovery.platforms.linux import LinuxPlatform


def build_platforms(redaction_key: bytes | None = None) -> dict[str, Platform]:
    """Every platform, keyed by name; `redaction_key` keys the fingerprints of secrets
    redacted from captured configs (use the installation's own key in production)."""
    linux = LinuxPlatform(redaction_key) if redaction_key else LinuxPlatform()
    return {"linux": linux}


PLATFORMS: Mapping[str, Platform] = build_platforms()


def get_platform(name: str, platforms: Mapping[str, Platform] | None = None) -> Platform:
    """The platform called `name`; ConfigError (naming the known ones) otherwise."""
    available = PLATFORMS if platforms is None else platforms
    platform = available.get(name)
    if platform is None:
        known = ", ".join(sorted(available))
        raise ConfigError(f"unknown platform {name!r} (known: {known})")
    return platform


__all__ = ["PLATFORMS", "Platform", "build_platforms", "get_platform"]
