"""The auditor's commands end to end on bad input: a broken rule pack, evidence tampered
with in the audit database, a device that was not reached. Each gets a clear error or an
`error` verdict, and nothing already stored changes."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cmdb.schema import Device, DeviceRole, Facts, Package, Source
from discovery.errors import ConnectError
from discovery.result import (
    CollectorResult,
    DiscoveryResult,
    ErrorInfo,
    TargetResult,
    result_to_json,
)
from tests.cmdb_command import Cmdb

GOOD_PACK = """\
pack: site-rules
version: "1.0.0"
rules:
  - id: SITE-001
    title: telnetd is not installed
    path: [packages, telnetd]
    absent: true
    severity: high
"""
BAD_PACK = """\
pack: site-rules
version: "1.1.0"
rules:
  - id: SITE-001
    title: telnetd is not installed
    path: [packages, telnetd]
    absent: true
    severity: urgent
"""


def host_result(reached: bool, packages: tuple[str, ...] = ("openssh-server",)
                ) -> dict[str, Any]:
    now = datetime.now(UTC)
    if not reached:
        target = TargetResult("web01", "192.0.2.10", "linux", "ssh", 1.0, False,
                              error=ErrorInfo.of(ConnectError("connection refused")))
    else:
        facts = Facts(nodes=(Device(platform="linux", role=DeviceRole.SERVER,
                                    hostname="web01", serial="SRV0001"),
                             *(Package(name=p, arch="amd64", version="1.0")
                               for p in packages)),
                      complete=frozenset({"Package"}))
        target = TargetResult("web01", "192.0.2.10", "linux", "ssh", 1.0, True,
                              collectors=(CollectorResult("packages", Source.SSH, 0.5,
                                                          facts),))
    return result_to_json(DiscoveryResult(now, now, (target,)))


@pytest.fixture
def cmdb(tmp_path: Path) -> Cmdb:
    tool = Cmdb(tmp_path / "graph.sqlite", CMDB_AUDIT_DB=str(tmp_path / "audit.sqlite"))
    saved = tmp_path / "run1.json"
    saved.write_text(json.dumps(host_result(True)))
    assert tool("ingest", str(saved)).returncode == 0
    return tool


def approved_policy(cmdb: Cmdb, tmp_path: Path) -> None:
    pack = tmp_path / "site-rules.yaml"
    pack.write_text(GOOD_PACK)
    assert cmdb("baseline", "create", "site", "--pack", str(pack), "--by", "alice"
                ).returncode == 0
    assert cmdb("baseline", "approve", "site", "--by", "bob").returncode == 0


def test_a_broken_pack_names_file_rule_and_field_and_stores_nothing(
        cmdb: Cmdb, tmp_path: Path) -> None:
    approved_policy(cmdb, tmp_path)
    before = cmdb.json("baseline", "list")
    bad = tmp_path / "site-rules-1.1.yaml"
    bad.write_text(BAD_PACK)
    result = cmdb("baseline", "create", "site", "--pack", str(bad), "--by", "alice")
    assert result.returncode == 3
    assert str(bad) in result.stderr and "SITE-001" in result.stderr
    assert "severity" in result.stderr and "urgent" in result.stderr
    assert cmdb.json("baseline", "list") == before
    audit = cmdb("audit", "run", "--format", "json")
    assert audit.returncode == 0, audit.stderr
    assert [f["verdict"] for f in json.loads(audit.stdout)["findings"]] == ["compliant"]


def test_a_pack_that_is_not_yaml_names_the_line(cmdb: Cmdb, tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("pack: x\nrules: [\n  - id: A\n")
    result = cmdb("baseline", "create", "x", "--pack", str(bad), "--by", "alice")
    assert result.returncode == 3
    assert str(bad) in result.stderr and "line" in result.stderr
    assert cmdb.json("baseline", "list") == []


def test_evidence_tampered_in_the_database_is_named(cmdb: Cmdb, tmp_path: Path) -> None:
    approved_policy(cmdb, tmp_path)
    for _ in range(3):
        assert cmdb("audit", "run").returncode == 0
    assert cmdb("evidence", "verify").returncode == 0
    db = sqlite3.connect(tmp_path / "audit.sqlite")
    with db:  # what someone with write access to the file could do
        db.execute("DROP TRIGGER audit_runs_no_update")
        body = db.execute("SELECT body FROM audit_runs WHERE run = 2").fetchone()[0]
        forged = bytes(body).replace(b'"compliant"', b'"waived"', 1)
        assert forged != bytes(body)
        db.execute("UPDATE audit_runs SET body = ? WHERE run = 2", (forged,))
    db.close()
    verdict = cmdb("evidence", "verify", "--json")
    assert verdict.returncode == 1
    report = json.loads(verdict.stdout)
    assert report["ok"] is False and report["first_broken"]["run"] == 2


def test_an_unreached_device_is_an_error_never_a_pass(cmdb: Cmdb, tmp_path: Path) -> None:
    approved_policy(cmdb, tmp_path)
    saved = tmp_path / "run2.json"
    saved.write_text(json.dumps(host_result(False)))
    assert cmdb("ingest", str(saved)).returncode == 2  # a partial run, as discover says
    audit = cmdb("audit", "run", "--format", "json", "--fail-on", "high")
    findings = json.loads(audit.stdout)["findings"]
    assert [(f["check"], f["verdict"]) for f in findings] == [("SITE-001", "error")]
    assert "not reached in run 2" in findings[0]["message"]
    assert "connection refused" in findings[0]["message"]
    coverage = json.loads(audit.stdout)["coverage"]
    assert [c["reached"] for c in coverage] == [False]
