"""The shared network CLI helpers (netcli, netfacts): interface-name expansion, speeds,
junk tolerance, and errors that name the command."""

from __future__ import annotations

import pytest

from discovery.errors import CommandError, ParseError
from discovery.platforms.arista_eos import hardware as eos_hardware
from discovery.platforms.arista_eos.profile import ALIASES as EOS
from discovery.platforms.cisco_ios import facts, hardware, interfaces, neighbors
from discovery.platforms.cisco_ios.profile import ALIASES as IOS
from discovery.platforms.cisco_nxos.profile import ALIASES as NXOS
from discovery.platforms.netcli import canonical_interface, clean, speed_bps
from discovery.platforms.netfacts import component_kind, ip_address
from discovery.transports.base import CommandOutput
from tests.discovery.platforms.netcases import FIXTURES


@pytest.mark.parametrize(("name", "aliases", "long"), [
    ("Gi1/0/1", IOS, "GigabitEthernet1/0/1"),
    ("Gig1/0/1", IOS, "GigabitEthernet1/0/1"),
    ("Te1/1/1", IOS, "TenGigabitEthernet1/1/1"),
    ("Tw2/0/33", IOS, "TwoGigabitEthernet2/0/33"),
    ("Twe1/0/1", IOS, "TwentyFiveGigE1/0/1"),
    ("Hu1/0/49", IOS, "HundredGigE1/0/49"),
    ("Po15", IOS, "Port-channel15"),
    ("Vl10", IOS, "Vlan10"),
    ("GigabitEthernet0/1", IOS, "GigabitEthernet0/1"),
    ("Fa0/1.100", IOS, "FastEthernet0/1.100"),
    ("CPU", IOS, "CPU"),
    ("Eth1/49", NXOS, "Ethernet1/49"),
    ("Eth101/1/10", NXOS, "Ethernet101/1/10"),
    ("Po1", NXOS, "port-channel1"),
    ("mgmt0", NXOS, "mgmt0"),
    ("sup-eth1(R)", NXOS, "sup-eth1(R)"),
    ("vPC Peer-Link", NXOS, "vPC Peer-Link"),
    ("Et1", EOS, "Ethernet1"),
    ("Et49/1", EOS, "Ethernet49/1"),
    ("Po100", EOS, "Port-Channel100"),
    ("Ma1", EOS, "Management1"),
    ("Vx1", EOS, "Vxlan1"),
])
def test_canonical_interface(name: str, aliases: dict[str, str], long: str) -> None:
    assert canonical_interface(name, aliases) == long


@pytest.mark.parametrize(("value", "bps"), [
    ("1000Mb/s", 10**9), ("10 Gb/s", 10**10), ("100Mbps", 10**8), ("25Gb/s", 25 * 10**9),
    ("1000000 kbit", 10**9), ("2.5Gb/s", 2_500_000_000), ("Auto-speed", None),
    ("auto-speed", None), ("", None), (None, None),
])
def test_speed_bps(value: str | None, bps: int | None) -> None:
    assert speed_bps(value) == bps


def test_ip_address_forms() -> None:
    assert ip_address("Vlan1", "192.0.2.1", "24").prefix_length == 24  # type: ignore[union-attr]
    assert ip_address("Vlan1", "192.0.2.1/25", None).prefix_length == 25  # type: ignore[union-attr]
    assert ip_address("Vlan1", "192.0.2.1", None).prefix_length is None  # type: ignore[union-attr]
    assert ip_address("Vlan1", "unassigned", "24") is None
    assert ip_address("Vlan1", "", "") is None


def test_component_kind() -> None:
    assert component_kind("Ethernet1/49", "CISCO-AVAGO", "QSFP-100G-SR4-S") == "transceiver"
    assert component_kind("Power Supply 1", None) == "power-supply"
    assert component_kind("Fan 1", "Fan Module") == "fan"
    assert component_kind("Chassis", "Nexus9000 Chassis") == "chassis"
    assert component_kind("Widget", None) == "other"


def test_clean_removes_crlf_and_pager() -> None:
    assert clean("a\r\n --More-- \x08\x08\x08\x08\x08\x08\x08\x08\x08\x08        "
                 "\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08b\r\n") == "a\nb\n"


def test_pager_leftovers_do_not_change_the_parse() -> None:
    case = FIXTURES / "cisco_ios" / "hardware" / "c9300_stack" / "inventory.txt"
    text = case.read_text(encoding="utf-8")
    paged = text.replace('\nNAME: "Switch 2"', '\n --More-- \nNAME: "Switch 2"')
    assert paged != text
    assert hardware.parse_inventory(paged) == hardware.parse_inventory(text)


@pytest.mark.parametrize("parse", [facts.parse_version, interfaces.parse_interfaces,
                                   eos_hardware.parse_inventory])
def test_garbage_is_a_parse_error_naming_the_command(parse: object) -> None:
    with pytest.raises(ParseError) as caught:
        parse("router# this is not what the command prints\n")  # type: ignore[operator]
    assert "show " in str(caught.value)


def test_empty_neighbour_table_is_no_error() -> None:
    assert neighbors.parse_lldp("\nTotal entries displayed: 0\n") == []


def test_a_failed_required_command_is_a_command_error() -> None:
    failed = CommandOutput("show version", "", "% Invalid input detected", 1)
    with pytest.raises(CommandError, match="show version"):
        facts.parse({"version": failed})
    with pytest.raises(CommandError, match="version"):
        facts.parse({})
