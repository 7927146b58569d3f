"""Reconciliation is pure: these tests need no store, only snapshots."""

from __future__ import annotations

from cmdb.changeset import EvidenceKind, NodeStatus, Snapshot, StoredNode
from cmdb.identity import is_junk, mac_set_value
from cmdb.reconcile import reconcile
from cmdb.schema import Device, Facts, Source, TargetFacts, stable_uid
from tests.cmdb.builders import host, run_info


def devices(cs) -> set[str]:
    return {n.uid for n in cs.nodes if n.label == "Device"}


def test_new_device_gets_a_uid_from_its_strongest_evidence() -> None:
    cs = reconcile([host()], Snapshot(), run_info(1))
    assert devices(cs) == {stable_uid("Device", "serial", "SER1")}
    assert cs.evidence[stable_uid("Device", "serial", "SER1")][EvidenceKind.MACHINE_ID] == "m1"


def test_known_serial_matches_even_after_a_rename() -> None:
    known = {"dev-a": {EvidenceKind.SERIAL: "SER1", EvidenceKind.HOSTNAME: "old"}}
    cs = reconcile([host(hostname="renamed")], Snapshot(evidence=known), run_info(2))
    assert devices(cs) == {"dev-a"}


def test_junk_serials_never_match() -> None:
    for junk in ("To be filled by O.E.M.", "0000000000", "Default string", "System Serial Number",
                 "00000000-0000-0000-0000-000000000000", "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"):
        assert is_junk(EvidenceKind.SERIAL, junk), junk
    a = host("a", serial="To be filled by O.E.M.", machine_id="m-a", hostname="a")
    b = host("b", serial="To be filled by O.E.M.", machine_id="m-b", hostname="b",
             interfaces={"eth0": "00:16:3e:00:00:02"})
    cs = reconcile([a, b], Snapshot(), run_info(1))
    assert len(devices(cs)) == 2
    assert not cs.conflicts


def test_a_cloned_uuid_seen_live_twice_is_ignored_and_reported() -> None:
    uuid = "4c4c4544-0042-3510-8048-b2c04f4e4d32"
    a = host("a", serial=None, system_uuid=uuid, machine_id="m-a", hostname="a")
    b = host("b", serial=None, system_uuid=uuid, machine_id="m-b", hostname="b",
             interfaces={"eth0": "00:16:3e:00:00:02"})
    cs = reconcile([a, b], Snapshot(), run_info(1))
    assert len(devices(cs)) == 2
    assert [c.kind for c in cs.conflicts] == ["cloned"]
    assert "system_uuid" in cs.conflicts[0].evidence


def test_the_same_host_reached_twice_in_a_run_is_one_device() -> None:
    cs = reconcile([host("by-name"), host("by-address")], Snapshot(), run_info(1))
    assert len(devices(cs)) == 1
    assert {o.device for o in cs.run.targets} <= devices(cs) | {None}


def test_ambiguous_match_is_a_conflict_never_a_merge() -> None:
    known = {"dev-a": {EvidenceKind.MACHINE_ID: "m1"}, "dev-b": {EvidenceKind.MACHINE_ID: "m1"}}
    cs = reconcile([host(serial=None, hostname="x")], Snapshot(evidence=known), run_info(2))
    assert not cs.nodes
    assert cs.conflicts[0].kind == "ambiguous"
    assert cs.conflicts[0].candidates == ("dev-a", "dev-b")


def test_weaker_evidence_narrows_a_shared_match() -> None:
    known = {"dev-a": {EvidenceKind.MACHINE_ID: "m1", EvidenceKind.HOSTNAME: "web01"},
             "dev-b": {EvidenceKind.MACHINE_ID: "m1", EvidenceKind.HOSTNAME: "web02"}}
    cs = reconcile([host(serial=None)], Snapshot(evidence=known), run_info(2))
    assert devices(cs) == {"dev-a"}


def test_a_reused_hostname_on_another_box_is_a_new_device() -> None:
    known = {"dev-a": {EvidenceKind.SERIAL: "OTHER", EvidenceKind.HOSTNAME: "web01"}}
    cs = reconcile([host(machine_id=None)], Snapshot(evidence=known), run_info(2))
    assert devices(cs) == {stable_uid("Device", "serial", "SER1")}


def test_mac_set_ignores_locally_administered_and_junk_macs() -> None:
    assert mac_set_value(["02:42:ac:11:00:02", "00:00:00:00:00:00"]) is None
    assert mac_set_value(["00:16:3E:00:00:01", "02:42:ac:11:00:02"]) == "00:16:3e:00:00:01"


def test_higher_precedence_source_wins_and_the_loser_is_kept() -> None:
    agent = TargetFacts("t1", Source.AGENT, Facts(nodes=(Device(serial="SER1", fqdn="a.corp"),)))
    ssh = TargetFacts("t1", Source.SSH, Facts(nodes=(Device(serial="SER1", fqdn="b.corp"),)))
    cs = reconcile([ssh, agent], Snapshot(), run_info(1))
    fqdn = next(p for p in cs.properties if p.name == "fqdn")
    assert (fqdn.value, fqdn.source) == ("a.corp", Source.AGENT)
    assert {(o.source, o.value) for o in cs.observations if o.name == "fqdn"} == {
        (Source.AGENT, "a.corp"), (Source.SSH, "b.corp")}


def _stored(uid: str, label: str, device: str) -> StoredNode:
    return StoredNode(uid, label, device, device, NodeStatus.PRESENT)


def test_absence_only_for_labels_enumerated_completely() -> None:
    dev = stable_uid("Device", "serial", "SER1")
    gone_if = stable_uid("Interface", dev, "eth9")
    gone_pkg = stable_uid("Package", dev, "old", "all")
    snap = Snapshot(evidence={dev: {EvidenceKind.SERIAL: "SER1"}},
                    nodes={gone_if: _stored(gone_if, "Interface", dev),
                           gone_pkg: _stored(gone_pkg, "Package", dev)})
    cs = reconcile([host()], snap, run_info(2))
    assert cs.absent == (gone_if,)  # packages were not enumerated: not evidence of absence
    partial = host(complete=frozenset())  # the interfaces collector failed
    assert reconcile([partial], snap, run_info(2)).absent == ()


def test_a_setting_removed_from_a_config_file_is_retracted() -> None:
    first = reconcile([host(settings={"permitrootlogin": "no", "port": "22"})], Snapshot(),
                      run_info(1))
    config = next(n.uid for n in first.nodes if n.label == "ConfigFile")
    snap = Snapshot(observations={(o.uid, o.name): {o.source: (o.value, o.target)}
                                  for o in first.observations})
    second = reconcile([host(settings={"permitrootlogin": "no"})], snap, run_info(2))
    port = next(p for p in second.properties if p.uid == config and p.name == "settings.port")
    assert port.value is None
