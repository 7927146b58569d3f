"""The embedded store: one SQLite file, WAL, one transaction per apply.

Tables are fixed (nodes, props, observations, rels, identity, history, runs); labels and
property names are *values* taken from the schema, and every statement takes parameters.
History records every change of a node's status, a property or a relationship, so the
graph can be read as of any run. The read side lives in `sqlite_read.py`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from cmdb.changeset import (
    ApplySummary,
    ChangeSet,
    EvidenceKind,
    NodeStatus,
    NodeUpsert,
    PropertySet,
    RelChange,
    Snapshot,
    StoredNode,
)
from cmdb.schema import Source
from cmdb.store.base import StoreError
from cmdb.store.sqlite_read import SqliteReader, dump, load, outcomes_to_json

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

    def snapshot(self, evidence: Iterable[tuple[EvidenceKind, str]]) -> Snapshot:
        devices = self._devices_with(evidence)
        nodes: dict[str, StoredNode] = {}
        observations: dict[tuple[str, str], dict[Source, tuple[object, str]]] = {}
        rels: dict[tuple[str, str], set[str]] = {}
        members = json.dumps(sorted(devices))
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
        )

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
        try:
            with self._transaction() as db:
                writer = _Writer(db, changeset.run.run, changeset.run.finished_at.isoformat())
                writer.apply(changeset)
                summary = writer.summary(len(changeset.conflicts))
                db.execute(
                    "UPDATE runs SET kind=?, started_at=?, finished_at=?, status='done', "
                    "targets=?, summary=? WHERE run=?",
                    (changeset.run.kind, changeset.run.started_at.isoformat(), writer.at,
                     outcomes_to_json(changeset.run.targets), json.dumps(summary.__dict__),
                     changeset.run.run))
                return summary
        except sqlite3.Error as exc:
            raise StoreError(f"sqlite:{self.path}: apply failed, nothing was written: "
                             f"{exc}") from exc


class _Writer:
    """Applies one ChangeSet inside an open transaction, counting what changed."""

    def __init__(self, db: sqlite3.Connection, run: int, at: str) -> None:
        self.db, self.run, self.at = db, run, at
        self.counts = {"created": 0, "reappeared": 0, "absent": 0, "props": 0,
                       "rels_added": 0, "rels_removed": 0}

    def apply(self, cs: ChangeSet) -> None:
        if self.db.execute("SELECT 1 FROM runs WHERE run=?", (self.run,)).fetchone() is None:
            self.db.execute("INSERT INTO runs(run, kind, started_at, status) VALUES(?,?,?,?)",
                            (self.run, cs.run.kind, cs.run.started_at.isoformat(), "running"))
        for node in cs.nodes:
            self._node(node)
        for obs in cs.observations:
            if obs.value is None:
                self.db.execute("DELETE FROM observations WHERE uid=? AND name=? AND source=?",
                                (obs.uid, obs.name, obs.source.value))
            else:
                self.db.execute("INSERT OR REPLACE INTO observations VALUES(?,?,?,?,?,?)",
                                (obs.uid, obs.name, obs.source.value, dump(obs.value),
                                 obs.target, self.run))
        for prop in cs.properties:
            self._property(prop)
        for rel in cs.rels:
            self._rel(rel)
        for uid in cs.absent:
            self._absent(uid)
        for uid, evidence in cs.evidence.items():
            self.db.executemany("INSERT OR REPLACE INTO identity VALUES(?,?,?)",
                                [(uid, kind.value, value) for kind, value in evidence.items()])
        self.db.executemany(
            "INSERT INTO conflicts VALUES(?,?,?,?,?,?)",
            [(self.run, c.kind, c.target, c.evidence, json.dumps(c.candidates), c.detail)
             for c in cs.conflicts])

    def _history(self, uid: str, kind: str, name: str, old: str | None, new: str | None,
                  source: str | None = None, other: str | None = None) -> None:
        self.db.execute(
            "INSERT INTO history(run, at, uid, kind, name, other, old, new, source) "
            "VALUES(?,?,?,?,?,?,?,?,?)", (self.run, self.at, uid, kind, name, other, old, new,
                                         source))

    def _node(self, node: NodeUpsert) -> None:
        row = self.db.execute("SELECT status FROM nodes WHERE uid=?", (node.uid,)).fetchone()
        if row is None:
            self.db.execute("INSERT INTO nodes VALUES(?,?,?,?,'present',?,?,NULL)",
                            (node.uid, node.label, node.owner, node.device, self.run, self.run))
            self._history(node.uid, "node", "status", None, dump("present"))
            self.counts["created"] += 1
            return
        if row[0] == NodeStatus.ABSENT:
            self._history(node.uid, "node", "status", dump("absent"), dump("present"))
            self.counts["reappeared"] += 1
        self.db.execute("UPDATE nodes SET status='present', absent_since=NULL, last_run=? "
                        "WHERE uid=?", (self.run, node.uid))

    def _property(self, prop: PropertySet) -> None:
        row = self.db.execute("SELECT value FROM props WHERE uid=? AND name=?",
                              (prop.uid, prop.name)).fetchone()
        old = row[0] if row else None
        source = prop.source.value if prop.source else None
        if prop.value is None:
            if old is not None:
                self.db.execute("DELETE FROM props WHERE uid=? AND name=?", (prop.uid, prop.name))
                self._history(prop.uid, "property", prop.name, old, None, source)
                self.counts["props"] += 1
            return
        new = dump(prop.value)
        self.db.execute(
            "INSERT INTO props VALUES(?,?,?,?,?,?) ON CONFLICT(uid, name) DO UPDATE SET "
            "value=excluded.value, source=excluded.source, target=excluded.target, "
            "run=CASE WHEN props.value = excluded.value THEN props.run ELSE excluded.run END",
            (prop.uid, prop.name, new, source, prop.target, self.run))
        if new != old:
            self._history(prop.uid, "property", prop.name, old, new, source)
            self.counts["props"] += 1

    def _rel(self, rel: RelChange) -> None:
        row = self.db.execute("SELECT status FROM rels WHERE src=? AND type=? AND dst=?",
                              (rel.src, rel.type, rel.dst)).fetchone()
        status = row[0] if row else None
        if rel.present:
            if status != "present":
                old = dump(status) if status else None
                self._history(rel.src, "relationship", rel.type, old, dump("present"),
                              other=rel.dst)
                self.counts["rels_added"] += 1
            self.db.execute(
                "INSERT INTO rels VALUES(?,?,?,'present',?,?) ON CONFLICT(src, type, dst) "
                "DO UPDATE SET status='present', last_run=excluded.last_run",
                (rel.src, rel.type, rel.dst, self.run, self.run))
        elif status == "present":
            self.db.execute("UPDATE rels SET status='absent' WHERE src=? AND type=? AND dst=?",
                            (rel.src, rel.type, rel.dst))
            self._history(rel.src, "relationship", rel.type, dump("present"), dump("absent"),
                          other=rel.dst)
            self.counts["rels_removed"] += 1

    def _absent(self, uid: str) -> None:
        cur = self.db.execute("UPDATE nodes SET status='absent', absent_since=? "
                              "WHERE uid=? AND status='present'", (self.run, uid))
        if cur.rowcount:
            self._history(uid, "node", "status", dump("present"), dump("absent"))
            self.counts["absent"] += 1

    def summary(self, conflicts: int) -> ApplySummary:
        c = self.counts
        return ApplySummary(self.run, c["created"], c["reappeared"], c["absent"], c["props"],
                            c["rels_added"], c["rels_removed"], conflicts)
