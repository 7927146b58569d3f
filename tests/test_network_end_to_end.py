"""Network discovery end to end through the real `cmdb discover` command: simulated CLI
devices of all six network platforms (netmiko over SSH, host keys checked against a
known_hosts file), snmpsim playing real recordings over SNMP v2c and the real net-snmp
agent over SNMPv3 authPriv, into the SQLite store (tests/peers/netlab.py).

Expected values come from the project's recorded cases (expected.json, secrets.json),
from the generic SNMP platform's own offline parse of the same recording, and from
net-snmp's `snmpbulkwalk`, never from values typed here. The lab is started once per
module; each test that changes the store works on a copy of the first run's store.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from cmdb.schema import Device, Interface, Node
from cmdb.store import open_store
from cmdb.store.base import GraphStore, NodeRecord
from discovery.lab.snmpd import SnmpdPeer
from discovery.lab.snmpsim import SnmpsimPeer
from discovery.platforms.generic_snmp import COLLECTORS as SNMP_COLLECTORS
from tests.cmdb_command import Cmdb
from tests.discovery.platforms.generic_snmp.cases import outputs_from_snmprec
from tests.peers import clisim
from tests.peers.clisim import SimFactory
from tests.peers.netlab import (
    SNMPD_TARGET,
    Lab,
    Run,
    SnmpTarget,
    lab_device,
    lab_platforms,
)
from tests.peers.snmp import SIM_DEVICES, snmpd_peer, snmprec_dir, snmpsim_peer

__all__ = ["module_clisim", "snmpd_peer", "snmprec_dir", "snmpsim_peer"]  # fixtures in use

module_clisim = clisim.module_clisim
pytestmark = pytest.mark.peer

ENABLED = "cisco_ios"  # the device that wants enable mode with a secret
IF_INDEX = "1.3.6.1.2.1.2.2.1.1"


@dataclass(frozen=True)
class Faulty:
    """A device of the fault test: well behaved in the first run, faulty later; another
    device than the lab's device of its platform (own serial, host name and MACs)."""

    target: str
    platform: str
    serial: str


WRONG_PASSWORD = Faulty("wrong-password", "cisco_nxos", "FDO2112WPW1")
STUCK_PAGER = Faulty("stuck-pager", "arista_eos", "JPE2012PGR1")
INVALID_INPUT = Faulty("invalid-input", "cisco_ios", "FOC2233INV1")
FAULTY = (WRONG_PASSWORD, STUCK_PAGER, INVALID_INPUT)
# The far end of the huawei_vrp case's LLDP neighbour (`core1.example.com`,
# GigabitEthernet1/0/1), played by another IOS device: the run must link the two.
CORE = Faulty("core1", "cisco_ios", "FOC2240CORE")
# One more recording behind the first simulated agent, for the wrong community.
WRONG_COMMUNITY = "snmp-wrong-community"
WRONG_COMMUNITY_RECORDING = "iosxe_isr4321"


@pytest.fixture(scope="module")
def lab(module_clisim: SimFactory, snmpd_peer: SnmpdPeer, snmpsim_peer: SnmpsimPeer,
        tmp_path_factory: pytest.TempPathFactory) -> Lab:
    cases = {name: lab_device(name) for name in lab_platforms()}
    cases.update({f.target: lab_device(f.platform).another(f.serial, f"lab-{f.target}")
                  for f in FAULTY})
    cases[CORE.target] = lab_device(CORE.platform).another(CORE.serial, CORE.target)
    snmp_targets = {f"sim-{d.recording.replace('_', '-')}": d for d in SIM_DEVICES}
    snmp_targets[WRONG_COMMUNITY] = SnmpTarget(SIM_DEVICES[0].address,
                                               WRONG_COMMUNITY_RECORDING)
    return Lab.start(tmp_path_factory.mktemp("netlab"), module_clisim, cases, {ENABLED},
                     snmpd_peer, snmpsim_peer, snmp_targets)


@pytest.fixture(scope="module")
def first_run(lab: Lab) -> Run:
    """Every device well behaved, recorded with --record."""
    return lab.discover(lab.root / "first", lab.inventory("lab"), record=True)


@pytest.fixture
def store(first_run: Run) -> Iterator[GraphStore]:
    opened = open_store(f"sqlite:{first_run.store}")
    yield opened
    opened.close()


# -- reading the store ----------------------------------------------------------------


def device_of(store: GraphStore, target: str) -> NodeRecord:
    found = [d for d in store.nodes("Device")
             if any(p.target == target for p in d.properties.values())]
    assert len(found) == 1, f"{target}: {len(found)} devices"
    return found[0]


def owned(store: GraphStore, device: NodeRecord, label: str) -> list[NodeRecord]:
    return [n for n in store.nodes(label) if n.device == device.uid]


def config_snapshot(store_file: Path, target: str) -> NodeRecord:
    store = open_store(f"sqlite:{store_file}")
    try:
        (snapshot,) = owned(store, device_of(store, target), "ConfigSnapshot")
        return snapshot
    finally:
        store.close()


def fingerprints(node: NodeRecord) -> dict[str, str]:
    prefix = "secret_fingerprints."  # the store keeps a mapping as one property per key
    return {k.removeprefix(prefix): v.value for k, v in node.properties.items()
            if k.startswith(prefix)}


def snmprec_facts(snmprec_dir: Path, recording: str) -> list[Node]:
    """The generic SNMP platform's own parse of the recording, every collector."""
    text = (snmprec_dir / f"{recording}.snmprec").read_text(encoding="ascii")
    return [node for collector in SNMP_COLLECTORS
            for node in collector.parse(outputs_from_snmprec(text, collector)).nodes]


def net_snmp_rows(peer: SnmpdPeer, column: str) -> int:
    """Rows of one table column as net-snmp's own snmpbulkwalk reports them (SNMPv3)."""
    out = subprocess.run(["snmpbulkwalk", "-Cr25", "-On", *peer.client_args(peer.users[0]),
                          column], capture_output=True, text=True, env=peer.client_env(),
                         check=True).stdout
    return sum(1 for line in out.splitlines() if line.startswith(f".{column}."))


def leaks(lab: Lab, written: Mapping[str, bytes]) -> list[str]:
    """"<what> in <where>" for every forbidden value found (never the value itself)."""
    return [f"{what} in {where}" for secret, what in lab.forbidden().items()
            for where, blob in written.items() if secret.encode() in blob]


# -- 1. one run over every platform -----------------------------------------------------


def test_every_target_and_collector_succeeds(lab: Lab, first_run: Run) -> None:
    done = first_run.done
    assert done.returncode == 0, done.stdout + done.stderr
    targets = first_run.targets()
    assert set(targets) == {*lab.sims, *lab.snmp_targets, SNMPD_TARGET}
    for name, target in targets.items():
        assert (target["status"], target["error"]) == ("ok", None), name
        failed = [c["name"] for c in target["collectors"] if c["error"] is not None]
        assert target["collectors"] and not failed, (name, failed)


def test_cli_devices_are_stored_as_their_recordings_say(lab: Lab, first_run: Run,
                                                        store: GraphStore) -> None:
    for target, case in lab.cases.items():
        device = device_of(store, target)
        want = case.expected_device()
        for prop in ("serial", "model", "hostname", "platform"):
            assert device.value(prop) == want.get(prop), (target, prop)
        interfaces = {n.value("name") for n in owned(store, device, "Interface")}
        assert interfaces == {i["name"] for i in case.expected_nodes("interfaces",
                                                                      "Interface")}, target
    assert len(store.nodes("Device")) == len(lab.cases) + len(lab.snmp_targets) + 1
    assert store.conflicts() == []  # every simulated device is a device of its own


def test_snmpsim_devices_match_the_platforms_own_parse(lab: Lab, first_run: Run,
                                                       store: GraphStore,
                                                       snmprec_dir: Path) -> None:
    for target, sim in lab.snmp_targets.items():
        parsed = snmprec_facts(snmprec_dir, sim.recording)
        (want,) = [n for n in parsed if isinstance(n, Device)]
        device = device_of(store, target)
        assert (device.value("serial"), device.value("platform"), device.value("vendor")) == (
            want.serial, want.platform, want.vendor), target
        stored = Counter(n.label for n in store.nodes() if n.device == device.uid)
        assert stored == Counter(n.SPEC.label for n in parsed), target
        names = {n.value("name") for n in owned(store, device, "Interface")}
        assert names == {n.name for n in parsed if isinstance(n, Interface)}, target


def test_real_snmpd_over_v3_has_the_interfaces_snmpbulkwalk_reports(
        lab: Lab, first_run: Run, store: GraphStore) -> None:
    interfaces = owned(store, device_of(store, SNMPD_TARGET), "Interface")
    rows = net_snmp_rows(lab.snmpd, IF_INDEX)
    assert rows > 0 and len(interfaces) == rows


# -- 2. redaction end to end ------------------------------------------------------------


def test_no_secret_reaches_store_output_or_recordings(lab: Lab, first_run: Run) -> None:
    assert first_run.record_dir is not None
    recorded = {p.parent.parent.name for p in
                first_run.record_dir.glob("*/running_config/commands.json")}
    assert recorded == set(lab.sims)  # the configs were recorded, redacted
    for target, case in lab.cases.items():  # the devices did print every secret
        config = lab.outputs[target][case.config_command()]
        assert [s for s in case.secrets() if s not in config] == [], target
    assert leaks(lab, first_run.written()) == []


def test_each_config_is_stored_redacted_with_fingerprints(lab: Lab, first_run: Run,
                                                          store: GraphStore) -> None:
    for target, case in lab.cases.items():
        (snapshot,) = owned(store, device_of(store, target), "ConfigSnapshot")
        want = case.expected_config()
        assert snapshot.value("text") == want["text"], target
        assert set(fingerprints(snapshot)) == set(want["secret_fingerprints"]), target
        assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in fingerprints(snapshot).values())


# -- 3. a changed secret ------------------------------------------------------------------


@dataclass(frozen=True)
class ChangedSecret:
    target: str
    old: str
    new: str


@pytest.fixture
def changed_secret(lab: Lab) -> Iterator[ChangedSecret]:
    """One secret of one device's running config changed (a plain one, letters and
    digits written once, so the new value of the same form is still a valid line)."""
    target = "juniper_junos"
    case, outputs = lab.cases[target], lab.outputs[target]
    command = case.config_command()
    before = outputs[command]
    old = next(s for s in case.secrets() if s.isalnum() and before.count(s) == 1)
    changed = ChangedSecret(target, old, "Chg" + secrets.token_hex(6))
    outputs[command] = before.replace(old, changed.new)
    yield changed
    outputs[command] = before


def test_changed_secret_changes_its_fingerprint_only(
        lab: Lab, first_run: Run, changed_secret: ChangedSecret) -> None:
    target = changed_secret.target
    second = lab.discover(first_run.copy_store("changed-secret"),
                          lab.inventory("cli", snmp=False))
    assert second.done.returncode == 0, second.done.stdout + second.done.stderr
    before = config_snapshot(first_run.store, target)
    after = config_snapshot(second.store, target)
    assert (after.uid, after.value("text")) == (before.uid, before.value("text"))

    history = Cmdb(second.store).json("ci", "history", after.uid)
    changed = [h for h in history if h["run"] == after.last_run]
    assert len(changed) == 1, changed
    assert changed[0]["name"].startswith("secret_fingerprints.")
    assert None not in (changed[0]["old"], changed[0]["new"])
    assert changed[0]["old"] != changed[0]["new"]
    forbidden = (changed_secret.old.encode(), changed_secret.new.encode())
    assert [w for w, blob in second.written().items() if any(s in blob for s in forbidden)
            ] == []


# -- 4. faults: one bad device never stops a run -----------------------------------------

FAILED_COLLECTOR = "interfaces"  # the collector whose command the device does not know


@pytest.fixture
def faults(lab: Lab) -> Iterator[None]:
    """A pager that ignores the paging command, and a device that answers `% Invalid
    input` to the interfaces command; both undone afterwards. (The wrong password and
    community are in the inventory.)"""
    pager = lab.sims[STUCK_PAGER.target]
    well_behaved = pager.device
    pager.device = replace(well_behaved, pager_stuck=True)  # for sessions from now on
    outputs = lab.outputs[INVALID_INPUT.target]
    case = lab.cases[INVALID_INPUT.target]
    dropped = {command: outputs.pop(command) for command in case.commands_of(FAILED_COLLECTOR)}
    yield
    pager.device = well_behaved
    outputs.update(dropped)


def device_state(store_file: Path, target: str) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """uid -> (label, status, properties) of everything one target's device owns."""
    store = open_store(f"sqlite:{store_file}")
    try:
        device = device_of(store, target)
        return {n.uid: (n.label, n.status.value, {k: v.value for k, v in n.properties.items()})
                for n in store.nodes(include_absent=True) if n.device == device.uid}
    finally:
        store.close()


def target_errors(target: Mapping[str, Any]) -> dict[str, str]:
    """"target" or collector name -> error kind, for what failed."""
    if target["error"] is not None:
        return {"target": target["error"]["kind"]}
    return {c["name"]: c["error"]["kind"] for c in target["collectors"] if c["error"]}


def status_why(stdout: str, target: str) -> str:
    """The `why` cell of the target's row in the status table (wrapped over lines)."""
    lines = stdout.splitlines()
    (start,) = [i for i, line in enumerate(lines)
                if line.split("│")[1:2] and line.split("│")[1].strip() == target]
    cells = [lines[start].split("│")[-2]]
    for line in lines[start + 1:]:
        parts = line.split("│")
        if len(parts) < 3 or parts[1].strip():
            break
        cells.append(parts[-2])
    return " ".join(" ".join(cells).split())


def test_one_bad_device_never_stops_a_run(lab: Lab, first_run: Run, faults: None) -> None:
    failing = [f.target for f in FAULTY] + [WRONG_COMMUNITY]
    before = {target: device_state(first_run.store, target) for target in failing}
    inventory = lab.inventory("faults", wrong_password={WRONG_PASSWORD.target},
                              wrong_community={WRONG_COMMUNITY})
    run = lab.discover(first_run.copy_store("faults"), inventory, "--retries", "0")
    done, targets = run.done, run.targets()
    assert done.returncode == 2, done.stdout + done.stderr

    kinds = {target: target_errors(targets[target]) for target in failing}
    assert kinds[WRONG_PASSWORD.target] == {"target": "AuthError"}
    assert kinds[WRONG_COMMUNITY] == {"target": "Timeout"}  # an agent stays silent
    assert kinds[INVALID_INPUT.target] == {FAILED_COLLECTOR: "CommandError"}
    invalid = next(c for c in targets[INVALID_INPUT.target]["collectors"]
                   if c["name"] == FAILED_COLLECTOR)
    assert "% Invalid input" in invalid["error"]["message"]
    paged = targets[STUCK_PAGER.target]["collectors"]
    assert any(c["error"] and c["error"]["kind"] == "CommandError"
               and "paged" in c["error"]["message"] for c in paged), paged
    for target, errors in kinds.items():  # the status table says what failed, and how
        why = status_why(done.stdout, target)
        assert all(kind in why if where == "target" else f"{where}: {kind}" in why
                   for where, kind in errors.items()), (target, why)

    good = set(targets) - set(failing)
    assert all(targets[t]["status"] == "ok" for t in good), done.stdout
    store = open_store(f"sqlite:{run.store}")
    try:
        latest = store.runs(1)[0].run
        assert all(device_of(store, t).last_run == latest for t in good)
    finally:
        store.close()
    for target in failing:  # what the earlier run stored is all still there, unchanged
        after = device_state(run.store, target)
        assert before[target] and {uid: after.get(uid) for uid in before[target]} == (
            before[target]), target
    assert leaks(lab, run.written()) == []


def test_lldp_neighbours_become_links_and_the_rest_stay_pending(lab: Lab, first_run: Run
                                                                ) -> None:
    """The VRP case sees core1.example.com on GigabitEthernet0/0/1 (its port
    GigabitEthernet1/0/1): that device is in the run, so the two ports are linked; the
    recorded neighbours no device of the run is stay pending, with the reason."""
    assert "topology: 1 links (+1 -0)" in first_run.done.stdout, first_run.done.stdout
    cmdb = Cmdb(first_run.store)
    report = cmdb.json("topology")
    vrp = lab.cases["huawei_vrp"].expected_device()["hostname"]
    [link] = report["links"]
    assert {(link["a"]["device"], link["a"]["port"]), (link["b"]["device"], link["b"]["port"])
            } == {(vrp, "GigabitEthernet0/0/1"), (CORE.target, "GigabitEthernet1/0/1")}
    pending = {(p["device"], p["remote_device"]) for p in report["pending"]}
    assert (CORE.target, "core-1.example.com") in pending  # the IOS case's own neighbour
    assert all(p["reason"] for p in report["pending"])


def test_intended_config_audit_of_a_discovered_device(lab: Lab, first_run: Run,
                                                      tmp_path: Path) -> None:
    """The auditor's path on what discovery stored: an intended-config baseline for the
    IOS device (its all_secrets config has `hostname rtr1` and no `ip ssh version 2`),
    approved by someone else, audited: one drift, one compliant section."""
    store_dir = first_run.copy_store("intended")
    cmdb = Cmdb(store_dir / first_run.store.name, CMDB_AUDIT_DB=str(tmp_path / "audit.sqlite"))
    hostname = lab.cases["cisco_ios"].expected_device()["hostname"]
    template = tmp_path / "ios.j2"
    template.write_text("hostname rtr1\nip ssh version 2\n", encoding="utf-8")
    created = cmdb.json("baseline", "intended", "ios-access", "--platform", "cisco_ios",
                        "--template", str(template), "--selector", f"hostname={hostname}",
                        "--by", "alice")
    assert created["status"] == "draft"
    assert cmdb("baseline", "approve", "ios-access", "--by", "bob").returncode == 0
    audit = cmdb("audit", "run", "--format", "json", "--fail-on", "medium")
    assert audit.returncode == 1, audit.stderr
    findings = {(f["ci_name"], f["check"]): (f["verdict"], f["expected"], f["actual"])
                for f in json.loads(audit.stdout)["findings"]}
    # expected = lines missing from the running config, actual = lines it has extra
    assert findings == {
        (hostname, "hostname"): ("compliant", None, None),
        (hostname, "ip ssh"): ("drift", ["ip ssh version 2"], None),
    }
    assert not [s for s in lab.cases["cisco_ios"].secrets() if s in audit.stdout]
