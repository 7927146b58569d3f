"""The Comware parsers against every matching real recording in ../shared/fixtures (from
ntc-templates), compared value by value with the .yml beside each .raw through our
field mappings. Skips cleanly when ../shared/fixtures is absent.

Excluded/deviating on purpose (handled below, not skipped):
- display_interface/hp_comware_display_interface_release_0615P16: the template reads
  `Output:` as the interface name (an E1 channel block it does not know); we skip that
  record, so the output has no interface at all and is a ParseError.
- `A.B.C.D/XY` (a sanitised address in display_interface_mgmt) is no address: skipped.
There is no `display version` recording; its parser is tested by our own fixtures only.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from cmdb.schema import Interface, IpAddress
from discovery.errors import ParseError
from discovery.platforms.hp_comware import facts, fdb, hardware, interfaces, neighbors, vlans
from discovery.platforms.hp_comware.names import long_name
from discovery.platforms.netcli import mac
from tests.discovery.platforms.netcases import (
    blank,
    load_raw,
    raw_id,
    shared_raws,
)

P = "hp_comware"
TEMPLATE_MISREADS = {"hp_comware_display_interface_release_0615P16"}


@pytest.mark.parametrize("raw", shared_raws(P, "display_device_manuinfo"), ids=raw_id)
def test_display_device_manuinfo(raw: Path | None) -> None:
    output, records = load_raw(raw)
    found = {c.name: c for c in hardware.parse_manuinfo(output)}
    expected: dict[str, tuple[str | None, str | None, str | None]] = {}
    slot = None
    for record in records:
        kind, name = hardware.entry_name(record, slot)
        slot = name if kind == "slot" else slot
        # NONE is not observed; a repeated name keeps the first entry (names are keys).
        expected.setdefault(name, tuple(  # type: ignore[arg-type]
            None if blank(record.get(f)) in (None, "NONE") else record[f]
            for f in ("device_name", "device_serial_number", "vendor_name")))
    assert {n: (c.model, c.serial, c.vendor) for n, c in found.items()} == expected
    first = next((v[1] for v in expected.values() if v[1]), None)
    assert facts.chassis_serial(output) is not None or first is None


@pytest.mark.parametrize("raw", shared_raws(P, "display_interface"), ids=raw_id)
def test_display_interface(raw: Path | None) -> None:
    output, records = load_raw(raw)
    if raw is not None and raw.stem in TEMPLATE_MISREADS:
        with pytest.raises(ParseError, match="display interface"):
            interfaces.parse_interfaces(output)
        return
    nodes = interfaces.parse_interfaces(output)
    links = {n.name: n for n in nodes if isinstance(n, Interface)}
    addresses = {(n.interface, n.address, n.prefix_length) for n in nodes
                 if isinstance(n, IpAddress)}
    assert set(links) == {r["interface"] for r in records}
    for record in records:
        link = links[record["interface"]]
        assert (link.admin_up, link.oper_status) == interfaces.state(record["line_status"])
        assert link.mtu == (int(record["mtu"]) if record["mtu"] else None)
        assert link.mac == mac((record["hw_address"] or [None])[0])
        assert link.description == blank(record["description"])
        for value in record["ip_address"]:
            try:
                address = ipaddress.ip_interface(value)
            except ValueError:
                continue  # sanitised (A.B.C.D/XY): not an address
            assert (link.name, str(address.ip), address.network.prefixlen) in addresses


@pytest.mark.parametrize("raw", shared_raws(P, "display_interface"), ids=raw_id)
def test_display_interface_speed(raw: Path | None) -> None:
    output, records = load_raw(raw)
    if raw is not None and raw.stem in TEMPLATE_MISREADS:
        pytest.skip("covered by test_display_interface (ParseError)")
    links = {n.name: n for n in interfaces.parse_interfaces(output) if isinstance(n, Interface)}
    speeds = {"40Gbps-speed": 40 * 10**9, "20Gbps-speed": 20 * 10**9,
              "160Gbps-speed": 160 * 10**9, "1000Mbps-speed": 10**9, "1000Mb/s": 10**9,
              "1000M": 10**9, "Unknown-speed": None, "": None}
    for record in records:
        assert links[record["interface"]].speed_bps == speeds[record["speed"]]


@pytest.mark.parametrize("raw", shared_raws(P, "display_lldp_neighbor-information_verbose"),
                         ids=raw_id)
def test_display_lldp_verbose(raw: Path | None) -> None:
    output, records = load_raw(raw)
    found = {(n.local_interface, n.remote_port): n for n in neighbors.parse_lldp(output)}
    assert len(found) == len(records)
    for record in records:
        neighbor = found[(record["local_interface"], record["neighbor_interface"])]
        assert neighbor.remote_device == record["neighbor_name"]
        assert neighbor.remote_chassis_id == mac(record["chassis_id"])
        assert neighbor.remote_port_description == blank(
            record["neighbor_interface_description"])
        assert neighbor.remote_mgmt_address == blank(record["mgmt_address"])


@pytest.mark.parametrize("raw", shared_raws(P, "display_lldp_neighbor-information_list"),
                         ids=raw_id)
def test_list_local_ports_expand_to_long_names(raw: Path | None) -> None:
    """The list form abbreviates local ports (`XGE1/0/1`); the verbose form we run prints
    the long name. The abbreviation table turns the one into the other."""
    _, records = load_raw(raw)
    for record in records:
        assert str(long_name(record["local_interface"])).startswith("Ten-GigabitEthernet")


@pytest.mark.parametrize("raw", shared_raws(P, "display_vlan_all"), ids=raw_id)
def test_display_vlan_all(raw: Path | None) -> None:
    output, records = load_raw(raw)
    found = {(v.vlan_id, v.name) for v in vlans.parse_vlans(output)}
    assert found == {(int(r["vlan_id"]), r["vlan_name"]) for r in records}


@pytest.mark.parametrize("raw", shared_raws(P, "display_mac-address"), ids=raw_id)
def test_display_mac_address(raw: Path | None) -> None:
    output, records = load_raw(raw)
    found = [(e.mac, e.vlan_id, e.interface, e.entry_type) for e in fdb.parse_table(output)]
    assert found == [(mac(r["mac_address"]), int(r["vlan_id"]), r["interface"], "dynamic")
                     for r in records]  # every recorded state is `Learned`


@pytest.mark.parametrize("raw", shared_raws(P, "display_arp"), ids=raw_id)
def test_display_arp(raw: Path | None) -> None:
    output, records = load_raw(raw)
    found = [(a.mac, a.ip, a.interface, a.vlan_id) for a in fdb.parse_arp(output)]
    assert found == [(mac(r["mac_address"]), r["ip_address"], long_name(r["interface"]),
                      int(r["vlan_id"]) if r["vlan_id"].isdigit() else None) for r in records]
    assert found[0][2] == "M-GigabitEthernet0/0/0"
