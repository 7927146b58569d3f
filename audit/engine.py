"""The drift engine: every selected CI against every effective baseline, one verdict each.

Never a silent pass: a CI whose device was not reached in its latest discovery run, or
whose facts are older than `stale_after`, gets `error` findings for every check the
baseline would have made. Failing findings covered by an active waiver become `waived`
(and stay in every report); rules marked unwaivable cannot be waived. Findings are
compared with the previous audit run by their stable key (baseline, check, CI): new,
persisting, resolved or unchanged. That needs only the keys that deviated last time (the
audit DB's finding index); the previous report itself is read only when some of them are
gone now, to list those as resolved.

Each finding is built once, with its waiver and trend (an audit makes hundreds of
thousands); snapshot and intended-config findings, few, are finished afterwards.

Policy findings exist only for CIs a rule applies to (its `applies_to` selector): a rule
for ATMs says nothing about a web server, rather than 100,000 `not-applicable` lines.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from audit import intended, snapshot
from audit.baselines import BaselineKind, BaselineVersion
from audit.document import device_documents
from audit.model import (
    DEVIATING,
    AuditReport,
    CoverageEntry,
    Finding,
    InputRef,
    Severity,
    Trend,
    Verdict,
    by_key,
)
from audit.policy import pack_of
from audit.rules import Rule, evaluate_selected
from audit.selectors import Selector
from audit.waivers import Waiver, covers
from cmdb.store.base import GraphStore, RunRecord

DEFAULT_STALE_AFTER = timedelta(days=7)
SNAPSHOT_CHECK = "snapshot"  # the one compliant finding of a CI matching its snapshot
INTENDED_CHECK = "intended-config"  # a device whose intended config could not be checked


@dataclass(frozen=True)
class Reach:
    """Could this CI be checked? From the discovery runs that named its device."""

    reached: bool
    reason: str | None
    last_run: int | None


Key = tuple[str, str, str]  # Finding.key


@dataclass(frozen=True)
class PreviousAudit:
    """What trends need of the previous audit run: the keys of its deviating findings,
    and its report, which is only asked for when some of those keys are gone now."""

    deviating: frozenset[Key]
    report: Callable[[], AuditReport]

    @classmethod
    def of(cls, report: AuditReport) -> PreviousAudit:
        """From a report in hand (a key listed twice counts as its last finding)."""
        return cls(frozenset(k for k, f in by_key(report.findings).items() if f.deviates),
                   lambda: report)


@dataclass(frozen=True)
class AuditInputs:
    baselines: Sequence[BaselineVersion]
    waivers: Sequence[Waiver] = ()
    previous: PreviousAudit | None = None
    stale_after: timedelta = DEFAULT_STALE_AFTER


def run_audit(store: GraphStore, inputs: AuditInputs, run: int, started: datetime,
              now: datetime) -> AuditReport:
    docs = device_documents(store)
    reach = reachability(store.runs(), docs, now, inputs.stale_after)
    finish = _Finisher(inputs)
    findings: list[Finding] = []
    in_scope: dict[str, None] = {}
    refs: list[InputRef] = []
    for baseline in inputs.baselines:
        refs.extend(_baseline_inputs(baseline))
        checked = _check_baseline(baseline, docs, reach, now, finish)
        for finding in checked:
            in_scope.setdefault(finding.ci)
        findings.extend(checked)
    resolved = finish.resolved(inputs.previous)
    coverage = tuple(_coverage(uid, docs.get(uid), reach.get(uid)) for uid in in_scope)
    refs.extend(_run_inputs(docs, in_scope))
    used = {f.waiver for f in findings if f.waiver is not None}
    refs.extend(InputRef("waiver", w.id, w.expires.isoformat()) for w in inputs.waivers
                if w.id in used)
    return AuditReport(
        run=run, started_at=started.isoformat(), finished_at=now.isoformat(),
        inputs=tuple(refs), coverage=coverage, findings=tuple(findings),
        resolved=tuple(resolved), meta={"ci_info": _ci_info(docs, in_scope)})


# ---- reachability --------------------------------------------------------------------------

def reachability(runs: Sequence[RunRecord], docs: Mapping[str, Mapping[str, Any]],
                 now: datetime, stale_after: timedelta) -> dict[str, Reach]:
    """Per device: its latest run's outcome, and whether its facts are fresh enough."""
    device_of: dict[str, str] = {}
    latest: dict[str, tuple[RunRecord, Any]] = {}
    for record in sorted(runs, key=lambda r: r.run):
        for outcome in record.targets:
            if outcome.device:
                device_of[outcome.target] = outcome.device
            device = outcome.device or device_of.get(outcome.target)
            if device:
                latest[device] = (record, outcome)
    finished = {r.run: r.finished_at for r in runs}
    return {uid: _reach(doc, latest.get(uid), finished, now, stale_after)
            for uid, doc in docs.items()}


def _reach(doc: Mapping[str, Any], latest: tuple[RunRecord, Any] | None,
           finished: Mapping[int, str | None], now: datetime, stale_after: timedelta
           ) -> Reach:
    last_run = doc.get("last_run")
    if latest is not None and not latest[1].reached:
        record, outcome = latest
        why = outcome.error or "unreachable"
        return Reach(False, f"not reached in run {record.run}: {why}", last_run)
    seen = finished.get(last_run) if isinstance(last_run, int) else None
    if seen is None:
        return Reach(True, None, last_run)
    age = now - datetime.fromisoformat(seen)
    if age > stale_after:
        return Reach(False, f"facts are from run {last_run} ({seen[:10]}), older than "
                            f"{stale_after.days} days", last_run)
    return Reach(True, None, last_run)


# ---- per baseline ------------------------------------------------------------------------

def _check_baseline(baseline: BaselineVersion, docs: Mapping[str, Mapping[str, Any]],
                    reach: Mapping[str, Reach], now: datetime, finish: _Finisher
                    ) -> list[Finding]:
    if baseline.kind is BaselineKind.POLICY:
        return _check_policy(baseline, docs, reach, now, finish)
    if baseline.kind is BaselineKind.SNAPSHOT:
        found = _check_snapshot(baseline, docs, reach)
    else:
        found = _check_intended(baseline, docs, reach)
    return [finish.finished(f, docs.get(f.ci, {})) for f in found]


def _check_policy(baseline: BaselineVersion, docs: Mapping[str, Mapping[str, Any]],
                  reach: Mapping[str, Reach], now: datetime, finish: _Finisher
                  ) -> list[Finding]:
    scope = Selector.parse(dict(baseline.selector))
    rules = [rule for pack in _packs(baseline) for rule in pack.rules]
    findings = []
    for uid, doc in docs.items():
        if not scope.matches(doc):
            continue
        where, name = reach.get(uid), _name(doc)
        for rule in rules:
            if rule.applies_to.matches(doc):
                findings.append(_rule_finding(baseline, rule, doc, uid, name, where, now,
                                              finish))
    return findings


def _rule_finding(baseline: BaselineVersion, rule: Rule, doc: Mapping[str, Any], uid: str,
                  name: str, where: Reach | None, now: datetime, finish: _Finisher
                  ) -> Finding:
    # One Finding built per check, waived and with its trend: no replace() afterwards.
    if where is not None and not where.reached:
        verdict, expected, actual = Verdict.ERROR, None, None
        message = where.reason or "not reached"
    else:
        # Selected by _check_policy already; ages as of the audit, so re-runs agree.
        result = evaluate_selected(rule, doc, now=now)
        verdict, expected, actual = result.verdict, result.expected, result.actual
        message = result.message
    waiver = None
    if verdict is Verdict.DRIFT and finish.waivers:
        verdict, waiver, message = finish.waive(baseline.name, rule.id, verdict, message,
                                                doc)
    return Finding(baseline.name, baseline.version, rule.id, uid, name, verdict,
                   rule.severity, rule.title, expected, actual, message, rule.references,
                   waiver, finish.trend((baseline.name, rule.id, uid), verdict))


def _check_snapshot(baseline: BaselineVersion, docs: Mapping[str, Mapping[str, Any]],
                    reach: Mapping[str, Reach]) -> list[Finding]:
    content = baseline.content
    ignore = tuple(content.get("ignore", snapshot.DEFAULT_IGNORE))
    severity = Severity(content.get("severity", Severity.MEDIUM.value))
    findings = []
    for uid, frozen in sorted(content.get("cis", {}).items()):
        base = Finding(baseline.name, baseline.version, SNAPSHOT_CHECK, uid,
                       str(frozen.get("name") or uid), Verdict.ERROR, severity,
                       f"{frozen.get('name') or uid} matches its approved snapshot")
        doc, where = docs.get(uid), reach.get(uid)
        if doc is None:
            findings.append(dataclasses.replace(
                base, message="CI not in the graph (absent or removed)"))
            continue
        if where is not None and not where.reached:
            findings.append(dataclasses.replace(base, message=where.reason or ""))
            continue
        diffs = snapshot.compare(frozen["expected"], doc, ignore)
        findings.extend(_snapshot_findings(base, diffs))
    return findings


def _snapshot_findings(base: Finding, diffs: Sequence[snapshot.Difference]
                       ) -> list[Finding]:
    if not diffs:
        return [dataclasses.replace(base, verdict=Verdict.COMPLIANT,
                                    message="no difference from the snapshot")]
    return [dataclasses.replace(
        base, check=d.path, verdict=Verdict.DRIFT, expected=d.expected, actual=d.actual,
        title=f"{d.path} as approved", message=f"{d.kind} since the snapshot")
        for d in diffs]


def _check_intended(baseline: BaselineVersion, docs: Mapping[str, Mapping[str, Any]],
                    reach: Mapping[str, Reach]) -> list[Finding]:
    """Devices of the baseline's platform that its selector picks, one finding per
    section or feature of the rendered intended config."""
    spec = intended.IntendedSpec.from_content(baseline.content)
    scope = Selector.parse(dict(baseline.selector))
    severity = Severity(baseline.content.get("severity", Severity.MEDIUM.value))
    findings = []
    for uid, doc in docs.items():
        if doc.get("platform") != spec.platform or not scope.matches(doc):
            continue
        base = Finding(baseline.name, baseline.version, INTENDED_CHECK, uid, _name(doc),
                       Verdict.ERROR, severity, f"{_name(doc)} runs its intended config")
        where = reach.get(uid)
        if where is not None and not where.reached:
            findings.append(dataclasses.replace(base, message=where.reason or ""))
            continue
        findings.extend(_intended_findings(base, spec, doc))
    return findings


def _intended_findings(base: Finding, spec: intended.IntendedSpec, doc: Mapping[str, Any]
                       ) -> list[Finding]:
    running = doc.get("config_snapshots", {}).get("running", {}).get("text")
    if not isinstance(running, str):
        return [dataclasses.replace(base, message="no running configuration in the graph "
                                    "(discover the device over its CLI first)")]
    try:
        rendered = intended.render(spec, doc)
    except intended.IntendedError as exc:
        return [dataclasses.replace(base, message=f"template did not render: {exc}")]
    return [dataclasses.replace(
        base, check=d.check, title=f"{d.check} as intended",
        verdict=Verdict.COMPLIANT if d.compliant else Verdict.DRIFT,
        expected=list(d.missing) or None, actual=list(d.extra) or None,
        message=intended.summary([d]))
        for d in intended.compare(spec.platform, rendered, running, spec.scope)]


# ---- waivers, trends, coverage ----------------------------------------------------------

def unwaivable_rules(versions: Iterable[BaselineVersion]) -> frozenset[str]:
    """Ids of the rules marked unwaivable in these policy baselines."""
    return frozenset(rule.id for b in versions if b.kind is BaselineKind.POLICY
                     for pack in _packs(b) for rule in pack.rules if rule.unwaivable)


class _Finisher:
    """Waivers and trends, applied to each finding as it is made."""

    def __init__(self, inputs: AuditInputs) -> None:
        self.unwaivable = unwaivable_rules(inputs.baselines)
        self.waivers = [(w, Selector.parse(dict(w.selector))) for w in inputs.waivers]
        self.before = inputs.previous.deviating if inputs.previous else frozenset()
        self.still_there: set[Key] = set()  # keys of `before` seen again in this audit

    def waive(self, baseline: str, check: str, verdict: Verdict, message: str,
              doc: Mapping[str, Any]) -> tuple[Verdict, str | None, str]:
        """Only drift is waived: a check that could not be made stays an error."""
        if verdict is not Verdict.DRIFT or check in self.unwaivable:
            return verdict, None, message
        for waiver, scope in self.waivers:
            if covers(waiver, baseline, check) and scope.matches(doc):
                return Verdict.WAIVED, waiver.id, f"{message}; waived: {waiver.reason}"
        return verdict, None, message

    def trend(self, key: Key, verdict: Verdict) -> Trend:
        """A waived deviation is still a deviation: waiving it does not resolve it."""
        was = key in self.before
        if was:
            self.still_there.add(key)
        if verdict in DEVIATING:
            return Trend.PERSISTING if was else Trend.NEW
        return Trend.RESOLVED if was else Trend.UNCHANGED

    def finished(self, finding: Finding, doc: Mapping[str, Any]) -> Finding:
        verdict, waiver, message = self.waive(finding.baseline, finding.check,
                                              finding.verdict, finding.message, doc)
        return dataclasses.replace(finding, verdict=verdict, waiver=waiver, message=message,
                                   trend=self.trend(finding.key, verdict))

    def resolved(self, previous: PreviousAudit | None) -> list[Finding]:
        """Deviating last time, gone now (check or CI out of scope): from the previous
        report, read only if there are any."""
        gone = self.before - self.still_there
        if previous is None or not gone:
            return []
        return [dataclasses.replace(f, trend=Trend.RESOLVED)
                for key, f in by_key(previous.report().findings).items() if key in gone]


def _coverage(uid: str, doc: Mapping[str, Any] | None, where: Reach | None
              ) -> CoverageEntry:
    name = _name(doc) if doc else uid
    if doc is None:
        return CoverageEntry(uid, name, False, "not in the graph (absent or removed)")
    if where is None:
        return CoverageEntry(uid, name, True, None, doc.get("last_run"))
    return CoverageEntry(uid, name, where.reached, where.reason, where.last_run)


def _baseline_inputs(baseline: BaselineVersion) -> list[InputRef]:
    refs = [InputRef("baseline", baseline.name, str(baseline.version), baseline.sha256)]
    if baseline.kind is BaselineKind.POLICY:
        refs += [InputRef("rule-pack", p.name, p.version, p.sha256) for p in _packs(baseline)]
    if baseline.kind is BaselineKind.INTENDED:
        template = baseline.content.get("template", {})
        refs.append(InputRef("template", str(template.get("source")), "",
                             template.get("sha256")))
    return refs


def _run_inputs(docs: Mapping[str, Mapping[str, Any]], scope: Iterable[str]
                ) -> list[InputRef]:
    runs = sorted({int(docs[u]["last_run"]) for u in scope if u in docs})
    return [InputRef("discovery-run", "discovery", str(r)) for r in runs]


def _ci_info(docs: Mapping[str, Mapping[str, Any]], scope: Iterable[str]
             ) -> dict[str, dict[str, Any]]:
    return {uid: {"name": _name(docs[uid]), "site": docs[uid].get("site"),
                  "role": docs[uid].get("role")} for uid in scope if uid in docs}


def _name(doc: Mapping[str, Any]) -> str:
    return str(doc.get("hostname") or doc.get("uid"))


def _packs(baseline: BaselineVersion) -> list[Any]:
    return [pack_of(entry) for entry in baseline.content.get("packs", ())]
