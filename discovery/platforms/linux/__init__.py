"""The Linux platform over SSH: read-only commands and pure parsers, one module per fact
kind (system, interfaces, packages, services, ports, configs)."""

from __future__ import annotations

import re

from discovery.platforms.base import Collector
from discovery.platforms.common import DEFAULT_REDACTION_KEY
from discovery.platforms.linux import interfaces, packages, ports, services, system
from discovery.platforms.linux.configs import (
    PATH_PATTERN,
    SYSCTL,
    configs_collector,
)
from inventory.model import Target

STATIC_COLLECTORS: tuple[Collector, ...] = (
    system.COLLECTOR,
    interfaces.COLLECTOR,
    packages.COLLECTOR,
    services.COLLECTOR,
    ports.COLLECTOR,
)


def _exact_lines() -> list[str]:
    found = [SYSCTL]
    for collector in STATIC_COLLECTORS:
        for command in collector.commands:
            found.append(command.line)
            if command.fallback is not None:
                found.append(command.fallback)
    return found


def _build_allowlist() -> tuple[re.Pattern[str], ...]:
    """Exact lines for fixed commands; the per-target config commands accept only plain
    absolute paths (no quotes, spaces or shell metacharacters), after `--`."""
    exact = [re.compile(re.escape(line)) for line in dict.fromkeys(_exact_lines())]
    return (
        *exact,
        re.compile(f"cat -- {PATH_PATTERN}"),
        re.compile(f"sha256sum --(?: {PATH_PATTERN})+"),
    )


ALLOWLIST = _build_allowlist()


class LinuxPlatform:
    """Implements discovery.platforms.base.Platform for Linux hosts over SSH."""

    def __init__(self, redaction_key: bytes = DEFAULT_REDACTION_KEY) -> None:
        self.name = "linux"
        self.transport = "ssh"
        self.allowlist = ALLOWLIST
        self._redaction_key = redaction_key

    def collectors(self, target: Target) -> tuple[Collector, ...]:
        """Raises ConfigError when the target's `config_files` are not plain absolute paths."""
        return (*STATIC_COLLECTORS, configs_collector(target, self._redaction_key))

    def __repr__(self) -> str:
        return "LinuxPlatform()"  # never show the redaction key


__all__ = ["ALLOWLIST", "STATIC_COLLECTORS", "LinuxPlatform", "configs_collector"]
