"""Values exchanged between reconciliation and the stores.

`Snapshot` is what a store knows about the devices a batch of facts may be about;
`ChangeSet` is what reconciliation decided; `GraphStore.apply` is the only write.
All are plain frozen values, so reconciliation stays pure and testable without a store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from cmdb.schema import Source, TargetOutcome

Value = Any  # a JSON scalar or list; None retracts an observation


class EvidenceKind(StrEnum):
    """Identity evidence, strongest first (DESIGN §4)."""

    SERIAL = "serial"
    SYSTEM_UUID = "system_uuid"
    SNMP_ENGINE_ID = "snmp_engine_id"
    MACHINE_ID = "machine_id"
    MAC_SET = "mac_set"
    HOSTNAME = "hostname"


EVIDENCE_ORDER: tuple[EvidenceKind, ...] = tuple(EvidenceKind)


class NodeStatus(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"


# ---- what the store knows -------------------------------------------------------------


@dataclass(frozen=True)
class StoredNode:
    uid: str
    label: str
    owner: str | None
    device: str | None  # the device at the root of the owner chain (None for global nodes)
    status: NodeStatus


@dataclass(frozen=True)
class Snapshot:
    """The part of the graph a batch can touch: candidate devices and their subtrees."""

    evidence: Mapping[str, Mapping[EvidenceKind, str]] = field(default_factory=dict)
    nodes: Mapping[str, StoredNode] = field(default_factory=dict)
    # (uid, property) -> source -> (value, target): the latest value each source reported.
    observations: Mapping[tuple[str, str], Mapping[Source, tuple[Value, str]]] = field(
        default_factory=dict
    )
    # (src, type) -> destinations currently present
    rels: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    # device uid -> digest of the facts its last ingest applied, when nothing has
    # touched the device since (see reconcile.facts_digest)
    digests: Mapping[str, str] = field(default_factory=dict)
    # devices whose subtree the store did not read because their digest was offered
    # as unchanged: reconcile may skip them, never rebuild them from this snapshot
    partial: frozenset[str] = frozenset()


# ---- what reconciliation decided ------------------------------------------------------


@dataclass(frozen=True)
class NodeUpsert:
    uid: str
    label: str
    owner: str | None
    device: str | None


@dataclass(frozen=True)
class Observation:
    """One source's value for one property; `value=None` retracts it (e.g. a setting
    removed from a config file)."""

    uid: str
    name: str
    source: Source
    target: str
    value: Value


@dataclass(frozen=True)
class PropertySet:
    """The effective value after precedence, with the source it came from."""

    uid: str
    name: str
    value: Value
    source: Source | None
    target: str | None


@dataclass(frozen=True)
class RelChange:
    src: str
    type: str
    dst: str
    present: bool


@dataclass(frozen=True)
class Conflict:
    """An identity question for a human: never resolved silently."""

    kind: str  # "ambiguous" | "cloned" | "contradiction"
    target: str
    evidence: str
    candidates: tuple[str, ...]
    detail: str


@dataclass(frozen=True)
class RunInfo:
    run: int
    kind: str
    started_at: datetime
    finished_at: datetime
    targets: tuple[TargetOutcome, ...] = ()


@dataclass(frozen=True)
class ChangeSet:
    run: RunInfo
    nodes: tuple[NodeUpsert, ...] = ()
    observations: tuple[Observation, ...] = ()
    properties: tuple[PropertySet, ...] = ()
    rels: tuple[RelChange, ...] = ()
    absent: tuple[str, ...] = ()
    evidence: Mapping[str, Mapping[EvidenceKind, str]] = field(default_factory=dict)
    conflicts: tuple[Conflict, ...] = ()
    # device uid -> digest of the facts applied for it in this ChangeSet
    digests: Mapping[str, str] = field(default_factory=dict)
    # devices whose facts equal what their last ingest applied: nothing to reconcile,
    # the store only marks their CIs seen in this run
    unchanged: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApplySummary:
    run: int
    nodes_created: int = 0
    nodes_reappeared: int = 0
    nodes_absent: int = 0
    properties_changed: int = 0
    rels_added: int = 0
    rels_removed: int = 0
    conflicts: int = 0

    def __add__(self, other: ApplySummary) -> ApplySummary:
        return ApplySummary(
            self.run, *(getattr(self, f) + getattr(other, f) for f in (
                "nodes_created", "nodes_reappeared", "nodes_absent", "properties_changed",
                "rels_added", "rels_removed", "conflicts")))

    @property
    def changes(self) -> int:
        return (self.nodes_created + self.nodes_reappeared + self.nodes_absent
                + self.properties_changed + self.rels_added + self.rels_removed)
