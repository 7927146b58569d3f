"""How Arista EOS's CLI behaves, and how its interface names abbreviate.

netmiko's `arista_eos` driver sends `terminal width 511` and `terminal length 0`
(EOS answers `Pagination disabled.`). EOS refuses a command with a `%` line such as
`% Invalid input (at token 1: 'foo')`, `% Incomplete command` or, for a command the
hardware lacks, `% Unavailable command (not supported on this hardware platform)`.
"""

from __future__ import annotations

import re

from discovery.transports.cli_profile import CliProfile

PLATFORM_NAME = "arista_eos"

PROFILE = CliProfile(
    device_type="arista_eos",
    failure_markers=(
        re.compile(r"^\s*% ?Invalid input"),
        re.compile(r"^\s*% ?Incomplete command"),
        re.compile(r"^\s*% ?Ambiguous command"),
        re.compile(r"^\s*% ?Unavailable command"),
        re.compile(r"^\s*% ?Authorization denied"),  # AAA command authorization refused
        re.compile(r"^\s*% .*not supported on this hardware platform"),
    ),
    paging_off="terminal length 0",
)

_LONG = ("Ethernet", "Port-Channel", "Management", "Vlan", "Loopback", "Vxlan", "Tunnel",
         "Recirc-Channel")
ALIASES: dict[str, str] = {
    **{name.lower(): name for name in _LONG},
    "et": "Ethernet", "eth": "Ethernet", "po": "Port-Channel", "ma": "Management",
    "vl": "Vlan", "lo": "Loopback", "vx": "Vxlan", "tu": "Tunnel", "rc": "Recirc-Channel",
}
