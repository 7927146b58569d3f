"""The `fdb` collector: learnt MACs (`display mac-address`) with the IPs ARP (`display
arp all`) maps them to.

Short port names of both tables (`XGE0/0/1`) are expanded to the long form (names.py),
except the names the device itself uses: CloudEngine switches call their ports `GE1/0/1`
natively (so does their `display interface`), which `display interface brief` shows.
ARP entries of type `I` are the device's own interface addresses, not neighbours. An ARP
entry on `Vlanif10` is in VLAN 10. Routers have no MAC table: optional.
"""

from __future__ import annotations

from cmdb.schema import Facts, Source
from discovery.errors import ParseError
from discovery.platforms.base import Collector, Command, Outputs
from discovery.platforms.huawei_vrp.names import long_name, vlanif_id
from discovery.platforms.netcli import integer, mac, optional_text, records, required_text, text
from discovery.platforms.netfacts import ArpEntry, MacEntry, forwarding_entries

NAME = "fdb"
PLATFORM = "huawei_vrp"
TABLE = "display mac-address"
ARP = "display arp all"
PORTS = "display interface brief"
COMMANDS = (Command("table", TABLE, required=False), Command("arp", ARP),
            Command("ports", PORTS, required=False))

# ntc-templates field -> ours.
TABLE_FIELDS = {"mac": "destination_address", "vlan_id": "vlan_id",
                "interface": "destination_port", "entry_type": "type"}
ARP_FIELDS = {"mac": "mac_address", "ip": "ip_address", "interface": "interface",
              "type": "type"}


def native_names(output: str | None) -> frozenset[str]:
    """The interface names the device prints itself (`display interface brief`). The
    listing only refines names: when it is missing or unreadable, short names are
    expanded as on S-series switches, and the tables are still collected."""
    if output is None:
        return frozenset()
    try:
        rows = records(PLATFORM, PORTS, output, NAME, allow_empty=True)
    except ParseError:
        return frozenset()
    return frozenset(name for row in rows if (name := text(row.get("interface"))))


def port_name(name: str | None, native: frozenset[str]) -> str | None:
    return name if name in native else long_name(name)


def parse_table(output: str, native: frozenset[str] = frozenset()) -> list[MacEntry]:
    found = []
    for record in records(PLATFORM, TABLE, output, NAME, allow_empty=True):
        address = mac(record.get(TABLE_FIELDS["mac"]))
        if address is None:
            continue
        kind = text(record.get(TABLE_FIELDS["entry_type"]))
        found.append(MacEntry(
            mac=address, vlan_id=integer(record.get(TABLE_FIELDS["vlan_id"])) or 0,
            interface=port_name(text(record.get(TABLE_FIELDS["interface"])), native),
            entry_type=kind.lower() if kind else None))
    return found


def parse_arp(output: str, native: frozenset[str] = frozenset()) -> list[ArpEntry]:
    found = []
    for record in records(PLATFORM, ARP, output, NAME, allow_empty=True):
        address = mac(record.get(ARP_FIELDS["mac"]))
        ip = text(record.get(ARP_FIELDS["ip"]))
        if address is None or ip is None or (text(record.get("type")) or "").startswith("I"):
            continue
        interface = text(record.get(ARP_FIELDS["interface"]))
        found.append(ArpEntry(mac=address, ip=ip, interface=port_name(interface, native),
                              vlan_id=vlanif_id(interface)))
    return found


def parse(outputs: Outputs) -> Facts:
    native = native_names(optional_text(outputs, "ports"))
    table = optional_text(outputs, "table")
    macs = parse_table(table, native) if table is not None else []
    arps = parse_arp(required_text(outputs, NAME, "arp"), native)
    return Facts(nodes=tuple(forwarding_entries(macs, arps)))


COLLECTOR = Collector(name=NAME, commands=COMMANDS, parse=parse, source=Source.CLI)
