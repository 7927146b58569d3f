"""How the HPE/H3C Comware CLI behaves (netmiko `hp_comware`, user view `<name>`).

Comware refuses a command with a caret line and one of (Comware "Fundamentals
Configuration Guide", CLI error messages; the markers scrapli's hp_comware definition
fails on):

    % Unrecognized command found at '^' position.
    % Wrong parameter found at '^' position.
    % Incomplete command found at '^' position.
    % Too many parameters found at '^' position.
    % Ambiguous command found at '^' position.
"""

from __future__ import annotations

import re

from discovery.transports.cli_profile import CliProfile

FAILURE_MARKERS = (
    re.compile(r"^\s*% ?(?:Unrecognized command|Wrong parameter|Incomplete command|"
               r"Too many parameters|Ambiguous command)"),
    re.compile(r"^\s*% ?Permission denied"),
)

# netmiko's HPComwareSSH.session_preparation sends this.
PROFILE = CliProfile(device_type="hp_comware", failure_markers=FAILURE_MARKERS,
                     paging_off="screen-length disable")
