"""Executes an apply plan inside one open Neo4j transaction, in bounded batches."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Sequence
from typing import Any

from neo4j import ManagedTransaction

from cmdb.changeset import ApplySummary, ChangeSet, NodeStatus
from cmdb.store import cypher
from cmdb.store.plan import (
    ApplyPlan,
    load,
    merge_outcomes,
    outcomes_from_json,
    outcomes_to_json,
)


def execute_plan(tx: ManagedTransaction, plan: ApplyPlan, cs: ChangeSet,
                 blobs: dict[str, dict[str, Any]], size: int) -> None:
    run = plan.run
    for uid in (n.uid for n in plan.created):
        blobs[uid] = {"prov": {}, "obs": {}}
    rows = {row["uid"]: row for row in _property_rows(plan, blobs)}
    _create(tx, plan, rows, size)
    _each(tx, cypher.touch_nodes(), list(plan.seen), size, "uids", run=run)
    _each(tx, cypher.set_status(), [
        {"uid": uid, "status": st.value, "absent_since": run if st is NodeStatus.ABSENT else None}
        for uid, st in plan.status], size)
    created = {n.uid for n in plan.created}
    _each(tx, cypher.set_properties(), [r for uid, r in rows.items() if uid not in created],
          size)
    for new, query in ((True, cypher.create_relationships),
                       (False, cypher.set_relationship_status)):
        for rel_type, rel_rows in _by_type((r.src, r.type, r.dst, r.status.value)
                                           for r in plan.rels if r.new is new):
            _each(tx, query(rel_type), rel_rows, size, run=run)
    for rel_type, seen_rows in _by_type((s, t, d, None) for s, t, d in plan.rels_seen):
        _each(tx, cypher.touch_relationships(rel_type), seen_rows, size, run=run)
    _history(tx, plan, cs.run.finished_at.isoformat(), size)
    _mark_unchanged_seen(tx, cs.unchanged, run, size)
    _each(tx, cypher.WRITE_DIGESTS, [{"uid": uid, "digest": digest}
                                     for uid, digest in cs.digests.items()], size, run=run)
    _each(tx, cypher.WRITE_EVIDENCE, [
        {"uid": uid, "kind": kind.value, "value": value}
        for uid, evidence in cs.evidence.items() for kind, value in evidence.items()], size)
    _each(tx, cypher.WRITE_CONFLICTS, [
        {"run": run, "seq": i, "kind": c.kind, "target": c.target, "evidence": c.evidence,
         "candidates": json.dumps(c.candidates), "detail": c.detail}
        for i, c in enumerate(cs.conflicts)], size)
    _finish_run(tx, cs, plan.summary)


def _finish_run(tx: ManagedTransaction, cs: ChangeSet, this: ApplySummary) -> None:
    """A run applied in chunks sums its chunks and keeps every chunk's targets;
    conflicts are counted, not summed."""
    run = cs.run.run
    found = tx.run(cypher.RUN_SUMMARY, run=run).single()
    stored = found["summary"] if found else None
    total = this + ApplySummary(**json.loads(stored)) if stored else this
    summary = dataclasses.replace(total, run=run,
                                  conflicts=int(found["conflicts"]) if found else 0)
    targets = merge_outcomes(outcomes_from_json(found["targets"] if found else None),
                             cs.run.targets)
    tx.run(cypher.FINISH_RUN, run=run, kind=cs.run.kind,
           started_at=cs.run.started_at.isoformat(), finished_at=cs.run.finished_at.isoformat(),
           targets=outcomes_to_json(targets), summary=json.dumps(summary.__dict__))


def _mark_unchanged_seen(tx: ManagedTransaction, devices: Sequence[str], run: int,
                         size: int) -> None:
    if not devices:
        return
    rows = [{"uid": r["uid"], "since": r["since"]}
            for r in tx.run(cypher.DIGEST_RUNS, uids=list(devices), run=run)]
    _each(tx, cypher.TOUCH_UNCHANGED_RELS, rows, size, run=run)
    _each(tx, cypher.TOUCH_UNCHANGED_NODES, rows, size, run=run)
    _each(tx, cypher.DIGEST_SEEN, [r["uid"] for r in rows], size, "uids", run=run)


def _each(tx: ManagedTransaction, query: str, rows: Sequence[Any], size: int,
          key: str = "rows", **params: Any) -> None:
    for start in range(0, len(rows), size):
        tx.run(query, {key: rows[start:start + size], **params}).consume()


def _create(tx: ManagedTransaction, plan: ApplyPlan, props: dict[str, dict[str, Any]],
            size: int) -> None:
    empty = {"props": {}, "prov": "{}", "obs": "{}"}
    by_label: dict[str, list[dict[str, Any]]] = {}
    for node in plan.created:
        first = props.get(node.uid, empty)
        by_label.setdefault(node.label, []).append(
            {"uid": node.uid, "owner": node.owner, "device": node.device,
             "props": first["props"], "prov": first["prov"], "obs": first["obs"]})
    for label, rows in sorted(by_label.items()):
        _each(tx, cypher.create_nodes(label), rows, size, run=plan.run)


def _property_rows(plan: ApplyPlan, blobs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per node: its changed values (null removes) and its whole provenance."""
    changed: dict[str, dict[str, Any]] = {}
    for p in plan.props:
        prov = blobs[p.uid]["prov"]
        changed.setdefault(p.uid, {})[p.name] = load(p.value)
        if p.value is None:
            prov.pop(p.name, None)
        else:
            since = plan.run if p.changed else prov.get(p.name, [None, None, plan.run])[2]
            prov[p.name] = [p.source, p.target, since]
    for o in plan.observations:
        by_source = blobs[o.uid]["obs"].setdefault(o.name, {})
        if o.value is None:
            by_source.pop(o.source, None)
        else:
            by_source[o.source] = [o.value, o.target, plan.run]
        changed.setdefault(o.uid, {})
    return [{"uid": uid, "props": props, "prov": json.dumps(blobs[uid]["prov"], sort_keys=True),
             "obs": json.dumps(blobs[uid]["obs"], sort_keys=True)}
            for uid, props in changed.items()]


def _by_type(rels: Iterator[tuple[str, str, str, str | None]] | Any
             ) -> list[tuple[str, list[dict[str, Any]]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for src, rel_type, dst, status in rels:
        grouped.setdefault(rel_type, []).append({"src": src, "dst": dst, "status": status})
    return sorted(grouped.items())


def _history(tx: ManagedTransaction, plan: ApplyPlan, at: str, size: int) -> None:
    if not plan.history:
        return
    first = int(tx.run(cypher.next_value(), name="seq", n=len(plan.history))
                .single(strict=True)[0])
    rows = [{"seq": first + i, "run": plan.run, "at": at, "uid": h.uid, "kind": h.kind,
             "name": h.name, "other": h.other, "old": h.old, "new": h.new, "source": h.source}
            for i, h in enumerate(plan.history)]
    _each(tx, cypher.insert_history(), rows, size)
