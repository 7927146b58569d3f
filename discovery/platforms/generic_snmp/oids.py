"""Every OID the generic SNMP platform asks, declared once as data: scalars by name and
tables as an entry OID plus the columns we read (numbers from the MIB modules named).

Collectors walk only the columns they need: less traffic, and a broken column on one agent
(entPhysicalVendorType on old VRP, see the fixture README) does not stop the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from discovery.platforms.generic_snmp._snmprec import Oid, format_oid, parse_oid


def oid(text: str) -> Oid:
    found = parse_oid(text)
    if found is None:
        raise ValueError(f"not a numeric OID: {text!r}")
    return found


@dataclass(frozen=True)
class Table:
    """A conceptual table: its entry OID and the columns read, by name -> column number."""

    name: str
    entry: Oid
    columns: Mapping[str, int]

    def column(self, name: str) -> Oid:
        return (*self.entry, self.columns[name])

    def walk_oids(self, *names: str) -> tuple[str, ...]:
        """The numeric column OIDs to walk; every declared column when none is named."""
        return tuple(format_oid(self.column(n)) for n in (names or tuple(self.columns)))


def table(table_name: str, entry: str, /, **columns: int) -> Table:
    return Table(table_name, oid(entry), dict(columns))


# SNMPv2-MIB system group and SNMP-FRAMEWORK-MIB. sysUpTime is not asked: uptime is not
# configuration and would change at every run.
SYS_DESCR = oid("1.3.6.1.2.1.1.1.0")
SYS_OBJECT_ID = oid("1.3.6.1.2.1.1.2.0")
SYS_CONTACT = oid("1.3.6.1.2.1.1.4.0")
SYS_NAME = oid("1.3.6.1.2.1.1.5.0")
SYS_LOCATION = oid("1.3.6.1.2.1.1.6.0")
SNMP_ENGINE_ID = oid("1.3.6.1.6.3.10.2.1.1.0")
ENTERPRISES = oid("1.3.6.1.4.1")

# HOST-RESOURCES-MIB
HR_MEMORY_SIZE = oid("1.3.6.1.2.1.25.2.2.0")  # KiB
HR_DEVICE = table("hrDeviceTable", "1.3.6.1.2.1.25.3.2.1", type=2, descr=3)
HR_DEVICE_PROCESSOR = oid("1.3.6.1.2.1.25.3.1.3")
HR_STORAGE = table("hrStorageTable", "1.3.6.1.2.1.25.2.3.1",
                   type=2, descr=3, units=4, size=5)
HR_STORAGE_FIXED_DISK = oid("1.3.6.1.2.1.25.2.1.4")
HR_SW_INSTALLED = table("hrSWInstalledTable", "1.3.6.1.2.1.25.6.3.1", name=2, type=4)

# ENTITY-MIB entPhysicalTable (RFC 6933). VendorType (3) is never walked (see above).
ENT_PHYSICAL = table(
    "entPhysicalTable", "1.3.6.1.2.1.47.1.1.1.1",
    descr=2, contained_in=4, klass=5, name=7, hardware_rev=8, firmware_rev=9,
    software_rev=10, serial=11, mfg=12, model=13,
)
ENT_CLASS_CHASSIS = 3

# IF-MIB
IF_TABLE = table("ifTable", "1.3.6.1.2.1.2.2.1", descr=2, type=3, mtu=4, speed=5,
                 phys_address=6, admin_status=7, oper_status=8)
IF_X_TABLE = table("ifXTable", "1.3.6.1.2.1.31.1.1.1", name=1, high_speed=15, alias=18)

# IP-MIB: the old IPv4-only table and the version-neutral one (RFC 4293).
IP_ADDR_TABLE = table("ipAddrTable", "1.3.6.1.2.1.4.20.1", if_index=2, netmask=3)
IP_ADDRESS_TABLE = table("ipAddressTable", "1.3.6.1.2.1.4.34.1",
                         if_index=3, type=4, prefix=5)
IP_NET_TO_MEDIA = table("ipNetToMediaTable", "1.3.6.1.2.1.4.22.1", phys_address=2, type=4)
IP_NET_TO_PHYSICAL = table("ipNetToPhysicalTable", "1.3.6.1.2.1.4.35.1",
                           phys_address=4, type=6)

# LLDP-MIB (IEEE 802.1AB-2005)
LLDP_LOC_PORT = table("lldpLocPortTable", "1.0.8802.1.1.2.1.3.7.1",
                      id_subtype=2, id=3, desc=4)
LLDP_REM = table("lldpRemTable", "1.0.8802.1.1.2.1.4.1.1",
                 chassis_subtype=4, chassis_id=5, port_subtype=6, port_id=7, port_desc=8,
                 sys_name=9, sys_desc=10)
LLDP_REM_MAN_ADDR = table("lldpRemManAddrTable", "1.0.8802.1.1.2.1.4.2.1",
                          if_subtype=3, if_id=4)

# CISCO-CDP-MIB
CDP_CACHE = table("cdpCacheTable", "1.3.6.1.4.1.9.9.23.1.2.1.1",
                  address_type=3, address=4, device_id=6, device_port=7, platform=8)
CDP_GLOBAL_RUN = oid("1.3.6.1.4.1.9.9.23.1.3.1.0")

# BRIDGE-MIB and Q-BRIDGE-MIB
DOT1D_BASE_PORT = table("dot1dBasePortTable", "1.3.6.1.2.1.17.1.4.1", if_index=2)
DOT1D_TP_FDB = table("dot1dTpFdbTable", "1.3.6.1.2.1.17.4.3.1", port=2, status=3)
DOT1Q_TP_FDB = table("dot1qTpFdbTable", "1.3.6.1.2.1.17.7.1.2.2.1", port=2, status=3)
DOT1Q_VLAN_CURRENT = table("dot1qVlanCurrentTable", "1.3.6.1.2.1.17.7.1.4.2.1", fdb_id=3)
