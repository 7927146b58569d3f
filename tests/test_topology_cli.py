"""`cmdb ingest` derives the topology in the same run; `cmdb topology` shows it as text,
JSON and Graphviz DOT, filtered by site. Through the installed `cmdb` command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cmdb.schema import Source
from discovery.result import CollectorResult, DiscoveryResult, TargetResult, result_to_json
from tests.cmdb.test_topology import lab
from tests.cmdb_command import Cmdb

SITES = {"sw1": "HQ", "sw2": "DR", "srv1": "HQ"}


def saved_result(tmp_path: Path, name: str, **lab_options: object) -> Path:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    targets = tuple(
        TargetResult(tf.target, f"192.0.2.{n}", "test", "ssh", 0.1, True,
                     collectors=(CollectorResult("all", Source(tf.source), 0.1, tf.facts),),
                     site=SITES[tf.target])
        for n, tf in enumerate(lab(**lab_options), start=1))  # type: ignore[arg-type]
    path = tmp_path / name
    path.write_text(json.dumps(result_to_json(DiscoveryResult(now, now, targets))))
    return path


@pytest.fixture
def cmdb(tmp_path: Path) -> Cmdb:
    return Cmdb(tmp_path / "cmdb.sqlite")


def test_ingest_derives_the_topology_and_topology_shows_it(cmdb: Cmdb, tmp_path: Path) -> None:
    done = cmdb("ingest", str(saved_result(tmp_path, "r1.json")))
    assert done.returncode == 0, done.stderr
    assert "topology: 1 links (+1 -0), 1 endpoints attached (+1 -0)" in done.stdout

    report = cmdb.json("topology")
    [link] = report["links"]
    assert {(link["a"]["device"], link["a"]["port"]), (link["b"]["device"], link["b"]["port"])
            } == {("sw1", "GigabitEthernet1/0/1"), ("sw2", "Ethernet1/1")}
    assert (link["first_run"], link["last_run"]) == (1, 1)
    [attached] = report["attachments"]
    assert (attached["a"]["device"], attached["b"]["device"], attached["b"]["port"]) == (
        "srv1", "sw1", "GigabitEthernet1/0/5")

    text = cmdb("topology")
    assert text.returncode == 0 and "GigabitEthernet1/0/5" in text.stdout, text.stderr


def test_site_filter_and_pending_neighbours(cmdb: Cmdb, tmp_path: Path) -> None:
    done = cmdb("ingest", str(saved_result(tmp_path, "r1.json", phone=True)))
    assert "1 neighbours pending" in done.stdout, done.stdout
    assert cmdb.json("topology")["pending"] == [{
        "device": "sw1", "local_port": "GigabitEthernet1/0/6", "protocol": "lldp",
        "remote_device": "SEP00112233AABB", "remote_port": "Port 1",
        "reason": "no device in the graph is SEP00112233AABB"}]
    assert "SEP00112233AABB" in cmdb("topology").stdout
    assert cmdb.json("topology", "--site", "DR")["attachments"] == []
    assert cmdb.json("topology", "--site", "DR")["pending"] == []
    assert len(cmdb.json("topology", "--site", "DR")["links"]) == 1
    assert cmdb.json("topology", "--site", "nowhere") == {
        "links": [], "attachments": [], "pending": []}


def test_a_link_gone_is_retired_with_its_run(cmdb: Cmdb, tmp_path: Path) -> None:
    cmdb("ingest", str(saved_result(tmp_path, "r1.json")))
    done = cmdb("ingest", str(saved_result(tmp_path, "r2.json", sw1_sees_sw2=False)))
    assert "topology: 0 links (+0 -1)" in done.stdout, done.stdout
    assert cmdb.json("topology")["links"] == []


def test_dot_output_is_graphviz(cmdb: Cmdb, tmp_path: Path) -> None:
    cmdb("ingest", str(saved_result(tmp_path, "r1.json")))
    dot = cmdb("topology", "--format", "dot")
    assert dot.returncode == 0 and dot.stdout.startswith("graph topology {"), dot.stderr
    assert '"sw1" -- "sw2"' in dot.stdout or '"sw2" -- "sw1"' in dot.stdout
    assert 'label="HQ"' in dot.stdout and 'label="DR"' in dot.stdout
    graphviz = shutil.which("dot")
    if graphviz is None:
        message = "Graphviz not installed (apt-get install graphviz)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must provide it")
        pytest.skip(f"{message}: the DOT text is checked, not drawn")
    drawn = subprocess.run([graphviz, "-Tsvg"], input=dot.stdout, text=True,
                           capture_output=True, check=False)
    assert drawn.returncode == 0 and "<svg" in drawn.stdout, drawn.stderr
