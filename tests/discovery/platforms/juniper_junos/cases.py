"""Fixture cases of the juniper_junos platform (see netcases.py for the command line)."""

from __future__ import annotations

import sys

from discovery.platforms.juniper_junos import COLLECTORS
from tests.discovery.platforms.juniper_junos.netcases import NetCases

CASES = NetCases("juniper_junos", COLLECTORS)

if __name__ == "__main__":
    raise SystemExit(CASES.main(sys.argv[1:]))
