"""The generic SNMP platform: any device with an SNMP agent, through standard MIBs
(SNMPv2-MIB, IF-MIB, IP-MIB, ENTITY-MIB, LLDP-MIB, CISCO-CDP-MIB, BRIDGE/Q-BRIDGE-MIB,
HOST-RESOURCES-MIB). Collectors are OID lists (`oids`) plus pure parsers of the
transport's snmprec-format answers; `classify` says which CLI platform a device should be
handed to, and `naming` names its interfaces the way that CLI platform does.

Command lines are `walk OID [OID ...]` and `get OID [OID ...]` with numeric OIDs: reads
only, which is all the allowlist admits.
"""

from __future__ import annotations

import re

from discovery.platforms.base import Collector
from discovery.platforms.generic_snmp import (
    fdb,
    hardware,
    host_resources,
    interfaces,
    neighbors,
    system,
)
from inventory.model import Target

COLLECTORS: tuple[Collector, ...] = (
    system.COLLECTOR,
    interfaces.COLLECTOR,
    hardware.COLLECTOR,
    neighbors.COLLECTOR,
    fdb.COLLECTOR,
    host_resources.COLLECTOR,
)

_ARC = r"(?:0|[1-9][0-9]{0,9})"
_OID = rf"{_ARC}(?:\.{_ARC}){{1,127}}"
ALLOWLIST: tuple[re.Pattern[str], ...] = (re.compile(rf"(?:walk|get)(?: {_OID}){{1,64}}"),)


class GenericSnmpPlatform:
    """Implements discovery.platforms.base.Platform for any SNMP agent."""

    def __init__(self) -> None:
        self.name = "generic_snmp"
        self.transport = "snmp"
        self.allowlist = ALLOWLIST

    def collectors(self, target: Target) -> tuple[Collector, ...]:
        return COLLECTORS

    def __repr__(self) -> str:
        return "GenericSnmpPlatform()"


__all__ = ["ALLOWLIST", "COLLECTORS", "GenericSnmpPlatform"]
