"""One contract every GraphStore must keep (STYLE 6), on every store of conftest `STORES`."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from cmdb.changeset import NodeStatus, Observation
from cmdb.ingest import ingest
from cmdb.schema import Source, TargetFacts, TargetOutcome
from cmdb.store import GraphStore, StoreError, open_store
from cmdb.store.impact import Direction, ImpactGraph, Step
from tests.cmdb.builders import host, placed, run_info


@pytest.fixture
def store(any_store: GraphStore) -> GraphStore:
    """Every test here runs on each store (tests/cmdb/conftest.py)."""
    return any_store


def run(store: GraphStore, *batch: TargetFacts):
    from datetime import UTC, datetime

    number = store.begin_run("discovery", datetime.now(UTC))
    info = dataclasses.replace(run_info(number), targets=tuple(
        TargetOutcome(t, True) for t in dict.fromkeys(tf.target for tf in batch)))
    return ingest(store, list(batch), info)


def history_count(store: GraphStore) -> int:
    return sum(len(store.history(d.uid)) for d in store.nodes("Device", include_absent=True))


def test_first_run_creates_the_graph(store: GraphStore) -> None:
    _, summary = run(store, host(settings={"permitrootlogin": "no"}), placed("t1", "dc1"))
    assert summary.nodes_created == 5  # device, interface, ip, config file, site
    device = store.nodes("Device")[0]
    assert device.value("hostname") == "web01"
    assert device.properties["hostname"].source == "ssh"
    assert device.value("role") == "server"
    kinds = {(e.type, e.other_label) for e in store.neighbours(device.uid)}
    assert kinds == {("HAS_INTERFACE", "Interface"), ("HAS_CONFIG", "ConfigFile"),
                     ("LOCATED_IN", "Site")}


def test_nothing_changed_means_no_history(store: GraphStore) -> None:
    run(store, host(settings={"permitrootlogin": "no"}), placed("t1", "dc1"))
    before = history_count(store)
    _, summary = run(store, host(settings={"permitrootlogin": "no"}), placed("t1", "dc1"))
    assert summary.changes == 0
    assert history_count(store) == before


def test_reapplying_a_changeset_changes_nothing(store: GraphStore) -> None:
    changeset, _ = run(store, host(settings={"permitrootlogin": "no"}))
    before = history_count(store)
    again = store.apply(changeset)
    assert again.changes == 0
    assert history_count(store) == before


def test_one_changed_setting_is_one_history_entry(store: GraphStore) -> None:
    run(store, host(settings={"permitrootlogin": "no"}))
    run(store, host(settings={"permitrootlogin": "yes"}))
    config = store.nodes("ConfigFile")[0]
    history = store.history(config.uid)
    created = [e for e in history if e.name == "created"]
    assert [(e.run, e.new["settings.permitrootlogin"]) for e in created] == [(1, "no")]
    entries = [e for e in history if e.name == "settings.permitrootlogin"]
    assert [(e.run, e.old, e.new) for e in entries] == [(2, "no", "yes")]
    assert config.value("settings.permitrootlogin") == "yes"


def test_as_of_reads_the_graph_as_a_past_run_left_it(store: GraphStore) -> None:
    run(store, host(settings={"permitrootlogin": "no"}))
    run(store, host(settings={"permitrootlogin": "yes"},
                    interfaces={"eth0": "00:16:3e:00:00:01", "eth1": "00:16:3e:00:00:09"}))
    old = store.nodes("ConfigFile", as_of=1)[0]
    assert old.value("settings.permitrootlogin") == "no"
    assert len(store.nodes("Interface", as_of=1)) == 1
    assert len(store.nodes("Interface", as_of=2)) == 2
    changes = {(e.label, e.kind, e.name) for e in store.diff(1, 2)}
    assert ("ConfigFile", "property", "settings.permitrootlogin") in changes
    assert ("Interface", "node", "created") in changes
    assert ("Device", "relationship", "HAS_INTERFACE") in changes


def test_missing_things_are_tombstoned_then_revived(store: GraphStore) -> None:
    two = {"eth0": "00:16:3e:00:00:01", "eth1": "00:16:3e:00:00:09"}
    run(store, host(interfaces=two))
    _, summary = run(store, host(interfaces={"eth0": "00:16:3e:00:00:01"}))
    assert summary.nodes_absent == 2  # eth1 and its address
    gone = [n for n in store.nodes("Interface", include_absent=True)
            if n.status is NodeStatus.ABSENT]
    assert [n.value("name") for n in gone] == ["eth1"]
    assert gone[0].absent_since == 2
    assert len(store.nodes("Interface")) == 1  # absent ones are hidden by default
    _, summary = run(store, host(interfaces=two))
    assert summary.nodes_reappeared == 2


def test_a_failed_collector_marks_nothing_absent(store: GraphStore) -> None:
    run(store, host())
    _, summary = run(store, host(interfaces={}, complete=frozenset()))
    assert summary.nodes_absent == 0
    assert len(store.nodes("Interface")) == 1


def test_site_change_moves_the_device(store: GraphStore) -> None:
    run(store, host(), placed("t1", "dc1"))
    _, summary = run(store, host(), placed("t1", "dc2"))
    assert (summary.rels_added, summary.rels_removed) == (1, 1)
    device = store.nodes("Device")[0]
    sites = [e for e in store.neighbours(device.uid) if e.type == "LOCATED_IN" and e.present]
    assert len(sites) == 1 and store.get(sites[0].dst).value("name") == "dc2"  # type: ignore[union-attr]


def test_runs_record_what_was_reached(store: GraphStore) -> None:
    run(store, host())
    record = store.runs()[0]
    assert record.status == "done" and record.summary is not None
    assert [t.target for t in record.targets] == ["t1"]


def test_resolve_by_uid_prefix_and_hostname(store: GraphStore) -> None:
    run(store, host())
    uid = store.nodes("Device")[0].uid
    assert store.resolve("web01") == [uid]
    assert store.resolve(uid[:8]) == [uid]
    assert store.resolve("nope") == []


def test_a_failing_apply_leaves_the_store_as_it_was(store: GraphStore) -> None:
    changeset, _ = run(store, host(settings={"permitrootlogin": "no"}))
    before = [(n.uid, dict(n.properties)) for n in store.nodes()]
    broken = dataclasses.replace(changeset, observations=(
        *changeset.observations,
        Observation("x", "y", Source.SSH, "t1", object()),  # cannot be stored
    ))
    with pytest.raises((StoreError, TypeError)):
        store.apply(broken)
    assert [(n.uid, dict(n.properties)) for n in store.nodes()] == before


def test_a_file_that_is_not_a_store_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "not.sqlite"
    bad.write_text("this is not a database" * 100)
    with pytest.raises(StoreError, match=r"not\.sqlite"):
        open_store(f"sqlite:{bad}")
    with pytest.raises(StoreError, match="unknown store type"):
        open_store("ftp://x")


def test_a_failing_target_leaves_its_cis_untouched(store: GraphStore) -> None:
    two = {"eth0": "00:16:3e:00:00:01", "eth1": "00:16:3e:00:00:09"}
    other = {"eth0": "00:16:3e:00:00:02"}
    run(store, host("a", interfaces=two),
        host("b", serial="SER2", machine_id="m2", hostname="db01", interfaces=other))
    before = {n.uid: dict(n.properties) for n in store.nodes(include_absent=True)}
    # a's interfaces collector failed (nothing complete); b's succeeded with eth0 gone.
    _, summary = run(store, host("a", interfaces={}, complete=frozenset()),
                     host("b", serial="SER2", machine_id="m2", hostname="db01", interfaces={}))
    assert summary.nodes_absent == 2  # b's eth0 and its address, nothing of a's
    a = next(d for d in store.nodes("Device") if d.value("hostname") == "web01")
    for node in store.nodes(include_absent=True):
        if node.device == a.uid:
            assert node.status is NodeStatus.PRESENT
            assert dict(node.properties) == before[node.uid]


def test_conflicts_are_stored_for_review(store: GraphStore) -> None:
    uuid = "4c4c4544-0042-3510-8048-b2c04f4e4d32"
    run(store, host("a", serial=None, system_uuid=uuid, machine_id="m-a", hostname="a"),
        host("b", serial=None, system_uuid=uuid, machine_id="m-b", hostname="b",
             interfaces={"eth0": "00:16:3e:00:00:02"}))
    conflicts = store.conflicts()
    assert [(c.kind, c.target) for c in conflicts] == [("cloned", "a,b")]
    assert store.conflicts(run=99) == []


NASTY = "x'}) DETACH DELETE n //\"; DROP TABLE nodes; --"


def test_values_that_look_like_queries_are_stored_verbatim(store: GraphStore) -> None:
    run(store, host(hostname=NASTY, settings={"banner": NASTY, NASTY: "1"}))
    device = store.nodes("Device")[0]
    assert device.value("hostname") == NASTY
    assert store.resolve(NASTY) == [device.uid]
    config = store.nodes("ConfigFile")[0]
    assert config.value("settings.banner") == NASTY
    assert config.value(f"settings.{NASTY}") == "1"
    assert len(store.nodes()) == 4  # device, interface, address, config file: nothing lost


def impact_rows(graph: ImpactGraph) -> list[tuple[str, int, tuple[Step, ...]]]:
    return [(h.label, h.depth, h.path) for h in graph.hits]


def test_impact_follows_the_asked_types_and_direction(store: GraphStore) -> None:
    run(store, host(), placed("t1", "dc1"))
    device = store.nodes("Device")[0].uid
    eth0 = store.nodes("Interface")[0].uid
    ip = store.nodes("IpAddress")[0].uid
    site = store.nodes("Site")[0].uid
    down = store.impact(device, ["HAS_INTERFACE", "HAS_IP"], Direction.OUT, 3)
    assert impact_rows(down) == [
        ("Interface", 1, ((device, "HAS_INTERFACE", eth0),)),
        ("IpAddress", 2, ((device, "HAS_INTERFACE", eth0), (eth0, "HAS_IP", ip))),
    ]
    assert [h.uid for h in store.impact(device, ["HAS_INTERFACE"], Direction.OUT, 1).hits] == [
        eth0]
    up = store.impact(ip, [], Direction.IN, 5)  # who owns this address, up to the device
    assert [(h.label, h.depth) for h in up.hits] == [("Interface", 1), ("Device", 2)]
    both = store.impact(site, ["LOCATED_IN", "HAS_INTERFACE"], Direction.BOTH, 2)
    assert [(h.label, h.depth) for h in both.hits] == [("Device", 1), ("Interface", 2)]


def test_impact_skips_absent_cis(store: GraphStore) -> None:
    two = {"eth0": "00:16:3e:00:00:01", "eth1": "00:16:3e:00:00:09"}
    run(store, host(interfaces=two))
    run(store, host(interfaces={"eth0": "00:16:3e:00:00:01"}))
    device = store.nodes("Device")[0].uid
    names = {store.get(h.uid).value("name")  # type: ignore[union-attr]
             for h in store.impact(device, ["HAS_INTERFACE"], Direction.OUT, 1).hits}
    assert names == {"eth0"}


def test_a_run_ingested_in_chunks_sums_its_summary(store: GraphStore) -> None:
    batch = [host(f"t{i}", serial=f"S{i}", machine_id=f"m{i}", hostname=f"h{i}",
                  interfaces={"eth0": f"00:16:3e:00:01:{i:02x}"}) for i in range(5)]
    _, whole = run(store, *batch)
    assert whole.nodes_created == 15
    from datetime import UTC, datetime

    number = store.begin_run("discovery", datetime.now(UTC))
    _, again = ingest(store, batch, run_info(number), chunk=2)  # 3 chunks, no changes
    assert again.changes == 0
    assert store.runs()[1].summary.nodes_created == 15  # type: ignore[union-attr]
    assert store.runs()[0].summary.changes == 0  # type: ignore[union-attr]


def test_a_run_in_chunks_keeps_every_targets_device(store: GraphStore) -> None:
    from datetime import UTC, datetime

    batch = [host(f"t{i}", serial=f"S{i}", machine_id=f"m{i}", hostname=f"h{i}",
                  interfaces={"eth0": f"00:16:3e:00:02:{i:02x}"}) for i in range(5)]
    number = store.begin_run("discovery", datetime.now(UTC))
    info = dataclasses.replace(run_info(number), targets=tuple(
        TargetOutcome(f"t{i}", True) for i in range(5)))
    ingest(store, batch[:2], info, chunk=1)  # one call in chunks ...
    ingest(store, batch[2:], info, chunk=2)  # ... and several calls under one run
    record = store.runs()[0]
    devices = {t.target: t.device for t in record.targets}
    assert sorted(devices) == [f"t{i}" for i in range(5)]
    by_host = {d.value("hostname"): d.uid for d in store.nodes("Device")}
    assert devices == {f"t{i}": by_host[f"h{i}"] for i in range(5)}


def test_a_run_that_reached_nothing_is_still_recorded(store: GraphStore) -> None:
    """No facts at all (every target unreachable): the run, and what it missed and why,
    must still be stored, so audits can say `not reached` instead of reusing old facts."""
    from datetime import UTC, datetime

    run(store, host())
    number = store.begin_run("discovery", datetime.now(UTC))
    info = dataclasses.replace(run_info(number), targets=(
        TargetOutcome("t1", False, error="connection refused"),))
    _, summary = ingest(store, [], info)
    assert summary.changes == 0
    record = store.runs()[0]
    assert record.run == number and record.finished_at is not None
    assert [(t.target, t.reached, t.error) for t in record.targets] == [
        ("t1", False, "connection refused")]
    assert len(store.nodes("Device")) == 1  # nothing already stored changes


def test_an_unchanged_device_is_only_marked_seen(store: GraphStore) -> None:
    facts = (host(settings={"permitrootlogin": "no"}), placed("t1", "dc1"))
    run(store, *facts)
    before = store.export_graph()
    changeset, summary = run(store, *facts)
    device = store.nodes("Device")[0].uid
    assert changeset.unchanged == (device,) and not changeset.nodes
    assert summary.changes == 0
    after = store.export_graph()
    second = store.runs()[0].run
    assert after.history == before.history
    assert {n.uid: n.last_run for n in after.nodes} == {n.uid: second for n in before.nodes}
    assert {(r.src, r.type, r.dst): r.last_run for r in after.rels} == {
        (r.src, r.type, r.dst): second for r in before.rels}
    assert [t.device for t in store.runs()[0].targets] == [device]
    changeset, _ = run(store, *facts)  # still current after being skipped
    assert changeset.unchanged == (device,)


def test_a_change_after_skipped_runs_is_recorded(store: GraphStore) -> None:
    run(store, host(settings={"permitrootlogin": "no"}))
    run(store, host(settings={"permitrootlogin": "no"}))
    changeset, summary = run(store, host(settings={"permitrootlogin": "yes"}))
    assert changeset.unchanged == () and summary.properties_changed == 2  # setting, sha
    config = store.nodes("ConfigFile")[0]
    assert config.value("settings.permitrootlogin") == "yes"
    entries = [e for e in store.history(config.uid) if e.name == "settings.permitrootlogin"]
    assert [(e.old, e.new) for e in entries] == [("no", "yes")]


def test_another_source_in_between_means_a_full_reconcile(store: GraphStore) -> None:
    run(store, host())
    run(store, host(source=Source.AGENT, hostname="web01-agent"))
    changeset, summary = run(store, host())
    assert changeset.unchanged == () and summary.changes == 0


def test_a_second_target_for_an_unchanged_device_is_reconciled(store: GraphStore) -> None:
    run(store, host("t1"))
    second = host("t2", hostname="web01", interfaces={"eth0": "00:16:3e:00:00:01",
                                                       "eth1": "00:16:3e:00:00:02"})
    changeset, summary = run(store, host("t1"), second)  # same serial: one device
    assert changeset.unchanged == ()
    assert summary.nodes_created == 2  # eth1 and its address
    assert len(store.nodes("Device")) == 1 and len(store.nodes("Interface")) == 2
