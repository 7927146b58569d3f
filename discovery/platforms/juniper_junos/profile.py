"""How the Junos CLI behaves (netmiko `juniper_junos`, operational mode).

Junos answers a command it refuses with a caret line and then one of these (Junos CLI
User Guide, and the markers scrapli's junos driver fails on):

    unknown command.
    syntax error, expecting <command>.
    error: command is not valid on the mx240        (e.g. `show ethernet-switching table`)
    error: device ge-9/9/9 not found
    'foo' is ambiguous.

Only whole-line forms at the start of a line count: normal outputs hold "BPDU Error: None"
or "Input errors: 0", which must never make a command fail.
"""

from __future__ import annotations

import re

from discovery.transports.cli_profile import CliProfile

FAILURE_MARKERS = (
    re.compile(r"^\s*unknown command\.?\s*$"),
    re.compile(r"^\s*syntax error\b"),
    re.compile(r"^\s*error: "),
    re.compile(r"^\s*missing argument\.?\s*$"),
    re.compile(r"^\s*'\S+' is ambiguous\.?\s*$"),
    re.compile(r"^\s*No valid completions\s*$"),
)

# netmiko's JuniperSSH.session_preparation sends this (and `set cli screen-width 511`).
PROFILE = CliProfile(device_type="juniper_junos", failure_markers=FAILURE_MARKERS,
                     paging_off="set cli screen-length 0")
