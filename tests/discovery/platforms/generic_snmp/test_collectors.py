"""Edge cases of the collectors: failed or missing commands, partial walks, junk values,
completeness claims, classification of sysDescr formats not in the recordings, and the
package name splitter."""

from __future__ import annotations

import pytest

from cmdb.schema import Device, Interface, IpAddress, Neighbor, OperatingSystem
from discovery.errors import CommandError, ParseError
from discovery.platforms.base import Outputs
from discovery.platforms.generic_snmp import (
    fdb,
    hardware,
    host_resources,
    interfaces,
    neighbors,
    system,
)
from discovery.platforms.generic_snmp.classify import Classification, classify
from discovery.recording import read_case
from discovery.transports.base import CommandOutput
from tests.discovery.platforms.generic_snmp.cases import FIXTURES

IF = "1.3.6.1.2.1.2.2.1"


def _case(collector: str, case: str, **changes: str | CommandOutput) -> dict[str, CommandOutput]:
    outputs = read_case(FIXTURES / collector / case)
    for name, change in changes.items():
        line = outputs[name].command
        outputs[name] = change if isinstance(change, CommandOutput) else CommandOutput(line, change)
    return outputs


def _failed(outputs: Outputs, name: str) -> CommandOutput:
    return CommandOutput(outputs[name].command, "", "Timeout: no response", 1)


def test_system_needs_its_get() -> None:
    outputs = _case("system", "linux_net_snmp")
    with pytest.raises(CommandError, match="exit status 1"):
        system.parse({**outputs, "system": _failed(outputs, "system")})
    del outputs["system"]
    with pytest.raises(CommandError, match="no output for command 'system'"):
        system.parse(outputs)


def test_system_without_descr_or_object_id_is_a_parse_error() -> None:
    outputs = _case("system", "linux_net_snmp", system="1.3.6.1.2.1.1.5.0|4|web01\n")
    with pytest.raises(ParseError, match="neither sysDescr nor sysObjectID"):
        system.parse(outputs)


def test_system_optional_walks_may_fail() -> None:
    outputs = _case("system", "cisco_iosxe_stack")
    outputs["chassis"] = _failed(outputs, "chassis")
    device = system.parse(outputs).nodes[0]
    assert isinstance(device, Device)
    assert (device.serial, device.model, device.hostname) == (None, None, "core-sw1")


@pytest.mark.parametrize(("sys_name", "hostname", "fqdn"), [
    ("web01", "web01", None),
    ("web01.example.com", "web01", "web01.example.com"),
    ("192.0.2.7", "192.0.2.7", None),
    ("<private>", None, None),
    ("two words", None, None),
    ("", None, None),
])
def test_sys_name(sys_name: str, hostname: str | None, fqdn: str | None) -> None:
    outputs = _case("system", "linux_net_snmp", system=(
        "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10\n"
        f"1.3.6.1.2.1.1.5.0|4|{sys_name}\n"))
    device = system.parse(outputs).nodes[0]
    assert isinstance(device, Device)
    assert (device.hostname, device.fqdn) == (hostname, fqdn)


def test_unknown_device_has_no_os_node() -> None:
    outputs = _case("system", "linux_net_snmp", system=(
        "1.3.6.1.2.1.1.1.0|4|Acme Widget 3000\n1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.99999.1\n"))
    nodes = system.parse(outputs).nodes
    assert not any(isinstance(n, OperatingSystem) for n in nodes)
    device = nodes[0]
    assert isinstance(device, Device)
    assert (device.vendor, device.platform, device.role) == (None, None, None)


@pytest.mark.parametrize(("object_id", "descr", "expected"), [
    ("1.3.6.1.4.1.9.1.1745", "Cisco IOS Software, IOS-XE Software, Catalyst 4500 L3 Switch "
     "Software (cat4500e-UNIVERSALK9-M), Version 03.06.05.E RELEASE SOFTWARE (fc2)",
     ("Cisco", "cisco_ios", "network", "ios", "IOS XE", "03.06.05.E")),
    ("1.3.6.1.4.1.9.1.2066", "Cisco IOS Software, Catalyst L3 Switch Software "
     "(CAT3K_CAA-UNIVERSALK9-M), Version 16.3.7, RELEASE SOFTWARE (fc4)",
     ("Cisco", "cisco_ios", "network", "ios", "IOS XE", "16.3.7")),
    ("1.3.6.1.4.1.9.1.2133", "Cisco Adaptive Security Appliance Version 9.8(2)",
     ("Cisco", None, "network", None, None, None)),
    ("1.3.6.1.4.1.25506.11.1.100", "H3C Comware Platform Software, Software Version 7.1.064, "
     "Release 0427P22\r\nH3C S6850-56HF", ("H3C", "hp_comware", "network", "comware",
                                           "Comware", "7.1.064 Release 0427P22")),
    ("1.3.6.1.4.1.11.2.3.7.11.181", "Aruba JL355A 2540-48G-4SFP+ Switch, revision YC.16.08",
     ("HP", None, "network", None, None, None)),
    ("1.3.6.1.4.1.311.1.1.3.1.1", "Hardware: AMD64 Family 23 - Software: Windows Version "
     "6.3 (Build 19045 Multiprocessor Free)",
     (None, None, "desktop", "windows", "Windows", "10.0.19045")),
    ("1.3.6.1.4.1.311.1.1.3.1.2", "Hardware: x86 Family 6 - Software: Windows Version 6.1 "
     "(Build 7601 Multiprocessor Free)",
     (None, None, "server", "windows", "Windows", "6.1.7601")),
    (None, "Linux fw1 5.10.0-21-amd64 #1 SMP Debian 5.10.162-1 (2023-01-21) x86_64",
     (None, "linux", "server", "linux", "Linux", None)),
    ("1.3.6.1.4.1.8072.3.2.8", "FreeBSD nas1 13.2-RELEASE FreeBSD 13.2-RELEASE amd64",
     (None, None, "server", None, None, None)),
    (None, None, (None, None, None, None, None, None)),
    ("not an oid", "", (None, None, None, None, None, None)),
])
def test_classify(object_id: str | None, descr: str | None,
                  expected: tuple[str | None, ...]) -> None:
    found = classify(object_id, descr)
    role = found.role.value if found.role is not None else None
    assert (found.vendor, found.platform, role, found.os_family, found.os_name,
            found.os_version) == expected


def test_classify_returns_a_value() -> None:
    assert classify("1.3.6.1.4.1.99999", "x") == Classification()


def test_interfaces_need_both_if_tables() -> None:
    outputs = _case("interfaces", "cisco_switch")
    with pytest.raises(CommandError):
        interfaces.parse({**outputs, "if_x_table": _failed(outputs, "if_x_table")})


def test_interfaces_complete_claims() -> None:
    outputs = _case("interfaces", "cisco_switch", ip_address_table="")
    facts = interfaces.parse(outputs)
    assert facts.complete == {"Interface"}  # ipAddrTable alone knows no IPv6
    assert {n.address for n in facts.nodes if isinstance(n, IpAddress)} == {
        "192.0.2.1", "198.51.100.1"}
    empty = interfaces.parse(_case("interfaces", "cisco_switch", if_table="", if_x_table="",
                                   ip_addr_table="", ip_address_table=""))
    assert empty.nodes == () and empty.complete == frozenset()


def test_interfaces_with_only_some_columns() -> None:
    outputs = _case("interfaces", "cisco_switch",
                    if_table=f"{IF}.3.1|2|6\n{IF}.3.2|2|24\n",
                    if_x_table="1.3.6.1.2.1.31.1.1.1.1.1|4|Gi1/0/1\n")
    found = [n for n in interfaces.parse(outputs).nodes if isinstance(n, Interface)]
    # an IOS switch without ifDescr: ifName's short form, expanded by the IOS aliases
    assert found == [Interface(name="GigabitEthernet1/0/1", kind="ether"),
                     Interface(name="ifIndex 2", kind="loopback")]


def test_speed_and_mac_edge_values() -> None:
    lines = (f"{IF}.2.1|4|eth0\n{IF}.5.1|66|4294967295\n{IF}.6.1|4|00:1B:21:0A:0B:0C\n"
             f"{IF}.2.2|4|tun0\n{IF}.5.2|66|<private>\n{IF}.6.2|4x|C0000201\n")
    outputs = _case("interfaces", "cisco_switch", if_table=lines, if_x_table="")
    eth0, tun0 = [n for n in interfaces.parse(outputs).nodes if isinstance(n, Interface)]
    assert (eth0.speed_bps, eth0.mac) == (None, "00:1b:21:0a:0b:0c")
    assert (tun0.speed_bps, tun0.mac) == (None, None)


def test_hardware_without_entity_mib_claims_nothing() -> None:
    facts = hardware.parse({"entity": CommandOutput(hardware.COMMANDS[0].line, "")})
    assert facts.nodes == () and facts.complete == frozenset()


def test_neighbors_without_lldp_or_cdp_mib_claim_nothing() -> None:
    outputs = _case("neighbors", "lldp_and_cdp", lldp_local="", cdp_global="")
    facts = neighbors.parse(outputs)
    assert len(facts.nodes) == 4 and facts.complete == frozenset()
    outputs = _case("neighbors", "lldp_and_cdp", lldp_local="")
    assert neighbors.parse(outputs).complete == {"Neighbor"}  # cdpGlobalRun answered


@pytest.mark.parametrize("name", ["lldp_remote", "cdp_cache", "if_names", "sys_ids"])
def test_a_failed_walk_is_not_an_empty_table(name: str) -> None:
    outputs = _case("neighbors", "lldp_and_cdp")
    outputs[name] = _failed(outputs, name)
    assert neighbors.parse(outputs).complete == frozenset()
    fdb_outputs = read_case(FIXTURES / "fdb" / "q_bridge_arp")
    assert fdb.parse(fdb_outputs).complete == {"ForwardingEntry"}
    failed = {"cdp_cache": "dot1d_fdb", "lldp_remote": "if_names"}.get(name, name)
    fdb_outputs[failed] = _failed(fdb_outputs, failed)
    assert fdb.parse(fdb_outputs).complete == frozenset()


def test_neighbor_local_port_falls_back_to_the_port_number_as_if_index() -> None:
    outputs = _case("neighbors", "lldp_and_cdp", lldp_local="")
    local = {n.remote_device: n.local_interface for n in neighbors.parse(outputs).nodes
             if isinstance(n, Neighbor) and n.protocol == "lldp"}
    assert local == {"dist-sw1.example.com": "GigabitEthernet1/0/1",
                     "SN-DB8-0002": "GigabitEthernet1/0/2", "host3.example.com": "lldp port 7"}


@pytest.mark.parametrize(("raw", "expected"), [
    ("bash-5.1.8-6.el9.x86_64", ("bash", "5.1.8-6.el9", "x86_64")),
    ("popt-1.18-1.el8", ("popt", "1.18-1.el8", "unknown")),
    ("libc6_2.36-9+deb12u4_amd64", ("libc6", "2.36-9+deb12u4", "amd64")),
    ("gcc-8-base-8.3.0-6", ("gcc-8-base", "8.3.0-6", "unknown")),
    ("apt-1.8.2.1", ("apt", "1.8.2.1", "unknown")),
    ("zlib1g-dev-1:1.2.11.dfsg-1", ("zlib1g-dev", "1:1.2.11.dfsg-1", "unknown")),
    ("JUNOS Base OS Software Suite [19.4R3.11]",
     ("JUNOS Base OS Software Suite", "19.4R3.11", "unknown")),
    ("Mozilla Firefox (x64 en-US)", ("Mozilla Firefox (x64 en-US)", None, "unknown")),
    ("python3", ("python3", None, "unknown")),
    ("noarch.noarch", ("noarch.noarch", None, "unknown")),
])
def test_split_package(raw: str, expected: tuple[str, str | None, str]) -> None:
    assert host_resources.split_package(raw) == expected


def test_host_resources_on_a_device_without_the_mib() -> None:
    facts = host_resources.parse(read_case(FIXTURES / "host_resources" / "network_device_none"))
    assert facts.nodes == () and facts.complete == frozenset()
