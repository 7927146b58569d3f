"""arista_eos parsers against every recorded real output of the commands we run, in
../shared/fixtures/cli/arista_eos (ntc-templates' test data), compared value by value
with the .yml beside each .raw through our field mapping.

Mapping notes (deliberate differences from the .yml, no case excluded):
- Inventory rows carry no section in the template; ours are named `Chassis`,
  `Power supply N`, `Fan N`, `Transceiver N`, and the `System has N ports` count rows
  (no model) are no components.
- The speed is the `BW` EOS prints (kbit -> bit/s); a MAC-typed LLDP management
  address is not kept as an address.
- A non-hex (sanitised) MAC in the MAC table is no entry.
- ARP's `Vlan101, Port-Channel2`: the routed interface (Vlan101) is the interface.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cmdb.schema import Interface, IpAddress
from discovery.platforms.arista_eos import facts, fdb, hardware, interfaces, neighbors, vlans
from discovery.platforms.netcli import text
from tests.discovery.platforms.netcases import load_raw, raw_id, shared_raws
from tests.discovery.platforms.oracle import chassis, colon_mac, ip_only, long_name

PLATFORM = "arista_eos"
SHORT = {"Et": "Ethernet", "Po": "Port-Channel", "po": "Port-Channel", "eth": "Ethernet"}


def _cases(command_dir: str) -> list[Path | None]:
    return shared_raws(PLATFORM, command_dir)


@pytest.mark.parametrize("raw", _cases("show_version"), ids=raw_id)
def test_show_version(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    device, os_node = facts.parse_version(output)
    assert device.model == rows[0]["model"]
    assert device.serial == (rows[0]["serial_number"] or None)
    assert os_node.version == rows[0]["image"]
    assert (device.vendor, os_node.family) == ("Arista", "eos")


@pytest.mark.parametrize("raw", _cases("show_hostname"), ids=raw_id)
def test_show_hostname(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    assert facts.parse_hostname(output) == (rows[0]["hostname"], rows[0]["fqdn"])


@pytest.mark.parametrize("raw", _cases("show_inventory"), ids=raw_id)
def test_show_inventory(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    found = hardware.parse_inventory(output)
    parts = [r for r in rows if r["pid"]]  # count rows have no model
    assert [(c.model, c.serial) for c in found] == [(r["pid"], text(r["sn"])) for r in parts]
    order = ["chassis", "power-supply", "fan", "transceiver"]
    kinds = [order.index(c.kind or "") for c in found]
    assert kinds[0] == 0
    assert kinds == sorted(kinds)  # the template's section order
    for component, row in zip(found, parts, strict=True):
        if component.kind == "transceiver":
            assert component.name == f"Transceiver {row['port']}"
            assert component.vendor == row["descr"]
        elif component.kind != "chassis":
            assert component.name.endswith(f" {row['port']}")
    assert len({c.name for c in found}) == len(found)


@pytest.mark.parametrize("raw", _cases("show_interfaces"), ids=raw_id)
def test_show_interfaces(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    nodes = interfaces.parse_interfaces(output)
    links = {n.name: n for n in nodes if isinstance(n, Interface)}
    assert sorted(links) == sorted(r["interface"] for r in rows)
    for row in rows:
        link = links[row["interface"]]
        assert link.mac == colon_mac(row["bia"] or row["mac_address"])
        assert link.mtu == (int(row["mtu"]) if row["mtu"] else None)
        assert link.description == text(row["description"])
        assert link.admin_up == (row["link_status"] != "administratively down")
        assert link.oper_status == row["protocol_status"].split()[0]
        kbit = row["bandwidth"].split()[0] if row["bandwidth"] else None
        assert link.speed_bps == (int(kbit) * 1000 if kbit else None)
    addresses = {(a.interface, f"{a.address}/{a.prefix_length}") for a in nodes
                 if isinstance(a, IpAddress)}
    assert addresses == {(r["interface"], r["ip_address"]) for r in rows if r["ip_address"]}


@pytest.mark.parametrize("raw", _cases("show_lldp_neighbors_detail"), ids=raw_id)
def test_show_lldp_neighbors_detail(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    found = {(n.local_interface, n.remote_device, n.remote_port): n
             for n in neighbors.parse_lldp(output)}
    assert len(found) == len(rows)
    for row in rows:
        item = found[(row["local_interface"], row["neighbor_name"],
                      row["neighbor_interface"])]
        assert item.remote_chassis_id == chassis(row["chassis_id"])
        assert item.remote_platform == text(row["neighbor_description"])
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
    first: dict[tuple[str, int], dict[str, Any]] = {}
    for row in rows:  # a MAC listed twice in one VLAN (multicast) is one entry, the first
        address = colon_mac(row["mac_address"])
        if address is not None:  # a sanitised, non-hex MAC is no entry
            first.setdefault((address, int(row["vlan_id"])), row)
    assert set(found) == set(first)
    for key, row in first.items():
        entry = found[key]
        ports = row["destination_port"]
        assert entry.interface == (long_name(ports[0], SHORT) if len(ports) == 1 else None)
        assert entry.entry_type == row["type"].lower()


@pytest.mark.parametrize("raw", _cases("show_ip_arp"), ids=raw_id)
def test_show_ip_arp(raw: Path | None) -> None:
    output, rows = load_raw(raw)
    found = {e.mac: e for e in fdb.build([], fdb.arp_rows(output))}
    assert set(found) == {colon_mac(r["mac_address"]) for r in rows}
    for row in rows:
        entry = found[colon_mac(row["mac_address"]) or ""]
        routed = long_name(row["interface"].split(",")[0], SHORT)
        if entry.ip == row["ip_address"]:
            assert entry.interface == routed
            assert entry.vlan_id == (int(routed[4:]) if routed.startswith("Vlan") else 0)
