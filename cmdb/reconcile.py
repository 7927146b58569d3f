"""Reconciliation: from what was observed to what the graph should record. Pure.

`reconcile(batch, snapshot, run)` decides identity (which device each target is), node
uids, effective property values under source precedence, relationships, and absences —
and returns a ChangeSet. It reads nothing and writes nothing; the store applies it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from cmdb.changeset import (
    ChangeSet,
    Conflict,
    EvidenceKind,
    NodeStatus,
    NodeUpsert,
    Observation,
    PropertySet,
    RelChange,
    RunInfo,
    Snapshot,
    Value,
)
from cmdb.identity import EvidenceIndex, cloned_values, evidence_from
from cmdb.schema import (
    DEFAULT_PRECEDENCE,
    Device,
    Interface,
    Node,
    Source,
    TargetFacts,
    properties_of,
    stable_uid,
    target_facts_to_json,
)

Precedence = Mapping[str, tuple[Source, ...]]  # "Label.property" -> sources, best first

# Part of every facts digest: bump it whenever reconciling the same facts against the
# same graph would give a different ChangeSet, so stored digests stop matching.
DIGEST_VERSION = "1"


def reconcile(
    batch: Sequence[TargetFacts],
    snapshot: Snapshot,
    run: RunInfo,
    precedence: Precedence | None = None,
    digests: Mapping[str, str] | None = None,
) -> ChangeSet:
    """`digests` are `target_digests(batch, precedence)` when the caller has them."""
    groups = _group_by_target(batch)
    evidence = evidence_by_target(batch)
    conflicts = _drop_cloned(evidence)
    index = EvidenceIndex(snapshot.evidence)
    devices: dict[str, str] = {}
    for target in groups:
        match = index.match(evidence[target])
        if match.conflict is not None:
            conflicts.append(_conflict(match.conflict, target, match.evidence,
                                       match.candidates))
            continue
        uid = match.uid or _mint(evidence[target], target, devices.values())
        index.add(uid, evidence[target])
        devices[target] = uid
    builder = _Builder(snapshot, precedence or {})
    applied, unchanged = _build(builder, groups, devices, snapshot,
                                digests or target_digests(batch, precedence), precedence)
    outcomes = tuple(
        dataclasses.replace(o, device=devices.get(o.target, o.device)) for o in run.targets
    )
    changeset = builder.changeset(
        dataclasses.replace(run, targets=outcomes),
        {uid: evidence[t] for t, uid in devices.items()},
        tuple(conflicts),
    )
    return dataclasses.replace(changeset, digests=applied, unchanged=unchanged)


def _build(builder: _Builder, groups: Mapping[str, Sequence[TargetFacts]],
           devices: Mapping[str, str], snapshot: Snapshot, digests: Mapping[str, str],
           precedence: Precedence | None) -> tuple[dict[str, str], tuple[str, ...]]:
    """Feed each device's facts to the builder, except devices whose facts are exactly
    what their last ingest applied (same digest): those are only marked seen."""
    targets_of: dict[str, list[str]] = {}
    for target, uid in devices.items():
        targets_of.setdefault(uid, []).append(target)
    applied: dict[str, str] = {}
    unchanged: list[str] = []
    for uid, targets in targets_of.items():
        digest = (digests[targets[0]] if len(targets) == 1 else
                  facts_digest({t: groups[t] for t in targets}, precedence))
        if snapshot.digests.get(uid) == digest:
            unchanged.append(uid)
            continue
        if uid in snapshot.partial:
            raise SnapshotIncomplete(uid)
        applied[uid] = digest
        for target in targets:
            for item in groups[target]:
                builder.add(uid, item)
    return applied, tuple(unchanged)


class SnapshotIncomplete(RuntimeError):
    """A device the snapshot did not read in full turned out to need reconciling;
    the caller takes a full snapshot and reconciles again."""


def target_digests(batch: Sequence[TargetFacts], precedence: Precedence | None = None
                   ) -> dict[str, str]:
    """Each target's facts digest: what `Snapshot.digests` is compared with."""
    return {target: facts_digest({target: items}, precedence)
            for target, items in _group_by_target(batch).items()}


def facts_digest(by_target: Mapping[str, Sequence[TargetFacts]],
                 precedence: Precedence | None) -> str:
    """SHA-256 over everything reconciliation of one device depends on besides the
    stored graph: its targets' facts (nodes, links, complete sets, per source), the
    precedence, and the reconciliation version. Equal digest + an untouched device
    means reconciling again would change nothing."""
    digest = hashlib.sha256(_canonical(
        [DIGEST_VERSION, sorted((k, [s.value for s in v]) for k, v in
                                (precedence or {}).items())]))
    for target in sorted(by_target):
        texts = sorted(_canonical([target, target_facts_to_json(item)])
                       for item in by_target[target])
        for text in texts:
            digest.update(text)
    return digest.hexdigest()


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def _group_by_target(batch: Sequence[TargetFacts]) -> dict[str, list[TargetFacts]]:
    groups: dict[str, list[TargetFacts]] = {}
    for item in batch:
        groups.setdefault(item.target, []).append(item)
    return groups


def evidence_by_target(batch: Sequence[TargetFacts]) -> dict[str, dict[EvidenceKind, str]]:
    """The identity evidence each target's facts carry (what a snapshot must cover)."""
    return {target: _evidence_of(items) for target, items in _group_by_target(batch).items()}


def _evidence_of(items: Iterable[TargetFacts]) -> dict[EvidenceKind, str]:
    props: dict[str, object] = {}
    macs: list[str] = []
    for item in sorted(items, key=lambda i: _rank(DEFAULT_PRECEDENCE, i.source), reverse=True):
        for n in item.facts.nodes:
            if isinstance(n, Device):
                props.update(properties_of(n))  # better sources come last and win
            elif isinstance(n, Interface) and n.mac:
                macs.append(n.mac)
    return evidence_from(props, macs)


def _drop_cloned(evidence: dict[str, dict[EvidenceKind, str]]) -> list[Conflict]:
    conflicts = []
    for (kind, value), targets in cloned_values(evidence).items():
        for target in targets:
            evidence[target].pop(kind, None)
        conflicts.append(Conflict(
            "cloned", ",".join(targets), f"{kind.value}={value}", (),
            f"{len(targets)} live targets report this {kind.value} but differ in other "
            "identifiers; it is ignored for matching",
        ))
    return conflicts


def _conflict(kind: str, target: str, evidence: EvidenceKind | None,
              candidates: tuple[str, ...]) -> Conflict:
    what = evidence.value if evidence else "evidence"
    return Conflict(kind, target, what, candidates,
                    f"{what} matches {len(candidates)} known devices; not merged, "
                    "facts of this target were not stored — review the candidates")


def _mint(evidence: Mapping[EvidenceKind, str], target: str, taken: Iterable[str]) -> str:
    """A new device's uid, from its strongest evidence (stable across stores)."""
    if evidence:
        kind, value = next(iter(evidence.items()))  # evidence is ordered strongest first
        uid = stable_uid("Device", kind.value, value)
    else:
        uid = stable_uid("Device", "target", target)
    return uid if uid not in set(taken) else stable_uid("Device", "target", target, uid)


def _rank(order: Sequence[Source], source: Source) -> int:
    return order.index(source) if source in order else len(order)


@dataclass
class _Builder:
    snapshot: Snapshot
    precedence: Precedence
    nodes: dict[str, NodeUpsert] = field(default_factory=dict)
    observed: dict[tuple[str, str, Source], Observation] = field(default_factory=dict)
    rels: dict[tuple[str, str, str], RelChange] = field(default_factory=dict)
    complete: dict[str, set[str]] = field(default_factory=dict)
    linked: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    _names_by_uid: dict[str, list[str]] | None = None

    def add(self, device: str, item: TargetFacts) -> None:
        self.complete.setdefault(device, set()).update(item.facts.complete)
        for n in item.facts.nodes:
            uid = self._place(device, n)
            self._observe(uid, n, item)
        for link in item.facts.links:
            dst = stable_uid(link.dst.label, *link.dst.key)
            self._relate(device, link.type, dst)
            self.linked.setdefault(device, set()).add((link.type, dst))

    def _place(self, device: str, n: Node) -> str:
        spec = n.SPEC
        if isinstance(n, Device):
            self.nodes[device] = NodeUpsert(device, spec.label, None, device)
            return device
        if spec.owner is None:  # a global node such as a Site
            uid = stable_uid(spec.label, *n.key_values())
            self.nodes[uid] = NodeUpsert(uid, spec.label, None, None)
            return uid
        owner = device
        if spec.owner.by:
            owner_key = (str(getattr(n, name)) for name in spec.owner.by)
            owner = stable_uid(spec.owner.label, device, *owner_key)
        uid = stable_uid(spec.label, owner, *n.key_values())
        self.nodes[uid] = NodeUpsert(uid, spec.label, owner, device)
        self._relate(owner, spec.owner.rel, uid)
        return uid

    def _relate(self, src: str, rel_type: str, dst: str) -> None:
        self.rels[(src, rel_type, dst)] = RelChange(src, rel_type, dst, True)

    def _observe(self, uid: str, n: Node, item: TargetFacts) -> None:
        values = properties_of(n)
        for name, value in values.items():
            self.observed[(uid, name, item.source)] = Observation(
                uid, name, item.source, item.target, value)
        for name in self._retracted(uid, n, values, item.source):
            self.observed[(uid, name, item.source)] = Observation(
                uid, name, item.source, item.target, None)

    def _retracted(self, uid: str, n: Node, values: Mapping[str, Value],
                   source: Source) -> list[str]:
        """Entries of an observed mapping (config settings) that this source reported
        before and not now: the mapping is seen whole, so they were removed."""
        prefixes = tuple(f"{p.name}." for p in n.SPEC.properties.values()
                         if p.mapping and getattr(n, p.name) is not None)
        if not prefixes:
            return []
        return [
            name for name in self._stored_names().get(uid, ())
            if name.startswith(prefixes) and name not in values
            and source in self.snapshot.observations[(uid, name)]
        ]

    def _stored_names(self) -> dict[str, list[str]]:
        if self._names_by_uid is None:
            self._names_by_uid = {}
            for uid, name in self.snapshot.observations:
                self._names_by_uid.setdefault(uid, []).append(name)
        return self._names_by_uid

    def changeset(self, run: RunInfo, evidence: Mapping[str, Mapping[EvidenceKind, str]],
                  conflicts: tuple[Conflict, ...]) -> ChangeSet:
        return ChangeSet(
            run=run,
            nodes=tuple(self.nodes.values()),
            observations=tuple(self.observed.values()),
            properties=self._effective(),
            rels=tuple(self.rels.values()) + self._unlinked(),
            absent=self._absent(),
            evidence=evidence,
            conflicts=conflicts,
        )

    def _effective(self) -> tuple[PropertySet, ...]:
        reported: dict[tuple[str, str], dict[Source, tuple[Value, str]]] = {}
        for obs in self.observed.values():
            reported.setdefault((obs.uid, obs.name), {})[obs.source] = (obs.value, obs.target)
        result = []
        for (uid, name), fresh in sorted(reported.items()):
            by_source = {**self.snapshot.observations.get((uid, name), {}), **fresh}
            result.append(self._winner(uid, name, by_source))
        return tuple(result)

    def _winner(self, uid: str, name: str,
                by_source: Mapping[Source, tuple[Value, str]]) -> PropertySet:
        label = self.nodes[uid].label
        order = self.precedence.get(f"{label}.{name}", DEFAULT_PRECEDENCE)
        present = [(s, vt) for s, vt in by_source.items() if vt[0] is not None]
        if not present:
            return PropertySet(uid, name, None, None, None)
        source, (value, target) = min(present, key=lambda p: _rank(order, p[0]))
        return PropertySet(uid, name, value, source, target)

    def _absent(self) -> tuple[str, ...]:
        """Only labels a successful collector enumerated completely, only under the
        devices it enumerated them for (DESIGN §4)."""
        return tuple(sorted(
            stored.uid for stored in self.snapshot.nodes.values()
            if stored.device in self.complete
            and stored.label in self.complete[stored.device]
            and stored.status is NodeStatus.PRESENT
            and stored.uid not in self.nodes
        ))

    def _unlinked(self) -> tuple[RelChange, ...]:
        """Links a complete source no longer reports (e.g. a device moved to another site)."""
        removed = []
        for device, types in self.complete.items():
            for rel_type in types:
                for dst in self.snapshot.rels.get((device, rel_type), frozenset()):
                    if (rel_type, dst) not in self.linked.get(device, set()):
                        removed.append(RelChange(device, rel_type, dst, False))
        return tuple(removed)
