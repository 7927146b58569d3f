"""The read side of the SQLite store: current state, as-of a past run, history, diffs."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from cmdb.changeset import ApplySummary, Conflict, NodeStatus
from cmdb.schema import RELATIONSHIPS
from cmdb.store.base import (
    Edge,
    HistoryEntry,
    NodeRecord,
    ObservationRecord,
    PropertyValue,
    RelRecord,
    RunRecord,
    StoreError,
    sort_edges,
)
from cmdb.store.impact import Direction, ImpactGraph, Walk, breadth_first
from cmdb.store.impact import graph as impact_graph
from cmdb.store.plan import dump, load, outcomes_from_json
from cmdb.store.replay import net_changes, relationships_as_of, select, state_as_of

_HISTORY = ("SELECT h.seq, h.run, h.at, h.uid, n.label, h.kind, h.name, h.other, h.old, "
            "h.new, h.source FROM history h JOIN nodes n ON n.uid = h.uid ")


# Present relationships of the asked types (all when the list is empty) to present CIs.
_IMPACT_OUT = (
    "SELECT r.src, r.type, r.dst FROM rels r JOIN nodes n ON n.uid = r.dst "
    "WHERE r.src IN (SELECT value FROM json_each(?)) "
    "AND r.status = 'present' AND n.status = 'present' "
    "AND (json_array_length(?) = 0 OR r.type IN (SELECT value FROM json_each(?)))")
_IMPACT_IN = (
    "SELECT r.src, r.type, r.dst FROM rels r JOIN nodes n ON n.uid = r.src "
    "WHERE r.dst IN (SELECT value FROM json_each(?)) "
    "AND r.status = 'present' AND n.status = 'present' "
    "AND (json_array_length(?) = 0 OR r.type IN (SELECT value FROM json_each(?)))")


class SqliteReader:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # ---- nodes ------------------------------------------------------------------------

    def nodes(
        self,
        label: str | None = None,
        where: Mapping[str, Any] | None = None,
        linked: tuple[str, str] | None = None,
        include_absent: bool = False,
        as_of: int | None = None,
    ) -> list[NodeRecord]:
        records = self._records(as_of, label=label)
        return select(records, include_absent, where, linked,
                      lambda uid: self.neighbours(uid, as_of))

    def get(self, uid: str, as_of: int | None = None) -> NodeRecord | None:
        found = self._records(as_of, uid=uid)
        return found[0] if found else None

    def _records(self, as_of: int | None, *, label: str | None = None,
                 uid: str | None = None) -> list[NodeRecord]:
        sql = ("SELECT uid, label, status, owner, device, first_run, last_run, absent_since "
               "FROM nodes WHERE (? IS NULL OR label = ?) AND (? IS NULL OR uid = ?) "
               "ORDER BY label, uid")
        rows = self.conn.execute(sql, (label, label, uid, uid)).fetchall()
        if as_of is not None:
            return self._records_as_of(as_of, rows)
        props = self._props({r[0] for r in rows})
        return [NodeRecord(r[0], r[1], NodeStatus(r[2]), r[3], r[4], r[5], r[6], r[7],
                           props.get(r[0], {})) for r in rows]

    def _props(self, uids: set[str]) -> dict[str, dict[str, PropertyValue]]:
        result: dict[str, dict[str, PropertyValue]] = {}
        for uid, name, value, source, target, run in self.conn.execute(
            "SELECT uid, name, value, source, target, run FROM props "
            "WHERE uid IN (SELECT value FROM json_each(?)) ORDER BY uid, name",
            (json.dumps(sorted(uids)),)):
            result.setdefault(uid, {})[name] = PropertyValue(load(value), source, target, run)
        return result

    def _records_as_of(self, run: int, rows: list[Any]) -> list[NodeRecord]:
        """Replay history up to `run`: the graph exactly as that run left it."""
        entries = self._entries(
            "WHERE h.run <= ? AND h.kind IN ('node', 'property') "
            "AND h.uid IN (SELECT value FROM json_each(?))",
            (run, json.dumps([r[0] for r in rows])))
        state = state_as_of(entries)
        return [
            NodeRecord(r[0], r[1], state[r[0]].status, r[3], r[4], r[5], min(r[6], run),
                       state[r[0]].changed_run if state[r[0]].status is NodeStatus.ABSENT
                       else None, state[r[0]].properties)
            for r in rows if r[0] in state
        ]

    def _entries(self, where: str, params: tuple[Any, ...]) -> list[HistoryEntry]:
        return [_entry(row) for row in self.conn.execute(_HISTORY + where + " ORDER BY h.seq",
                                                         params)]

    def resolve(self, ref: str) -> list[str]:
        """A CI by uid, unique uid prefix, or device host name / FQDN."""
        if self.conn.execute("SELECT 1 FROM nodes WHERE uid=?", (ref,)).fetchone():
            return [ref]
        if len(ref) >= 4:
            found = [u for (u,) in self.conn.execute(
                "SELECT uid FROM nodes WHERE substr(uid, 1, ?) = ?", (len(ref), ref))]
            if found:
                return found
        return [u for (u,) in self.conn.execute(
            "SELECT DISTINCT p.uid FROM props p JOIN nodes n ON n.uid = p.uid "
            "WHERE n.label = 'Device' AND p.name IN ('hostname', 'fqdn') AND p.value = ?",
            (dump(ref),))]

    # ---- relationships ----------------------------------------------------------------

    def neighbours(self, uid: str, as_of: int | None = None) -> list[Edge]:
        if as_of is None:
            rows = [(s, t, d, st == "present") for s, t, d, st in self.conn.execute(
                "SELECT src, type, dst, status FROM rels WHERE src=? OR dst=?", (uid, uid))]
        else:
            rels = relationships_as_of(self._entries(
                "WHERE h.kind = 'relationship' AND h.run <= ? AND (h.uid = ? OR h.other = ?)",
                (as_of, uid, uid)))
            rows = [(s, t, d, present) for (s, t, d), present in rels.items()]
        labels = dict(self.conn.execute(
            "SELECT uid, label FROM nodes WHERE uid IN (SELECT value FROM json_each(?))",
            (json.dumps([d if s == uid else s for s, _, d, _ in rows]),)).fetchall())
        return sort_edges(uid, [Edge(s, t, d, labels.get(d if s == uid else s, "?"),
                                     "out" if s == uid else "in", present)
                                for s, t, d, present in rows])

    def relationships(self, rel_type: str) -> list[RelRecord]:
        if rel_type not in RELATIONSHIPS:
            raise StoreError(f"unknown relationship type {rel_type!r}")
        return [RelRecord(src, rel_type, dst, NodeStatus.PRESENT, first, last)
                for src, dst, first, last in self.conn.execute(
                    "SELECT src, dst, first_run, last_run FROM rels WHERE type = ? AND "
                    "status = 'present' ORDER BY src, dst", (rel_type,))]

    def impact(self, uid: str, types: Sequence[str] = (), direction: Direction = Direction.BOTH,
               max_depth: int = 3) -> ImpactGraph:
        """What `uid` reaches over present relationships of `types` (all when empty)."""
        type_list = json.dumps(list(types))

        def fetch(frontier: set[str]) -> list[Walk]:
            walks: list[Walk] = []
            members = json.dumps(sorted(frontier))
            if direction in (Direction.OUT, Direction.BOTH):
                walks += [(s, (s, t, d), d) for s, t, d in self.conn.execute(_IMPACT_OUT, (
                    members, type_list, type_list))]
            if direction in (Direction.IN, Direction.BOTH):
                walks += [(d, (s, t, d), s) for s, t, d in self.conn.execute(_IMPACT_IN, (
                    members, type_list, type_list))]
            return walks

        paths = breadth_first(uid, fetch, max_depth)
        labels = dict(self.conn.execute(
            "SELECT uid, label FROM nodes WHERE uid IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(paths)),)).fetchall())
        return impact_graph(uid, types, direction, max_depth, paths, labels)

    # ---- provenance, history, runs ----------------------------------------------------

    def observations(self, uid: str) -> list[ObservationRecord]:
        return [ObservationRecord(u, n, s, t, load(v), r) for u, n, s, v, t, r in self.conn.execute(
            "SELECT uid, name, source, value, target, run FROM observations WHERE uid=? "
            "ORDER BY name, source", (uid,))]

    def history(self, uid: str, include_owned: bool = True) -> list[HistoryEntry]:
        return self._entries("WHERE h.uid = ? OR (? AND (n.device = ? OR n.owner = ?))",
                             (uid, include_owned, uid, uid))

    def diff(self, run_a: int, run_b: int) -> list[HistoryEntry]:
        """Net changes after run_a up to run_b; a change undone in between drops out."""
        return net_changes(self._entries("WHERE h.run > ? AND h.run <= ?", (run_a, run_b)))

    def runs(self, limit: int | None = None) -> list[RunRecord]:
        rows = self.conn.execute(
            "SELECT run, kind, started_at, finished_at, status, targets, summary FROM runs "
            "ORDER BY run DESC LIMIT ?", (limit if limit is not None else -1,))
        return [RunRecord(run, kind, started, finished, status, outcomes_from_json(targets),
                          ApplySummary(**json.loads(summary)) if summary else None)
                for run, kind, started, finished, status, targets, summary in rows]

    def conflicts(self, run: int | None = None) -> list[Conflict]:
        return [Conflict(kind, target, evidence, tuple(json.loads(cands)), detail)
                for kind, target, evidence, cands, detail in self.conn.execute(
                    "SELECT kind, target, evidence, candidates, detail FROM conflicts "
                    "WHERE ? IS NULL OR run = ? ORDER BY rowid", (run, run))]


def _entry(row: Any) -> HistoryEntry:
    seq, run, at, uid, label, kind, name, other, old, new, source = row
    return HistoryEntry(seq, run, at, uid, label, kind, name, other, load(old), load(new),
                        source)

