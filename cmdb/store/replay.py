"""Reading the graph back from history, the same way for every store. Pure.

`state_as_of` replays a node's history entries up to a run; `net_changes` folds the
entries between two runs into one entry per thing that really changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cmdb.changeset import NodeStatus
from cmdb.store.base import Edge, HistoryEntry, NodeRecord, PropertyValue
from cmdb.store.plan import CREATED


@dataclass
class ReplayedNode:
    status: NodeStatus
    changed_run: int  # the run of the last status change
    properties: dict[str, PropertyValue] = field(default_factory=dict)


def state_as_of(entries: Iterable[HistoryEntry]) -> dict[str, ReplayedNode]:
    """Nodes as the given entries (ordered by seq, already cut at the run) leave them.
    Nodes without a creation entry did not exist yet."""
    state: dict[str, ReplayedNode] = {}
    for e in entries:
        if e.kind == "node" and e.name == CREATED:
            first: dict[str, Any] = e.new or {}
            state[e.uid] = ReplayedNode(NodeStatus.PRESENT, e.run, {
                name: PropertyValue(value, None, None, e.run) for name, value in first.items()})
        elif e.uid not in state:
            continue
        elif e.kind == "node":
            state[e.uid].status, state[e.uid].changed_run = NodeStatus(e.new), e.run
        elif e.kind == "property":
            if e.new is None:
                state[e.uid].properties.pop(e.name, None)
            else:
                state[e.uid].properties[e.name] = PropertyValue(e.new, e.source, None, e.run)
    return state


def relationships_as_of(entries: Iterable[HistoryEntry]) -> dict[tuple[str, str, str], bool]:
    """(src, type, dst) -> present, from relationship entries cut at the run."""
    found: dict[tuple[str, str, str], bool] = {}
    for e in entries:
        if e.kind == "relationship" and e.other is not None:
            found[(e.uid, e.name, e.other)] = e.new == "present"
    return found


def net_changes(entries: Iterable[HistoryEntry]) -> list[HistoryEntry]:
    """One entry per (CI, kind, name, other end) whose value differs between the first
    old and the last new; a change undone in between drops out."""
    first: dict[tuple[str, str, str, str | None], HistoryEntry] = {}
    last: dict[tuple[str, str, str, str | None], HistoryEntry] = {}
    for entry in entries:
        key = (entry.uid, entry.kind, entry.name, entry.other)
        first.setdefault(key, entry)
        last[key] = entry
    net = [
        HistoryEntry(e.seq, e.run, e.at, e.uid, e.label, e.kind, e.name, e.other,
                     first[key].old, e.new, e.source)
        for key, e in last.items() if first[key].old != e.new
    ]
    return sorted(net, key=lambda e: e.seq)


def select(records: list[NodeRecord], include_absent: bool, where: Mapping[str, Any] | None,
           linked: tuple[str, str] | None,
           neighbours: Callable[[str], Iterable[Edge]]) -> list[NodeRecord]:
    """The filters of GraphStore.nodes, the same for every store."""
    if not include_absent:
        records = [r for r in records if r.status is NodeStatus.PRESENT]
    if where:
        records = [r for r in records if all(r.value(k) == v for k, v in where.items())]
    if linked:
        rel_type, dst = linked
        sources = {e.src for e in neighbours(dst)
                   if e.type == rel_type and e.present and e.direction == "in"}
        records = [r for r in records if r.uid in sources]
    return records
