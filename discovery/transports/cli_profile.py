"""How a network OS's CLI behaves, as the network CLI transport needs to know it.

Each network platform declares one `CliProfile` (data only); the CLI transport (netmiko)
is given them by platform name. Kept apart from the transport so platforms can declare
their profile without importing netmiko.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CliProfile:
    """`device_type` is netmiko's driver name (it knows the prompt, paging and enable
    handling). `failure_markers` match an output line that means the device refused or
    failed the command (`% Invalid input detected`, `Error: Unrecognized command`): the
    transport then reports the command as failed (exit status 1, that line as stderr)
    instead of handing an error text to a parser. `paging_off` is the command the
    platform uses to disable paging (netmiko sends it on connect; the CLI simulator in the
    tests expects it)."""

    device_type: str
    failure_markers: tuple[re.Pattern[str], ...]
    paging_off: str | None = None

    def failure_line(self, output: str) -> str | None:
        """The first line of `output` that marks a failed command, if any."""
        for line in output.splitlines():
            if any(marker.search(line) for marker in self.failure_markers):
                return line.strip()
        return None
