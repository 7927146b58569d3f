"""How Cisco NX-OS's CLI behaves, and how its interface names abbreviate.

netmiko's `cisco_nxos` driver sends `terminal width 511` and `terminal length 0` on
connect. NX-OS refuses a command with a `%` line under a caret, worded unlike IOS:
`% Invalid command at '^' marker.`; the show commands of a disabled feature (`feature
lldp` off) do not exist, so they fail the same way.
"""

from __future__ import annotations

import re

from discovery.transports.cli_profile import CliProfile

PLATFORM_NAME = "cisco_nxos"

PROFILE = CliProfile(
    device_type="cisco_nxos",
    failure_markers=(
        re.compile(r"^\s*% ?Invalid (?:command|input|parameter)"),
        re.compile(r"^\s*% ?Incomplete command"),
        re.compile(r"^\s*% ?Ambiguous command"),
        re.compile(r"^\s*% ?Permission denied"),  # role without the show privilege
        re.compile(r"^\s*% ?(?:LLDP|CDP) is not enabled"),
    ),
    paging_off="terminal length 0",
)

_LONG = ("Ethernet", "port-channel", "Vlan", "loopback", "mgmt", "Tunnel", "nve", "fc",
         "san-port-channel", "vfc", "vPC")
ALIASES: dict[str, str] = {
    **{name.lower(): name for name in _LONG},
    "eth": "Ethernet", "et": "Ethernet", "po": "port-channel", "lo": "loopback",
    "vl": "Vlan", "tu": "Tunnel", "mgmt": "mgmt",
}
