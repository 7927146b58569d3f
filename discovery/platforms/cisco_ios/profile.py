"""How Cisco IOS / IOS XE's CLI behaves, and how its interface names abbreviate.

netmiko's `cisco_ios` driver (also used for IOS XE) sends `terminal width 511` and
`terminal length 0` on connect. IOS answers a command it refuses with a `%` line under a
caret, e.g. `% Invalid input detected at '^' marker.`; a disabled feature answers
`% LLDP is not enabled` / `% CDP is not enabled` instead of a table.
"""

from __future__ import annotations

import re

from discovery.transports.cli_profile import CliProfile

PLATFORM_NAME = "cisco_ios"

PROFILE = CliProfile(
    device_type="cisco_ios",
    failure_markers=(
        re.compile(r"^\s*% ?Invalid input detected"),
        re.compile(r"^\s*% ?Incomplete command"),
        re.compile(r"^\s*% ?Ambiguous command"),
        re.compile(r"^\s*% ?Unknown command"),       # user EXEC: unknown word = host name
        re.compile(r"^\s*% ?Unrecognized command"),
        re.compile(r"^\s*% ?(?:LLDP|CDP) is not enabled"),
        re.compile(r"^\s*% ?Authorization failed"),  # AAA command authorization refused
    ),
    paging_off="terminal length 0",
)

_LONG = (
    "GigabitEthernet", "FastEthernet", "TenGigabitEthernet", "TwentyFiveGigE",
    "FortyGigabitEthernet", "HundredGigE", "TwoGigabitEthernet", "FiveGigabitEthernet",
    "AppGigabitEthernet", "Ethernet", "Port-channel", "Vlan", "Loopback", "Tunnel",
    "Serial", "BDI", "Dialer", "Virtual-Access", "Virtual-Template", "Cellular",
    "Embedded-Service-Engine", "Multilink", "ATM", "Async", "nve", "Wlan-GigabitEthernet",
)
# The short forms IOS itself prints (show lldp neighbors, show mac address-table, ...).
ALIASES: dict[str, str] = {
    **{name.lower(): name for name in _LONG},
    "gi": "GigabitEthernet", "gig": "GigabitEthernet", "fa": "FastEthernet",
    "te": "TenGigabitEthernet", "ten": "TenGigabitEthernet", "twe": "TwentyFiveGigE",
    "fo": "FortyGigabitEthernet", "hu": "HundredGigE", "tw": "TwoGigabitEthernet",
    "fi": "FiveGigabitEthernet", "ap": "AppGigabitEthernet", "et": "Ethernet",
    "eth": "Ethernet", "po": "Port-channel", "vl": "Vlan", "lo": "Loopback",
    "tu": "Tunnel", "se": "Serial", "di": "Dialer", "vi": "Virtual-Access",
    "mu": "Multilink", "ce": "Cellular",
}
