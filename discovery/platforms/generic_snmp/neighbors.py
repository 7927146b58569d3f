"""The `neighbors` collector: LLDP-MIB lldpRemTable and CISCO-CDP-MIB cdpCacheTable as
Neighbors, each on the local interface name the `interfaces` collector uses (see `naming`).

Decisions:
- LLDP's local port number is not an ifIndex on every agent. The local interface is the
  lldpLocPortTable port id, else its port description, when either is a known ifName or
  ifDescr; else a numeric port id of subtype `local` taken as the ifIndex (Junos); else
  the port number as an ifIndex; else the port id or description as sent, expanded by
  the device's CLI abbreviations as the names are (`naming`).
- Chassis and port ids: MAC subtypes become colon MACs, network-address subtypes an IP,
  others text (hex when not printable). The remote device is lldpRemSysName, else the
  chassis id; the remote port the port id, else the port description. A row with no
  device or no port id at all cannot be keyed and is skipped.
- The management address is the first IPv4 of lldpRemManAddrTable, else the first IPv6.
- `complete`: when the agent answered its LLDP local port table or cdpGlobalRun, so it
  implements the protocol and an empty remote table means no neighbour. An agent with
  neither says nothing about neighbours; nor does a run where a remote table, the
  interface names or `sys_ids` failed (names would change, and neighbours would be
  missing).
"""

from __future__ import annotations

import ipaddress

from cmdb.schema import Facts, Neighbor, Source
from discovery.platforms.base import Collector, Outputs
from discovery.platforms.generic_snmp import oids
from discovery.platforms.generic_snmp._common import (
    IF_NAME_OIDS,
    Answers,
    get_command,
    integer,
    mac,
    read,
    rows,
    text,
    walk_command,
)
from discovery.platforms.generic_snmp._snmprec import Oid, Value
from discovery.platforms.generic_snmp.naming import (
    SYS_IDS,
    NameRule,
    interface_names,
    name_rule,
    sys_ids_command,
)

NAME = "neighbors"

COMMANDS = (
    walk_command("if_names", *IF_NAME_OIDS),
    sys_ids_command(),
    walk_command("lldp_local", *oids.LLDP_LOC_PORT.walk_oids()),
    walk_command("lldp_remote", *oids.LLDP_REM.walk_oids()),
    walk_command("lldp_man_addr", *oids.LLDP_REM_MAN_ADDR.walk_oids()),
    walk_command("cdp_cache", *oids.CDP_CACHE.walk_oids()),
    get_command("cdp_global", oids.CDP_GLOBAL_RUN),
)
COMPLETE = frozenset({"Neighbor"})

# LLDP-MIB subtypes: (MAC, network address) for chassis ids and for port ids.
_CHASSIS_SUBTYPES = (4, 5)
_PORT_SUBTYPES = (3, 4)
_PORT_LOCAL = 7
_IANA_FAMILY = {1: 4, 2: 16}


def parse(outputs: Outputs) -> Facts:
    answers = read(outputs, NAME, (c.name for c in COMMANDS))
    names = interface_names(answers)
    known = _known_names(answers, names)
    found: dict[tuple[str, ...], Neighbor] = {}
    for neighbor in (*_lldp(answers, names, known), *_cdp(answers, names)):
        found.setdefault(neighbor.key_values(), neighbor)
    local = rows(answers.walk, oids.LLDP_LOC_PORT)
    implemented = bool(local) or answers.walk.get(oids.CDP_GLOBAL_RUN) is not None
    whole = all(answers.has(n) for n in ("if_names", SYS_IDS, "lldp_remote", "cdp_cache"))
    return Facts(nodes=tuple(found.values()),
                 complete=COMPLETE if implemented and whole else frozenset())


def _known_names(answers: Answers, names: dict[int, str]) -> dict[str, str]:
    """ifName and ifDescr text -> the interface name used as key."""
    known: dict[str, str] = {}
    for table, column in ((oids.IF_TABLE, "descr"), (oids.IF_X_TABLE, "name")):
        for index, row in rows(answers.walk, table).items():
            value = text(row.get(column))
            if value is not None and len(index) == 1 and index[0] in names:
                known.setdefault(value, names[index[0]])
    return known


def _lldp(answers: Answers, names: dict[int, str], known: dict[str, str]) -> list[Neighbor]:
    local = rows(answers.walk, oids.LLDP_LOC_PORT)
    addresses = _management_addresses(answers)
    rule = name_rule(answers)
    found = []
    for index, row in rows(answers.walk, oids.LLDP_REM).items():
        if len(index) != 3:
            continue
        chassis = _id(row.get("chassis_subtype"), row.get("chassis_id"), _CHASSIS_SUBTYPES)
        device = text(row.get("sys_name")) or chassis
        port = (_id(row.get("port_subtype"), row.get("port_id"), _PORT_SUBTYPES)
                or text(row.get("port_desc")))
        if device is None or port is None:
            continue
        found.append(Neighbor(
            protocol="lldp",
            local_interface=_local_port(index[1], local.get((index[1],), {}), names, known,
                                        rule),
            remote_device=device, remote_port=port, remote_chassis_id=chassis,
            remote_port_description=text(row.get("port_desc")),
            remote_platform=text(row.get("sys_desc")),
            remote_mgmt_address=addresses.get(index),
        ))
    return found


def _local_port(number: int, row: dict[str, Value], names: dict[int, str],
                known: dict[str, str], rule: NameRule | None) -> str:
    port_id, desc = text(row.get("id")), text(row.get("desc"))
    for candidate in (port_id, desc):
        if candidate is not None and candidate in known:
            return known[candidate]
    local = integer(row.get("id_subtype")) == _PORT_LOCAL
    if local and port_id is not None and port_id.isdigit() and int(port_id) in names:
        return names[int(port_id)]
    if number in names:
        return names[number]
    sent = port_id or desc
    if sent is None:
        return f"lldp port {number}"
    return sent if rule is None else rule.canonical(sent)


def _id(subtype: Value, value: Value, kinds: tuple[int, int]) -> str | None:
    """A chassis or port id by its subtype: MAC, network address, else text."""
    kind = integer(subtype)
    if kind == kinds[0]:
        return mac(value)
    if kind == kinds[1] and isinstance(value, bytes) and value:
        address = _family_address(value[0], value[1:])
        return address.compressed if address is not None else None
    return _printable(value)


def _printable(value: Value) -> str | None:
    if isinstance(value, bytes):
        try:
            decoded = value.decode("utf-8")
        except UnicodeDecodeError:
            return value.hex(":")
        if not decoded.rstrip("\x00").isprintable():
            return value.hex(":")
    return text(value)


def _family_address(family: int,
                    raw: bytes) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    size = _IANA_FAMILY.get(family)
    if size is None or len(raw) != size:
        return None
    return ipaddress.IPv4Address(raw) if size == 4 else ipaddress.IPv6Address(raw)


def _management_addresses(answers: Answers) -> dict[Oid, str]:
    """lldpRemManAddrTable index: the remote row's 3 arcs, then family, length, octets."""
    found: dict[Oid, list[ipaddress.IPv4Address | ipaddress.IPv6Address]] = {}
    for index in rows(answers.walk, oids.LLDP_REM_MAN_ADDR):
        arcs = index[3:]
        if len(arcs) < 2 or arcs[1] != len(arcs) - 2 or any(a > 255 for a in arcs[2:]):
            continue
        address = _family_address(arcs[0], bytes(arcs[2:]))
        if address is not None:
            found.setdefault(index[:3], []).append(address)
    return {key: min(values, key=lambda a: (a.version, a)).compressed
            for key, values in found.items()}


def _cdp(answers: Answers, names: dict[int, str]) -> list[Neighbor]:
    found = []
    for index, row in rows(answers.walk, oids.CDP_CACHE).items():
        device, port = text(row.get("device_id")), text(row.get("device_port"))
        if len(index) != 2 or device is None or port is None:
            continue
        found.append(Neighbor(
            protocol="cdp", local_interface=names.get(index[0], f"ifIndex {index[0]}"),
            remote_device=device, remote_port=port,
            remote_platform=text(row.get("platform")),
            remote_mgmt_address=_cdp_address(row.get("address")),
        ))
    return found


def _cdp_address(value: Value) -> str | None:
    """cdpCacheAddress: the raw octets of an IPv4 (4) or IPv6 (16) address."""
    if not isinstance(value, bytes) or len(value) not in (4, 16):
        return None
    address = _family_address(1 if len(value) == 4 else 2, value)
    return None if address is None else address.compressed


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.SNMP,
                      complete=COMPLETE)
