"""The `fdb` collector: MAC addresses a switch learnt (BRIDGE-MIB dot1dTpFdbTable,
Q-BRIDGE-MIB dot1qTpFdbTable), on the port's interface name, with the IP the ARP tables
(ipNetToMediaTable, ipNetToPhysicalTable) map each MAC to.

Decisions:
- When Q-BRIDGE lists entries it is used alone: it carries the VLAN and is a superset of
  the VLAN-less BRIDGE-MIB table. Otherwise BRIDGE-MIB entries get VLAN 0.
- Q-BRIDGE indexes entries by filtering database id, not VLAN: dot1qVlanCurrentTable maps
  it back to the VLAN where one VLAN uses it. Without that, an id in 1..4094 is taken as
  the VLAN (Cisco, Arista, Comware use the VLAN id) and any other (Junos' internal ids
  such as 524288) is VLAN 0, unknown.
- Bridge port -> ifIndex through dot1dBasePortIfIndex -> interface name (the one the
  `interfaces` collector uses, see `naming`); a port the agent does not map (0 = the
  switch itself), or a run whose names or `sys_ids` failed, leaves `interface` not
  observed.
- Status: learned -> dynamic, self -> self, mgmt -> static, other -> other; `invalid`
  (aged out) entries are skipped.
- ARP only adds IPs: a MAC several IPs map to gets the lowest (IPv4 first), so the
  result does not depend on table order. ARP entries without an FDB entry are not
  ForwardingEntries (the schema's entries are learnt MACs).
- `complete` when the agent is a bridge (dot1dBasePortTable answered) or listed FDB
  entries, and both FDB walks, the interface names and `sys_ids` answered: an empty FDB
  on a non-bridge says nothing, and a failed walk is not an empty table.
"""

from __future__ import annotations

import ipaddress

from cmdb.schema import Facts, ForwardingEntry, Source
from discovery.platforms.base import Collector, Outputs
from discovery.platforms.generic_snmp import oids
from discovery.platforms.generic_snmp._common import (
    IF_NAME_OIDS,
    Answers,
    integer,
    mac,
    mac_from_index,
    read,
    rows,
    walk_command,
)
from discovery.platforms.generic_snmp.interfaces import inet_address
from discovery.platforms.generic_snmp.naming import SYS_IDS, interface_names, sys_ids_command

NAME = "fdb"

COMMANDS = (
    walk_command("if_names", *IF_NAME_OIDS),
    sys_ids_command(),
    walk_command("bridge_ports", *oids.DOT1D_BASE_PORT.walk_oids()),
    walk_command("dot1d_fdb", *oids.DOT1D_TP_FDB.walk_oids()),
    walk_command("dot1q_fdb", *oids.DOT1Q_TP_FDB.walk_oids()),
    walk_command("dot1q_vlans", *oids.DOT1Q_VLAN_CURRENT.walk_oids()),
    walk_command("arp", *oids.IP_NET_TO_MEDIA.walk_oids()),
    walk_command("arp_physical", *oids.IP_NET_TO_PHYSICAL.walk_oids()),
)
COMPLETE = frozenset({"ForwardingEntry"})
STATUS = {1: "other", 3: "dynamic", 4: "self", 5: "static"}
_INVALID = 2
_MAX_VLAN = 4094

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse(outputs: Outputs) -> Facts:
    answers = read(outputs, NAME, (c.name for c in COMMANDS))
    ports = _port_names(answers)
    ips = _arp(answers)
    found: dict[tuple[str, int], ForwardingEntry] = {}
    q_rows = rows(answers.walk, oids.DOT1Q_TP_FDB)
    table = q_rows or rows(answers.walk, oids.DOT1D_TP_FDB)
    vlans = _vlans_by_fdb_id(answers)
    for index, row in table.items():
        vlan, mac_arcs = (_vlan(index[0], vlans), index[1:]) if q_rows else (0, index)
        address = mac_from_index(mac_arcs)
        status = integer(row.get("status"))
        if address is None or status == _INVALID or (q_rows and len(index) != 7):
            continue
        port = integer(row.get("port"))
        entry = ForwardingEntry(
            mac=address, vlan_id=vlan, interface=ports.get(port) if port else None,
            ip=ips.get(address), entry_type=None if status is None else STATUS.get(status))
        found.setdefault((address, vlan), entry)
    bridge = bool(rows(answers.walk, oids.DOT1D_BASE_PORT))
    whole = all(answers.has(n) for n in ("if_names", SYS_IDS, "dot1d_fdb", "dot1q_fdb"))
    return Facts(nodes=tuple(found[key] for key in sorted(found)),
                 complete=COMPLETE if (bridge or found) and whole else frozenset())


def _vlans_by_fdb_id(answers: Answers) -> dict[int, int]:
    """FdbId -> VLAN id, for the ids exactly one VLAN uses."""
    users: dict[int, set[int]] = {}
    for index, row in rows(answers.walk, oids.DOT1Q_VLAN_CURRENT).items():
        fdb_id = integer(row.get("fdb_id"))
        if len(index) == 2 and fdb_id is not None:
            users.setdefault(fdb_id, set()).add(index[1])
    return {fdb_id: next(iter(found)) for fdb_id, found in users.items() if len(found) == 1}


def _vlan(fdb_id: int, vlans: dict[int, int]) -> int:
    if fdb_id in vlans:
        return vlans[fdb_id]
    return fdb_id if 1 <= fdb_id <= _MAX_VLAN else 0


def _port_names(answers: Answers) -> dict[int, str]:
    names = interface_names(answers)
    found = {}
    for index, row in rows(answers.walk, oids.DOT1D_BASE_PORT).items():
        if_index = integer(row.get("if_index"))
        if len(index) == 1 and if_index in names:
            found[index[0]] = names[if_index]
    return found


def _arp(answers: Answers) -> dict[str, str]:
    """MAC -> the lowest IP the ARP tables map it to (invalid entries skipped)."""
    by_mac: dict[str, set[Address]] = {}
    for index, row in rows(answers.walk, oids.IP_NET_TO_MEDIA).items():
        if len(index) == 5 and all(arc <= 255 for arc in index[1:]):
            _add(by_mac, row.get("phys_address"), integer(row.get("type")),
                 ipaddress.IPv4Address(bytes(index[1:])))
    for index, row in rows(answers.walk, oids.IP_NET_TO_PHYSICAL).items():
        address = inet_address(index[1:])
        if address is not None:
            _add(by_mac, row.get("phys_address"), integer(row.get("type")), address)
    return {key: min(found, key=lambda a: (a.version, a)).compressed
            for key, found in by_mac.items()}


def _add(by_mac: dict[str, set[Address]], phys: object, kind: int | None,
         address: Address) -> None:
    found = mac(phys) if isinstance(phys, bytes) else None
    if found is not None and kind != _INVALID:
        by_mac.setdefault(found, set()).add(address)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.SNMP,
                      complete=COMPLETE)
