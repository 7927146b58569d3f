"""Whole-store export and import for the SQLite store (used by `cmdb store migrate`)."""

from __future__ import annotations

import json
import sqlite3

from cmdb.changeset import Conflict, NodeStatus
from cmdb.store.base import (
    GraphDump,
    HistoryEntry,
    NodeRecord,
    ObservationRecord,
    PropertyValue,
    RelRecord,
    RunRecord,
    StoreError,
)
from cmdb.store.plan import dump, load, outcomes_to_json

TABLES = {"nodes": "nodes", "relationships": "rels", "history": "history", "runs": "runs",
          "observations": "observations", "evidence": "identity", "conflicts": "conflicts"}
COUNT = {name: f"SELECT count(*) FROM {table}" for name, table in TABLES.items()}  # noqa: S608


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {name: int(conn.execute(sql).fetchone()[0]) for name, sql in COUNT.items()}


def export_graph(conn: sqlite3.Connection, runs: tuple[RunRecord, ...],
                 history: tuple[HistoryEntry, ...]) -> GraphDump:
    props: dict[str, dict[str, PropertyValue]] = {}
    for uid, name, value, source, target, run in conn.execute(
            "SELECT uid, name, value, source, target, run FROM props"):
        props.setdefault(uid, {})[name] = PropertyValue(load(value), source, target, run)
    nodes = tuple(
        NodeRecord(u, label, NodeStatus(st), owner, device, first, last, absent,
                   props.get(u, {}))
        for u, label, owner, device, st, first, last, absent in conn.execute(
            "SELECT uid, label, owner, device, status, first_run, last_run, absent_since "
            "FROM nodes ORDER BY uid"))
    return GraphDump(
        nodes=nodes,
        observations=tuple(ObservationRecord(u, n, s, t, load(v), r) for u, n, s, v, t, r in
                           conn.execute("SELECT uid, name, source, value, target, run "
                                        "FROM observations")),
        rels=tuple(RelRecord(a, t, b, NodeStatus(st), f, la) for a, t, b, st, f, la in
                   conn.execute("SELECT src, type, dst, status, first_run, last_run FROM rels")),
        evidence=tuple(conn.execute("SELECT uid, kind, value FROM identity")),
        history=history, runs=runs,
        conflicts=tuple((run, Conflict(k, t, e, tuple(json.loads(c)), d))
                        for run, k, t, e, c, d in conn.execute(
                            "SELECT run, kind, target, evidence, candidates, detail "
                            "FROM conflicts ORDER BY rowid")))


def import_graph(conn: sqlite3.Connection, data: GraphDump) -> None:
    if any(counts(conn).values()):
        raise StoreError("the target store is not empty; migrate into a new store")
    conn.executemany("INSERT INTO nodes VALUES(?,?,?,?,?,?,?,?)", [
        (n.uid, n.label, n.owner, n.device, n.status.value, n.first_run, n.last_run,
         n.absent_since) for n in data.nodes])
    conn.executemany("INSERT INTO props VALUES(?,?,?,?,?,?)", [
        (n.uid, name, dump(p.value), p.source, p.target, p.run)
        for n in data.nodes for name, p in n.properties.items()])
    conn.executemany("INSERT INTO observations VALUES(?,?,?,?,?,?)", [
        (o.uid, o.name, o.source, dump(o.value), o.target, o.run) for o in data.observations])
    conn.executemany("INSERT INTO rels VALUES(?,?,?,?,?,?)", [
        (r.src, r.type, r.dst, r.status.value, r.first_run, r.last_run) for r in data.rels])
    conn.executemany("INSERT INTO identity VALUES(?,?,?)", data.evidence)
    conn.executemany(
        "INSERT INTO history(seq, run, at, uid, kind, name, other, old, new, source) "
        "VALUES(?,?,?,?,?,?,?,?,?,?)",
        [(h.seq, h.run, h.at, h.uid, h.kind, h.name, h.other,
          None if h.old is None else dump(h.old), None if h.new is None else dump(h.new),
          h.source) for h in data.history])
    conn.executemany("INSERT INTO runs VALUES(?,?,?,?,?,?,?)", [
        (r.run, r.kind, r.started_at, r.finished_at, r.status, outcomes_to_json(r.targets),
         json.dumps(r.summary.__dict__) if r.summary else None) for r in data.runs])
    conn.executemany("INSERT INTO conflicts VALUES(?,?,?,?,?,?)", [
        (run, c.kind, c.target, c.evidence, json.dumps(c.candidates), c.detail)
        for run, c in data.conflicts])
