"""Manifest format 2 (each check stated once, findings as rows) against format 1, which
older audit DBs hold: the same report either way, the same rendered reports, evidence
that still verifies, and trends that still work across the upgrade.

fixtures/v1-audit-db holds an audit DB written by the code before format 2 and the
finding index (see make.py there), with the reports that code rendered from it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from audit import service
from audit.auditdb import SCHEMA_VERSION, AuditDb
from audit.evidence import (
    FORMAT,
    FORMAT_V1,
    Check,
    StoredManifest,
    build_manifest,
    canonical,
    load_public_key,
    manifest_report,
    verify_chain,
)
from audit.manifest import encode_row
from audit.model import AuditReport, Finding, Severity, Trend, Verdict
from audit.render import ReportFormat, render
from cmdb.store.sqlite import SqliteStore
from tests.audit.audit_graph import THIRD_AUDIT, discover
from tests.audit.v1_manifest import build_v1_manifest

FIXTURE = Path(__file__).parent / "fixtures" / "v1-audit-db"
RENDERS: dict[str, str] = json.loads((FIXTURE / "renders.json").read_text())


def finding(ci: str, verdict: Verdict, expected: Any = None, *, name: str | None = None,
            check: str = "FX-SSH-001") -> Finding:
    return Finding("fleet", 1, check, ci, name or f"host-{ci}", verdict, Severity.HIGH,
                   "SSH root login is disabled", expected, "yes", "found 'yes'")


def body_of(report: AuditReport) -> dict[str, Any]:
    manifest = build_manifest(report, None, "0.1.0")
    parsed: dict[str, Any] = json.loads(manifest.body)
    assert canonical(parsed) == manifest.body  # written piece by piece, yet canonical
    return parsed


# ---- format 2 -------------------------------------------------------------------------------

def test_each_check_and_ci_is_stated_once() -> None:
    rule = {"equals": "no"}
    findings = (finding("a", Verdict.DRIFT, rule), finding("b", Verdict.COMPLIANT, rule),
                finding("c", Verdict.DRIFT, {"equals": "no"}),  # equal, another object
                finding("a", Verdict.DRIFT, rule, check="FX-SSH-002"))
    body = body_of(AuditReport(1, "s", "f", findings=findings))
    report = body["report"]
    assert body["format"] == FORMAT
    assert [(c["check"], c["expected"]) for c in report["checks"]] == [
        ("FX-SSH-001", rule), ("FX-SSH-002", rule)]
    assert report["cis"] == [["a", "host-a"], ["b", "host-b"], ["c", "host-c"]]
    assert report["finding_fields"] == ["check", "ci", "verdict", "actual", "message",
                                        "waiver", "trend"]
    assert report["findings"][3] == [1, 0, "drift", "yes", "found 'yes'", None, None]
    assert len(body["finding_sha256"]) == 4


def test_what_differs_between_findings_of_a_check_is_kept() -> None:
    # An unreached CI's finding has no expected value; a snapshot CI may be named as at
    # capture; 1, 1.0 and True are different expected values in JSON.
    findings = (finding("a", Verdict.DRIFT, {"equals": "no"}),
                finding("b", Verdict.ERROR, None),
                finding("a", Verdict.DRIFT, 1, name="old-name", check="X"),
                finding("b", Verdict.DRIFT, 1.0, check="X"),
                finding("c", Verdict.DRIFT, True, check="X"))
    original = AuditReport(1, "s", "f", findings=findings)
    assert len(body_of(original)["report"]["checks"]) == 5
    back = manifest_report(build_manifest(original, None, "0.1.0"))
    assert back == original
    assert [type(f.expected) for f in back.findings[2:]] == [int, float, bool]
    assert back.findings[2].ci_name == "old-name"


def test_rows_are_encoded_exactly_as_canonical_json() -> None:
    row = [3, 0, Verdict.DRIFT, {"b": [1.5, None, True], "a": "é\u2028\x00<"}, "m", None,
           Trend.NEW, -0.0, 10**30]
    assert encode_row(row) == canonical(row)


def test_a_row_pointing_outside_the_tables_is_a_format_break() -> None:
    manifest = build_manifest(AuditReport(1, "s", "f", findings=(
        finding("a", Verdict.DRIFT),)), None, "0.1.0")
    body = json.loads(manifest.body)
    body["report"]["findings"][0][0] = 7
    edited = canonical(body)
    entry = StoredManifest(1, edited, hashlib.sha256(edited).hexdigest())
    result = verify_chain([entry], None, require_signatures=False)
    assert result.first_broken is not None
    assert result.first_broken.check is Check.FORMAT
    assert "manifest report cannot be read" in result.first_broken.reason


def test_a_chain_can_change_format_midway() -> None:
    first = build_v1_manifest(AuditReport(1, "s", "f", findings=(
        finding("a", Verdict.DRIFT),)), None, "0.1.0")
    second = build_manifest(AuditReport(2, "s", "f", findings=(
        finding("a", Verdict.COMPLIANT),)), first, "0.2.0")
    assert (json.loads(first.body)["format"], json.loads(second.body)["format"]) == (
        FORMAT_V1, FORMAT)
    assert verify_chain([first.stored(), second.stored()], None,
                        require_signatures=False).ok


# ---- an audit DB written before format 2 and the finding index ---------------------------

@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    path = tmp_path / "audit.sqlite"
    shutil.copy(FIXTURE / "audit.sqlite", path)
    return path


@pytest.fixture
def graph(tmp_path: Path) -> Iterator[SqliteStore]:
    """The fleet the fixture's runs audited, as it stood for them (discovery runs 1, 2)."""
    with closing(SqliteStore(tmp_path / "graph.sqlite")) as store:
        discover(store, 1)
        discover(store, 2)
        yield store


def rendered(report: AuditReport) -> dict[str, str]:
    return {fmt.value: hashlib.sha256(render(report, fmt).encode()).hexdigest()
            for fmt in ReportFormat}


def recorded(run: int) -> dict[str, str]:
    return {fmt.value: RENDERS[f"{run} {fmt.value}"] for fmt in ReportFormat}


def test_the_v1_writer_here_is_the_one_that_wrote_the_fixture(old_db: Path) -> None:
    with AuditDb(old_db) as db:
        stored = db.runs()
    previous = None
    for entry in stored:
        body = json.loads(entry.body)
        again = build_v1_manifest(manifest_report(entry), previous, body["tool_version"])
        assert again.body == entry.body
        previous = again


def test_an_old_audit_db_is_upgraded_and_its_evidence_stays_verifiable(
        old_db: Path) -> None:
    before = (FIXTURE / "audit.sqlite").read_bytes()
    with closing(sqlite3.connect(f"file:{old_db}?mode=ro", uri=True)) as raw:
        as_written = raw.execute("SELECT run, body, sha256, signature FROM audit_runs "
                                 "ORDER BY run").fetchall()
    with AuditDb(old_db) as db:
        meta = dict(db.conn.execute("SELECT key, value FROM meta").fetchall())
        stored = db.runs()
        assert [db.deviating(run.run) for run in stored] == [None, None]  # no index
    assert meta["schema_version"] == str(SCHEMA_VERSION) == "2"
    assert [(s.run, s.body, s.sha256, s.signature) for s in stored] == as_written
    assert [json.loads(s.body)["format"] for s in stored] == [FORMAT_V1, FORMAT_V1]
    assert [s.signature is not None for s in stored] == [False, True]
    result = verify_chain(stored, load_public_key(FIXTURE / "audit.pub"),
                          require_signatures=False)
    assert result.ok and (result.checked, result.signed) == (2, 1)
    assert (FIXTURE / "audit.sqlite").read_bytes() == before  # the test worked on a copy


@pytest.mark.parametrize("run", [1, 2])
def test_stored_v1_runs_render_as_the_old_code_rendered_them(old_db: Path, run: int) -> None:
    with AuditDb(old_db) as db:
        report = service.report_of(db, run)
    assert rendered(report) == recorded(run)


@pytest.mark.parametrize("run", [1, 2])
def test_the_same_audit_in_format_2_renders_the_same_reports(old_db: Path, run: int) -> None:
    with AuditDb(old_db) as db:
        old = service.report_of(db, run)
    new = manifest_report(build_manifest(old, None, "0.2.0"))
    assert new == old
    assert rendered(new) == recorded(run)
    assert render(new, ReportFormat.JSON) == render(old, ReportFormat.JSON)


def test_trends_against_an_old_run_come_from_its_manifest(old_db: Path,
                                                          graph: SqliteStore) -> None:
    # The old code's own third audit on this fixture (baseline fleet only, so gold's
    # deviations are resolved) is recorded: the new code must report exactly the same.
    with AuditDb(old_db) as db:
        outcome = service.audit(graph, db, ["fleet"], THIRD_AUDIT)
        stored = db.runs()
        assert db.deviating(3) == frozenset(
            f.key for f in outcome.report.findings if f.deviates)
    assert render(outcome.report, ReportFormat.JSON) == RENDERS["3 json text"]
    assert rendered(outcome.report) == recorded(3)
    assert [f.trend for f in outcome.report.resolved] == [Trend.RESOLVED] * 2
    assert json.loads(stored[-1].body)["format"] == FORMAT
    assert verify_chain(stored, None, require_signatures=False).ok


def test_trends_come_from_the_index_and_resolved_ones_from_the_manifest(
        old_db: Path, graph: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    with AuditDb(old_db) as db:
        service.audit(graph, db, [], THIRD_AUDIT)  # run 3: both baselines, indexed
        reads: list[int | None] = []
        report_of = service.report_of

        def counting(db: AuditDb, run: int | None) -> AuditReport:
            reads.append(run)
            return report_of(db, run)

        monkeypatch.setattr(service, "report_of", counting)
        same = service.audit(graph, db, [], THIRD_AUDIT)  # run 4: nothing resolved
        assert reads == []  # trends from run 3's index alone
        fewer = service.audit(graph, db, ["fleet"], THIRD_AUDIT)  # run 5: gold is gone
        assert reads == [4]  # run 4's manifest, for the resolved findings' details
    persisting = {f.key for f in same.report.findings if f.trend is Trend.PERSISTING}
    assert persisting == {f.key for f in same.report.findings if f.deviates}
    assert {f.key for f in fewer.report.resolved} == {
        f.key for f in same.report.findings if f.baseline == "gold" and f.deviates}
    assert all(f.trend is Trend.RESOLVED for f in fewer.report.resolved)
