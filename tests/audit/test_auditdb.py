"""The audit database file: creating, reopening, refusing foreign files, storing runs."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import baselines
from audit.auditdb import SCHEMA_VERSION, AuditDb, AuditDbError
from audit.baselines import BaselineKind
from audit.evidence import Manifest, build_manifest, sign, verify_chain
from audit.model import AuditReport, Finding, InputRef, Severity, Verdict
from cmdb.store.sqlite import SqliteStore

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def report(run: int) -> AuditReport:
    finding = Finding(baseline="linux-servers", baseline_version=1, check="LNX-SSH-001",
                      ci=f"ci-{run}", ci_name=f"host-{run}", verdict=Verdict.DRIFT,
                      severity=Severity.HIGH, title="SSH root login is disabled",
                      expected="no", actual="yes")
    return AuditReport(run=run, started_at=f"2024-06-0{run}T10:00:00Z",
                       finished_at=f"2024-06-0{run}T10:05:00Z",
                       inputs=(InputRef("baseline", "linux-servers", "1", "ab" * 32),),
                       findings=(finding,), meta={"operator": "Åsa Ölund"})


def chain(length: int) -> list[Manifest]:
    manifests: list[Manifest] = []
    for run in range(1, length + 1):
        manifests.append(build_manifest(report(run), manifests[-1] if manifests else None,
                                        "0.1.0"))
    return manifests


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "audit.db"


# ---- opening ---------------------------------------------------------------------------

def test_new_file_is_created_with_schema_version_wal_and_foreign_keys(path: Path) -> None:
    with AuditDb(path) as db:
        assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        meta = dict(db.conn.execute("SELECT key, value FROM meta").fetchall())
    assert meta == {"format": "cmdb-audit-db", "schema_version": str(SCHEMA_VERSION)}


def test_reopen_keeps_data(path: Path) -> None:
    manifest = chain(1)[0]
    with AuditDb(path) as db:
        baselines.create(db, "linux-servers", BaselineKind.POLICY, {"role": "server"},
                         {"packs": ["linux-hardening"]}, "alice", NOW)
        db.add_run(manifest)
    with AuditDb(path) as db:
        assert baselines.names(db) == ["linux-servers"]
        assert db.runs() == [manifest.stored()]
        assert db.next_run() == 2


def test_an_existing_empty_file_is_initialised(path: Path) -> None:
    path.touch()
    with AuditDb(path) as db:
        assert db.next_run() == 1


@pytest.mark.parametrize("content", [os.urandom(4096), b"hello, this is not sqlite\n"])
def test_a_non_sqlite_file_is_refused_naming_it_and_left_alone(path: Path,
                                                               content: bytes) -> None:
    path.write_bytes(content)
    with pytest.raises(AuditDbError, match="not a usable audit database") as err:
        AuditDb(path)
    assert str(path) in str(err.value)
    assert path.read_bytes() == content


def test_a_foreign_sqlite_file_is_refused_and_left_alone(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE inventory(host TEXT)")
        conn.execute("INSERT INTO inventory VALUES('atm-1')")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(AuditDbError, match="not a cmdb audit database") as err:
        AuditDb(path)
    assert str(path) in str(err.value) and "inventory" in str(err.value)
    assert path.read_bytes() == before


def test_the_cmdb_store_file_is_refused(path: Path) -> None:
    # It has a meta table with a schema_version too: only our format tag counts.
    SqliteStore(path).close()
    with pytest.raises(AuditDbError, match="not a cmdb audit database"):
        AuditDb(path)


def test_a_newer_schema_version_is_refused(path: Path) -> None:
    AuditDb(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                     (str(SCHEMA_VERSION + 1),))
    conn.close()
    with pytest.raises(AuditDbError, match=r"newer than this cmdb-auditor.*upgrade") as err:
        AuditDb(path)
    assert str(path) in str(err.value)


def test_a_directory_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(AuditDbError) as err:
        AuditDb(tmp_path)
    assert str(tmp_path) in str(err.value)


# ---- audit runs --------------------------------------------------------------------------

def test_empty_database_has_no_runs(path: Path) -> None:
    with AuditDb(path) as db:
        assert (db.next_run(), db.runs(), db.last_run(), db.run(1)) == (1, [], None, None)


def test_runs_are_returned_byte_identical_and_verify(path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    manifests = chain(3)
    signature = sign(manifests[1], key)
    with AuditDb(path) as db:
        for manifest in manifests:
            assert db.next_run() == manifest.run
            db.add_run(manifest, signature if manifest.run == 2 else None)
    with AuditDb(path) as db:
        stored = db.runs()
        second, last = db.run(2), db.last_run()
    assert [s.body for s in stored] == [m.body for m in manifests]
    assert [s.sha256 for s in stored] == [m.sha256 for m in manifests]
    assert [s.signature for s in stored] == [None, signature, None]
    assert second is not None and second.body == manifests[1].body
    assert last is not None and last.run == 3
    result = verify_chain(stored, key.public_key(), require_signatures=False)
    assert result.ok and result.checked == 3 and result.head_sha256 == manifests[2].sha256


def test_duplicate_run_number_is_refused_and_earlier_runs_stay(path: Path) -> None:
    first, second = chain(2)
    rival = build_manifest(report(2), first, "0.2.0")  # another run 2 on the same chain
    with AuditDb(path) as db:
        db.add_run(first)
        db.add_run(second)
        with pytest.raises(AuditDbError, match="run 2: cannot be stored after run 2"):
            db.add_run(rival)
        assert db.runs() == [first.stored(), second.stored()]


def test_a_run_not_built_on_the_last_stored_run_is_refused(path: Path) -> None:
    first, second = chain(2)
    orphan = build_manifest(report(2), None, "0.1.0")  # starts a second chain
    with AuditDb(path) as db:
        with pytest.raises(AuditDbError, match="last stored run is nothing"):
            db.add_run(second)
        db.add_run(first)
        with pytest.raises(AuditDbError, match="links to None but the last stored run is"):
            db.add_run(orphan)
        assert db.runs() == [first.stored()]


def test_a_manifest_whose_hash_does_not_match_its_body_is_refused(path: Path) -> None:
    manifest = chain(1)[0]
    with AuditDb(path) as db:
        with pytest.raises(AuditDbError, match="do not match the manifest body"):
            db.add_run(Manifest(1, "0" * 64, None, manifest.body))
        with pytest.raises(AuditDbError, match="not a storable manifest"):
            db.add_run(Manifest(1, manifest.sha256, None, b'{"run": 1}'))
        assert db.runs() == []


# ---- transactions and append-only rows ----------------------------------------------------

def _insert_waiver(conn: sqlite3.Connection, waiver_id: str, approver: str) -> None:
    conn.execute("INSERT INTO waivers VALUES(?, 'X-1', NULL, '{}', 'why', 'bob', ?, "
                 "'2024-06-01T00:00:00.000000+00:00', '2024-07-01', NULL, NULL)",
                 (waiver_id, approver))


def test_a_failing_statement_rolls_back_the_whole_write(path: Path) -> None:
    with AuditDb(path) as db:
        with db.transaction() as conn:
            _insert_waiver(conn, "W-0001", "carol")
        with pytest.raises(AuditDbError, match="nothing was written") as err, \
                db.transaction() as conn:
            _insert_waiver(conn, "W-0002", "carol")
            _insert_waiver(conn, "W-0003", " BOB ")  # four-eyes CHECK in the file
        assert str(path) in str(err.value)
        assert [r[0] for r in db.conn.execute("SELECT id FROM waivers")] == ["W-0001"]


def test_an_exception_in_the_caller_rolls_back_too(path: Path) -> None:
    with AuditDb(path) as db:
        with pytest.raises(RuntimeError), db.transaction() as conn:
            _insert_waiver(conn, "W-0001", "carol")
            raise RuntimeError("caller gave up")
        assert db.conn.execute("SELECT count(*) FROM waivers").fetchone()[0] == 0
        assert not db.conn.in_transaction


@pytest.fixture
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection to a file holding one draft baseline and one run, as a bug or
    a hand-edit outside cmdb-auditor would use it."""
    with AuditDb(path) as db:
        baselines.create(db, "atm", BaselineKind.SNAPSHOT, {}, {"os": "4.2"}, "alice", NOW)
        db.add_run(chain(1)[0])
    conn = sqlite3.connect(path, isolation_level=None)
    yield conn
    conn.close()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_runs SET body = x'00'",
    "DELETE FROM audit_runs",
    "UPDATE finding_index SET verdicts = 'c'",
    "DELETE FROM finding_index",
    "UPDATE indexed_runs SET findings = 0",
    "DELETE FROM indexed_runs",
    "DELETE FROM baselines",
    "UPDATE baselines SET content = '{}'",
    "UPDATE baselines SET status = 'superseded'",  # a draft is never superseded
])
def test_stored_rows_cannot_be_rewritten_in_the_file(raw: sqlite3.Connection,
                                                     statement: str) -> None:
    with pytest.raises(sqlite3.IntegrityError, match=r"never|only change"):
        raw.execute(statement)


def test_approval_is_the_one_change_a_baseline_row_allows(raw: sqlite3.Connection) -> None:
    raw.execute("UPDATE baselines SET status = 'approved', approved_by = 'bob', "
                "approved_at = '2024-06-02', effective_from = '2024-06-02'")
    with pytest.raises(sqlite3.IntegrityError, match="approval or supersession"):
        raw.execute("UPDATE baselines SET status = 'draft', approved_by = NULL, "
                    "approved_at = NULL, effective_from = NULL")
    with pytest.raises(sqlite3.IntegrityError, match="approval or supersession"):
        raw.execute("UPDATE baselines SET approved_by = 'mallory'")


# ---- the finding index -------------------------------------------------------------------

def indexed_report(run: int, *verdicts: tuple[str, str, Verdict]) -> AuditReport:
    """Findings (check, ci, verdict) of baseline linux-servers."""
    return AuditReport(run=run, started_at="s", finished_at="f", findings=tuple(
        Finding("linux-servers", 1, check, ci, ci, verdict, Severity.LOW, "t")
        for check, ci, verdict in verdicts))


def test_the_finding_index_is_written_with_the_run(path: Path) -> None:
    report = indexed_report(1, ("A", "ci-1", Verdict.DRIFT), ("A", "ci-2", Verdict.COMPLIANT),
                            ("B", "ci-1", Verdict.WAIVED), ("B", "ci-2", Verdict.ERROR),
                            ("C", "ci-1", Verdict.NOT_APPLICABLE))
    manifest = build_manifest(report, None, "0.1.0")
    with AuditDb(path) as db:
        assert db.deviating(1) is None  # no such run yet
        db.add_run(manifest, report=report)
        assert db.deviating(1) == frozenset({("linux-servers", "A", "ci-1"),
                                             ("linux-servers", "B", "ci-1"),
                                             ("linux-servers", "B", "ci-2")})
        rows = db.conn.execute("SELECT check_id, cis, verdicts FROM finding_index "
                               "ORDER BY check_id").fetchall()
        assert rows == [("A", '["ci-1", "ci-2"]', "dc"), ("B", '["ci-1", "ci-2"]', "we"),
                        ("C", '["ci-1"]', "n")]
        assert db.conn.execute("SELECT * FROM indexed_runs").fetchall() == [(1, 5)]


def test_a_manifest_stored_without_its_report_is_indexed_from_its_body(path: Path) -> None:
    report = indexed_report(1, ("A", "ci-1", Verdict.DRIFT))
    with AuditDb(path) as db:
        db.add_run(build_manifest(report, None, "0.1.0"))
        assert db.deviating(1) == frozenset({("linux-servers", "A", "ci-1")})


def test_a_run_without_findings_has_an_empty_index(path: Path) -> None:
    with AuditDb(path) as db:
        db.add_run(build_manifest(indexed_report(1), None, "0.1.0"))
        assert db.deviating(1) == frozenset()


def test_a_key_listed_twice_counts_as_its_last_finding(path: Path) -> None:
    report = indexed_report(1, ("A", "ci-1", Verdict.DRIFT), ("A", "ci-1", Verdict.COMPLIANT),
                            ("B", "ci-1", Verdict.COMPLIANT), ("B", "ci-1", Verdict.ERROR))
    with AuditDb(path) as db:
        db.add_run(build_manifest(report, None, "0.1.0"), report=report)
        assert db.deviating(1) == frozenset({("linux-servers", "B", "ci-1")})


def test_a_refused_run_leaves_no_index_behind(path: Path) -> None:
    first = chain(1)[0]
    with AuditDb(path) as db:
        db.add_run(first)
        with pytest.raises(AuditDbError):
            db.add_run(build_manifest(report(2), None, "0.1.0"))  # does not link
        assert db.conn.execute("SELECT run FROM finding_index").fetchall() == [(1,)]
        assert db.conn.execute("SELECT run FROM indexed_runs").fetchall() == [(1,)]
        assert db.deviating(2) is None


def test_an_index_edited_outside_cmdb_auditor_is_named(path: Path) -> None:
    with AuditDb(path) as db:
        db.add_run(chain(1)[0])
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER finding_index_no_change")
        conn.execute("UPDATE finding_index SET verdicts = 'x'")
    conn.close()
    with AuditDb(path) as db, pytest.raises(AuditDbError,
                                            match="finding index of run 1 is damaged") as err:
        db.deviating(1)
    assert str(path) in str(err.value)


def test_two_handles_on_one_file_see_each_others_writes(path: Path) -> None:
    with AuditDb(path) as one, AuditDb(path) as two:
        one.add_run(chain(1)[0])
        assert two.next_run() == 2
