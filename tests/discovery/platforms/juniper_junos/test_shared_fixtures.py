"""The Junos parsers against every matching real recording in ../shared/fixtures (from
ntc-templates), compared value by value with the .yml beside each .raw through our
field mappings. Skips cleanly when ../shared/fixtures is absent.

`show interfaces` and the switching table are read by our own parsers (see their
modules); the .yml, written for the templates, is still the oracle for their values.
No case is excluded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cmdb.schema import Component, Interface, IpAddress
from discovery.platforms.juniper_junos import facts, fdb, hardware, interfaces, neighbors, vlans
from discovery.platforms.netcli import mac
from tests.discovery.platforms.netcases import (
    blank,
    load_raw,
    raw_id,
    shared_raws,
)

P = "juniper_junos"


@pytest.mark.parametrize("raw", shared_raws(P, "show_version"), ids=raw_id)
def test_show_version(raw: Path | None) -> None:
    output, records = load_raw(raw)
    found = facts.parse_version(output)
    for ours, theirs in facts.VERSION_FIELDS.items():
        assert found[ours] == blank(records[0][theirs]), ours


@pytest.mark.parametrize("raw", shared_raws(P, "show_chassis_hardware"), ids=raw_id)
def test_show_chassis_hardware(raw: Path | None) -> None:
    output, records = load_raw(raw)
    found = {c.name: c for c in hardware.parse_hardware(output)}
    assert facts.parse_chassis_serial(output) == records[0]["chassis_serial_number"]
    checked = 0
    for record in records:
        for item in hardware.ITEMS:
            p = item.prefix
            if not any(record.get(f"{p}_{f}") for f in ("part", "serial_number", "description")):
                continue
            component = found[hardware.component_name(record, item)]
            # BUILTIN / NON-JNPR are no part numbers or serials: not observed.
            assert component.serial == _part(record.get(f"{p}_serial_number"))
            assert component.model == _part(record.get(f"{p}_part"))
            assert component.description == blank(record.get(f"{p}_description"))
            assert component.kind == item.kind
            checked += 1
    assert checked >= len(records)


def _part(value: str | None) -> str | None:
    return None if value in ("BUILTIN", "NON-JNPR") else blank(value)


@pytest.mark.parametrize("raw", shared_raws(P, "show_interfaces"), ids=raw_id)
def test_show_interfaces(raw: Path | None) -> None:
    output, records = load_raw(raw)
    nodes = interfaces.parse_interfaces(output)
    links = {n.name: n for n in nodes if isinstance(n, Interface)}
    addresses = {(n.interface, n.address, n.prefix_length) for n in nodes
                 if isinstance(n, IpAddress)}
    assert set(links) == {r["interface"] for r in records}
    for record in records:
        link = links[record["interface"]]
        if record["admin_state"]:  # physical interfaces only
            assert link.admin_up is (record["admin_state"] == "Enabled")
            assert link.kind == record["hardware_type"].lower()
        assert link.oper_status == record["link_status"].lower()
        assert link.mtu == (int(record["mtu"]) if record["mtu"].isdigit() else None)
        assert link.description == blank(record["description"])
        if record["local"]:
            prefix = int(record["destination"].split("/")[1])
            assert (link.name, record["local"], prefix) in addresses


@pytest.mark.parametrize("raw", shared_raws(P, "show_lldp_neighbors"), ids=raw_id)
def test_show_lldp_neighbors(raw: Path | None) -> None:
    output, records = load_raw(raw)
    found = {(n.local_interface, n.remote_device, n.remote_port): n
             for n in neighbors.parse_lldp(output)}
    assert len(found) == len(records)
    for record in records:
        key = tuple(record[neighbors.LLDP_FIELDS[k]] for k in
                    ("local_interface", "remote_device", "remote_port"))
        assert found[key].remote_chassis_id == mac(record["chassis_id"])


@pytest.mark.parametrize("raw", shared_raws(P, "show_vlans"), ids=raw_id)
def test_show_vlans(raw: Path | None) -> None:
    output, records = load_raw(raw)
    found = {(v.vlan_id, v.name) for v in vlans.parse_vlans(output)}
    assert found == {(int(r["tag"]), r["vlan_name"]) for r in records}


@pytest.mark.parametrize("raw", shared_raws(P, "show_ethernet-switching_table"), ids=raw_id)
def test_show_ethernet_switching_table(raw: Path | None) -> None:
    output, records = load_raw(raw)
    found = fdb.parse_table(output)
    assert len(found) == len(records)
    for entry, record in zip(found, records, strict=True):
        assert entry.mac == mac(record["mac_address"])
        # A bridge domain (BD-nnn) is no VLAN: 0, the schema's "no VLAN".
        assert entry.vlan_id == (int(record["vlan_id"]) if record["vlan_id"] else 0)
        assert entry.interface == record["logical_interface"]
        assert entry.entry_type == {"D": "dynamic", "S": "static"}[record["mac_flag"][0]]


@pytest.mark.parametrize("raw", shared_raws(P, "show_arp_no-resolve"), ids=raw_id)
def test_show_arp(raw: Path | None) -> None:
    output, records = load_raw(raw)
    found = [(a.mac, a.ip, a.interface) for a in fdb.parse_arp(output)]
    assert found == [(mac(r["mac_address"]), r["ip_address"], r["interface"]) for r in records]


def test_components_are_unique() -> None:
    """Names are keys: the dedupe keeps one node per name (filldown repeats parents)."""
    for raw in shared_raws(P, "show_chassis_hardware"):
        if raw is None:
            pytest.skip("../shared/fixtures not present")
        names = [c.name for c in hardware.parse_hardware(raw.read_text(encoding="utf-8"))]
        assert len(names) == len(set(names))
        assert all(isinstance(c, Component) for c in hardware.parse_hardware(
            raw.read_text(encoding="utf-8")))
