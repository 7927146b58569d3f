"""What a discovery run found: per target, per collector, facts or a typed error.

Serialisable to JSON and back, so a run can be saved (`cmdb discover --json`) and
replayed into the graph later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cmdb.schema import (
    Device,
    Facts,
    Link,
    NodeRef,
    Site,
    Source,
    TargetFacts,
    TargetOutcome,
    facts_from_json,
    facts_to_json,
)
from discovery.errors import DiscoveryError, ErrorKind
from inventory.model import Target

RESULT_VERSION = 1


@dataclass(frozen=True)
class ErrorInfo:
    kind: ErrorKind
    message: str

    @classmethod
    def of(cls, error: DiscoveryError) -> ErrorInfo:
        return cls(error.kind, error.message)

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.message}"


@dataclass(frozen=True)
class CollectorResult:
    name: str
    source: Source
    seconds: float
    facts: Facts | None = None
    error: ErrorInfo | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class TargetResult:
    target: str
    address: str
    platform: str
    transport: str
    seconds: float
    reached: bool
    error: ErrorInfo | None = None
    collectors: tuple[CollectorResult, ...] = ()
    site: str | None = None
    role: str | None = None

    @property
    def status(self) -> str:
        """ok: everything worked; partial: reached, some collectors failed; failed."""
        if not self.reached or not any(c.ok for c in self.collectors):
            return "failed"
        return "ok" if all(c.ok for c in self.collectors) else "partial"

    def outcome(self) -> TargetOutcome:
        return TargetOutcome(
            target=self.target,
            reached=self.reached,
            ok=tuple(c.name for c in self.collectors if c.ok),
            failed=tuple((c.name, c.error.kind.value, c.error.message)
                         for c in self.collectors if c.error),
            error=str(self.error) if self.error else None,
        )

    def target_facts(self) -> list[TargetFacts]:
        """Facts of the collectors that succeeded, plus what the inventory says."""
        good = [c for c in self.collectors if c.ok and c.facts is not None]
        if not self.reached or not good:
            return []
        by_source: dict[Source, Facts] = {}
        for c in good:
            assert c.facts is not None
            by_source[c.source] = by_source.get(c.source, Facts()).merged(c.facts)
        batch = [TargetFacts(self.target, source, facts) for source, facts in by_source.items()]
        return [*batch, TargetFacts(self.target, Source.INVENTORY, self._inventory_facts())]

    def _inventory_facts(self) -> Facts:
        nodes: list[Any] = [Device(role=self.role)] if self.role else []
        links: tuple[Link, ...] = ()
        if self.site:
            nodes.append(Site(name=self.site))
            links = (Link("LOCATED_IN", NodeRef("Site", (self.site,))),)
        # The inventory is the authority on where a device is: a site removed there is
        # a relationship removed here.
        return Facts(nodes=tuple(nodes), links=links, complete=frozenset({"LOCATED_IN"}))

    @classmethod
    def unreached(cls, target: Target, error: DiscoveryError, seconds: float) -> TargetResult:
        return cls(target.name, target.address, target.platform, target.transport, seconds,
                   False, ErrorInfo.of(error), (), target.site, target.role)


@dataclass(frozen=True)
class DiscoveryResult:
    started_at: datetime
    finished_at: datetime
    targets: tuple[TargetResult, ...]

    def target_facts(self) -> list[TargetFacts]:
        return [tf for t in self.targets for tf in t.target_facts()]

    def outcomes(self) -> tuple[TargetOutcome, ...]:
        return tuple(t.outcome() for t in self.targets)

    @property
    def failed(self) -> int:
        return sum(1 for t in self.targets if t.status != "ok")


def result_to_json(result: DiscoveryResult) -> dict[str, Any]:
    return {
        "version": RESULT_VERSION,
        "started_at": result.started_at.isoformat(),
        "finished_at": result.finished_at.isoformat(),
        "targets": [_target_to_json(t) for t in result.targets],
    }


def _target_to_json(t: TargetResult) -> dict[str, Any]:
    return {
        "target": t.target, "address": t.address, "platform": t.platform,
        "transport": t.transport, "seconds": round(t.seconds, 3), "reached": t.reached,
        "status": t.status, "site": t.site, "role": t.role,
        "error": _error_to_json(t.error),
        "collectors": [
            {"name": c.name, "source": c.source.value, "seconds": round(c.seconds, 3),
             "error": _error_to_json(c.error),
             "facts": facts_to_json(c.facts) if c.facts else None}
            for c in t.collectors
        ],
    }


def _error_to_json(error: ErrorInfo | None) -> dict[str, str] | None:
    return {"kind": error.kind.value, "message": error.message} if error else None


def result_from_json(data: Mapping[str, Any]) -> DiscoveryResult:
    """Rebuild a saved result; raises FactsError/KeyError/ValueError naming the field."""
    if data.get("version") != RESULT_VERSION:
        raise ValueError(f"version: expected {RESULT_VERSION}, got {data.get('version')!r}")
    return DiscoveryResult(
        datetime.fromisoformat(data["started_at"]),
        datetime.fromisoformat(data["finished_at"]),
        tuple(_target_from_json(t, f"targets[{i}]") for i, t in enumerate(data["targets"])),
    )


def _target_from_json(t: Mapping[str, Any], where: str) -> TargetResult:
    collectors = tuple(
        CollectorResult(
            c["name"], Source(c["source"]), float(c["seconds"]),
            facts_from_json(c["facts"], f"{where}.collectors[{j}].facts") if c["facts"] else None,
            _error_from_json(c["error"]),
        )
        for j, c in enumerate(t["collectors"])
    )
    return TargetResult(t["target"], t["address"], t["platform"], t["transport"],
                        float(t["seconds"]), bool(t["reached"]), _error_from_json(t["error"]),
                        collectors, t.get("site"), t.get("role"))


def _error_from_json(data: Mapping[str, str] | None) -> ErrorInfo | None:
    return ErrorInfo(ErrorKind(data["kind"]), data["message"]) if data else None
