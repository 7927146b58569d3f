"""cisco_ios parsers against every recorded real output of the commands we run, in
../shared/fixtures/cli/cisco_ios (ntc-templates' test data), compared value by value
with the .yml beside each .raw through our field mapping.

Mapping notes (deliberate differences from the .yml, no case excluded):
- LLDP records without `Local Intf` (old IOS) cannot be placed and are skipped.
- MAC-table rows under VLAN `All` (the CPU's static entries) are skipped.
- An interface's MAC is its burned-in address (`bia`) when printed.
- A capture that repeats an interface (cisco_ios_show_interfaces.raw holds two devices'
  outputs one after the other) yields the first block only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cmdb.schema import Component, Interface, IpAddress
from discovery.platforms.cisco_ios import facts, fdb, hardware, interfaces, neighbors, vlans
from discovery.platforms.netcli import text
from tests.discovery.platforms.netcases import load_raw, raw_id, shared_raws
from tests.discovery.platforms.oracle import (
    chassis,
    colon_mac,
    first,
    ip_only,
    long_name,
    unique,
)

PLATFORM = "cisco_ios"
SHORT = {"Tw": "TwoGigabitEthernet", "Et": "Ethernet", "Gi": "GigabitEthernet",
         "Te": "TenGigabitEthernet", "Po": "Port-channel", "Vl": "Vlan",
         "Fa": "FastEthernet"}
SPEEDS = {"10Mb/s": 10**7, "100Mb/s": 10**8, "1000Mb/s": 10**9, "10Gb/s": 10**10,
          "100Mbps": 10**8, "1000Mbps": 10**9, "10000Mbps": 10**10}


def _cases(command_dir: str) -> list[Path | None]:
    return shared_raws(PLATFORM, command_dir)


@pytest.mark.parametrize("raw", _cases("show_version"), ids=raw_id)
def test_show_version(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    device, os_node = facts.parse_version(output)
    assert device.hostname == rows[0]["hostname"]
    assert device.serial == first(rows[0]["serial"])
    assert device.model == first(rows[0]["hardware"])
    assert (device.vendor, device.role, os_node.family) == ("Cisco", "network", "ios")
    assert os_node.version == rows[0]["version"]


@pytest.mark.parametrize("raw", _cases("show_inventory"), ids=raw_id)
def test_show_inventory(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    found = hardware.parse_inventory(output)
    assert [c.name for c in found] == unique([r["name"] for r in rows])
    for component, row in zip(found, rows, strict=True):
        assert isinstance(component, Component)
        assert component.model == text(row["pid"])
        assert component.serial == text(row["sn"])
        assert component.hardware_revision == text(row["vid"])
        assert component.description == text(row["descr"])


@pytest.mark.parametrize("raw", _cases("show_interfaces"), ids=raw_id)
def test_show_interfaces(raw: Path | None) -> None:
    output, all_rows = load_raw(raw)
    rows = list({r["interface"]: r for r in reversed(all_rows)}.values())  # first wins
    nodes = interfaces.parse_interfaces(output)
    links = {n.name: n for n in nodes if isinstance(n, Interface)}
    addresses = {(a.interface, a.address, a.prefix_length) for a in nodes
                 if isinstance(a, IpAddress)}
    assert sorted(links) == sorted(r["interface"] for r in rows)
    for row in rows:
        link = links[row["interface"]]
        assert link.mac == colon_mac(row["bia"] or row["mac_address"])
        assert link.mtu == int(row["mtu"])
        assert link.description == text(row["description"])
        assert link.admin_up == (row["link_status"] != "administratively down")
        assert link.oper_status == row["protocol_status"].split()[0]
        assert link.speed_bps == SPEEDS.get(row["speed"])
        assert link.kind == text(row["hardware_type"])
    assert addresses == {(r["interface"], r["ip_address"], int(r["prefix_length"]))
                         for r in rows if r["ip_address"]}


@pytest.mark.parametrize("raw", _cases("show_lldp_neighbors_detail"), ids=raw_id)
def test_show_lldp_neighbors_detail(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    found = {(n.local_interface, n.remote_device, n.remote_port): n
             for n in neighbors.parse_lldp(output)}
    expected = [r for r in rows if r["local_interface"]]  # see the module docstring
    assert len(found) == len(expected)
    for row in expected:
        device = row["neighbor_name"] or row["chassis_id"]
        item = found[(long_name(row["local_interface"], SHORT), device,
                      row["neighbor_port_id"])]
        assert item.protocol == "lldp"
        assert item.remote_chassis_id == chassis(row["chassis_id"])
        assert item.remote_port_description == text(row["neighbor_interface"])
        assert item.remote_platform == text(row["neighbor_description"])
        assert item.remote_mgmt_address == ip_only(row["mgmt_address"])


@pytest.mark.parametrize("raw", _cases("show_cdp_neighbors_detail"), ids=raw_id)
def test_show_cdp_neighbors_detail(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    found = {(n.local_interface, n.remote_device, n.remote_port): n
             for n in neighbors.parse_cdp(output)}
    assert len(found) == len(rows)
    for row in rows:
        item = found[(row["local_interface"], row["neighbor_name"],
                      row["neighbor_interface"])]
        assert item.protocol == "cdp"
        assert item.remote_platform == text(row["platform"])
        assert item.remote_mgmt_address == ip_only(row["mgmt_address"])


@pytest.mark.parametrize("raw", _cases("show_vlan"), ids=raw_id)
def test_show_vlan(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    found = [(v.vlan_id, v.name, v.state) for v in vlans.parse_vlans(output)]
    assert found == [(int(r["vlan_id"]), r["vlan_name"], r["status"]) for r in rows]


@pytest.mark.parametrize("raw", _cases("show_mac-address-table"), ids=raw_id)
def test_show_mac_address_table(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    found = {(e.mac, e.vlan_id): e for e in fdb.build(fdb.mac_rows(output), [])}
    expected: dict[tuple[str, int], dict[str, Any]] = {}
    for row in rows:
        address = colon_mac(row["destination_address"])
        if row["vlan_id"].isdigit() and address is not None:  # see the module docstring
            expected.setdefault((address, int(row["vlan_id"])), row)
    assert set(found) == set(expected)
    for key, row in expected.items():
        ports = row["destination_port"]
        assert found[key].interface == (long_name(ports[0], SHORT) if len(ports) == 1
                                        else None)
        assert found[key].entry_type == row["type"].lower()


@pytest.mark.parametrize("raw", _cases("show_ip_arp"), ids=raw_id)
def test_show_ip_arp(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    found = {e.mac: e for e in fdb.build([], fdb.arp_rows(output))}
    complete = [r for r in rows if colon_mac_or_none(r["mac_address"])]
    assert {e.ip for e in found.values()} <= {r["ip_address"] for r in complete}
    for row in complete:
        entry = found[colon_mac(row["mac_address"]) or ""]
        assert entry.entry_type == "arp"
        if entry.ip == row["ip_address"]:
            assert entry.interface == text(row["interface"])


def colon_mac_or_none(value: str) -> str | None:
    """ARP rows of `Incomplete` entries carry no MAC."""
    return colon_mac(value) if value.count(".") == 2 else None
