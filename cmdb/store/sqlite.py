"""The embedded store: one SQLite file, WAL, one transaction per apply.

Tables are fixed (nodes, props, observations, rels, identity, history, runs, digests);
property names are *values* taken from the schema, and every statement takes parameters.
History records every change of a node's status, a property or a relationship, so the
graph can be read as of any run. The read side lives in `sqlite_read.py`.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from cmdb.changeset import (
    ApplySummary,
    ChangeSet,
    EvidenceKind,
    NodeStatus,
    Snapshot,
    StoredNode,
)
from cmdb.schema import Source, TargetOutcome
from cmdb.store import sqlite_dump
from cmdb.store.base import GraphDump, StoreError
from cmdb.store.plan import (
    ApplyPlan,
    CurrentState,
    StoredValue,
    load,
    merge_outcomes,
    outcomes_from_json,
    outcomes_to_json,
    plan_apply,
    touched,
)
from cmdb.store.sqlite_read import SqliteReader

SCHEMA_VERSION = "1"

DDL = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs(
    run INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, started_at TEXT NOT NULL,
    finished_at TEXT, status TEXT NOT NULL, targets TEXT, summary TEXT);
CREATE TABLE IF NOT EXISTS nodes(
    uid TEXT PRIMARY KEY, label TEXT NOT NULL, owner TEXT, device TEXT,
    status TEXT NOT NULL, first_run INTEGER NOT NULL, last_run INTEGER NOT NULL,
    absent_since INTEGER);
CREATE INDEX IF NOT EXISTS nodes_label ON nodes(label, status);
CREATE INDEX IF NOT EXISTS nodes_device ON nodes(device);
CREATE TABLE IF NOT EXISTS props(
    uid TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, source TEXT,
    target TEXT, run INTEGER NOT NULL, PRIMARY KEY(uid, name)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS props_value ON props(name, value);
CREATE TABLE IF NOT EXISTS observations(
    uid TEXT NOT NULL, name TEXT NOT NULL, source TEXT NOT NULL, value TEXT NOT NULL,
    target TEXT NOT NULL, run INTEGER NOT NULL,
    PRIMARY KEY(uid, name, source)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rels(
    src TEXT NOT NULL, type TEXT NOT NULL, dst TEXT NOT NULL, status TEXT NOT NULL,
    first_run INTEGER NOT NULL, last_run INTEGER NOT NULL,
    PRIMARY KEY(src, type, dst)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rels_dst ON rels(dst);
CREATE TABLE IF NOT EXISTS identity(
    uid TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY(uid, kind)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS identity_value ON identity(kind, value);
CREATE TABLE IF NOT EXISTS history(
    seq INTEGER PRIMARY KEY AUTOINCREMENT, run INTEGER NOT NULL, at TEXT NOT NULL,
    uid TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, other TEXT,
    old TEXT, new TEXT, source TEXT);
CREATE INDEX IF NOT EXISTS history_uid ON history(uid, seq);
CREATE INDEX IF NOT EXISTS history_run ON history(run);
CREATE TABLE IF NOT EXISTS digests(
    uid TEXT PRIMARY KEY, digest TEXT NOT NULL, run INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS conflicts(
    run INTEGER NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL, evidence TEXT NOT NULL,
    candidates TEXT NOT NULL, detail TEXT NOT NULL);
"""


class SqliteStore(SqliteReader):
    """GraphStore on one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(DDL)
            self._check_version(conn)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"sqlite:{self.path}: cannot open the store: {exc}") from exc
        super().__init__(conn)

    def _check_version(self, conn: sqlite3.Connection) -> None:
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            conn.execute("INSERT INTO meta VALUES('schema_version', ?)", (SCHEMA_VERSION,))
        elif row[0] != SCHEMA_VERSION:
            raise StoreError(f"sqlite:{self.path}: store schema version {row[0]}, "
                             f"this cmdb needs {SCHEMA_VERSION}")

    def close(self) -> None:
        self.conn.close()

    def counts(self) -> dict[str, int]:
        return sqlite_dump.counts(self.conn)

    def export_graph(self) -> GraphDump:
        history = tuple(self._entries("WHERE 1 = 1", ()))
        return sqlite_dump.export_graph(self.conn, tuple(reversed(self.runs())), history)

    def import_graph(self, dump: GraphDump) -> None:
        with self._transaction() as db:
            sqlite_dump.import_graph(db, dump)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # ---- runs -------------------------------------------------------------------------

    def begin_run(self, kind: str, started_at: datetime) -> int:
        with self._transaction() as db:
            cur = db.execute(
                "INSERT INTO runs(kind, started_at, status) VALUES(?, ?, 'running')",
                (kind, started_at.isoformat()))
            return int(cur.lastrowid or 0)

    # ---- snapshot ---------------------------------------------------------------------

    def snapshot(self, evidence: Iterable[tuple[EvidenceKind, str]],
                 unchanged_if: Collection[str] = frozenset()) -> Snapshot:
        devices = self._devices_with(evidence)
        digests = self._current_digests(devices)
        partial = frozenset(uid for uid, digest in digests.items() if digest in unchanged_if)
        nodes: dict[str, StoredNode] = {}
        observations: dict[tuple[str, str], dict[Source, tuple[object, str]]] = {}
        rels: dict[tuple[str, str], set[str]] = {}
        members = json.dumps(sorted(devices - partial))
        for uid, label, owner, device, status in self.conn.execute(
            "SELECT uid, label, owner, device, status FROM nodes "
            "WHERE device IN (SELECT value FROM json_each(?))", (members,)):
            nodes[uid] = StoredNode(uid, label, owner, device, NodeStatus(status))
        for uid, name, source, value, target in self.conn.execute(
            "SELECT o.uid, o.name, o.source, o.value, o.target FROM observations o "
            "JOIN nodes n ON n.uid = o.uid WHERE n.device IN (SELECT value FROM json_each(?))",
            (members,)):
            observations.setdefault((uid, name), {})[Source(source)] = (load(value), target)
        for src, rel_type, dst in self.conn.execute(
            "SELECT src, type, dst FROM rels WHERE status = 'present' "
            "AND src IN (SELECT value FROM json_each(?))", (members,)):
            rels.setdefault((src, rel_type), set()).add(dst)
        return Snapshot(
            evidence=self._evidence_of(devices),
            nodes=nodes,
            observations=observations,
            rels={k: frozenset(v) for k, v in rels.items()},
            digests=digests,
            partial=partial,
        )

    def _current_digests(self, devices: set[str]) -> dict[str, str]:
        """Digests still describing their device: nothing touched it since."""
        return dict(self.conn.execute(
            "SELECT d.uid, d.digest FROM digests d JOIN nodes n ON n.uid = d.uid "
            "WHERE d.uid IN (SELECT value FROM json_each(?)) AND n.last_run = d.run",
            (json.dumps(sorted(devices)),)).fetchall())

    def _devices_with(self, evidence: Iterable[tuple[EvidenceKind, str]]) -> set[str]:
        found: set[str] = set()
        for kind, value in set(evidence):
            found.update(uid for (uid,) in self.conn.execute(
                "SELECT uid FROM identity WHERE kind=? AND value=?", (kind.value, value)))
        return found

    def _evidence_of(self, devices: set[str]) -> dict[str, dict[EvidenceKind, str]]:
        result: dict[str, dict[EvidenceKind, str]] = {}
        for uid, kind, value in self.conn.execute(
            "SELECT uid, kind, value FROM identity WHERE uid IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(devices)),)):
            result.setdefault(uid, {})[EvidenceKind(kind)] = value
        return result

    # ---- apply ------------------------------------------------------------------------

    def apply(self, changeset: ChangeSet) -> ApplySummary:
        """Apply a ChangeSet in one transaction; applying it twice changes nothing."""
        run = changeset.run
        try:
            with self._transaction() as db:
                plan = plan_apply(changeset, self._current(changeset))
                _execute(db, plan, run.finished_at.isoformat())
                _mark_unchanged_seen(db, changeset.unchanged, run.run)
                db.executemany("INSERT OR REPLACE INTO digests VALUES(?,?,?)", [
                    (uid, digest, run.run) for uid, digest in changeset.digests.items()])
                db.executemany("INSERT OR REPLACE INTO identity VALUES(?,?,?)", [
                    (uid, kind.value, value) for uid, evidence in changeset.evidence.items()
                    for kind, value in evidence.items()])
                for c in changeset.conflicts:  # once per run, however often applied
                    db.execute(
                        "INSERT INTO conflicts SELECT ?,?,?,?,?,? WHERE NOT EXISTS (SELECT 1 "
                        "FROM conflicts WHERE run=? AND kind=? AND target=? AND evidence=?)",
                        (run.run, c.kind, c.target, c.evidence, json.dumps(c.candidates),
                         c.detail, run.run, c.kind, c.target, c.evidence))
                summary = self._run_summary(db, run.run, plan.summary)
                targets = merge_outcomes(self._stored_outcomes(db, run.run), run.targets)
                db.execute(
                    "INSERT INTO runs(run, kind, started_at, finished_at, status, targets, "
                    "summary) VALUES(?,?,?,?,'done',?,?) ON CONFLICT(run) DO UPDATE SET "
                    "kind=excluded.kind, started_at=excluded.started_at, "
                    "finished_at=excluded.finished_at, status='done', "
                    "targets=excluded.targets, summary=excluded.summary",
                    (run.run, run.kind, run.started_at.isoformat(), run.finished_at.isoformat(),
                     outcomes_to_json(targets), json.dumps(summary.__dict__)))
                return plan.summary
        except sqlite3.Error as exc:
            raise StoreError(f"sqlite:{self.path}: apply failed, nothing was written: "
                             f"{exc}") from exc

    @staticmethod
    def _stored_outcomes(db: sqlite3.Connection, run: int) -> tuple[TargetOutcome, ...]:
        row = db.execute("SELECT targets FROM runs WHERE run=?", (run,)).fetchone()
        return outcomes_from_json(row[0] if row else None)

    @staticmethod
    def _run_summary(db: sqlite3.Connection, run: int, this: ApplySummary) -> ApplySummary:
        """A run applied in chunks sums its chunks; conflicts are counted, not summed."""
        row = db.execute("SELECT summary FROM runs WHERE run=?", (run,)).fetchone()
        total = this + ApplySummary(**json.loads(row[0])) if row and row[0] else this
        conflicts = db.execute("SELECT count(*) FROM conflicts WHERE run=?", (run,)).fetchone()
        return dataclasses.replace(total, run=run, conflicts=int(conflicts[0]))

    def _current(self, changeset: ChangeSet) -> CurrentState:
        uids, rels = touched(changeset)
        members = json.dumps(sorted(uids))
        q = self.conn.execute
        nodes = {u: NodeStatus(st) for u, st in q(
            "SELECT uid, status FROM nodes WHERE uid IN (SELECT value FROM json_each(?))",
            (members,))}
        props = {(u, n): StoredValue(v, s, t) for u, n, v, s, t in q(
            "SELECT uid, name, value, source, target FROM props "
            "WHERE uid IN (SELECT value FROM json_each(?))", (members,))}
        observations = {(u, n, s): (v, t) for u, n, s, v, t in q(
            "SELECT uid, name, source, value, target FROM observations "
            "WHERE uid IN (SELECT value FROM json_each(?))", (members,))}
        sources = json.dumps(sorted({src for src, _, _ in rels}))
        stored_rels = {(a, t, b): NodeStatus(st) for a, t, b, st in q(
            "SELECT src, type, dst, status FROM rels "
            "WHERE src IN (SELECT value FROM json_each(?))", (sources,)) if (a, t, b) in rels}
        return CurrentState(nodes, props, observations, stored_rels)


def _mark_unchanged_seen(db: sqlite3.Connection, devices: Iterable[str], run: int) -> None:
    """What a rebuild of an unchanged device would have marked seen: its CIs and
    relationships seen by its last ingest, and the shared CIs (sites) they lead to."""
    for uid in devices:
        row = db.execute("SELECT run FROM digests WHERE uid=?", (uid,)).fetchone()
        if row is None or row[0] == run:
            continue
        since = row[0]
        db.execute("UPDATE rels SET last_run=?1 WHERE status='present' AND last_run=?2 "
                   "AND src IN (SELECT uid FROM nodes WHERE device=?3)", (run, since, uid))
        db.execute("UPDATE nodes SET last_run=?1 WHERE device IS NULL AND status='present' "
                   "AND uid IN (SELECT r.dst FROM rels r JOIN nodes n ON n.uid = r.src "
                   "WHERE n.device=?2 AND r.last_run=?1 AND r.status='present')", (run, uid))
        db.execute("UPDATE nodes SET last_run=?1 WHERE device=?2 AND status='present' "
                   "AND last_run=?3", (run, uid, since))
        db.execute("UPDATE digests SET run=? WHERE uid=?", (run, uid))


def _execute(db: sqlite3.Connection, plan: ApplyPlan, at: str) -> None:
    """Write a plan; every statement is fixed text with parameters."""
    run = plan.run
    db.executemany("INSERT INTO nodes VALUES(?,?,?,?,'present',?,?,NULL)",
                   [(n.uid, n.label, n.owner, n.device, run, run) for n in plan.created])
    db.executemany("UPDATE nodes SET last_run=? WHERE uid=?", [(run, u) for u in plan.seen])
    db.executemany("UPDATE nodes SET status=?, absent_since=? WHERE uid=?", [
        (st.value, run if st is NodeStatus.ABSENT else None, uid) for uid, st in plan.status])
    db.executemany("DELETE FROM props WHERE uid=? AND name=?",
                   [(p.uid, p.name) for p in plan.props if p.value is None])
    db.executemany(
        "INSERT INTO props VALUES(?,?,?,?,?,?) ON CONFLICT(uid, name) DO UPDATE SET "
        "value=excluded.value, source=excluded.source, target=excluded.target, "
        "run=CASE WHEN props.value = excluded.value THEN props.run ELSE excluded.run END",
        [(p.uid, p.name, p.value, p.source, p.target, run)
         for p in plan.props if p.value is not None])
    db.executemany("DELETE FROM observations WHERE uid=? AND name=? AND source=?",
                   [(o.uid, o.name, o.source) for o in plan.observations if o.value is None])
    db.executemany("INSERT OR REPLACE INTO observations VALUES(?,?,?,?,?,?)",
                   [(o.uid, o.name, o.source, o.value, o.target, run)
                    for o in plan.observations if o.value is not None])
    db.executemany(
        "INSERT INTO rels VALUES(?,?,?,?,?,?) ON CONFLICT(src, type, dst) DO UPDATE SET "
        "status=excluded.status, last_run=excluded.last_run",
        [(r.src, r.type, r.dst, r.status.value, run, run) for r in plan.rels])
    db.executemany("UPDATE rels SET last_run=? WHERE src=? AND type=? AND dst=?",
                   [(run, *key) for key in plan.rels_seen])
    db.executemany(
        "INSERT INTO history(run, at, uid, kind, name, other, old, new, source) "
        "VALUES(?,?,?,?,?,?,?,?,?)",
        [(run, at, h.uid, h.kind, h.name, h.other, h.old, h.new, h.source)
         for h in plan.history])
