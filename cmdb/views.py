"""Plain-dict views of store records, shared by the CLI's tables and its --json output."""

from __future__ import annotations

from typing import Any

from cmdb.changeset import Conflict
from cmdb.store.base import Edge, GraphStore, HistoryEntry, NodeRecord, RunRecord
from cmdb.store.impact import ImpactHit

# The properties that name a CI best in a one-line listing.
TITLE_PROPERTIES = ("hostname", "name", "path", "address", "port")
TITLE_FORMATS = {
    "ListeningPort": "{protocol} {address}:{port}",
    "IpAddress": "{address}/{prefix_length}",
    "Package": "{name} {version}",
}


def title(record: NodeRecord) -> str:
    template = TITLE_FORMATS.get(record.label)
    if template:
        values = {k: v.value for k, v in record.properties.items()}
        try:
            return template.format(**values)
        except KeyError:
            pass  # a property was not observed; fall back to the generic title
    for name in TITLE_PROPERTIES:
        value = record.value(name)
        if value is not None:
            return str(value)
    return record.uid


def node_row(record: NodeRecord) -> dict[str, Any]:
    return {
        "uid": record.uid,
        "label": record.label,
        "name": title(record),
        "status": record.status.value,
        "first_run": record.first_run,
        "last_run": record.last_run,
        "absent_since": record.absent_since,
    }


def node_detail(store: GraphStore, record: NodeRecord, as_of: int | None) -> dict[str, Any]:
    """A CI with every property's provenance, the values that lost precedence, and its
    relationships."""
    losing = [
        {"property": o.name, "source": o.source, "target": o.target, "value": o.value,
         "run": o.run}
        for o in store.observations(record.uid)
        if o.value != record.value(o.name) and as_of is None
    ]
    return {
        **node_row(record),
        "owner": record.owner,
        "device": record.device,
        "properties": {
            name: {"value": p.value, "source": p.source, "target": p.target, "run": p.run}
            for name, p in sorted(record.properties.items())
        },
        "other_observations": losing,
        "relationships": [edge_row(store, e, as_of) for e in store.neighbours(record.uid, as_of)],
    }


def edge_row(store: GraphStore, edge: Edge, as_of: int | None) -> dict[str, Any]:
    other_uid = edge.dst if edge.direction == "out" else edge.src
    other = store.get(other_uid, as_of)
    return {
        "type": edge.type,
        "direction": edge.direction,
        "uid": other_uid,
        "label": edge.other_label,
        "name": title(other) if other else other_uid,
        "present": edge.present,
    }


def history_row(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq, "run": entry.run, "at": entry.at, "uid": entry.uid,
        "label": entry.label, "kind": entry.kind, "name": entry.name, "other": entry.other,
        "old": entry.old, "new": entry.new, "source": entry.source,
    }


def run_row(run: RunRecord) -> dict[str, Any]:
    reached = [t for t in run.targets if t.reached]
    return {
        "run": run.run, "kind": run.kind, "status": run.status,
        "started_at": run.started_at, "finished_at": run.finished_at,
        "targets": len(run.targets), "reached": len(reached),
        "missed": [{"target": t.target, "error": t.error} for t in run.targets if not t.reached],
        "partial": [{"target": t.target, "failed": [list(f) for f in t.failed]}
                    for t in reached if t.failed],
        "changes": run.summary.changes if run.summary else None,
        "summary": run.summary.__dict__ if run.summary else None,
    }


def conflict_row(conflict: Conflict) -> dict[str, Any]:
    return {"kind": conflict.kind, "target": conflict.target, "evidence": conflict.evidence,
            "candidates": list(conflict.candidates), "detail": conflict.detail}


def impact_row(store: GraphStore, root: str, hit: ImpactHit) -> dict[str, Any]:
    """One reached CI with its explanation as a chain from the root, e.g.
    `vm -HAS_INTERFACE-> eth0 -HAS_IP-> 10.0.0.1/24` (arrows show stored direction)."""
    names: dict[str, str] = {}

    def name(uid: str) -> str:
        if uid not in names:
            record = store.get(uid)
            names[uid] = title(record) if record else uid
        return names[uid]

    chain, at = [name(root)], root
    for src, rel_type, dst in hit.path:
        if src == at:
            chain.append(f"-{rel_type}-> {name(dst)}")
            at = dst
        else:
            chain.append(f"<-{rel_type}- {name(src)}")
            at = src
    return {"uid": hit.uid, "label": hit.label, "name": name(hit.uid), "depth": hit.depth,
            "path": [list(step) for step in hit.path], "explanation": " ".join(chain)}
