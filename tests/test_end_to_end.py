"""The whole pipeline through the real `cmdb` command: inventory → discovery of this
machine over a real OpenSSH server → the SQLite graph with history → the CLI.

Expected values come from this machine itself (hostname, /sys/class/net, dpkg-query,
/etc/machine-id, the file we hash), never from our own parsers.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from discovery.lab.sshd import SshdPeer
from tests.cmdb_command import Cmdb


@pytest.fixture
def lab(sshd_peer: SshdPeer, tmp_path: Path) -> dict[str, Path]:
    settings = tmp_path / "app" / "sshd_config"
    settings.parent.mkdir()
    settings.write_text("# test copy\nPermitRootLogin no\nPasswordAuthentication no\n")
    inventory = tmp_path / "hosts.yaml"
    inventory.write_text(
        "groups:\n  lab: {site: lab-1, role: server}\n"
        "hosts:\n"
        f"  me:\n    address: {sshd_peer.address}\n    port: {sshd_peer.port}\n"
        f"    groups: [lab]\n    vars: {{config_files: [{settings}]}}\n"
        f"    credentials: {{username: {sshd_peer.user}, key_file: {sshd_peer.client_key_path}}}\n"
    )
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(sshd_peer.known_hosts_line() + "\n")
    return {"inventory": inventory, "known_hosts": known_hosts, "settings": settings,
            "store": tmp_path / "cmdb.sqlite"}


def discover(cmdb: Cmdb, lab: dict[str, Path], *extra: str) -> subprocess.CompletedProcess[str]:
    return cmdb("discover", "-i", str(lab["inventory"]), "--known-hosts",
                str(lab["known_hosts"]), *extra)


def test_discovering_this_machine_builds_a_true_graph_with_history(
        lab: dict[str, Path], sshd_peer: SshdPeer) -> None:
    cmdb = Cmdb(lab["store"])
    first = discover(cmdb, lab)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "run 1:" in first.stdout

    devices = cmdb.json("ci", "list", "--label", "Device")
    assert len(devices) == 1
    assert cmdb.json("ci", "list", "--site", "lab-1", "--role", "server") == devices
    assert cmdb.json("ci", "list", "--site", "elsewhere") == []
    device = cmdb.json("ci", "show", devices[0]["uid"])
    props = {k: v["value"] for k, v in device["properties"].items()}
    assert props["hostname"] == socket.gethostname()
    machine_id = Path("/etc/machine-id")
    if machine_id.exists():
        assert props["machine_id"] == machine_id.read_text().strip()
    assert props["role"] == "server"
    assert device["properties"]["hostname"]["source"] == "ssh"
    assert {(r["type"], r["name"]) for r in device["relationships"]} >= {("LOCATED_IN", "lab-1")}

    _check_interfaces(cmdb)
    _check_packages(cmdb)
    _check_own_listening_port(cmdb, sshd_peer)
    config = _config(cmdb, lab["settings"])
    assert config["properties"]["sha256"]["value"] == hashlib.sha256(
        lab["settings"].read_bytes()).hexdigest()
    assert config["properties"]["settings.permitrootlogin"]["value"] == "no"
    uids = [n["uid"] for n in cmdb.json("ci", "list")]
    assert len(uids) == len(set(uids))

    # Nothing changed on the machine: the second run records no history at all.
    history_before = cmdb.json("ci", "history", devices[0]["uid"])
    second = discover(cmdb, lab)
    assert second.returncode == 0 and "run 2: 0 CIs created, 0 properties changed" in second.stdout
    assert cmdb.json("ci", "history", devices[0]["uid"]) == history_before
    assert cmdb.json("diff", "1", "2") == []

    # One setting changes on the machine: exactly one history entry for that property.
    lab["settings"].write_text("# test copy\nPermitRootLogin yes\nPasswordAuthentication no\n")
    assert discover(cmdb, lab).returncode == 0
    history = cmdb.json("ci", "history", config["uid"])
    changed = [h for h in history if h["name"] == "settings.permitrootlogin" and h["run"] == 3]
    assert [(h["old"], h["new"]) for h in changed] == [("no", "yes")]
    assert {h["name"] for h in cmdb.json("diff", "2", "3") if h["uid"] == config["uid"]} == {
        "settings.permitrootlogin", "sha256", "size"}  # "no" -> "yes" is one byte longer
    as_of = cmdb.json("ci", "show", config["uid"], "--as-of", "2")
    assert as_of["properties"]["settings.permitrootlogin"]["value"] == "no"
    assert len(cmdb.json("ci", "list", "--label", "Device")) == 1  # still one device

    runs = cmdb.json("runs")
    assert [(r["run"], r["reached"], r["targets"]) for r in runs] == [(3, 1, 1), (2, 1, 1),
                                                                      (1, 1, 1)]


def _check_interfaces(cmdb: Cmdb) -> None:
    expected = {p.parent.name: p.read_text().strip()
                for p in Path("/sys/class/net").glob("*/address")}
    found = {n["name"]: n["uid"] for n in cmdb.json("ci", "list", "--label", "Interface")}
    assert set(found) == set(expected)
    for name, uid in found.items():
        mac = cmdb.json("ci", "show", uid)["properties"].get("mac", {}).get("value")
        assert (mac or "00:00:00:00:00:00") == expected[name], name


def _check_packages(cmdb: Cmdb) -> None:
    if shutil.which("dpkg-query") is None:
        pytest.skip("no dpkg on this machine to compare package counts with")
    listed = subprocess.run(["dpkg-query", "-W", "-f=${Status}\n"], capture_output=True,
                            text=True, check=True).stdout
    installed = sum(1 for line in listed.splitlines() if line.endswith(" installed"))
    assert len(cmdb.json("ci", "list", "--label", "Package")) == installed


def _check_own_listening_port(cmdb: Cmdb, peer: SshdPeer) -> None:
    ports = {n["name"] for n in cmdb.json("ci", "list", "--label", "ListeningPort")}
    assert f"tcp {peer.address}:{peer.port}" in ports


def _config(cmdb: Cmdb, path: Path) -> dict[str, Any]:
    configs = [n for n in cmdb.json("ci", "list", "--label", "ConfigFile")
               if n["name"] == str(path)]
    assert len(configs) == 1
    return dict(cmdb.json("ci", "show", configs[0]["uid"]))


def test_the_same_host_under_two_names_is_one_device(lab: dict[str, Path]) -> None:
    text = lab["inventory"].read_text()
    second = text.split("  me:\n", 1)[1]
    lab["inventory"].write_text(text + "  me-again:\n" + second)
    cmdb = Cmdb(lab["store"])
    assert discover(cmdb, lab).returncode == 0
    assert len(cmdb.json("ci", "list", "--label", "Device")) == 1


def test_exit_codes_follow_design(lab: dict[str, Path], tmp_path: Path) -> None:
    cmdb = Cmdb(lab["store"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("hosts:\n  x: {port: nope}\n")
    usage = cmdb("discover", "-i", str(bad))
    assert usage.returncode == 3
    assert "bad.yaml" in usage.stderr and "line 2" in usage.stderr and "port" in usage.stderr
    assert cmdb("discover").returncode == 3  # missing -i: a usage error
    assert cmdb("ci", "show", "no-such-ci").returncode == 3

    text = lab["inventory"].read_text()
    credentials = next(line for line in text.splitlines() if "credentials:" in line)
    lab["inventory"].write_text(
        text + "  unreachable:\n    address: 127.0.0.1\n    port: 1\n" + credentials + "\n")
    done = discover(cmdb, lab, "--retries", "0")
    assert done.returncode == 2, done.stdout
    assert "unreachable" in done.stdout and "ConnectError" in done.stdout
    runs = cmdb.json("runs")
    assert runs[0]["missed"][0]["target"] == "unreachable"
    assert len(cmdb.json("ci", "list", "--label", "Device")) == 1  # the good one was stored


def test_a_saved_result_can_be_replayed_into_another_store(lab: dict[str, Path],
                                                          tmp_path: Path) -> None:
    saved = tmp_path / "result.json"
    assert discover(Cmdb(lab["store"]), lab, "--json", str(saved), "--no-store").returncode == 0
    assert not lab["store"].exists()
    other = Cmdb(tmp_path / "other.sqlite")
    assert other("ingest", str(saved)).returncode == 0
    assert len(other.json("ci", "list", "--label", "Device")) == 1
    broken = tmp_path / "broken.json"
    broken.write_text(saved.read_text()[:500])
    failed = other("ingest", str(broken))
    assert failed.returncode == 3 and "broken.json" in failed.stderr
