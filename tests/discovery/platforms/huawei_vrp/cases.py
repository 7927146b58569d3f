"""Fixture cases of the huawei_vrp platform (see netcases.py for the command line)."""

from __future__ import annotations

import sys

from discovery.platforms.huawei_vrp import COLLECTORS
from tests.discovery.platforms.juniper_junos.netcases import NetCases

CASES = NetCases("huawei_vrp", COLLECTORS)

if __name__ == "__main__":
    raise SystemExit(CASES.main(sys.argv[1:]))
