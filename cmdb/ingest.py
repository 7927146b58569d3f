"""Snapshot, reconcile, apply: the one way facts enter the graph."""

from __future__ import annotations

from collections.abc import Sequence

from cmdb.changeset import ApplySummary, ChangeSet, RunInfo
from cmdb.reconcile import Precedence, evidence_by_target, reconcile
from cmdb.schema import TargetFacts
from cmdb.store.base import GraphStore


def ingest(store: GraphStore, batch: Sequence[TargetFacts], run: RunInfo,
           precedence: Precedence | None = None) -> tuple[ChangeSet, ApplySummary]:
    evidence = [pair for ev in evidence_by_target(batch).values() for pair in ev.items()]
    changeset = reconcile(batch, store.snapshot(evidence), run, precedence)
    return changeset, store.apply(changeset)
