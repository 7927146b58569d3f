"""The audit vocabulary shared by rules, the drift engine, evidence and reports.

Every finding has a stable identity (baseline, check, CI): the same rule on the same CI
is the same finding across audit runs, so runs can say what is new, persisting or
resolved. A verdict comes from one vocabulary; "could not check" is `error`, never a
silent pass.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class Verdict(enum.StrEnum):
    COMPLIANT = "compliant"
    DRIFT = "drift"
    NOT_APPLICABLE = "not-applicable"
    ERROR = "error"  # could not check: CI not reached, stale facts, bad data
    WAIVED = "waived"


class Severity(enum.StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_ORDER = (Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH,
                   Severity.CRITICAL)


class Trend(enum.StrEnum):
    """A finding compared with the previous audit run. Deviating = drift, error or
    waived (a waiver accepts a deviation, it does not resolve it)."""

    NEW = "new"  # not deviating before (or not seen), deviating now
    PERSISTING = "persisting"  # deviating before and now
    RESOLVED = "resolved"  # deviating before, compliant / not applicable / gone now
    UNCHANGED = "unchanged"  # not deviating, before or now


FAILING = frozenset({Verdict.DRIFT, Verdict.ERROR})
DEVIATING = frozenset({Verdict.DRIFT, Verdict.ERROR, Verdict.WAIVED})  # see Trend


@dataclass(frozen=True)
class Reference:
    """A control a rule implements, e.g. ("CIS", "5.2.10") or ("PCI DSS", "5.3.1")."""

    standard: str
    control: str


@dataclass(frozen=True, slots=True)  # slots: an audit can hold a million of them
class Finding:
    baseline: str  # baseline name
    baseline_version: int
    check: str  # rule id, or the property path for snapshot / intended-config baselines
    ci: str  # CI uid
    ci_name: str  # what people call it (hostname), for reports
    verdict: Verdict
    severity: Severity
    title: str
    expected: Any = None  # JSON-able
    actual: Any = None  # JSON-able
    message: str = ""  # why this verdict, in a sentence
    references: tuple[Reference, ...] = ()
    waiver: str | None = None  # waiver id when waived
    trend: Trend | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """Stable identity across audit runs."""
        return (self.baseline, self.check, self.ci)

    @property
    def failing(self) -> bool:
        return self.verdict in FAILING

    @property
    def deviates(self) -> bool:
        """Drift, error or waived: a waiver accepts a deviation, it does not resolve it."""
        return self.verdict in DEVIATING


@dataclass(frozen=True)
class CoverageEntry:
    """One CI in an audit's scope: was there fresh enough data to check it?"""

    ci: str
    ci_name: str
    reached: bool
    reason: str | None = None  # why not reached (not seen since run N, failed, stale)
    last_run: int | None = None  # the last discovery run that saw it


@dataclass(frozen=True)
class InputRef:
    """A versioned input of an audit run, pinned by content hash."""

    kind: str  # "baseline", "rule-pack", "discovery-run", "waiver"
    name: str
    version: str
    sha256: str | None = None


@dataclass(frozen=True)
class AuditReport:
    run: int
    started_at: str  # ISO 8601 UTC
    finished_at: str
    inputs: tuple[InputRef, ...] = ()
    coverage: tuple[CoverageEntry, ...] = ()
    findings: tuple[Finding, ...] = ()
    resolved: tuple[Finding, ...] = ()  # failing last run, gone now (check/CI out of scope)
    meta: Mapping[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Findings per verdict, every verdict present (zeros included)."""
        found = Counter(f.verdict.value for f in self.findings)
        return {v.value: found.get(v.value, 0) for v in Verdict}

    def failing_at_least(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings if f.failing and f.severity.at_least(severity)]


def by_key(findings: Sequence[Finding]) -> dict[tuple[str, str, str], Finding]:
    return {f.key: f for f in findings}


# ---- JSON form (reports, evidence manifests) --------------------------------------------

def finding_to_dict(f: Finding) -> dict[str, Any]:
    return {
        "baseline": f.baseline, "baseline_version": f.baseline_version, "check": f.check,
        "ci": f.ci, "ci_name": f.ci_name, "verdict": f.verdict.value,
        "severity": f.severity.value, "title": f.title, "expected": f.expected,
        "actual": f.actual, "message": f.message,
        "references": [[r.standard, r.control] for r in f.references],
        "waiver": f.waiver, "trend": f.trend.value if f.trend else None,
    }


def finding_from_dict(d: Mapping[str, Any]) -> Finding:
    return Finding(
        baseline=d["baseline"], baseline_version=int(d["baseline_version"]),
        check=d["check"], ci=d["ci"], ci_name=d["ci_name"], verdict=Verdict(d["verdict"]),
        severity=Severity(d["severity"]), title=d["title"], expected=d.get("expected"),
        actual=d.get("actual"), message=d.get("message", ""),
        references=tuple(Reference(s, c) for s, c in d.get("references", ())),
        waiver=d.get("waiver"), trend=Trend(d["trend"]) if d.get("trend") else None,
    )


def report_to_dict(r: AuditReport, findings: list[dict[str, Any]] | None = None
                   ) -> dict[str, Any]:
    """`findings`: the findings already in dict form, when the caller has them."""
    return {
        "run": r.run, "started_at": r.started_at, "finished_at": r.finished_at,
        "inputs": [i.__dict__ for i in r.inputs],
        "coverage": [c.__dict__ for c in r.coverage],
        "findings": findings if findings is not None else [finding_to_dict(f)
                                                           for f in r.findings],
        "resolved": [finding_to_dict(f) for f in r.resolved],
        "summary": r.counts(), "meta": dict(r.meta),
    }


def report_from_dict(d: Mapping[str, Any]) -> AuditReport:
    return AuditReport(
        run=int(d["run"]), started_at=d["started_at"], finished_at=d["finished_at"],
        inputs=tuple(InputRef(**i) for i in d.get("inputs", ())),
        coverage=tuple(CoverageEntry(**c) for c in d.get("coverage", ())),
        findings=tuple(finding_from_dict(f) for f in d.get("findings", ())),
        resolved=tuple(finding_from_dict(f) for f in d.get("resolved", ())),
        meta=dict(d.get("meta", {})),
    )
