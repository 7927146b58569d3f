"""cisco_nxos parsers against every recorded real output of the commands we run, in
../shared/fixtures/cli/cisco_nxos (ntc-templates' test data), compared value by value
with the .yml beside each .raw through our field mapping.

Mapping notes (deliberate differences from the .yml, no case excluded):
- The OS version is the release only: `10.4(5) [Maintenance Release]` -> `10.4(5)`.
- An interface's MAC is its burned-in address (`bia`) when printed; `admin_up` comes
  from `admin state` when printed, else from `(Administratively down)` / `is up`.
- ARP entries still `INCOMPLETE` (no MAC) are no forwarding entries.
- CDP neighbours are named by System Name, by the Device ID when none is sent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cmdb.schema import Interface, IpAddress
from discovery.platforms.cisco_nxos import facts, fdb, hardware, interfaces, neighbors, vlans
from discovery.platforms.netcli import text
from tests.discovery.platforms.netcases import load_raw, raw_id, shared_raws
from tests.discovery.platforms.oracle import chassis, colon_mac, ip_only, long_name

PLATFORM = "cisco_nxos"
SHORT = {"Eth": "Ethernet", "Po": "port-channel"}
SPEEDS = {"100 Mb/s": 10**8, "1000 Mb/s": 10**9, "10 Gb/s": 10**10, "25 Gb/s": 25 * 10**9}


def _cases(command_dir: str) -> list[Path | None]:
    return shared_raws(PLATFORM, command_dir)


@pytest.mark.parametrize("raw", _cases("show_version"), ids=raw_id)
def test_show_version(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    device, os_node = facts.parse_version(output)
    assert device.hostname == rows[0]["hostname"]
    assert device.serial == rows[0]["serial"]
    assert device.model == rows[0]["platform"]
    assert os_node.version == rows[0]["os"].split()[0]
    assert (device.vendor, os_node.family, os_node.name) == ("Cisco", "nxos", "NX-OS")


@pytest.mark.parametrize("raw", _cases("show_inventory"), ids=raw_id)
def test_show_inventory(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    found = hardware.parse_inventory(output)
    assert [c.name for c in found] == [r["name"] for r in rows]  # unique on NX-OS
    for component, row in zip(found, rows, strict=True):
        assert (component.model, component.serial, component.hardware_revision) == (
            text(row["pid"]), text(row["sn"]), text(row["vid"]))
        assert component.description == text(row["descr"])
    assert found[0].kind == "chassis"


def _admin_up(row: dict[str, str]) -> bool | None:
    link, admin = row["link_status"].lower(), row["admin_state"].lower()
    if "administratively down" in link:
        return False
    if admin:
        return admin.startswith("u")
    return True if link.startswith("up") else None


@pytest.mark.parametrize("raw", _cases("show_interface"), ids=raw_id)
def test_show_interface(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    nodes = interfaces.parse_interfaces(output)
    links = {n.name: n for n in nodes if isinstance(n, Interface)}
    assert sorted(links) == sorted(r["interface"] for r in rows)
    for row in rows:
        link = links[row["interface"]]
        assert link.mac == colon_mac(row["bia"] or row["mac_address"])
        assert link.mtu == (int(row["mtu"]) if row["mtu"] else None)
        assert link.description == text(row["description"])
        assert link.admin_up == _admin_up(row)
        assert link.oper_status == ("up" if row["link_status"].startswith("up") else "down")
        assert link.speed_bps == SPEEDS.get(row["speed"])
    addresses = {(a.interface, a.address, a.prefix_length) for a in nodes
                 if isinstance(a, IpAddress)}
    assert addresses == {(r["interface"], r["ip_address"], int(r["prefix_length"]))
                         for r in rows if r["ip_address"]}


@pytest.mark.parametrize("raw", _cases("show_lldp_neighbors_detail"), ids=raw_id)
def test_show_lldp_neighbors_detail(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    found = {(n.local_interface, n.remote_device, n.remote_port): n
             for n in neighbors.parse_lldp(output)}
    assert len(found) == len(rows)
    for row in rows:
        item = found[(long_name(row["local_interface"], SHORT), row["neighbor_name"],
                      row["neighbor_interface"])]
        assert item.remote_chassis_id == chassis(row["chassis_id"])
        assert item.remote_platform == text(row["neighbor_description"])
        assert item.remote_mgmt_address == ip_only(row["mgmt_address"])


@pytest.mark.parametrize("raw", _cases("show_cdp_neighbors_detail"), ids=raw_id)
def test_show_cdp_neighbors_detail(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    found = {(n.local_interface, n.remote_device, n.remote_port): n
             for n in neighbors.parse_cdp(output)}
    assert len(found) == len(rows)
    for row in rows:
        device = row["neighbor_name"] or row["chassis_id"]
        item = found[(row["local_interface"], device, row["neighbor_interface"])]
        assert (item.protocol, item.remote_platform) == ("cdp", text(row["platform"]))
        assert item.remote_mgmt_address == ip_only(row["mgmt_address"])


@pytest.mark.parametrize("raw", _cases("show_vlan"), ids=raw_id)
def test_show_vlan(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    found = [(v.vlan_id, v.name, v.state) for v in vlans.parse_vlans(output)]
    assert found == [(int(r["vlan_id"]), r["vlan_name"], r["status"]) for r in rows]


@pytest.mark.parametrize("raw", _cases("show_mac_address-table"), ids=raw_id)
def test_show_mac_address_table(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    found = {(e.mac, e.vlan_id): e for e in fdb.build(fdb.mac_rows(output), [])}
    assert len(found) == len(rows)
    for row in rows:
        entry = found[(colon_mac(row["mac_address"]) or "", int(row["vlan_id"]))]
        assert entry.interface == long_name(row["ports"], SHORT)
        assert entry.entry_type == row["type"]


@pytest.mark.parametrize("raw", _cases("show_ip_arp"), ids=raw_id)
def test_show_ip_arp(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    found = {e.mac: e for e in fdb.build([], fdb.arp_rows(output))}
    first_ip: dict[str, dict[str, str]] = {}
    for row in rows:
        if row["mac_address"].count(".") == 2:  # `INCOMPLETE` entries have no MAC yet
            first_ip.setdefault(colon_mac(row["mac_address"]) or "", row)
    assert set(found) == set(first_ip)
    for address, row in first_ip.items():
        assert (found[address].ip, found[address].interface) == (
            row["ip_address"], row["interface"])
