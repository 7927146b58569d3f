"""Topology derivation (cmdb/topology): LLDP/CDP neighbours -> CONNECTED_TO, FDB + ARP ->
ATTACHED_TO, pending neighbours with reasons; stored and re-derived through both stores.

The neighbour records are spelled as the platforms' parsers store them from real device
output: CDP on NX-OS names the far end `name(SERIAL)`, IOS LLDP sends short port ids
(`Gi1/0/1`), NX-OS long ones (`Ethernet1/1`), Comware `XGE1/0/49`.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from cmdb.ingest import ingest
from cmdb.schema import (
    Device,
    Facts,
    ForwardingEntry,
    Interface,
    IpAddress,
    Neighbor,
    Node,
    Source,
    TargetFacts,
    TargetOutcome,
)
from cmdb.store import GraphStore
from cmdb.topology import TopologySummary, derive, read_view, update_topology
from cmdb.topology.links import normal_mac, same_port
from cmdb.topology.view import (
    Address,
    DeviceInfo,
    FdbRecord,
    NeighborRecord,
    Port,
    TopologyView,
)
from tests.cmdb.builders import run_info

# -- pure derivation on small views --------------------------------------------------------


def view(neighbors: tuple[NeighborRecord, ...] = (), fdb: tuple[FdbRecord, ...] = (),
         extra_devices: tuple[DeviceInfo, ...] = (), extra_ports: tuple[Port, ...] = (),
         addresses: tuple[Address, ...] = ()) -> TopologyView:
    devices = (DeviceInfo("d-sw1", "sw1", ("sw1", "sw1.example.com"), "network", "HQ"),
               DeviceInfo("d-sw2", "sw2", ("sw2",), "network", "HQ"),
               DeviceInfo("d-srv", "srv1", ("srv1",), "server", "HQ"), *extra_devices)
    ports = (Port("p-sw1-g1", "d-sw1", "GigabitEthernet1/0/1", "00:11:22:00:01:01"),
             Port("p-sw1-g5", "d-sw1", "GigabitEthernet1/0/5", "00:11:22:00:01:05"),
             Port("p-sw1-te", "d-sw1", "TenGigabitEthernet1/1/1", None),
             Port("p-sw2-e1", "d-sw2", "Ethernet1/1", "00:11:22:00:02:01"),
             Port("p-sw2-e2", "d-sw2", "Ethernet1/2", None),
             Port("p-srv-eth0", "d-srv", "eth0", "52:54:00:aa:bb:cc"), *extra_ports)
    return TopologyView({d.uid: d for d in devices}, ports, addresses, neighbors, fdb, (), ())


def cdp(device: str, local: str, remote: str, port: str, **extra: str) -> NeighborRecord:
    return NeighborRecord(f"n-{device}-{local}", device, "cdp", local, remote, port, **extra)


def lldp(device: str, local: str, remote: str, port: str, **extra: str) -> NeighborRecord:
    return NeighborRecord(f"l-{device}-{local}", device, "lldp", local, remote, port, **extra)


def test_both_ends_reporting_give_one_link() -> None:
    found = derive(view((
        cdp("d-sw2", "Ethernet1/1", "sw1.example.com(FOC1234X0AB)", "GigabitEthernet1/0/1"),
        lldp("d-sw1", "GigabitEthernet1/0/1", "sw2", "Eth1/1"),
    )))
    [(link, records)] = found.links.links.items()
    assert (link.a, link.b) == ("p-sw1-g1", "p-sw2-e1")
    assert len(records) == 2 and found.pending == ()


def test_far_end_found_by_address_or_chassis_mac_when_the_name_is_unknown() -> None:
    by_address = lldp("d-sw1", "GigabitEthernet1/0/1", "core-renamed", "Ethernet1/1",
                      remote_mgmt_address="192.0.2.2")
    by_chassis = lldp("d-sw2", "Ethernet1/2", "0011.2200.0105", "Te1/1/1",
                      remote_chassis_id="0011.2200.0105")
    found = derive(view((by_address, by_chassis),
                        addresses=(Address("192.0.2.2", "d-sw2", "p-sw2-e1"),)))
    assert {(k.a, k.b) for k in found.links.links} == {("p-sw1-g1", "p-sw2-e1"),
                                                       ("p-sw1-te", "p-sw2-e2")}


def test_unknown_or_ambiguous_far_ends_stay_pending_with_the_reason() -> None:
    twin = DeviceInfo("d-sw2b", "sw2", ("sw2",), "network", "DR")
    found = derive(view((
        lldp("d-sw1", "GigabitEthernet1/0/5", "SEP001122334455", "Port 1"),  # an IP phone
        cdp("d-sw1", "GigabitEthernet1/0/1", "sw2", "Ethernet1/1"),
        lldp("d-sw1", "GigabitEthernet1/0/9", "sw2", "Ethernet1/1"),
    ), extra_devices=(twin,)))
    reasons = sorted(p.reason for p in found.pending)
    assert found.links.links == {}
    assert reasons == ["local interface GigabitEthernet1/0/9 is not in the graph",
                       "no device in the graph is SEP001122334455",
                       "sw2 fits several devices by name, address or chassis id"]


def test_a_port_that_is_not_on_the_far_device_stays_pending() -> None:
    found = derive(view((lldp("d-sw1", "GigabitEthernet1/0/1", "sw2", "Ethernet9/9"),)))
    assert [p.reason for p in found.pending] == ["Ethernet9/9 is not a known interface of sw2"]


@pytest.mark.parametrize(("short", "long"), [
    ("Gi1/0/1", "GigabitEthernet1/0/1"), ("Te1/1/1", "TenGigabitEthernet1/1/1"),
    ("Eth1/1", "Ethernet1/1"), ("Et1", "Ethernet1"), ("Po10", "Port-channel10"),
    ("GE0/0/1", "GigabitEthernet0/0/1"), ("XGE1/0/49", "Ten-GigabitEthernet1/0/49"),
    ("Fa0/1", "FastEthernet0/1"), ("Hu1/0/49", "HundredGigE1/0/49"),
    ("mgmt0", "mgmt0"), ("xe-0/0/0", "xe-0/0/0"), ("Gi 1/0/1", "GigabitEthernet1/0/1"),
])
def test_same_port_in_two_spellings(short: str, long: str) -> None:
    assert same_port(short, long)


@pytest.mark.parametrize(("one", "other"), [
    ("Gi1/0/1", "GigabitEthernet1/0/10"), ("Gi1/0/1", "TenGigabitEthernet1/0/1"),
    ("Eth1/1", "Ethernet1/1/1"), ("ge-0/0/0", "xe-0/0/0"),
])
def test_different_ports_never_match(one: str, other: str) -> None:
    assert not same_port(one, other)


@pytest.mark.parametrize(("raw", "mac"), [
    ("0011.2233.4455", "00:11:22:33:44:55"), ("00-11-22-33-44-55", "00:11:22:33:44:55"),
    ("001122334455", "00:11:22:33:44:55"), ("00:11:22:33:44:55", "00:11:22:33:44:55"),
    ("Gi1/0/1", None), ("", None), (None, None),
])
def test_mac_spellings(raw: str | None, mac: str | None) -> None:
    assert normal_mac(raw) == mac


def entry(device: str, port: str, mac: str = "5254.00aa.bbcc", kind: str = "dynamic",
          ip: str | None = None) -> FdbRecord:
    return FdbRecord(device, mac, 10, port, ip, kind)


UPLINK = (lldp("d-sw1", "GigabitEthernet1/0/1", "sw2", "Ethernet1/1"),)


def test_endpoint_attaches_to_its_access_port_not_the_uplinks() -> None:
    found = derive(view(UPLINK, fdb=(
        entry("d-sw2", "Ethernet1/1"),  # sw2 learns srv1 over its uplink to sw1
        entry("d-sw1", "GigabitEthernet1/0/5"),
        entry("d-sw1", "GigabitEthernet1/0/5", "0011.2200.0101", "self"),
    )))
    assert [(a.endpoint, a.switch_port) for a in found.attachments] == [
        ("p-srv-eth0", "p-sw1-g5")]


def test_fewest_macs_wins_and_a_tie_attaches_nothing() -> None:
    crowded = tuple(entry("d-sw2", "Ethernet1/2", f"0000.5e00.01{i:02x}") for i in range(5))
    fdb = (entry("d-sw1", "GigabitEthernet1/0/5"), entry("d-sw2", "Ethernet1/2"), *crowded)
    assert [a.switch_port for a in derive(view(fdb=fdb)).attachments] == ["p-sw1-g5"]
    tie = (entry("d-sw1", "GigabitEthernet1/0/5"), entry("d-sw2", "Ethernet1/2"))
    assert derive(view(fdb=tie)).attachments == ()


def test_arp_ip_attaches_an_endpoint_whose_mac_is_not_recorded() -> None:
    ups = DeviceInfo("d-ups", "ups1", ("ups1",), "other", "HQ")
    found = derive(view(
        fdb=(entry("d-sw1", "GigabitEthernet1/0/5", "00c0.b7aa.0001", ip="192.0.2.50"),),
        extra_devices=(ups,), extra_ports=(Port("p-ups-nic", "d-ups", "nic0", None),),
        addresses=(Address("192.0.2.50", "d-ups", "p-ups-nic"),)))
    assert [(a.endpoint, a.switch_port) for a in found.attachments] == [
        ("p-ups-nic", "p-sw1-g5")]


def test_the_switch_own_mac_is_no_attachment() -> None:
    found = derive(view(fdb=(entry("d-sw1", "GigabitEthernet1/0/5", "0011.2200.0101"),)))
    assert found.attachments == ()


# -- stored, on both stores -----------------------------------------------------------------

@pytest.fixture
def store(any_store: GraphStore) -> GraphStore:
    """Every test here runs on each store (tests/cmdb/conftest.py)."""
    return any_store


def switch(target: str, serial: str, ports: dict[str, str], extra: tuple[Node, ...]
           ) -> TargetFacts:
    nodes: list[Node] = [Device(hostname=target, serial=serial, role="network")]
    nodes += [Interface(name=name, mac=mac) for name, mac in ports.items()]
    return TargetFacts(target, Source.CLI, Facts(nodes=(*nodes, *extra), complete=frozenset(
        {"Interface", "Neighbor", "ForwardingEntry"})))


PHONE = Neighbor(protocol="lldp", local_interface="GigabitEthernet1/0/6",
                 remote_device="SEP00112233AABB", remote_port="Port 1")


def lab(sw1_sees_sw2: bool = True, srv_port: str = "GigabitEthernet1/0/5",
        phone: bool = False) -> list[TargetFacts]:
    neighbor = Neighbor(protocol="lldp", local_interface="GigabitEthernet1/0/1",
                        remote_device="sw2.example.com", remote_port="Eth1/1")
    sw1 = switch("sw1", "FOC0001", {"GigabitEthernet1/0/1": "00:11:22:00:01:01",
                                    "GigabitEthernet1/0/5": "00:11:22:00:01:05",
                                    "GigabitEthernet1/0/6": "00:11:22:00:01:06"},
                 ((neighbor,) if sw1_sees_sw2 else ()) + ((PHONE,) if phone else ())
                 + (ForwardingEntry(mac="52:54:00:aa:bb:cc", vlan_id=10, interface=srv_port,
                                    entry_type="dynamic"),))
    sw2 = switch("sw2", "FDO0002", {"Ethernet1/1": "00:11:22:00:02:01"}, (
        ForwardingEntry(mac="52:54:00:aa:bb:cc", vlan_id=10, interface="Ethernet1/1",
                        entry_type="dynamic"),))
    srv = TargetFacts("srv1", Source.SSH, Facts(nodes=(
        Device(hostname="srv1", machine_id="m-srv1", role="server"),
        Interface(name="eth0", mac="52:54:00:aa:bb:cc"),
        IpAddress(interface="eth0", address="192.0.2.10")), complete=frozenset({"Interface"})))
    return [sw1, sw2, srv]


def discover(store: GraphStore, batch: list[TargetFacts]) -> tuple[int, TopologySummary]:
    number = store.begin_run("discovery", datetime.now(UTC))
    info = dataclasses.replace(run_info(number), targets=tuple(
        TargetOutcome(t.target, True) for t in batch))
    ingest(store, batch, info)
    return number, update_topology(store, info)


def stored(store: GraphStore, rel_type: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(device:port, device:port) -> (first run, last run) of each present link."""
    hosts = {d.uid: d.value("hostname") for d in store.nodes("Device")}
    names = {r.uid: f"{hosts[r.device or '']}:{r.value('name')}"
             for r in store.nodes("Interface")}
    return {(names[r.src], names[r.dst]): (r.first_run, r.last_run)
            for r in store.relationships(rel_type)}


def test_links_and_attachments_are_stored_seen_again_and_retired(store: GraphStore) -> None:
    first, summary = discover(store, lab())
    assert (summary.links, summary.links_added, summary.attachments_added) == (1, 1, 1)
    [(ends, seen)] = stored(store, "CONNECTED_TO").items()
    assert set(ends) == {"sw1:GigabitEthernet1/0/1", "sw2:Ethernet1/1"}
    assert seen == (first, first)
    assert stored(store, "ATTACHED_TO") == {
        ("srv1:eth0", "sw1:GigabitEthernet1/0/5"): (first, first)}

    second, summary = discover(store, lab())
    assert (summary.links_added, summary.links_removed, summary.attachments_added) == (0, 0, 0)
    assert list(stored(store, "CONNECTED_TO").values()) == [(first, second)]

    third, summary = discover(store, lab(srv_port="GigabitEthernet1/0/6"))  # re-plugged
    assert (summary.links_removed, summary.attachments_added, summary.attachments_removed
            ) == (0, 1, 1)
    assert stored(store, "ATTACHED_TO") == {
        ("srv1:eth0", "sw1:GigabitEthernet1/0/6"): (third, third)}

    # LLDP gone from sw1: the link is retired, and without it sw2's port is no longer an
    # uplink, so srv1's MAC is on two equally quiet ports: no attachment is guessed.
    fourth, summary = discover(store, lab(sw1_sees_sw2=False, srv_port="GigabitEthernet1/0/6"))
    assert (summary.links_removed, summary.attachments_removed, summary.pending) == (1, 1, 0)
    assert stored(store, "CONNECTED_TO") == {} and stored(store, "ATTACHED_TO") == {}
    link_ends = [r.uid for r in store.nodes("Interface")
                 if r.value("name") in ("Ethernet1/1", "GigabitEthernet1/0/1")]
    changes = {(h.run, h.name) for uid in link_ends
               for h in store.history(uid, include_owned=False) if h.kind == "relationship"}
    assert {(first, "CONNECTED_TO"), (fourth, "CONNECTED_TO")} <= changes, changes


def test_unknown_relationship_type_is_a_store_error(store: GraphStore) -> None:
    from cmdb.store import StoreError

    with pytest.raises(StoreError, match="KNOWS"):
        store.relationships("KNOWS")


def test_the_view_reads_what_ingest_stored(store: GraphStore) -> None:
    discover(store, lab())
    seen = read_view(store)
    assert {d.name for d in seen.devices.values()} == {"sw1", "sw2", "srv1"}
    assert [(n.remote_device, n.remote_port) for n in seen.neighbors] == [
        ("sw2.example.com", "Eth1/1")]
    assert len(seen.fdb) == 2 and len(seen.ports) == 5 and len(seen.links) == 1
