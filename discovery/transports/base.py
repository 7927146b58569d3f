"""The transport seam: open a session to a target, run read-only commands on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from inventory.model import Target


@dataclass(frozen=True)
class CommandOutput:
    """One command's result exactly as the peer returned it (decoded as UTF-8)."""

    command: str
    stdout: str
    stderr: str = ""
    exit_status: int = 0

    @property
    def ok(self) -> bool:
        return self.exit_status == 0


class Session(Protocol):
    def run(self, command: str, timeout: float) -> CommandOutput:
        """Run one command; raise DiscoveryTimeout past `timeout` seconds."""
        ...

    def close(self) -> None: ...


class Transport(Protocol):
    def open(self, target: Target, timeout: float) -> Session:
        """Connect and authenticate; raise a typed DiscoveryError on failure."""
        ...
