"""Every collector on every recorded real walk in ../shared/fixtures/snmprec (LibreNMS),
checked against values this test reads from the recording on its own (plain string
handling, not the platform's decoder), and a classification written out by hand from
each recording's sysObjectID and sysDescr."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from cmdb.schema import (
    Component,
    Device,
    Facts,
    ForwardingEntry,
    Interface,
    IpAddress,
    Neighbor,
    Node,
    OperatingSystem,
    Package,
    facts_from_json,
    facts_to_json,
)
from discovery.platforms.generic_snmp import COLLECTORS
from tests.discovery.platforms.generic_snmp.cases import (
    BY_NAME,
    SNMPREC,
    outputs_from_snmprec,
    recordings,
)

RECORDINGS: list[Path | None] = list(recordings()) or [None]

# name -> (vendor, platform, role, os family, os version), read by hand from sysObjectID
# and sysDescr (see ../shared/fixtures/README.md).
CLASSIFICATION = {
    "apc_smx750i": ("APC", None, "other", None, None),
    "arista_eos": ("Arista", "arista_eos", "network", "eos", "4.15.3F"),
    "arista_eos_vrf": ("Arista", "arista_eos", "network", "eos", "4.20.12.1M"),
    "comware": ("HP", "hp_comware", "network", "comware", "7.1.045 Release 2416"),
    "comware_a5500": ("HP", "hp_comware", "network", "comware", "5.20.99 Release 2222P08"),
    "eaton-mgeups_9pxle": ("Eaton", None, "other", None, None),
    "ios_2960x": ("Cisco", "cisco_ios", "network", "ios", "15.0(2a)EX5"),
    "ios_ie32008t2s-ios17-12": ("Cisco", "cisco_ios", "network", "ios", "17.12.4"),
    "iosxe_c9500h-svl": ("Cisco", "cisco_ios", "network", "ios", "17.12.4"),
    "iosxe_isr4321": ("Cisco", "cisco_ios", "network", "ios", "17.6.4"),
    "jetdirect_m880": ("HP", None, "printer", None, None),
    "junos_mx5t-isis": ("Juniper", "juniper_junos", "network", "junos", "19.4R3.11"),
    "junos_qfx5100": ("Juniper", "juniper_junos", "network", "junos", "14.1X53-D40.8"),
    "linux_powermon": (None, "linux", "server", "linux", None),
    "linux_raspberrypi-gpiomonitor": (None, "linux", "server", "linux", None),
    "nxos_n3k-3064pq": ("Cisco", "cisco_nxos", "network", "nxos", "7.0(3)I7(8)"),
    "nxos_n9k-c93180yc-fx3": ("Cisco", "cisco_nxos", "network", "nxos", "10.5(2)"),
    "sharp": ("Sharp", None, "printer", None, None),
    "vrp_5720": ("Huawei", "huawei_vrp", "network", "vrp", "V200R010C00SPC600"),
    "vrp_ar169sfp": ("Huawei", "huawei_vrp", "network", "vrp", "V200R009C00SPC500"),
    "vrp_ne8000-m8": ("Huawei", "huawei_vrp", "network", "vrp", "V800R012C10SPC300"),
    "vrp_s5328c-ei": ("Huawei", "huawei_vrp", "network", "vrp", "V200R001C00SPC300"),
    "windows_svr_2019_1809": (None, None, "server", "windows", "10.0.17763"),
}
# Chassis serials read from entPhysicalSerialNum of the chassis row.
SERIALS = {
    "ios_2960x": "FCW1929B68S",
    "iosxe_isr4321": "FDO2249A154",
    "ios_ie32008t2s-ios17-12": "FVH2849L0CA",
    "vrp_5720": "2102359576DMHC000120",
    "comware_a5500": "CN50A1Z4BN",
    "nxos_n3k-3064pq": "<private>",  # sanitised in the recording, reported as seen
    "junos_qfx5100": None,  # no ENTITY-MIB
}

IF_ENTRY = "1.3.6.1.2.1.2.2.1"
IF_DESCR, IF_TYPE, IF_PHYS = "1.3.6.1.2.1.2.2.1.2.", "1.3.6.1.2.1.2.2.1.3.", "1.3.6.1.2.1.2.2.1.6."
IF_NAME, IF_ALIAS = "1.3.6.1.2.1.31.1.1.1.1.", "1.3.6.1.2.1.31.1.1.1.18."
BASE_PORT_IF_INDEX = "1.3.6.1.2.1.17.1.4.1.2."
Q_FDB_PORT, Q_FDB_STATUS = "1.3.6.1.2.1.17.7.1.2.2.1.2.", "1.3.6.1.2.1.17.7.1.2.2.1.3."
D_FDB_PORT, D_FDB_STATUS = "1.3.6.1.2.1.17.4.3.1.2.", "1.3.6.1.2.1.17.4.3.1.3."
FDB_INVALID = "2"

# The interface name rule, per CLI platform, read from the recordings: the column holding
# the name the platform's CLI interface listing prints. IOS and IOS XE put that long name
# (`GigabitEthernet1/0/1`, `Null0`) in ifDescr and a short one (`Gi1/0/1`, `Nu0`) in
# ifName; NX-OS, EOS, Junos, VRP and Comware have the same long name in both, and the
# name is ifName. A row of those recordings either has that column or no name at all
# (`ifIndex <n>`, one sanitised VRP row). Devices without a CLI platform (hosts,
# printers, UPSes) are named by ifName, else ifDescr.
NAME_COLUMN = {"cisco_ios": IF_DESCR, "cisco_nxos": IF_NAME, "arista_eos": IF_NAME,
               "juniper_junos": IF_NAME, "huawei_vrp": IF_NAME, "hp_comware": IF_NAME}


def _id(path: Path | None) -> str:
    return path.stem if path else "absent"


def _need(path: Path | None) -> Path:
    if path is None:
        pytest.skip(f"{SNMPREC} not present (../shared/fixtures)")
    return path


@cache
def _lines(path: Path) -> tuple[str, ...]:
    return tuple(path.read_text(encoding="ascii").splitlines())


def _column(path: Path, prefix: str) -> dict[str, tuple[str, str]]:
    """Instance suffix -> (tag, raw value) of the lines under `prefix` (ending in '.')."""
    found = {}
    for line in _lines(path):
        if line.startswith(prefix):
            oid, tag, value = line.split("|", 2)
            found[oid[len(prefix):]] = (tag, value)
    return found


def _rows(path: Path, entry: str, columns: tuple[int, ...]) -> set[str]:
    return {index for c in columns for index in _column(path, f"{entry}.{c}.")}


def _text(tag_value: tuple[str, str] | None) -> str | None:
    if tag_value is None:
        return None
    tag, value = tag_value
    raw = bytes.fromhex(value).decode("utf-8", "replace") if tag.endswith("x") else value
    return raw.strip() or None


@cache
def _facts(path: Path, collector: str) -> Facts:
    text = path.read_text(encoding="ascii")
    return BY_NAME[collector].parse(outputs_from_snmprec(text, BY_NAME[collector]))


def _of(facts: Facts, cls: type[Node]) -> list[Node]:
    return [n for n in facts.nodes if isinstance(n, cls)]


@pytest.mark.parametrize("path", RECORDINGS, ids=_id)
@pytest.mark.parametrize("collector", [c.name for c in COLLECTORS])
def test_every_collector_parses_every_recording(path: Path | None, collector: str) -> None:
    facts = _facts(_need(path), collector)
    data = facts_to_json(facts)
    assert facts_to_json(facts_from_json(data)) == data
    keys = [(n.SPEC.label, n.key_values()) for n in facts.nodes]
    assert len(keys) == len(set(keys)), "node keys must be unique"


@pytest.mark.parametrize("path", RECORDINGS, ids=_id)
def test_system_classification(path: Path | None) -> None:
    path = _need(path)
    facts = _facts(path, "system")
    device = _of(facts, Device)[0]
    assert isinstance(device, Device)
    os_nodes = [n for n in _of(facts, OperatingSystem) if isinstance(n, OperatingSystem)]
    vendor, platform, role, family, version = CLASSIFICATION[path.stem]
    assert (device.vendor, device.platform, device.role) == (vendor, platform, role)
    assert [(o.family, o.version) for o in os_nodes] == ([(family, version)] if family else [])
    assert device.hostname is None  # every recording has sysName `<private>`
    engine = _column(path, "1.3.6.1.6.3.10.2.1.1.")
    assert device.snmp_engine_id == (engine["0"][1].lower() if engine else None)


@pytest.mark.parametrize("path", RECORDINGS, ids=_id)
def test_system_chassis_serial(path: Path | None) -> None:
    path = _need(path)
    device = _of(_facts(path, "system"), Device)[0]
    assert isinstance(device, Device)
    classes = _column(path, "1.3.6.1.2.1.47.1.1.1.1.5.")
    serials = _column(path, "1.3.6.1.2.1.47.1.1.1.1.11.")
    chassis = {_text(serials.get(i)) for i, (_, v) in classes.items() if v == "3"}
    assert device.serial in (chassis or {None})
    if path.stem in SERIALS:
        assert device.serial == SERIALS[path.stem]


@cache
def _expected_names(path: Path) -> dict[str, str]:
    """ifIndex -> interface name by NAME_COLUMN; a name several rows share gets
    ` #<ifIndex>` on each of them."""
    platform = CLASSIFICATION[path.stem][1]
    names, descrs = _column(path, IF_NAME), _column(path, IF_DESCR)
    indexes = _rows(path, IF_ENTRY, (2, 3, 4, 5, 6, 7, 8)) | set(names)
    found: dict[str, str | None] = {}
    for index in indexes:
        if platform in NAME_COLUMN:
            found[index] = _text(_column(path, NAME_COLUMN[platform]).get(index))
            other = _text((names if NAME_COLUMN[platform] == IF_DESCR else descrs).get(index))
            assert found[index] is not None or other is None, f"{path.stem}: {index}"
        else:
            found[index] = _text(names.get(index)) or _text(descrs.get(index))
    named = {i: n if n is not None else f"ifIndex {i}" for i, n in found.items()}
    shared = [n for n in named.values() if list(named.values()).count(n) > 1]
    return {i: f"{n} #{i}" if n in shared else n for i, n in named.items()}


@pytest.mark.parametrize("path", RECORDINGS, ids=_id)
def test_interfaces_against_if_table(path: Path | None) -> None:
    path = _need(path)
    facts = _facts(path, "interfaces")
    found = {n.name: n for n in _of(facts, Interface) if isinstance(n, Interface)}
    indexes = _rows(path, IF_ENTRY, (2, 3, 4, 5, 6, 7, 8))
    assert len(found) == len(indexes) > 0
    assert ("Interface" in facts.complete) is True
    expected = _expected_names(path)
    assert set(found) == {expected[i] for i in indexes}
    first = min(indexes, key=int)
    interface = found[expected[first]]
    assert interface.description == _text(_column(path, IF_ALIAS).get(first))
    phys = _column(path, IF_PHYS).get(first)
    if phys is not None and phys[0] == "4x" and len(phys[1]) == 12:
        assert interface.mac == ":".join(phys[1][i:i + 2] for i in range(0, 12, 2)).lower()


@pytest.mark.parametrize("path", RECORDINGS, ids=_id)
def test_ipv4_addresses_against_ip_addr_table(path: Path | None) -> None:
    path = _need(path)
    facts = _facts(path, "interfaces")
    addresses = {(n.interface, n.address) for n in _of(facts, IpAddress)
                 if isinstance(n, IpAddress)}
    if_indexes = _rows(path, IF_ENTRY, (2, 3))
    names = _expected_names(path)
    for index, (_, if_index) in _column(path, "1.3.6.1.2.1.4.20.1.2.").items():
        if if_index in if_indexes and all(p.isdigit() for p in index.split(".")):
            assert (names[if_index], index) in addresses


@pytest.mark.parametrize("path", RECORDINGS, ids=_id)
def test_hardware_against_entity_table(path: Path | None) -> None:
    path = _need(path)
    facts = _facts(path, "hardware")
    components = [n for n in _of(facts, Component) if isinstance(n, Component)]
    rows = _rows(path, "1.3.6.1.2.1.47.1.1.1.1", (2, 5, 7, 8, 9, 10, 11, 12, 13))
    assert len(components) == len(rows)
    assert ("Component" in facts.complete) == bool(rows)
    serials = {_text(v) for v in _column(path, "1.3.6.1.2.1.47.1.1.1.1.11.").values()}
    placeholders = {s for s in serials if s and s.lower() in ("n/a", "unknown", "none")}
    assert {c.serial for c in components} - {None} == serials - {None} - placeholders


@pytest.mark.parametrize("path", RECORDINGS, ids=_id)
def test_neighbors_against_lldp_and_cdp(path: Path | None) -> None:
    path = _need(path)
    facts = _facts(path, "neighbors")
    found = [n for n in _of(facts, Neighbor) if isinstance(n, Neighbor)]
    lldp = _rows(path, "1.0.8802.1.1.2.1.4.1.1", (4, 5, 6, 7, 8, 9, 10))
    cdp = _rows(path, "1.3.6.1.4.1.9.9.23.1.2.1.1", (3, 4, 6, 7, 8))
    assert len([n for n in found if n.protocol == "lldp"]) == len(lldp)
    assert len([n for n in found if n.protocol == "cdp"]) == len(cdp)
    local_ports = _column(path, "1.0.8802.1.1.2.1.3.7.1.3.")
    assert ("Neighbor" in facts.complete) == bool(local_ports)
    names = _expected_names(path)
    for neighbor in found:  # every local interface is named as the interface is
        assert neighbor.local_interface in names.values()
    assert {n.local_interface for n in found if n.protocol == "cdp"} == {
        names[index.split(".")[0]] for index in cdp}  # cdpCacheIfIndex


@pytest.mark.parametrize("path", RECORDINGS, ids=_id)
def test_fdb_against_bridge_tables(path: Path | None) -> None:
    path = _need(path)
    facts = _facts(path, "fdb")
    entries = [n for n in _of(facts, ForwardingEntry) if isinstance(n, ForwardingEntry)]
    q_fdb = _rows(path, "1.3.6.1.2.1.17.7.1.2.2.1", (2, 3))
    d_fdb = _rows(path, "1.3.6.1.2.1.17.4.3.1", (2, 3))
    expected = {".".join(i.split(".")[1:]) for i in q_fdb} if q_fdb else d_fdb
    macs = {_mac(i) for i in expected}
    assert {e.mac for e in entries} == macs
    assert {(e.mac, e.interface) for e in entries} == _fdb_ports(path, bool(q_fdb))


def _mac(arcs: str) -> str:
    return ":".join(f"{int(a):02x}" for a in arcs.split("."))


def _fdb_ports(path: Path, q_bridge: bool) -> set[tuple[str, str | None]]:
    """(MAC, interface name) of the valid FDB rows: bridge port -> dot1dBasePortIfIndex
    -> the name by NAME_COLUMN; a port without an ifIndex has no interface."""
    port_column, status_column = (Q_FDB_PORT, Q_FDB_STATUS) if q_bridge else (
        D_FDB_PORT, D_FDB_STATUS)
    if_indexes = {port: value for port, (_, value) in _column(path, BASE_PORT_IF_INDEX).items()}
    names = _expected_names(path)
    statuses = _column(path, status_column)
    found = set()
    for index, (_, port) in _column(path, port_column).items():
        if statuses.get(index, ("", ""))[1] == FDB_INVALID:
            continue
        mac = _mac(".".join(index.split(".")[1:]) if q_bridge else index)
        found.add((mac, names.get(if_indexes.get(port, ""))))
    return found


@pytest.mark.parametrize("path", RECORDINGS, ids=_id)
def test_host_resources_against_hr_tables(path: Path | None) -> None:
    path = _need(path)
    facts = _facts(path, "host_resources")
    packages = [n for n in _of(facts, Package) if isinstance(n, Package)]
    raw = {_text(v) for v in _column(path, "1.3.6.1.2.1.25.6.3.1.2.").values()} - {None}
    assert 0 < len(packages) <= len(raw) or not raw
    for package in packages:
        assert any(r.startswith(package.name) for r in raw if r is not None)
        assert package.version is None or any(package.version in r for r in raw if r)
    fixed = {i for i, (_, v) in _column(path, "1.3.6.1.2.1.25.2.3.1.2.").items()
             if v == "1.3.6.1.2.1.25.2.1.4"}
    assert len([n for n in facts.nodes if n.SPEC.label == "Filesystem"]) == len(fixed)
