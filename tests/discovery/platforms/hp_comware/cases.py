"""Fixture cases of the hp_comware platform (see netcases.py for the command line)."""

from __future__ import annotations

import sys

from discovery.platforms.hp_comware import COLLECTORS
from tests.discovery.platforms.juniper_junos.netcases import NetCases

CASES = NetCases("hp_comware", COLLECTORS)

if __name__ == "__main__":
    raise SystemExit(CASES.main(sys.argv[1:]))
