"""The audit database: one SQLite file holding baselines, waivers and audit runs.

WAL, foreign keys on, one `BEGIN IMMEDIATE` transaction per public write, parameters
only. `meta` holds `format` (so a foreign SQLite file, such as the CMDB store, is refused
rather than written into) and `schema_version` (a file from a newer cmdb-auditor is
refused rather than misread).

Nothing is deleted, and rows change in place only where the lifecycle says so: a baseline
version's status and approval fields (approve, supersede) and a waiver's revocation
fields. Triggers enforce this in the file itself, so a bug elsewhere in the code cannot
rewrite an approved baseline or a stored audit run. Lifecycle rules live in
`audit/baselines.py` and `audit/waivers.py`; their statements run through `transaction`
and `reading` here. An audit run is its evidence manifest (`audit/evidence.py`); the
findings live inside the manifest body, and their keys and verdicts also in the finding
index (`audit/finding_index.py`), written with the manifest.

Schema 2 added the finding index. A schema 1 file is upgraded in place when opened (the
index tables are added; nothing stored is changed), and its earlier runs keep no index.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from audit import finding_index
from audit.evidence import ChainHead, EvidenceError, Manifest, StoredManifest, read_manifest
from audit.finding_index import Key
from audit.model import AuditReport

FORMAT = "cmdb-audit-db"
SCHEMA_VERSION = 2

# The stored form of a selector; matching is the caller's (audit.selectors).
SelectorJson = Mapping[str, str | list[str]]

DDL = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE baselines(
    name TEXT NOT NULL, version INTEGER NOT NULL CHECK (version >= 1),
    kind TEXT NOT NULL CHECK (kind IN ('snapshot', 'policy', 'intended')),
    selector TEXT NOT NULL, content TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE,
    author TEXT NOT NULL, created_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'superseded')),
    approved_by TEXT, approved_at TEXT, effective_from TEXT,
    PRIMARY KEY (name, version),
    CHECK ((status = 'draft') = (approved_by IS NULL)),
    CHECK ((approved_by IS NULL) = (approved_at IS NULL)),
    CHECK ((approved_by IS NULL) = (effective_from IS NULL)),
    -- four eyes, in the file too (SQLite folds ASCII only; the code folds the rest)
    CHECK (approved_by IS NULL OR lower(trim(approved_by)) <> lower(trim(author)))
) WITHOUT ROWID;

CREATE TRIGGER baselines_no_delete BEFORE DELETE ON baselines
BEGIN SELECT RAISE(ABORT, 'baseline versions are never deleted'); END;

CREATE TRIGGER baselines_append_only BEFORE UPDATE ON baselines
WHEN NEW.name IS NOT OLD.name OR NEW.version IS NOT OLD.version OR NEW.kind IS NOT OLD.kind
  OR NEW.selector IS NOT OLD.selector OR NEW.content IS NOT OLD.content
  OR NEW.sha256 IS NOT OLD.sha256 OR NEW.author IS NOT OLD.author
  OR NEW.created_at IS NOT OLD.created_at
  OR NOT ((OLD.status = 'draft' AND NEW.status = 'approved')
          OR (OLD.status = 'approved' AND NEW.status = 'superseded'
              AND NEW.approved_by IS OLD.approved_by AND NEW.approved_at IS OLD.approved_at
              AND NEW.effective_from IS OLD.effective_from))
BEGIN SELECT RAISE(ABORT, 'baseline versions only change by approval or supersession'); END;

CREATE TABLE waivers(
    id TEXT PRIMARY KEY, check_id TEXT NOT NULL, baseline TEXT, selector TEXT NOT NULL,
    reason TEXT NOT NULL, requested_by TEXT NOT NULL, approved_by TEXT NOT NULL,
    created_at TEXT NOT NULL, expires TEXT NOT NULL, revoked_at TEXT, revoked_by TEXT,
    CHECK (lower(trim(approved_by)) <> lower(trim(requested_by))),
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL)),
    CHECK (check_id <> '*' OR baseline IS NOT NULL)
) WITHOUT ROWID;

CREATE TRIGGER waivers_no_delete BEFORE DELETE ON waivers
BEGIN SELECT RAISE(ABORT, 'waivers are never deleted; revoke them'); END;

CREATE TRIGGER waivers_revoke_only BEFORE UPDATE ON waivers
WHEN OLD.revoked_at IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.check_id IS NOT OLD.check_id
  OR NEW.baseline IS NOT OLD.baseline OR NEW.selector IS NOT OLD.selector
  OR NEW.reason IS NOT OLD.reason OR NEW.requested_by IS NOT OLD.requested_by
  OR NEW.approved_by IS NOT OLD.approved_by OR NEW.created_at IS NOT OLD.created_at
  OR NEW.expires IS NOT OLD.expires
BEGIN SELECT RAISE(ABORT, 'a waiver only changes by being revoked, once'); END;

CREATE TABLE audit_runs(
    run INTEGER PRIMARY KEY CHECK (run >= 1),
    started_at TEXT NOT NULL, finished_at TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    -- one chain, no forks: each manifest names an existing one, and only one names it
    previous_sha256 TEXT UNIQUE REFERENCES audit_runs(sha256),
    body BLOB NOT NULL, signature BLOB);

CREATE TRIGGER audit_runs_no_update BEFORE UPDATE ON audit_runs
BEGIN SELECT RAISE(ABORT, 'audit runs are evidence and never change'); END;

CREATE TRIGGER audit_runs_no_delete BEFORE DELETE ON audit_runs
BEGIN SELECT RAISE(ABORT, 'audit runs are evidence and are never deleted'); END;
""" + finding_index.DDL

# What each schema version adds to the one before it.
UPGRADES = {2: finding_index.DDL}


class AuditDbError(Exception):
    """The audit database cannot be opened, read or written; the message names the file."""


def stamp(at: datetime) -> str:
    """Stored form of an instant: UTC, always with microseconds, so text order is time
    order and SQL can compare stamps directly."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at.isoformat()} has no time zone; pass an aware datetime")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def unstamp(text: str) -> datetime:
    return datetime.fromisoformat(text)


def selector_problem(selector: object) -> str | None:
    """Why a value cannot be stored as a selector, or None. Keys are not checked here:
    audit.selectors owns what they mean."""
    if not isinstance(selector, Mapping):
        return f"selector must be a mapping, got {type(selector).__name__}"
    for key, value in selector.items():
        values = value if isinstance(value, list) else [value]
        if not isinstance(key, str) or not all(isinstance(v, str) for v in values):
            return f"selector {key!r}: expected a string or a list of strings, got {value!r}"
    return None


class AuditDb:
    """One audit database file. Use as a context manager, or call `close`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise AuditDbError(f"{self.path}: cannot open the audit database: {exc}") from exc
        try:
            self._prepare()
        except sqlite3.Error as exc:
            self.conn.close()
            raise AuditDbError(f"{self.path}: not a usable audit database: {exc}") from exc
        except BaseException:
            self.conn.close()
            raise

    def _prepare(self) -> None:
        # Inspect before writing anything: a foreign file must be left exactly as it was.
        found = self._is_ours()
        if found is None:
            with self.transaction() as db:
                if self._is_ours() is None:  # another process may have created it meanwhile
                    for statement in _statements(DDL):
                        db.execute(statement)
                    db.executemany("INSERT INTO meta VALUES(?, ?)", [
                        ("format", FORMAT), ("schema_version", str(SCHEMA_VERSION))])
        elif found < SCHEMA_VERSION:
            self._upgrade()
        self.conn.execute("PRAGMA journal_mode=WAL")
        # Evidence and approvals must survive a power cut, not only a crash.
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA foreign_keys=ON")

    def _is_ours(self) -> int | None:
        """Our schema version (current or older), None for an empty file; raises for
        anything else."""
        tables = sorted(name for (name,) in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"))
        if not tables:
            return None
        meta = dict(self.conn.execute("SELECT key, value FROM meta").fetchall()) \
            if "meta" in tables else {}
        if meta.get("format") != FORMAT:
            raise AuditDbError(f"{self.path}: not a cmdb audit database (it holds tables "
                               f"{', '.join(tables)}); refusing to use it")
        return self._check_version(meta.get("schema_version", ""))

    def _check_version(self, version: str) -> int:
        if version.isdigit() and 1 <= int(version) <= SCHEMA_VERSION:
            return int(version)
        if version.isdigit() and int(version) > SCHEMA_VERSION:
            raise AuditDbError(f"{self.path}: audit database schema version {version} is "
                               f"newer than this cmdb-auditor reads ({SCHEMA_VERSION}); "
                               "upgrade cmdb-auditor")
        raise AuditDbError(f"{self.path}: unknown audit database schema version {version!r} "
                           f"(this cmdb-auditor reads {SCHEMA_VERSION}); refusing to use it")

    def _upgrade(self) -> None:
        """Bring an older schema up to date in one transaction: only additions."""
        with self.transaction() as db:
            (version,) = db.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            for step in range(int(version) + 1, SCHEMA_VERSION + 1):
                for statement in _statements(UPGRADES[step]):
                    db.execute(statement)
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                       (str(SCHEMA_VERSION),))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> AuditDb:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # ---- transactions -----------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write: BEGIN IMMEDIATE, so the reads that decide it (next version, next
        id, last run) cannot be raced by another writer. All or nothing."""
        with self._translated("write failed, nothing was written"):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        # SQLite has already rolled back after some errors (disk full, I/O).
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """Reads that see one consistent state of the file (inside a write: that write's)."""
        with self._translated("read failed"):
            if self.conn.in_transaction:
                yield self.conn
                return
            self.conn.execute("BEGIN")
            try:
                yield self.conn
            finally:
                self._rollback()  # nothing to keep: ends the read snapshot

    @contextmanager
    def _translated(self, what: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise AuditDbError(f"{self.path}: {what}: {exc}") from exc

    # ---- audit runs -------------------------------------------------------------------

    def next_run(self) -> int:
        with self.reading() as db:
            (last,) = db.execute("SELECT coalesce(max(run), 0) FROM audit_runs").fetchone()
        return int(last) + 1

    def add_run(self, manifest: Manifest, signature: bytes | None = None,
                report: AuditReport | None = None) -> StoredManifest:
        """Store a run's evidence manifest as the new head of the chain, and its finding
        index, in one transaction.

        The manifest must parse, match its hash and link to the last stored run: the
        file holds one chain, in run order, without forks. A caller that has just built
        the manifest from `report` passes it, and the body is then only checked against
        its hash instead of being parsed again.
        """
        if report is None or hashlib.sha256(manifest.body).hexdigest() != manifest.sha256:
            report = self._checked_manifest(manifest)
        with self.transaction() as db:
            last = db.execute("SELECT run, sha256 FROM audit_runs "
                              "ORDER BY run DESC LIMIT 1").fetchone()
            self._check_follows(manifest, last)
            db.execute("INSERT INTO audit_runs VALUES(?, ?, ?, ?, ?, ?, ?)",
                       (manifest.run, report.started_at, report.finished_at,
                        manifest.sha256, manifest.previous_sha256, manifest.body,
                        signature))
            finding_index.write(db, manifest.run, report.findings)
        return manifest.stored(signature)

    def _checked_manifest(self, manifest: Manifest) -> AuditReport:
        where = f"{self.path}: run {manifest.run}"
        try:
            parsed, report = read_manifest(manifest.body)
        except EvidenceError as exc:
            raise AuditDbError(f"{where}: not a storable manifest: {exc}") from exc
        if (parsed.run, parsed.sha256, parsed.previous_sha256) != (
                manifest.run, manifest.sha256, manifest.previous_sha256):
            raise AuditDbError(f"{where}: run, hash or previous hash do not match the "
                               "manifest body")
        return report

    def _check_follows(self, manifest: Manifest, last: tuple[int, str] | None) -> None:
        where = f"{self.path}: run {manifest.run}"
        if last is not None and manifest.run <= last[0]:
            raise AuditDbError(f"{where}: cannot be stored after run {last[0]}; run numbers "
                               "only grow (use next_run())")
        head = last[1] if last is not None else None
        if manifest.previous_sha256 != head:
            after = f"run {last[0]} ({head})" if last is not None else "nothing (empty chain)"
            raise AuditDbError(f"{where}: links to {manifest.previous_sha256} but the last "
                               f"stored run is {after}; build it on the last stored run")

    def runs(self) -> list[StoredManifest]:
        """Every run in run order, ready for `audit.evidence.verify_chain`."""
        with self.reading() as db:
            rows = db.execute("SELECT run, body, sha256, signature FROM audit_runs "
                              "ORDER BY run").fetchall()
        return [_stored(row) for row in rows]

    def run(self, run: int) -> StoredManifest | None:
        with self.reading() as db:
            row = db.execute("SELECT run, body, sha256, signature FROM audit_runs "
                             "WHERE run = ?", (run,)).fetchone()
        return _stored(row) if row is not None else None

    def last_run(self) -> StoredManifest | None:
        with self.reading() as db:
            row = db.execute("SELECT run, body, sha256, signature FROM audit_runs "
                             "ORDER BY run DESC LIMIT 1").fetchone()
        return _stored(row) if row is not None else None

    def head(self) -> ChainHead | None:
        """The last stored run and its hash, without reading its body."""
        with self.reading() as db:
            row = db.execute("SELECT run, sha256 FROM audit_runs "
                             "ORDER BY run DESC LIMIT 1").fetchone()
        return ChainHead(int(row[0]), str(row[1])) if row is not None else None

    def deviating(self, run: int) -> frozenset[Key] | None:
        """Finding keys that deviated (drift, error, waived) in `run`, from its finding
        index; None when the run has none (stored before schema 2): read its manifest."""
        with self.reading() as db:
            try:
                return finding_index.deviating(db, run)
            except ValueError as exc:  # edited behind our back: the triggers were bypassed
                raise AuditDbError(f"{self.path}: the finding index of run {run} is "
                                   f"damaged ({exc}); the manifest is intact if "
                                   "`cmdb evidence verify` passes") from exc


def _stored(row: tuple[Any, ...]) -> StoredManifest:
    run, body, sha256, signature = row
    return StoredManifest(int(run), bytes(body), str(sha256),
                          bytes(signature) if signature is not None else None)


def _statements(script: str) -> Iterator[str]:
    """Split DDL into statements (triggers hold `;` inside): `executescript` would commit
    the surrounding transaction first."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""
