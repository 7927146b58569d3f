"""The VRP parsers against every matching real recording in ../shared/fixtures (from
ntc-templates), compared value by value with the .yml beside each .raw through our
field mappings. Skips cleanly when ../shared/fixtures is absent.

`display sn license` prints the ESN in the same `ESN of device: ...` line as `display
esn`, which we run: it checks that line's parser. No case is excluded.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from cmdb.schema import Interface, IpAddress
from discovery.platforms.huawei_vrp import facts, fdb, hardware, interfaces, neighbors, vlans
from discovery.platforms.huawei_vrp.names import long_name
from discovery.platforms.netcli import mac
from tests.discovery.platforms.netcases import (
    blank,
    load_raw,
    raw_id,
    shared_raws,
)
from tests.discovery.platforms.oracle import ip_only

P = "huawei_vrp"


@pytest.mark.parametrize("raw", shared_raws(P, "display_version"), ids=raw_id)
def test_display_version(raw: Path | None) -> None:
    output, records = load_raw(raw)
    found = facts.parse_version(output)
    for ours, theirs in facts.VERSION_FIELDS.items():
        assert found[ours] == blank(records[0][theirs]), ours
    assert found["release"] == records[0]["product_version"].split()[-1]


@pytest.mark.parametrize("raw", shared_raws(P, "display_sn_license"), ids=raw_id)
def test_esn_line(raw: Path | None) -> None:
    output, records = load_raw(raw)
    assert facts.parse_esn(output) == records[0]["serial_number"]


@pytest.mark.parametrize("raw", shared_raws(P, "display_device"), ids=raw_id)
def test_display_device(raw: Path | None) -> None:
    output, records = load_raw(raw)
    found = {c.name: c for c in hardware.parse_device(output)}
    assert len(found) == len(records)
    for record in records:
        card = blank(record["card"].replace("-", ""))
        component = found[hardware.component_name(record["slot"], card)]
        assert component.model == record["pid"].lstrip("*")  # `*`: configured, not active


@pytest.mark.parametrize("raw", shared_raws(P, "display_interface"), ids=raw_id)
def test_display_interface(raw: Path | None) -> None:
    output, records = load_raw(raw)
    nodes = interfaces.parse_interfaces(output)
    links = {n.name: n for n in nodes if isinstance(n, Interface)}
    addresses = {(n.interface, n.address, n.prefix_length) for n in nodes
                 if isinstance(n, IpAddress)}
    assert set(links) == {r["interface"] for r in records}
    for record in records:
        link = links[record["interface"]]
        admin_up, oper = interfaces.state(blank(record["link_status"]))
        assert (link.admin_up, link.oper_status) == (admin_up, oper)
        assert oper in (None, "up", "down")
        assert link.mtu == (int(record["mtu"]) if record["mtu"] else None)
        assert link.mac == mac(record["mac_address"])
        assert link.description == blank(record["interface_description"])
        assert link.speed_bps == (int(record["speed"]) * 10**6 if record["speed"] else None)
        if record["ip_address"]:
            address = ipaddress.ip_interface(record["ip_address"])
            assert (link.name, str(address.ip), address.network.prefixlen) in addresses


@pytest.mark.parametrize("raw", shared_raws(P, "display_lldp_neighbor"), ids=raw_id)
def test_display_lldp_neighbor(raw: Path | None) -> None:
    output, records = load_raw(raw)
    found = {(n.local_interface, n.remote_port): n for n in neighbors.parse_lldp(output)}
    assert len(found) == len(records)
    for record in records:
        neighbor = found[(record["local_interface"], record["neighbor_port_id"])]
        # ntc-templates' NEIGHBOR_INTERFACE is the port *description*.
        assert neighbor.remote_port_description == blank(record["neighbor_interface"])
        assert neighbor.remote_device == (blank(record["neighbor_name"])
                                          or blank(record["chassis_id"]))
        assert neighbor.remote_chassis_id in (mac(record["chassis_id"]), record["chassis_id"])
        assert neighbor.remote_platform == (record["neighbor_description"] or [None])[0]
        assert neighbor.remote_mgmt_address == ip_only(record["mgmt_address"])


@pytest.mark.parametrize("raw", shared_raws(P, "display_vlan"), ids=raw_id)
def test_display_vlan(raw: Path | None) -> None:
    output, records = load_raw(raw)
    found = {v.vlan_id: v for v in vlans.parse_vlans(output)}
    assert set(found) == {int(r["vlan_id"]) for r in records}
    for record in records:
        vlan = found[int(record["vlan_id"])]
        assert vlan.name == blank(record["vlan_description"]) or not record["vlan_description"]
        assert vlan.state == blank(record["vlan_status"]) or not record["vlan_status"]


@pytest.mark.parametrize("raw", shared_raws(P, "display_mac-address"), ids=raw_id)
def test_display_mac_address(raw: Path | None) -> None:
    output, records = load_raw(raw)
    found = [(e.mac, e.vlan_id, e.interface, e.entry_type) for e in fdb.parse_table(output)]
    assert found == [(mac(r["destination_address"]), int(r["vlan_id"]),
                      long_name(r["destination_port"]), r["type"]) for r in records]


@pytest.mark.parametrize("raw", shared_raws(P, "display_arp_all"), ids=raw_id)
def test_display_arp_all(raw: Path | None) -> None:
    output, records = load_raw(raw)
    found = [(a.mac, a.ip, a.interface) for a in fdb.parse_arp(output)]
    # Type I entries are the device's own interface addresses, not neighbours.
    assert found == [(mac(r["mac_address"]), r["ip_address"], long_name(r["interface"]))
                     for r in records if not r["type"].startswith("I")]
    assert found


def test_short_names_are_expanded() -> None:
    assert long_name("XGE0/0/1") == "XGigabitEthernet0/0/1"
    assert long_name("GE0/2/13.203") == "GigabitEthernet0/2/13.203"
    assert long_name("Eth-Trunk1.201") == "Eth-Trunk1.201"
    assert long_name("40GE0/0/1") == "40GE0/0/1"
    assert long_name("Vlanif10") == "Vlanif10"
