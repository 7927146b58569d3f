"""How the Huawei VRP CLI behaves (netmiko `huawei_vrp`, user view `<name>`).

VRP refuses a command with a caret line and one of (VRP command reference, "Command
line error messages"; the same markers scrapli's huawei_vrp definition fails on):

    Error: Unrecognized command found at '^' position.
    Error: Wrong parameter found at '^' position.
    Error: Incomplete command found at '^' position.
    Error: Too many parameters found at '^' position.
    Error:Ambiguous command found at '^' position.      (no space on some releases)

Only lines starting with `Error:` count: counters such as "CRC errors: 0" must not.
"""

from __future__ import annotations

import re

from discovery.transports.cli_profile import CliProfile

FAILURE_MARKERS = (
    re.compile(r"^\s*Error:\s*(?:Unrecognized command|Wrong parameter|Incomplete command|"
               r"Too many parameters|Ambiguous command)"),
    re.compile(r"^\s*Error:\s*(?:You do not have permission|The command is not supported)"),
)

# netmiko's HuaweiSSH.session_preparation sends this.
PROFILE = CliProfile(device_type="huawei_vrp", failure_markers=FAILURE_MARKERS,
                     paging_off="screen-length 0 temporary")
