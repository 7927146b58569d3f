"""Every CLI command against the real Neo4j server, after a real discovery of this
machine over the real sshd; and a SQLite graph migrated into Neo4j with its history."""

from __future__ import annotations

from pathlib import Path

from discovery.lab.sshd import SshdPeer
from tests.cmdb_command import Cmdb
from tests.test_end_to_end import discover, lab  # noqa: F401  (the lab fixture)


def test_every_command_works_on_neo4j(lab: dict[str, Path], neo4j_data_uri: str) -> None:  # noqa: F811
    cmdb = Cmdb(neo4j_data_uri)
    first = discover(cmdb, lab)
    assert first.returncode == 0, first.stdout + first.stderr
    devices = cmdb.json("ci", "list", "--label", "Device")
    assert len(devices) == 1
    assert cmdb.json("ci", "list", "--site", "lab-1", "--role", "server") == devices
    uid = devices[0]["uid"]
    shown = cmdb.json("ci", "show", uid)
    assert shown["properties"]["hostname"]["source"] == "ssh"
    assert cmdb.json("ci", "show", shown["properties"]["hostname"]["value"])["uid"] == uid
    assert "run 2: 0 CIs created, 0 properties changed" in discover(cmdb, lab).stdout
    lab["settings"].write_text("# test copy\nPermitRootLogin yes\nPasswordAuthentication no\n")
    assert discover(cmdb, lab).returncode == 0
    config = next(c["uid"] for c in cmdb.json("ci", "list", "--label", "ConfigFile")
                  if c["name"] == str(lab["settings"]))
    # Only what this test changed: other processes on this live machine may open or
    # close listening sockets between runs, and those are real changes too.
    assert {h["name"] for h in cmdb.json("diff", "2", "3") if h["uid"] == config} == {
        "settings.permitrootlogin", "sha256", "size"}
    history = cmdb.json("ci", "history", uid)
    assert [h["old"] for h in history if h["name"] == "settings.permitrootlogin"] == ["no"]
    configs = cmdb.json("ci", "list", "--label", "ConfigFile", "--as-of", "1")
    assert len(configs) == len(cmdb.json("ci", "list", "--label", "ConfigFile"))
    reached = cmdb.json("impact", uid, "--type", "HAS_INTERFACE", "--type", "HAS_IP",
                        "--direction", "out")
    assert {r["label"] for r in reached} == {"Interface", "IpAddress"}
    assert [r["reached"] for r in cmdb.json("runs")] == [1, 1, 1]
    assert cmdb.json("conflicts") == []
    info = cmdb.json("store", "info")
    assert info["runs"] == 3 and info["nodes"] == len(cmdb.json("ci", "list", "--all"))


def test_a_sqlite_graph_migrates_into_neo4j_with_its_history(
        lab: dict[str, Path], neo4j_data_uri: str, sshd_peer: SshdPeer) -> None:  # noqa: F811
    local = Cmdb(lab["store"])
    assert discover(local, lab).returncode == 0
    lab["settings"].write_text("# test copy\nPermitRootLogin yes\nPasswordAuthentication no\n")
    assert discover(local, lab).returncode == 0
    moved = local("store", "migrate", "--from", f"sqlite:{lab['store']}", "--to",
                  neo4j_data_uri, "--json")
    assert moved.returncode == 0, moved.stdout + moved.stderr
    remote = Cmdb(neo4j_data_uri)
    for args in (("diff", "1", "2"), ("runs",), ("ci", "list", "--all"),
                 ("ci", "list", "--label", "Interface", "--as-of", "1")):
        assert remote.json(*args) == local.json(*args), args
    uid = local.json("ci", "list", "--label", "Device")[0]["uid"]
    assert remote.json("ci", "history", uid) == local.json("ci", "history", uid)
    assert remote.json("ci", "show", uid) == local.json("ci", "show", uid)
    again = local("store", "migrate", "--from", f"sqlite:{lab['store']}", "--to", neo4j_data_uri)
    assert again.returncode == 3 and "not empty" in again.stderr
