"""The interface name rule per classification, on short walks: which IF-MIB column names
a port, how the CLI platform's abbreviations expand it, and that interfaces, addresses,
neighbours and forwarding entries all use the same name."""

from __future__ import annotations

import pytest

from cmdb.schema import ForwardingEntry, Interface, IpAddress, Neighbor
from discovery.errors import CommandError
from discovery.platforms.generic_snmp import fdb, interfaces, neighbors
from discovery.platforms.generic_snmp.classify import classify
from discovery.recording import read_case
from discovery.transports.base import CommandOutput
from tests.discovery.platforms.generic_snmp.cases import FIXTURES

DESCR, NAME = "1.3.6.1.2.1.2.2.1.2.", "1.3.6.1.2.1.31.1.1.1.1."
LLDP_LOCAL = "1.0.8802.1.1.2.1.3.7.1"

# sysObjectID, sysDescr in the formats classify() knows, by the platform they select.
SYSTEMS = {
    "cisco_ios": ("1.3.6.1.4.1.9.1.1208", "Cisco IOS Software, C2960X Software "
                  "(C2960X-UNIVERSALK9-M), Version 15.2(7)E4, RELEASE SOFTWARE (fc2)"),
    "cisco_nxos": ("1.3.6.1.4.1.9.12.3.1.3.1812", "Cisco NX-OS(tm) n9000, Software "
                   "(n9000-dk9), Version 9.3(8), RELEASE SOFTWARE Copyright (c) 2002-2021"),
    "arista_eos": ("1.3.6.1.4.1.30065.1.3011.7050.3741.48", "Arista Networks EOS version "
                   "4.28.3M running on an Arista Networks DCS-7050SX3-48YC8"),
    "hp_comware": ("1.3.6.1.4.1.25506.11.1.100", "H3C Comware Platform Software, Software "
                   "Version 7.1.064, Release 0427P22"),
    "huawei_vrp": ("1.3.6.1.4.1.2011.2.239.12", "Huawei Versatile Routing Platform "
                   "Software VRP (R) software,Version 8.180 (CE6850 V200R005C10SPC800)"),
    "juniper_junos": ("1.3.6.1.4.1.2636.1.1.1.2.132", "Juniper Networks, Inc. ex4300-48t "
                      "Ethernet Switch, kernel JUNOS 21.4R3.15, Build date: 2023-01-01"),
    "linux": ("1.3.6.1.4.1.8072.3.2.10", "Linux web01 5.10.0-21-amd64 #1 SMP Debian "
              "5.10.162-1 (2023-01-21) x86_64"),
    "unknown": ("1.3.6.1.4.1.99999.1", "Acme Widget 3000"),
}


def _sys_ids(system: str) -> str:
    object_id, descr = SYSTEMS[system]
    return f"1.3.6.1.2.1.1.1.0|4|{descr}\n1.3.6.1.2.1.1.2.0|6|{object_id}\n"


def _columns(descr: str | None, name: str | None) -> tuple[str, str]:
    """ifTable and ifXTable lines of one port, ifIndex 1 (a column left out when None)."""
    if_table = f"1.3.6.1.2.1.2.2.1.3.1|2|6\n{DESCR}1|4|{descr}\n" if descr else (
        "1.3.6.1.2.1.2.2.1.3.1|2|6\n")
    return if_table, f"{NAME}1|4|{name}\n" if name else ""


def _interface_name(system: str, descr: str | None, name: str | None) -> str:
    outputs = read_case(FIXTURES / "interfaces" / "cisco_switch")
    if_table, if_x_table = _columns(descr, name)
    for command, stdout in (("if_table", if_table), ("if_x_table", if_x_table),
                            ("sys_ids", _sys_ids(system)), ("ip_addr_table", ""),
                            ("ip_address_table", "")):
        outputs[command] = CommandOutput(outputs[command].command, stdout)
    found = [n.name for n in interfaces.parse(outputs).nodes if isinstance(n, Interface)]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_the_systems_classify_as_named(system: str) -> None:
    expected = {"unknown": None}.get(system, system)
    assert classify(SYSTEMS[system][0], SYSTEMS[system][1]).platform == expected


@pytest.mark.parametrize(("system", "descr", "name", "expected"), [
    # IOS: ifDescr is what `show interfaces` prints; ifName's short form only as fallback
    ("cisco_ios", "GigabitEthernet1/0/1", "Gi1/0/1", "GigabitEthernet1/0/1"),
    ("cisco_ios", "Null0", "Nu0", "Null0"),
    ("cisco_ios", "unrouted VLAN 1", "VLAN-1", "unrouted VLAN 1"),
    ("cisco_ios", None, "Te1/1/1", "TenGigabitEthernet1/1/1"),
    # ifName, and a short form the agent may send expanded by the CLI's aliases
    ("cisco_nxos", "Ethernet1/1", "Ethernet1/1", "Ethernet1/1"),
    ("cisco_nxos", "Ethernet1/1", "Eth1/1", "Ethernet1/1"),
    ("cisco_nxos", "port-channel10", "Po10", "port-channel10"),
    ("arista_eos", "Ethernet49/1", "Et49/1", "Ethernet49/1"),
    ("hp_comware", "GigabitEthernet1/0/1", "GE1/0/1", "GigabitEthernet1/0/1"),
    ("hp_comware", "Ten-GigabitEthernet1/0/49", "XGE1/0/49", "Ten-GigabitEthernet1/0/49"),
    ("hp_comware", "Vlan-interface10", "Vlan-interface10", "Vlan-interface10"),
    # VRP: CloudEngine's `display interface` prints GE1/0/1 itself; nothing is expanded
    ("huawei_vrp", "GE1/0/1", "GE1/0/1", "GE1/0/1"),
    ("huawei_vrp", "GigabitEthernet0/0/1", "GigabitEthernet0/0/1", "GigabitEthernet0/0/1"),
    ("juniper_junos", "ge-0/0/0.0", "ge-0/0/0.0", "ge-0/0/0.0"),
    # no CLI platform: ifName, else ifDescr, as sent
    ("linux", "Intel Corporation 82540EM Gigabit Ethernet Controller", "eth0", "eth0"),
    ("unknown", "GigabitEthernet1/0/1", "Gi1/0/1", "Gi1/0/1"),
    ("unknown", "HP ETHERNET MULTI-ENVIRONMENT", None, "HP ETHERNET MULTI-ENVIRONMENT"),
])
def test_name_rule(system: str, descr: str | None, name: str | None, expected: str) -> None:
    assert _interface_name(system, descr, name) == expected


def test_a_port_without_any_name_is_its_if_index() -> None:
    assert _interface_name("cisco_ios", None, None) == "ifIndex 1"


def test_interfaces_need_the_classification() -> None:
    outputs = read_case(FIXTURES / "interfaces" / "cisco_switch")
    outputs["sys_ids"] = CommandOutput(outputs["sys_ids"].command, "", "Timeout", 1)
    with pytest.raises(CommandError, match=r"get 1\.3\.6\.1\.2\.1\.1\.1\.0 .*exit status 1"):
        interfaces.parse(outputs)


def test_every_collector_uses_the_long_ios_name() -> None:
    nodes = interfaces.parse(read_case(FIXTURES / "interfaces" / "cisco_switch")).nodes
    names = {n.name for n in nodes if isinstance(n, Interface)}
    assert "GigabitEthernet1/0/1" in names and "Gi1/0/1" not in names
    assert {a.interface for a in nodes if isinstance(a, IpAddress)} <= names
    local = {n.local_interface for n in neighbors.parse(
        read_case(FIXTURES / "neighbors" / "lldp_and_cdp")).nodes if isinstance(n, Neighbor)}
    ports = {e.interface for e in fdb.parse(read_case(FIXTURES / "fdb" / "q_bridge_arp")).nodes
             if isinstance(e, ForwardingEntry)}
    # the same three ports in both cases: ifDescr GigabitEthernet1/0/<n>, ifName Gi1/0/<n>
    assert local | (ports - {None}) == {"GigabitEthernet1/0/1", "GigabitEthernet1/0/2",
                                        "GigabitEthernet1/0/3"}


def test_an_lldp_port_not_in_the_if_tables_is_expanded_like_the_names() -> None:
    outputs = read_case(FIXTURES / "neighbors" / "lldp_and_cdp")
    outputs["lldp_local"] = CommandOutput(outputs["lldp_local"].command, (
        f"{LLDP_LOCAL}.2.1|2|5\n{LLDP_LOCAL}.3.1|4|GigabitEthernet1/0/3\n"  # an ifDescr
        f"{LLDP_LOCAL}.2.2|2|5\n{LLDP_LOCAL}.3.2|4|Gi1/0/2\n"  # an ifName
        f"{LLDP_LOCAL}.2.7|2|5\n{LLDP_LOCAL}.3.7|4|Gi1/0/7\n"))  # unknown, 7 no ifIndex
    local = sorted(n.local_interface for n in neighbors.parse(outputs).nodes
                   if isinstance(n, Neighbor) and n.protocol == "lldp")
    assert local == ["GigabitEthernet1/0/2", "GigabitEthernet1/0/3", "GigabitEthernet1/0/7"]


def test_neighbors_and_fdb_without_the_classification_know_no_names() -> None:
    failed = CommandOutput("get 1.3.6.1.2.1.1.1.0 1.3.6.1.2.1.1.2.0", "", "Timeout", 1)
    outputs = {**read_case(FIXTURES / "neighbors" / "lldp_and_cdp"), "sys_ids": failed}
    facts = neighbors.parse(outputs)
    cdp = [n.local_interface for n in facts.nodes
           if isinstance(n, Neighbor) and n.protocol == "cdp"]
    assert cdp == ["ifIndex 3"] and facts.complete == frozenset()
    entries = fdb.parse({**read_case(FIXTURES / "fdb" / "q_bridge_arp"), "sys_ids": failed})
    assert {e.interface for e in entries.nodes if isinstance(e, ForwardingEntry)} == {None}
    assert entries.complete == frozenset()
