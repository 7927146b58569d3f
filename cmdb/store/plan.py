"""What applying a ChangeSet changes, decided once for every store. Pure.

A store reads the current state of the rows a ChangeSet touches (`CurrentState`), asks
`plan_apply` for the writes and the history they make, and executes them in one
transaction its own way (SQL, Cypher). Only what differs is written, so applying an
unchanged run costs little and applying a ChangeSet twice changes nothing.

History model, shared by every store: a node's creation is one entry (kind `node`, name
`created`) whose `new` holds its first properties; after that each change of a status,
a property or a relationship is one entry with old and new values (JSON text).

Unchanged devices: each device keeps the digest of the facts its last ingest applied
(`reconcile.facts_digest`: its targets' facts, the precedence, the reconciliation
version) and that ingest's run. While the device's `last_run` is that run, nothing else
has touched it; a new batch with the same digest is then not read, reconciled or
planned. The store only marks seen what the rebuild would have marked: the device's
present CIs and relationships whose `last_run` is the digest's run, and the shared CIs
(sites) those relationships lead to. Everything else, including history, stays as is.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cmdb.changeset import ApplySummary, ChangeSet, NodeStatus, NodeUpsert
from cmdb.schema import TargetOutcome

CREATED = "created"


def dump(value: Any) -> str:
    """The one JSON encoding of a stored value: stores compare values by this text."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


# The C scanner under json.loads, called directly: reads decode a value per stored
# property (an audit reads about a million), and json.loads' Python layers around the
# scanner cost more than the decoding itself.
_SCAN: Callable[[str, int], tuple[Any, int]] = \
    json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # not in typeshed's stubs


def load(text: str | None) -> Any:
    """The value `dump` wrote; exactly what json.loads gives, errors included."""
    if text is None:
        return None
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:  # no value at the very start: let json.loads say why
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


def outcomes_to_json(outcomes: Iterable[TargetOutcome]) -> str:
    return json.dumps([o.__dict__ for o in outcomes])


def outcomes_from_json(text: str | None) -> tuple[TargetOutcome, ...]:
    items = json.loads(text) if text else []
    return tuple(
        TargetOutcome(**{**o, "ok": tuple(o["ok"]), "failed": tuple(map(tuple, o["failed"]))})
        for o in items
    )


def merge_outcomes(stored: Iterable[TargetOutcome], new: Iterable[TargetOutcome]
                   ) -> tuple[TargetOutcome, ...]:
    """A run applied in chunks: every chunk's targets are kept, and a target keeps the
    device an earlier chunk resolved it to when this chunk does not name one."""
    merged = {o.target: o for o in stored}
    for outcome in new:
        old = merged.get(outcome.target)
        keep_device = outcome.device is None and old is not None and old.device is not None
        merged[outcome.target] = (dataclasses.replace(outcome, device=old.device)
                                  if keep_device and old else outcome)
    return tuple(merged.values())


@dataclass(frozen=True)
class StoredValue:
    value: str  # dump()ed
    source: str | None
    target: str | None


@dataclass(frozen=True)
class CurrentState:
    """The store's rows for everything a ChangeSet names (missing = not there)."""

    nodes: Mapping[str, NodeStatus] = field(default_factory=dict)
    props: Mapping[tuple[str, str], StoredValue] = field(default_factory=dict)
    # (uid, name, source) -> (value, target)
    observations: Mapping[tuple[str, str, str], tuple[str, str]] = field(default_factory=dict)
    rels: Mapping[tuple[str, str, str], NodeStatus] = field(default_factory=dict)


@dataclass(frozen=True)
class HistoryRow:
    uid: str
    kind: str  # "node", "property", "relationship"
    name: str
    old: str | None
    new: str | None
    source: str | None = None
    other: str | None = None


@dataclass(frozen=True)
class PropWrite:
    uid: str
    name: str
    value: str | None  # None: remove the property
    source: str | None
    target: str | None
    changed: bool  # the value changed (its since-run moves); else provenance only


@dataclass(frozen=True)
class ObservationWrite:
    uid: str
    name: str
    source: str
    value: str | None  # None: the source retracted it
    target: str


@dataclass(frozen=True)
class RelWrite:
    src: str
    type: str
    dst: str
    status: NodeStatus
    new: bool  # not stored yet (else: its status changes)


@dataclass(frozen=True)
class ApplyPlan:
    run: int
    created: tuple[NodeUpsert, ...] = ()
    seen: tuple[str, ...] = ()  # known nodes observed again (last_run moves)
    status: tuple[tuple[str, NodeStatus], ...] = ()  # revived or tombstoned nodes
    props: tuple[PropWrite, ...] = ()
    observations: tuple[ObservationWrite, ...] = ()
    rels: tuple[RelWrite, ...] = ()
    rels_seen: tuple[tuple[str, str, str], ...] = ()
    history: tuple[HistoryRow, ...] = ()
    summary: ApplySummary = field(default_factory=lambda: ApplySummary(0))


def touched(changeset: ChangeSet) -> tuple[set[str], set[tuple[str, str, str]]]:
    """Node uids and relationships a ChangeSet names: what a store must read first."""
    uids = {n.uid for n in changeset.nodes} | set(changeset.absent)
    uids |= {p.uid for p in changeset.properties} | {o.uid for o in changeset.observations}
    return uids, {(r.src, r.type, r.dst) for r in changeset.rels}


def plan_apply(cs: ChangeSet, now: CurrentState) -> ApplyPlan:
    history: list[HistoryRow] = []
    created, status = _plan_nodes(cs, now, history)
    first_props = {n.uid: {} for n in created}  # type: dict[str, dict[str, Any]]
    props = _plan_props(cs, now, history, first_props)
    rels, rels_seen = _plan_rels(cs, now, history)
    history[:0] = [HistoryRow(n.uid, "node", CREATED, None, dump(first_props[n.uid]))
                   for n in created]
    summary = ApplySummary(
        run=cs.run.run,
        nodes_created=len(created),
        nodes_reappeared=sum(1 for _, s in status if s is NodeStatus.PRESENT),
        nodes_absent=sum(1 for _, s in status if s is NodeStatus.ABSENT),
        properties_changed=sum(1 for p in props if p.changed and p.uid not in first_props),
        rels_added=sum(1 for r in rels if r.status is NodeStatus.PRESENT),
        rels_removed=sum(1 for r in rels if r.status is NodeStatus.ABSENT),
        conflicts=len(cs.conflicts),
    )
    return ApplyPlan(
        run=cs.run.run, created=tuple(created),
        seen=tuple(n.uid for n in cs.nodes if n.uid not in first_props),
        status=tuple(status), props=tuple(props), observations=_plan_observations(cs, now),
        rels=tuple(rels), rels_seen=tuple(rels_seen), history=tuple(history),
        summary=summary,
    )


def _plan_nodes(cs: ChangeSet, now: CurrentState, history: list[HistoryRow]
                ) -> tuple[list[NodeUpsert], list[tuple[str, NodeStatus]]]:
    created: dict[str, NodeUpsert] = {}
    status: list[tuple[str, NodeStatus]] = []
    for node in cs.nodes:
        current = now.nodes.get(node.uid)
        if current is None:
            created.setdefault(node.uid, node)
        elif current is NodeStatus.ABSENT:
            status.append((node.uid, NodeStatus.PRESENT))
            history.append(HistoryRow(node.uid, "node", "status", dump("absent"),
                                      dump("present")))
    for uid in cs.absent:
        if now.nodes.get(uid) is NodeStatus.PRESENT:
            status.append((uid, NodeStatus.ABSENT))
            history.append(HistoryRow(uid, "node", "status", dump("present"), dump("absent")))
    return list(created.values()), status


def _plan_props(cs: ChangeSet, now: CurrentState, history: list[HistoryRow],
                first_props: dict[str, dict[str, Any]]) -> list[PropWrite]:
    writes = []
    for prop in cs.properties:
        old = now.props.get((prop.uid, prop.name))
        new = None if prop.value is None else dump(prop.value)
        source = prop.source.value if prop.source else None
        if new is None and old is None:
            continue
        if old is not None and new == old.value and (source, prop.target) == (
                old.source, old.target):
            continue  # nothing to write at all
        changed = old is None or new != old.value
        writes.append(PropWrite(prop.uid, prop.name, new, source, prop.target, changed))
        if not changed:
            continue
        if prop.uid in first_props and new is not None:
            first_props[prop.uid][prop.name] = prop.value
        else:
            history.append(HistoryRow(prop.uid, "property", prop.name,
                                      old.value if old else None, new, source))
    return writes


def _plan_observations(cs: ChangeSet, now: CurrentState) -> tuple[ObservationWrite, ...]:
    writes = []
    for obs in cs.observations:
        current = now.observations.get((obs.uid, obs.name, obs.source.value))
        value = None if obs.value is None else dump(obs.value)
        if value is None and current is None:
            continue
        if current is not None and (value, obs.target) == current:
            continue
        writes.append(ObservationWrite(obs.uid, obs.name, obs.source.value, value, obs.target))
    return tuple(writes)


def _plan_rels(cs: ChangeSet, now: CurrentState, history: list[HistoryRow]
               ) -> tuple[list[RelWrite], list[tuple[str, str, str]]]:
    writes: dict[tuple[str, str, str], RelWrite] = {}
    seen = []
    for rel in cs.rels:
        key = (rel.src, rel.type, rel.dst)
        current = now.rels.get(key)
        wanted = NodeStatus.PRESENT if rel.present else NodeStatus.ABSENT
        if rel.present and current is NodeStatus.PRESENT:
            seen.append(key)
            continue
        if current == wanted or (current is None and not rel.present) or key in writes:
            continue
        writes[key] = RelWrite(*key, wanted, new=current is None)
        history.append(HistoryRow(rel.src, "relationship", rel.type,
                                  dump(current.value) if current else None,
                                  dump(wanted.value), other=rel.dst))
    return list(writes.values()), seen
