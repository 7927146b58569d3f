"""The `interfaces` collector: IF-MIB ifTable + ifXTable, and the addresses of IP-MIB's
ipAddrTable (IPv4) and ipAddressTable (IPv4 and IPv6), owned by interface name.

Decisions:
- The name is the one the device's CLI platform uses (ifDescr on IOS, ifName elsewhere;
  see `naming`), shared with the neighbour and FDB collectors through `interface_names`,
  so every collector names an interface the same way.
- ifHighSpeed (Mb/s) wins over ifSpeed, which saturates at 4294967295 above 4 Gb/s; a
  speed of 0 means the agent does not know it (not observed).
- Both interface tables and `sys_ids` are required commands: if ifXTable or the
  classification failed and names silently fell back to another column, every interface
  would be renamed. An empty ifXTable (old printers) is an answer, and then ifDescr is
  the name.
- `complete`: Interface when ifTable listed at least one row (IF-MIB is mandatory, so an
  empty ifTable means a restricted view, not a device without interfaces); IpAddress only
  when ipAddressTable listed rows: ipAddrTable knows no IPv6, so on agents that have only
  it the IPv6 addresses found by other sources must not be marked absent.
- An address whose ifIndex is not in ifTable has no owner and is skipped; broadcast
  entries of ipAddressTable are not addresses of the device.
"""

from __future__ import annotations

import ipaddress

from cmdb.schema import Facts, Interface, IpAddress, Node, Source
from discovery.platforms.base import Collector, Outputs
from discovery.platforms.common import required
from discovery.platforms.generic_snmp import oids
from discovery.platforms.generic_snmp._common import (
    Answers,
    integer,
    mac,
    read,
    rows,
    text,
    walk_command,
)
from discovery.platforms.generic_snmp._snmprec import Oid, Value
from discovery.platforms.generic_snmp.naming import SYS_IDS, interface_names, sys_ids_command

NAME = "interfaces"

COMMANDS = (
    walk_command("if_table", *oids.IF_TABLE.walk_oids(), required=True),
    walk_command("if_x_table", *oids.IF_X_TABLE.walk_oids(), required=True),
    walk_command("ip_addr_table", *oids.IP_ADDR_TABLE.walk_oids()),
    walk_command("ip_address_table", *oids.IP_ADDRESS_TABLE.walk_oids()),
    sys_ids_command(required=True),
)

# IANAifType numbers -> kind; ethernet and loopback use the linux platform's words.
IF_KINDS = {
    1: "other", 6: "ether", 22: "serial", 23: "ppp", 24: "loopback", 53: "virtual",
    62: "ether", 71: "wifi", 117: "ether", 131: "tunnel", 135: "l2vlan", 136: "vlan",
    150: "mpls-tunnel", 161: "lag", 166: "mpls", 209: "bridge",
}
# IF-MIB ifOperStatus, in the words Linux uses for operstate.
OPER_STATUS = {1: "up", 2: "down", 3: "testing", 4: "unknown", 5: "dormant",
               6: "notpresent", 7: "lowerlayerdown"}
_SPEED_SATURATED = 4294967295
_INET_FAMILY = {1: 4, 2: 16, 3: 4, 4: 16}  # InetAddressType -> address octets (z: + zone)
_BROADCAST = 3


def parse(outputs: Outputs) -> Facts:
    for name in ("if_table", "if_x_table", SYS_IDS):
        required(outputs, NAME, name)
    answers = read(outputs, NAME, (c.name for c in COMMANDS))
    names = interface_names(answers)
    x_rows = rows(answers.walk, oids.IF_X_TABLE)
    nodes: list[Node] = []
    for index, row in rows(answers.walk, oids.IF_TABLE).items():
        if len(index) == 1:
            nodes.append(_interface(names[index[0]], row, x_rows.get(index, {})))
    nodes.extend(_addresses(answers, names))
    complete = {"Interface"} if nodes else set()
    if rows(answers.walk, oids.IP_ADDRESS_TABLE):
        complete.add("IpAddress")
    return Facts(nodes=tuple(nodes), complete=frozenset(complete))


def _interface(name: str, row: dict[str, Value], x_row: dict[str, Value]) -> Interface:
    kind = integer(row.get("type"))
    admin = integer(row.get("admin_status"))
    mtu = integer(row.get("mtu"))
    return Interface(
        name=name,
        mac=mac(row.get("phys_address")),
        kind=None if kind is None else IF_KINDS.get(kind, f"iftype-{kind}"),
        mtu=mtu if mtu is not None and mtu > 0 else None,
        admin_up=None if admin not in (1, 2, 3) else admin == 1,
        oper_status=OPER_STATUS.get(integer(row.get("oper_status")) or 0),
        description=text(x_row.get("alias")),
        speed_bps=_speed(row, x_row),
    )


def _speed(row: dict[str, Value], x_row: dict[str, Value]) -> int | None:
    high = integer(x_row.get("high_speed"))
    if high is not None and high > 0:
        return high * 1_000_000
    speed = integer(row.get("speed"))
    if speed is None or speed <= 0 or speed >= _SPEED_SATURATED:
        return None
    return speed


def _addresses(answers: Answers, names: dict[int, str]) -> list[IpAddress]:
    found: dict[tuple[str, str], IpAddress] = {}
    for address in (*_from_ip_address_table(answers, names),
                    *_from_ip_addr_table(answers, names)):
        found.setdefault((address.interface, address.address), address)
    return [found[key] for key in sorted(found)]


def _from_ip_address_table(answers: Answers, names: dict[int, str]) -> list[IpAddress]:
    found = []
    for index, row in rows(answers.walk, oids.IP_ADDRESS_TABLE).items():
        address = inet_address(index)
        name = names.get(integer(row.get("if_index")) or 0)
        if address is None or name is None or integer(row.get("type")) == _BROADCAST:
            continue
        found.append(_make(name, address, _prefix_length(row.get("prefix"), address)))
    return found


def _from_ip_addr_table(answers: Answers, names: dict[int, str]) -> list[IpAddress]:
    found = []
    for index, row in rows(answers.walk, oids.IP_ADDR_TABLE).items():
        name = names.get(integer(row.get("if_index")) or 0)
        if len(index) != 4 or any(arc > 255 for arc in index) or name is None:
            continue
        address = ipaddress.IPv4Address(bytes(index))
        found.append(_make(name, address, _mask_length(row.get("netmask"))))
    return found


def inet_address(arcs: Oid) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An `InetAddressType.InetAddress` index: type, length, octets (zone ids dropped);
    some agents leave the length out. None for anything else."""
    if len(arcs) < 2 or arcs[0] not in _INET_FAMILY:
        return None
    size = _INET_FAMILY[arcs[0]]
    octets = arcs[2:] if arcs[1] == len(arcs) - 2 else arcs[1:]
    if len(octets) < size or any(arc > 255 for arc in octets):
        return None
    raw = bytes(octets[:size])
    return ipaddress.IPv4Address(raw) if size == 4 else ipaddress.IPv6Address(raw)


def _prefix_length(pointer: Value,
                   address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> int | None:
    """ipAddressPrefix points at an ipAddressPrefixEntry whose last arc is the length;
    `0.0` (no prefix) is not observed."""
    if not isinstance(pointer, str) or pointer in ("0.0", ""):
        return None
    last = pointer.rsplit(".", 1)[-1]
    length = int(last) if last.isdigit() else -1
    return length if 0 <= length <= address.max_prefixlen else None


def _mask_length(mask: Value) -> int | None:
    if not isinstance(mask, str):
        return None
    try:
        return ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen
    except ValueError:
        return None  # a non-contiguous or sanitised mask


def _make(interface: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address,
          prefix: int | None) -> IpAddress:
    if address.is_loopback:
        scope = "host"
    elif address.is_link_local:
        scope = "link"
    else:
        scope = "global"
    return IpAddress(interface=interface, address=address.compressed, prefix_length=prefix,
                     family=f"ipv{address.version}", scope=scope)


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.SNMP,
                      complete=frozenset({"Interface", "IpAddress"}))
