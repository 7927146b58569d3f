"""Snapshot, reconcile, apply: the one way facts enter the graph."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

from cmdb.changeset import ApplySummary, ChangeSet, Conflict, RunInfo
from cmdb.reconcile import (
    Precedence,
    SnapshotIncomplete,
    evidence_by_target,
    reconcile,
    target_digests,
)
from cmdb.schema import TargetFacts
from cmdb.store.base import GraphStore

# Targets per ChangeSet. Each chunk is one transaction: a run over thousands of devices
# must not become one transaction the size of the fleet (Neo4j keeps a transaction's
# state in memory and refuses it past dbms.memory.transaction.total.max).
DEFAULT_CHUNK = 200


def ingest(store: GraphStore, batch: Sequence[TargetFacts], run: RunInfo,
           precedence: Precedence | None = None, chunk: int = DEFAULT_CHUNK
           ) -> tuple[ChangeSet, ApplySummary]:
    """Reconcile and apply `batch` in chunks of whole targets, all under `run`.
    Returns the last chunk's ChangeSet (with every chunk's conflicts) and the run's
    summary over all chunks. A failing chunk stops the ingest; chunks already applied
    stay, each complete."""
    total = ApplySummary(run.run)
    conflicts: list[Conflict] = []
    changeset = ChangeSet(run=run)
    parts = list(_chunks(batch, chunk))
    if not parts:  # nothing reached: the run and every target it missed are still recorded
        return changeset, store.apply(changeset)
    for part in parts:
        changeset = _reconcile(store, part, run, precedence)
        total = total + store.apply(changeset)
        conflicts.extend(changeset.conflicts)
    return dataclasses.replace(changeset, conflicts=tuple(conflicts)), total


def _reconcile(store: GraphStore, part: Sequence[TargetFacts], run: RunInfo,
               precedence: Precedence | None) -> ChangeSet:
    """Devices whose facts did not change since their last ingest are not read or
    rebuilt (the snapshot skips them by digest); if one of them must be rebuilt after
    all, reconcile again on a full snapshot."""
    evidence = [pair for ev in evidence_by_target(part).values() for pair in ev.items()]
    digests = target_digests(part, precedence)
    snapshot = store.snapshot(evidence, unchanged_if=frozenset(digests.values()))
    try:
        return reconcile(part, snapshot, run, precedence, digests)
    except SnapshotIncomplete:
        return reconcile(part, store.snapshot(evidence), run, precedence, digests)


def _chunks(batch: Sequence[TargetFacts], size: int) -> Iterator[list[TargetFacts]]:
    """Whole targets per chunk: all facts about one target reconcile together."""
    by_target: dict[str, list[TargetFacts]] = {}
    for item in batch:
        by_target.setdefault(item.target, []).append(item)
    groups = list(by_target.values())
    for start in range(0, len(groups), max(1, size)):
        yield [item for group in groups[start:start + size] for item in group]
