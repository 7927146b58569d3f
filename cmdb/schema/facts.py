"""The fact model: what a collector (or the agent) observed, before identity is known.

Facts are plain values that round-trip through JSON, so any stage's output can be saved
and replayed (DESIGN §2).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cmdb.schema.base import NODE_TYPES, RELATIONSHIPS, Node, Source


class FactsError(ValueError):
    """Facts that do not fit the schema; the message names the offending field."""


@dataclass(frozen=True)
class NodeRef:
    """Points at a node by label and natural key; a global node (Site) or the device."""

    label: str
    key: tuple[str, ...]


@dataclass(frozen=True)
class Link:
    """A relationship from the device the facts are about to another node."""

    type: str
    dst: NodeRef


@dataclass(frozen=True)
class Facts:
    """What one collector saw on one target.

    `complete` lists the labels this collector enumerates completely: only for those may
    reconciliation mark missing nodes absent, and only when the collector succeeded.
    """

    nodes: tuple[Node, ...] = ()
    links: tuple[Link, ...] = ()
    complete: frozenset[str] = field(default_factory=frozenset)

    def merged(self, other: Facts) -> Facts:
        return Facts(
            nodes=self.nodes + other.nodes,
            links=self.links + other.links,
            complete=self.complete | other.complete,
        )


def node_to_json(item: Node) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(item):  # type: ignore[arg-type]
        value = getattr(item, f.name)
        if value is None:
            continue
        values[f.name] = list(value) if isinstance(value, tuple) else value
    return {"label": item.SPEC.label, "properties": values}


def node_from_json(data: Mapping[str, Any], where: str = "node") -> Node:
    """Rebuild a node from JSON; unknown labels or fields are errors, never ignored."""
    label = data.get("label")
    cls = NODE_TYPES.get(str(label))
    if cls is None:
        raise FactsError(f"{where}.label: unknown CI class {label!r}")
    values = data.get("properties")
    if not isinstance(values, Mapping):
        raise FactsError(f"{where}.properties: expected an object")
    known = cls.SPEC.properties
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise FactsError(f"{where}.properties: unknown field(s) {unknown} for {label}")
    missing = [name for name in cls.SPEC.key if values.get(name) is None]
    if missing:
        raise FactsError(f"{where}.properties: missing key field(s) {missing} for {label}")
    kwargs = {
        name: tuple(value) if isinstance(value, list) else value for name, value in values.items()
    }
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise FactsError(f"{where}: {exc}") from exc


def facts_to_json(facts: Facts) -> dict[str, Any]:
    return {
        "nodes": [node_to_json(n) for n in facts.nodes],
        "links": [
            {"type": link.type, "dst": {"label": link.dst.label, "key": list(link.dst.key)}}
            for link in facts.links
        ],
        "complete": sorted(facts.complete),
    }


def facts_from_json(data: Mapping[str, Any], where: str = "facts") -> Facts:
    nodes = tuple(
        node_from_json(item, f"{where}.nodes[{i}]")
        for i, item in enumerate(_list(data, "nodes", where))
    )
    links = tuple(_link_from_json(item, f"{where}.links[{i}]")
                  for i, item in enumerate(_list(data, "links", where)))
    complete = frozenset(str(label) for label in _list(data, "complete", where))
    unknown = sorted(complete - set(NODE_TYPES))
    if unknown:
        raise FactsError(f"{where}.complete: unknown CI class(es) {unknown}")
    return Facts(nodes=nodes, links=links, complete=complete)


def _link_from_json(data: Any, where: str) -> Link:
    if not isinstance(data, Mapping) or not isinstance(data.get("dst"), Mapping):
        raise FactsError(f"{where}: expected an object with type and dst")
    rel_type = str(data.get("type"))
    if rel_type not in RELATIONSHIPS:
        raise FactsError(f"{where}.type: unknown relationship {rel_type!r}")
    dst = data["dst"]
    return Link(rel_type, NodeRef(str(dst.get("label")), tuple(str(k) for k in dst.get("key", []))))


def _list(data: Mapping[str, Any], name: str, where: str) -> Iterable[Any]:
    value = data.get(name, [])
    if not isinstance(value, list):
        raise FactsError(f"{where}.{name}: expected a list")
    return value


@dataclass(frozen=True)
class TargetFacts:
    """Facts about one target from one source, the input of reconciliation.

    Several TargetFacts may name the same target (e.g. SSH facts plus what the inventory
    says of it); they describe one device. `facts.complete` lists only what *successful*
    collectors enumerate completely.
    """

    target: str
    source: Source
    facts: Facts


def target_facts_to_json(item: TargetFacts) -> dict[str, Any]:
    return {"target": item.target, "source": item.source.value, **facts_to_json(item.facts)}


def target_facts_from_json(data: Mapping[str, Any], where: str) -> TargetFacts:
    try:
        source = Source(str(data.get("source")))
    except ValueError as exc:
        raise FactsError(f"{where}.source: unknown source {data.get('source')!r}") from exc
    target = data.get("target")
    if not isinstance(target, str) or not target:
        raise FactsError(f"{where}.target: expected a non-empty string")
    return TargetFacts(target, source, facts_from_json(data, where))


@dataclass(frozen=True)
class TargetOutcome:
    """What a run did for one target: reached or not, which collectors worked, why not."""

    target: str
    reached: bool
    device: str | None = None
    ok: tuple[str, ...] = ()
    failed: tuple[tuple[str, str, str], ...] = ()  # (collector, error kind, message)
    error: str | None = None
