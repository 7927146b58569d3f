"""The production store: Neo4j 5 over Bolt, with the graph model in `cypher.py`.

An apply is one managed write transaction (the driver retries it whole on transient
errors): read the touched rows, plan with `plan.plan_apply`, write in bounded batches.
Readers share `replay.py` and `impact.py` with the SQLite store, so both answer alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import neo4j
from neo4j import GraphDatabase, ManagedTransaction
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

from cmdb.changeset import ApplySummary, ChangeSet, Conflict, EvidenceKind, NodeStatus, Snapshot
from cmdb.changeset import StoredNode as SnapshotNode
from cmdb.schema import Source
from cmdb.store import cypher, neo4j_dump
from cmdb.store.base import (
    Edge,
    GraphDump,
    HistoryEntry,
    NodeRecord,
    ObservationRecord,
    PropertyValue,
    RelRecord,
    RunRecord,
    StoreError,
    sort_edges,
)
from cmdb.store.impact import Direction, ImpactGraph, choose_paths
from cmdb.store.impact import graph as impact_graph
from cmdb.store.neo4j_write import execute_plan
from cmdb.store.plan import (
    CurrentState,
    StoredValue,
    dump,
    load,
    outcomes_from_json,
    plan_apply,
    touched,
)
from cmdb.store.replay import net_changes, relationships_as_of, select, state_as_of

BOOKKEEPING = frozenset({"uid", "status", "owner", "device", "first_run", "last_run",
                         "absent_since", "_prov", "_obs", "_digest", "_digest_run"})
MIN_VERSION = (5, 21)  # ALL SHORTEST path selectors


class Neo4jStore:
    """GraphStore on a Neo4j 5 server."""

    def __init__(self, uri: str, *, auth: tuple[str, str] | None = None,
                 database: str | None = None, batch_size: int = 2000,
                 driver_options: Mapping[str, Any] | None = None) -> None:
        self.uri, self.database, self.batch_size = uri, database, batch_size
        try:
            # Server notifications (e.g. "property key does not exist" on an empty
            # graph) are advice for people writing queries, not for our users.
            options = {"notifications_min_severity": "OFF", **dict(driver_options or {})}
            self.driver = GraphDatabase.driver(uri, auth=auth, **options)
            self.driver.verify_connectivity()
            self._check_version()
            self._ensure_schema()
        except AuthError as exc:
            raise StoreError(f"{uri}: authentication failed (check the user and the "
                             "password reference)") from exc
        except (ServiceUnavailable, OSError) as exc:
            raise StoreError(f"{uri}: cannot reach the Neo4j server: {exc}") from exc
        except Neo4jError as exc:
            raise StoreError(f"{uri}: {exc.message or exc}") from exc

    def _ensure_schema(self) -> None:
        """Create missing constraints and indexes; two queries when all exist (the
        usual case, since every CLI call opens the store)."""
        existing = {r["name"] for query in cypher.EXISTING_SCHEMA
                    for r in self.driver.execute_query(query, database_=self.database).records}
        for statement in cypher.schema_statements():
            if cypher.schema_name(statement) not in existing:
                self.driver.execute_query(statement, database_=self.database)

    def _check_version(self) -> None:
        records, _, _ = self.driver.execute_query(cypher.COMPONENTS, database_=self.database)
        version = str(records[0]["versions"][0]) if records else "?"
        if not supported(version):
            raise StoreError(f"{self.uri}: Neo4j {version} is not supported; "
                             f"need {MIN_VERSION[0]}.{MIN_VERSION[1]} or newer")

    def close(self) -> None:
        self.driver.close()

    def counts(self) -> dict[str, int]:
        return neo4j_dump.counts(self._read)

    def export_graph(self) -> GraphDump:
        return neo4j_dump.export_graph(self._read, _record, self._entries,
                                       tuple(reversed(self.runs())))

    def import_graph(self, dump: GraphDump) -> None:
        neo4j_dump.import_graph(self._read, self._write, dump, self.batch_size)

    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        try:
            records, _, _ = self.driver.execute_query(
                query, params, database_=self.database, routing_=neo4j.RoutingControl.READ)
        except (ServiceUnavailable, OSError) as exc:
            raise StoreError(f"{self.uri}: the Neo4j server went away: {exc}") from exc
        return list(records)

    # ---- runs, snapshot, apply ---------------------------------------------------------

    def begin_run(self, kind: str, started_at: datetime) -> int:
        def work(tx: ManagedTransaction) -> int:
            run = int(tx.run(cypher.next_value(), name="run", n=1).single(strict=True)[0])
            tx.run(cypher.BEGIN_RUN, run=run, kind=kind, started_at=started_at.isoformat())
            return run
        return int(self._write(work))

    def _write(self, work: Callable[[ManagedTransaction], Any]) -> Any:
        try:
            with self.driver.session(database=self.database) as session:
                return session.execute_write(work)
        except (ServiceUnavailable, OSError) as exc:
            raise StoreError(f"{self.uri}: the Neo4j server went away; the transaction "
                             f"was not committed: {exc}") from exc
        except Neo4jError as exc:
            raise StoreError(f"{self.uri}: write failed, nothing was written: "
                             f"{exc.message or exc}") from exc

    def snapshot(self, evidence: Iterable[tuple[EvidenceKind, str]],
                 unchanged_if: Collection[str] = frozenset()) -> Snapshot:
        pairs = [[kind.value, value] for kind, value in set(evidence)]
        candidates = sorted({r["uid"] for r in self._read(cypher.DEVICES_WITH_EVIDENCE,
                                                           pairs=pairs)})
        known: dict[str, dict[EvidenceKind, str]] = {}
        for r in self._read(cypher.EVIDENCE_OF, uids=candidates):
            known.setdefault(r["uid"], {})[EvidenceKind(r["kind"])] = r["value"]
        digests = {r["uid"]: r["digest"]
                   for r in self._read(cypher.CURRENT_DIGESTS, uids=candidates)}
        partial = frozenset(uid for uid, digest in digests.items() if digest in unchanged_if)
        devices = [uid for uid in candidates if uid not in partial]
        nodes: dict[str, SnapshotNode] = {}
        observations: dict[tuple[str, str], dict[Source, tuple[Any, str]]] = {}
        for r in self._read(cypher.SUBTREES, uids=devices):
            nodes[r["uid"]] = SnapshotNode(r["uid"], _label(r["labels"]), r["owner"],
                                           r["device"], NodeStatus(r["status"]))
            for name, by_source in json.loads(r["obs"] or "{}").items():
                for source, (value, target, _) in by_source.items():
                    observations.setdefault((r["uid"], name), {})[Source(source)] = (
                        load(value), target)
        rels: dict[tuple[str, str], set[str]] = {}
        for r in self._read(cypher.RELS_FROM, uids=devices):
            rels.setdefault((r["src"], r["type"]), set()).add(r["dst"])
        return Snapshot(known, nodes, observations, {k: frozenset(v) for k, v in rels.items()},
                        digests, partial)

    def apply(self, changeset: ChangeSet) -> ApplySummary:
        """One transaction: all of the ChangeSet or none of it; twice changes nothing."""
        def work(tx: ManagedTransaction) -> ApplySummary:
            current, blobs = _current(tx, changeset)
            plan = plan_apply(changeset, current)
            execute_plan(tx, plan, changeset, blobs, self.batch_size)
            return plan.summary
        summary: ApplySummary = self._write(work)
        return summary

    # ---- reading -----------------------------------------------------------------------

    def nodes(self, label: str | None = None, where: Mapping[str, Any] | None = None,
              linked: tuple[str, str] | None = None, include_absent: bool = False,
              as_of: int | None = None) -> list[NodeRecord]:
        records = self._records(self._read(cypher.list_nodes(label)), as_of)
        return select(records, include_absent, where, linked,
                      lambda uid: self.neighbours(uid, as_of))

    def get(self, uid: str, as_of: int | None = None) -> NodeRecord | None:
        rows = self._read(cypher.read_nodes(), uids=[uid])
        found = self._records([{"uid": r["uid"], "labels": None, "props": r["props"]}
                               for r in rows], as_of, self._labels([uid]))
        return found[0] if found else None

    def _records(self, rows: Iterable[Mapping[str, Any]], as_of: int | None,
                 labels: Mapping[str, str] | None = None) -> list[NodeRecord]:
        current = [_record(r["props"], labels[r["uid"]] if labels else _label(r["labels"]))
                   for r in rows]
        if as_of is None:
            return current
        state = state_as_of(self._history([r.uid for r in current], as_of, ("node", "property")))
        return [
            NodeRecord(r.uid, r.label, state[r.uid].status, r.owner, r.device, r.first_run,
                       min(r.last_run, as_of), state[r.uid].changed_run
                       if state[r.uid].status is NodeStatus.ABSENT else None,
                       state[r.uid].properties)
            for r in current if r.uid in state
        ]

    def _history(self, uids: Sequence[str], run: int,
                 kinds: Sequence[str]) -> list[HistoryEntry]:
        rows = self._read(cypher.HISTORY_OF, uids=list(uids), run=run, kinds=list(kinds))
        return self._entries(r["c"] for r in rows)

    def _entries(self, changes: Iterable[Any]) -> list[HistoryEntry]:
        found = [dict(c) for c in changes]
        labels = self._labels(sorted({c["uid"] for c in found}))
        return [HistoryEntry(c["seq"], c["run"], c["at"], c["uid"], labels.get(c["uid"], "?"),
                             c["kind"], c["name"], c.get("other"), load(c.get("old")),
                             load(c.get("new")), c.get("source")) for c in found]

    def _labels(self, uids: Sequence[str]) -> dict[str, str]:
        return {r["uid"]: _label(r["labels"])
                for r in self._read(cypher.LABELS_OF, uids=list(uids))}

    def resolve(self, ref: str) -> list[str]:
        found = self._read(cypher.RESOLVE, ref=ref)
        exact = [r["uid"] for r in found if r["exact"]]
        if exact or found:
            return exact or sorted(r["uid"] for r in found)
        return sorted({r["uid"] for r in self._read(cypher.RESOLVE_HOST, ref=ref)})

    def relationships(self, rel_type: str) -> list[RelRecord]:
        try:
            query = cypher.relationships_of(rel_type)
        except cypher.CypherError as exc:
            raise StoreError(str(exc)) from exc
        return [RelRecord(r["src"], rel_type, r["dst"], NodeStatus.PRESENT, r["first_run"],
                          r["last_run"]) for r in self._read(query)]

    def neighbours(self, uid: str, as_of: int | None = None) -> list[Edge]:
        if as_of is None:
            rows = [(r["src"], r["type"], r["dst"], r["status"] == "present")
                    for r in self._read(cypher.NEIGHBOURS, uid=uid)]
        else:
            rels = relationships_as_of(self._entries(
                r["c"] for r in self._read(cypher.HISTORY_TOUCHING, uid=uid, run=as_of)))
            rows = [(s, t, d, present) for (s, t, d), present in rels.items()]
        labels = self._labels([d if s == uid else s for s, _, d, _ in rows])
        return sort_edges(uid, [Edge(s, t, d, labels.get(d if s == uid else s, "?"),
                                     "out" if s == uid else "in", present)
                                for s, t, d, present in rows])

    def impact(self, uid: str, types: Sequence[str] = (), direction: Direction = Direction.BOTH,
               max_depth: int = 3) -> ImpactGraph:
        query = cypher.impact(types, direction, max_depth)
        paths = choose_paths(uid, ([tuple(step) for step in r["path"]]
                                   for r in self._read(query, uid=uid)))
        return impact_graph(uid, types, direction, max_depth, paths,
                            self._labels(sorted(paths)))

    def observations(self, uid: str) -> list[ObservationRecord]:
        rows = self._read(cypher.read_nodes(), uids=[uid])
        return neo4j_dump.observations_of(uid, rows[0]["props"].get("_obs") if rows else None)

    def history(self, uid: str, include_owned: bool = True) -> list[HistoryEntry]:
        owned = [r["uid"] for r in self._read(cypher.OWNED, uid=uid)] if include_owned else []
        uids = list(dict.fromkeys([uid, *owned]))  # a device is its own `device`
        entries = self._history(uids, 2**62, ("node", "property", "relationship"))
        return sorted(entries, key=lambda e: e.seq)

    def diff(self, run_a: int, run_b: int) -> list[HistoryEntry]:
        rows = self._read(cypher.HISTORY_BETWEEN, a=run_a, b=run_b)
        return net_changes(self._entries(r["c"] for r in rows))

    def runs(self, limit: int | None = None) -> list[RunRecord]:
        return [_run_record(dict(r["r"]))
                for r in self._read(cypher.RUNS, limit=limit if limit is not None else 2**62)]

    def conflicts(self, run: int | None = None) -> list[Conflict]:
        return [Conflict(c["kind"], c["target"], c["evidence"], tuple(json.loads(c["candidates"])),
                         c["detail"]) for c in (dict(r["c"]) for r in
                                                 self._read(cypher.CONFLICTS, run=run))]


def supported(version: str) -> bool:
    """Neo4j 5.21 or newer (5.26 LTS is what we test); any later major too."""
    parts = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    return len(parts) == 2 and parts >= MIN_VERSION


def _label(labels: Sequence[str]) -> str:
    return next((label for label in labels if label != cypher.CI), "?")


def _record(props: Mapping[str, Any], label: str) -> NodeRecord:
    provenance = json.loads(props.get("_prov") or "{}")
    values = {
        name: PropertyValue(_plain(value), *provenance.get(name, [None, None, 0]))
        for name, value in sorted(props.items()) if name not in BOOKKEEPING
    }
    return NodeRecord(props["uid"], label, NodeStatus(props["status"]), props.get("owner"),
                      props.get("device"), props["first_run"], props["last_run"],
                      props.get("absent_since"), values)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _current(tx: ManagedTransaction, cs: ChangeSet
             ) -> tuple[CurrentState, dict[str, dict[str, Any]]]:
    """The rows a ChangeSet touches, as the planner wants them, plus each node's
    provenance blobs (the writer updates them)."""
    uids, rels = touched(cs)
    nodes: dict[str, NodeStatus] = {}
    props: dict[tuple[str, str], StoredValue] = {}
    observations: dict[tuple[str, str, str], tuple[str, str]] = {}
    blobs: dict[str, dict[str, Any]] = {}
    for r in tx.run(cypher.read_nodes(), uids=sorted(uids)):
        uid, stored = r["uid"], r["props"]
        nodes[uid] = NodeStatus(r["status"])
        prov = json.loads(stored.get("_prov") or "{}")
        obs = json.loads(stored.get("_obs") or "{}")
        blobs[uid] = {"prov": prov, "obs": obs}
        for name, value in stored.items():
            if name not in BOOKKEEPING:
                source, target, _ = prov.get(name, [None, None, 0])
                props[(uid, name)] = StoredValue(dump(_plain(value)), source, target)
        for name, by_source in obs.items():
            for source, (value, target, _) in by_source.items():
                observations[(uid, name, source)] = (value, target)
    rows = [{"src": s, "type": t, "dst": d} for s, t, d in sorted(rels)]
    stored_rels = {(r["src"], r["type"], r["dst"]): NodeStatus(r["status"])
                   for r in tx.run(cypher.read_relationships(), rows=rows)}
    return CurrentState(nodes, props, observations, stored_rels), blobs


def _run_record(r: Mapping[str, Any]) -> RunRecord:
    targets = outcomes_from_json(r.get("targets"))
    summary = ApplySummary(**json.loads(r["summary"])) if r.get("summary") else None
    return RunRecord(r["run"], r["kind"], r["started_at"], r.get("finished_at"), r["status"],
                     targets, summary)
