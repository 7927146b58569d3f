"""The GraphStore protocol every store implements, and the records it returns."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from cmdb.changeset import (
    ApplySummary,
    ChangeSet,
    Conflict,
    EvidenceKind,
    NodeStatus,
    Snapshot,
)
from cmdb.schema import TargetOutcome
from cmdb.store.impact import Direction, ImpactGraph


class StoreError(Exception):
    """The store cannot be opened or used; the message names the store and why."""


@dataclass(frozen=True)
class PropertyValue:
    value: Any
    source: str | None
    target: str | None
    run: int


@dataclass(frozen=True)
class NodeRecord:
    uid: str
    label: str
    status: NodeStatus
    owner: str | None
    device: str | None
    first_run: int
    last_run: int
    absent_since: int | None
    properties: Mapping[str, PropertyValue] = field(default_factory=dict)

    def value(self, name: str) -> Any:
        found = self.properties.get(name)
        return found.value if found else None


@dataclass(frozen=True)
class Edge:
    src: str
    type: str
    dst: str
    other_label: str
    direction: str  # "out" from the asked node, or "in"
    present: bool


def sort_edges(uid: str, edges: list[Edge]) -> list[Edge]:
    """The one order every store returns a CI's relationships in."""
    return sorted(edges, key=lambda e: (e.direction, e.type, e.dst if e.src == uid else e.src))


@dataclass(frozen=True)
class ObservationRecord:
    """A value one source reported, whether or not it won precedence (evidence)."""

    uid: str
    name: str
    source: str
    target: str
    value: Any
    run: int


@dataclass(frozen=True)
class HistoryEntry:
    seq: int
    run: int
    at: str
    uid: str
    label: str
    kind: str  # "node" (status), "property", "relationship"
    name: str
    other: str | None  # the relationship's other end
    old: Any
    new: Any
    source: str | None


@dataclass(frozen=True)
class RunRecord:
    run: int
    kind: str
    started_at: str
    finished_at: str | None
    status: str  # "running", "done"
    targets: tuple[TargetOutcome, ...]
    summary: ApplySummary | None


@dataclass(frozen=True)
class RelRecord:
    src: str
    type: str
    dst: str
    status: NodeStatus
    first_run: int
    last_run: int


@dataclass(frozen=True)
class GraphDump:
    """A whole store, history included: what `cmdb store migrate` copies."""

    nodes: tuple[NodeRecord, ...]
    observations: tuple[ObservationRecord, ...]
    rels: tuple[RelRecord, ...]
    evidence: tuple[tuple[str, str, str], ...]  # (uid, kind, value)
    history: tuple[HistoryEntry, ...]
    runs: tuple[RunRecord, ...]
    conflicts: tuple[tuple[int, Conflict], ...]

    def counts(self) -> dict[str, int]:
        return {"nodes": len(self.nodes), "relationships": len(self.rels),
                "history": len(self.history), "runs": len(self.runs),
                "observations": len(self.observations), "evidence": len(self.evidence),
                "conflicts": len(self.conflicts)}


class GraphStore(Protocol):
    """What every store offers: the only write is `apply`."""

    def begin_run(self, kind: str, started_at: datetime) -> int: ...

    def snapshot(self, evidence: Iterable[tuple[EvidenceKind, str]],
                 unchanged_if: Collection[str] = frozenset()) -> Snapshot:
        """Candidate devices for `evidence` with their subtrees. A device whose stored
        facts digest is current and in `unchanged_if` is listed in `partial` with its
        evidence and digest only (its subtree is not read)."""
        ...

    def apply(self, changeset: ChangeSet) -> ApplySummary: ...

    def nodes(
        self,
        label: str | None = None,
        where: Mapping[str, Any] | None = None,
        linked: tuple[str, str] | None = None,
        include_absent: bool = False,
        as_of: int | None = None,
    ) -> list[NodeRecord]: ...

    def get(self, uid: str, as_of: int | None = None) -> NodeRecord | None: ...

    def resolve(self, ref: str) -> list[str]: ...

    def neighbours(self, uid: str, as_of: int | None = None) -> list[Edge]: ...

    def relationships(self, rel_type: str) -> list[RelRecord]:
        """Every present relationship of `rel_type`, with the runs that first and last
        saw it, ordered by (src, dst); a type the schema does not declare is an error."""
        ...

    def impact(self, uid: str, types: Sequence[str] = (),
               direction: Direction = Direction.BOTH, max_depth: int = 3) -> ImpactGraph: ...

    def observations(self, uid: str) -> list[ObservationRecord]: ...

    def history(self, uid: str, include_owned: bool = True) -> list[HistoryEntry]: ...

    def runs(self, limit: int | None = None) -> list[RunRecord]: ...

    def diff(self, run_a: int, run_b: int) -> list[HistoryEntry]: ...

    def conflicts(self, run: int | None = None) -> list[Conflict]: ...

    def counts(self) -> dict[str, int]: ...

    def export_graph(self) -> GraphDump: ...

    def import_graph(self, dump: GraphDump) -> None:
        """Load a dump into this store, which must be empty."""
        ...

    def close(self) -> None: ...
