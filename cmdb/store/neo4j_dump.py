"""Whole-store export and import for the Neo4j store (used by `cmdb store migrate`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import neo4j
from neo4j import ManagedTransaction

from cmdb.changeset import Conflict, NodeStatus
from cmdb.store import cypher
from cmdb.store.base import (
    GraphDump,
    HistoryEntry,
    NodeRecord,
    ObservationRecord,
    RelRecord,
    RunRecord,
    StoreError,
)
from cmdb.store.plan import dump, load, outcomes_to_json

Read = Callable[..., list[neo4j.Record]]
Write = Callable[[Callable[[ManagedTransaction], Any]], Any]


def observations_of(uid: str, blob: str | None) -> list[ObservationRecord]:
    return [ObservationRecord(uid, name, source, target, load(value), run)
            for name, by_source in sorted(json.loads(blob or "{}").items())
            for source, (value, target, run) in sorted(by_source.items())]


def counts(read: Read) -> dict[str, int]:
    found = {name: int(read(query)[0]["n"]) for name, query in cypher.COUNTS.items()}
    found["observations"] = sum(len(observations_of(r["uid"], r["obs"]))
                                for r in read(cypher.ALL_OBSERVATIONS))
    return found


def export_graph(read: Read, record: Callable[[Any, str], NodeRecord],
                 entries: Callable[[Iterable[Any]], list[HistoryEntry]],
                 runs: tuple[RunRecord, ...]) -> GraphDump:
    rows = read(cypher.ALL_NODES)
    nodes = tuple(record(r["props"], _label(r["labels"])) for r in rows)
    observations = tuple(o for r in rows for o in observations_of(r["props"]["uid"],
                                                                  r["props"].get("_obs")))
    return GraphDump(
        nodes=nodes, observations=observations,
        rels=tuple(RelRecord(r["src"], r["type"], r["dst"], NodeStatus(r["status"]),
                             r["first_run"], r["last_run"])
                   for r in read(cypher.ALL_RELATIONSHIPS)),
        evidence=tuple((r["uid"], r["kind"], r["value"]) for r in read(cypher.ALL_EVIDENCE)),
        history=tuple(entries(r["c"] for r in read(cypher.ALL_HISTORY))),
        runs=runs,
        conflicts=tuple((c["run"], Conflict(c["kind"], c["target"], c["evidence"],
                                            tuple(json.loads(c["candidates"])), c["detail"]))
                        for c in (dict(r["c"]) for r in read(cypher.ALL_CONFLICTS))))


def import_graph(read: Read, write: Write, data: GraphDump, size: int) -> None:
    if any(counts(read).values()):
        raise StoreError("the target store is not empty; migrate into a new database")
    observations: dict[str, dict[str, dict[str, list[Any]]]] = {}
    for o in data.observations:
        observations.setdefault(o.uid, {}).setdefault(o.name, {})[o.source] = [
            dump(o.value), o.target, o.run]
    by_label: dict[str, list[dict[str, Any]]] = {}
    for n in data.nodes:
        by_label.setdefault(n.label, []).append(_node_row(n, observations.get(n.uid, {})))
    for label, rows in sorted(by_label.items()):
        _batched(write, cypher.import_nodes(label), rows, size)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in data.rels:
        by_type.setdefault(r.type, []).append(
            {"src": r.src, "dst": r.dst, "status": r.status.value, "first_run": r.first_run,
             "last_run": r.last_run})
    for rel_type, rows in sorted(by_type.items()):
        _batched(write, cypher.import_relationships(rel_type), rows, size)
    _import_records(write, data, size)


def _node_row(n: NodeRecord, observed: dict[str, Any]) -> dict[str, Any]:
    return {
        **{name: p.value for name, p in n.properties.items()},
        "uid": n.uid, "status": n.status.value, "owner": n.owner, "device": n.device,
        "first_run": n.first_run, "last_run": n.last_run, "absent_since": n.absent_since,
        "_prov": json.dumps({name: [p.source, p.target, p.run]
                             for name, p in n.properties.items()}, sort_keys=True),
        "_obs": json.dumps(observed, sort_keys=True),
    }


def _import_records(write: Write, data: GraphDump, size: int) -> None:
    _batched(write, cypher.IMPORT_ROWS["evidence"],
             [{"uid": u, "kind": k, "value": v} for u, k, v in data.evidence], size)
    _batched(write, cypher.insert_history(), [
        {"seq": h.seq, "run": h.run, "at": h.at, "uid": h.uid, "kind": h.kind, "name": h.name,
         "other": h.other, "old": None if h.old is None else dump(h.old),
         "new": None if h.new is None else dump(h.new), "source": h.source}
        for h in data.history], size)
    _batched(write, cypher.IMPORT_ROWS["runs"], [
        {"run": r.run, "kind": r.kind, "started_at": r.started_at,
         "finished_at": r.finished_at, "status": r.status,
         "targets": outcomes_to_json(r.targets),
         "summary": json.dumps(r.summary.__dict__) if r.summary else None} for r in data.runs],
        size)
    _batched(write, cypher.WRITE_CONFLICTS, [
        {"run": run, "seq": i, "kind": c.kind, "target": c.target, "evidence": c.evidence,
         "candidates": json.dumps(c.candidates), "detail": c.detail}
        for i, (run, c) in enumerate(data.conflicts)], size)
    last_run = max((r.run for r in data.runs), default=0)
    last_seq = max((h.seq for h in data.history), default=0)
    write(lambda tx: (tx.run(cypher.SET_COUNTER, name="run", value=last_run).consume(),
                      tx.run(cypher.SET_COUNTER, name="seq", value=last_seq).consume()))


def _batched(write: Write, query: str, rows: list[dict[str, Any]], size: int) -> None:
    for start in range(0, len(rows), size):
        chunk = rows[start:start + size]
        write(lambda tx, chunk=chunk: tx.run(query, rows=chunk).consume())  # type: ignore[misc]


def _label(labels: Iterable[str]) -> str:
    return next((label for label in labels if label != cypher.CI), "?")
