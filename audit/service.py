"""What the audit commands do, one function each; the CLI only parses and renders."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from audit import baselines, evidence, intended, snapshot, waivers
from audit.auditdb import AuditDb
from audit.baselines import BaselineKind, BaselineVersion
from audit.document import device_documents
from audit.engine import (
    DEFAULT_STALE_AFTER,
    AuditInputs,
    PreviousAudit,
    run_audit,
    unwaivable_rules,
)
from audit.evidence import Manifest, Verification
from audit.model import AuditReport
from audit.policy import pack_entries
from audit.selectors import Selector
from audit.yamlfile import YamlFileError, load_yaml
from cmdb.store.base import GraphStore

TOOL = "cmdb-auditor 0.1"


class AuditUsageError(ValueError):
    """A request that cannot be carried out as asked (names what and why)."""


def capture(store: GraphStore, db: AuditDb, name: str, selector: Mapping[str, Any],
            cis: Sequence[str], author: str, now: datetime,
            ignore: Sequence[str] = (), severity: str = "medium") -> BaselineVersion:
    """Freeze the current configuration of the chosen CIs as a draft snapshot version."""
    docs = device_documents(store)
    chosen = _choose(docs, selector, cis)
    if not chosen:
        raise AuditUsageError(f"baseline {name}: no device matches the selection")
    skip = (*snapshot.DEFAULT_IGNORE, *ignore)
    content = {"ignore": list(skip), "severity": severity, "cis": {
        uid: {"name": docs[uid].get("hostname") or uid,
              "expected": snapshot.capture(docs[uid], skip)} for uid in chosen}}
    return baselines.create(db, name, BaselineKind.SNAPSHOT, dict(selector), content,
                            author, now)


def _choose(docs: Mapping[str, Mapping[str, Any]], selector: Mapping[str, Any],
            cis: Sequence[str]) -> list[str]:
    if cis:
        missing = [c for c in cis if c not in docs]
        if missing:
            raise AuditUsageError(f"not a present device: {', '.join(missing)} "
                                  "(use `cmdb ci list --label Device`)")
        return list(cis)
    wanted = Selector.parse(dict(selector))
    return sorted(uid for uid, doc in docs.items() if wanted.matches(doc))


def create_policy(db: AuditDb, name: str, packs: Sequence[str],
                  selector: Mapping[str, Any], author: str, now: datetime) -> BaselineVersion:
    Selector.parse(dict(selector))  # a bad selector fails before anything is stored
    return baselines.create(db, name, BaselineKind.POLICY, dict(selector),
                            {"packs": pack_entries(packs)}, author, now)


def create_intended(db: AuditDb, name: str, platform: str, template: Path,
                    variables: Path | None, selector: Mapping[str, Any], scope: str,
                    severity: str, author: str, now: datetime) -> BaselineVersion:
    """A draft intended-config baseline: the template and variables pinned by content."""
    Selector.parse(dict(selector))
    text = _read_text(template, "template")
    values: object = {}
    if variables is not None:
        try:
            values = load_yaml(_read_text(variables, "variables")) or {}
        except YamlFileError as exc:
            raise intended.IntendedError(f"{variables}: {exc}") from exc
    try:
        checked = intended.check_variables(values, str(variables or "variables"))
        content = intended.build_content(platform, template.name, text, checked, scope,
                                         severity)
    except intended.IntendedError as exc:
        raise AuditUsageError(f"baseline {name}: {exc}") from exc
    return baselines.create(db, name, BaselineKind.INTENDED, dict(selector), content,
                            author, now)


def render_intended(store: GraphStore, db: AuditDb, name: str, ci: str,
                    version: int | None = None) -> str:
    """The intended configuration of one device under baseline NAME (latest version)."""
    baseline = baselines.get(db, name, version)
    if baseline.kind is not BaselineKind.INTENDED:
        raise AuditUsageError(f"{baseline.label} is a {baseline.kind} baseline, "
                              "not an intended-config one")
    doc = device_documents(store, devices=[ci]).get(ci)
    if doc is None:
        raise AuditUsageError(f"not a present device: {ci}")
    try:
        return intended.render(intended.IntendedSpec.from_content(baseline.content), doc)
    except intended.IntendedError as exc:
        raise AuditUsageError(f"{baseline.label}: {exc}") from exc


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditUsageError(f"{what} {path}: cannot read: {exc}") from exc


@dataclass(frozen=True)
class AuditOutcome:
    report: AuditReport
    manifest: Manifest
    signed: bool


def audit(store: GraphStore, db: AuditDb, names: Sequence[str], now: datetime,
          sign_key: Path | None = None, stale_after: timedelta = DEFAULT_STALE_AFTER
          ) -> AuditOutcome:
    """Audit against the effective version of the named baselines (all when empty),
    store the evidence manifest (signed when a key is given) and return both."""
    with _bulk():
        return _audit(store, db, names, now, sign_key, stale_after)


def _audit(store: GraphStore, db: AuditDb, names: Sequence[str], now: datetime,
           sign_key: Path | None, stale_after: timedelta) -> AuditOutcome:
    chosen = _effective(db, names, now)
    head = db.head()
    inputs = AuditInputs(baselines=chosen, waivers=waivers.active(db, now),
                         previous=_previous(db, head.run) if head else None,
                         stale_after=stale_after)
    private = evidence.load_private_key(sign_key) if sign_key else None
    report = run_audit(store, inputs, db.next_run(), now, now)
    manifest = evidence.build_manifest(report, head, TOOL)
    signature = evidence.sign(manifest, private) if private else None
    db.add_run(manifest, signature, report)
    return AuditOutcome(report, manifest, signature is not None)


def _previous(db: AuditDb, run: int) -> PreviousAudit:
    """Trends against `run` from its finding index; its manifest is parsed only when
    findings were resolved, or when the run predates the index."""
    def report() -> AuditReport:
        return report_of(db, run)

    deviating = db.deviating(run)
    return PreviousAudit(deviating, report) if deviating is not None \
        else PreviousAudit.of(report())


def _effective(db: AuditDb, names: Sequence[str], now: datetime) -> list[BaselineVersion]:
    found = baselines.effective_all(db, now)
    if not names:
        if not found:
            raise AuditUsageError("no approved baseline is in effect: capture or create "
                                  "one, then `cmdb baseline approve`")
        return [found[n] for n in sorted(found)]
    missing = [n for n in names if n not in found]
    if missing:
        raise AuditUsageError(f"no approved, effective version of baseline "
                              f"{', '.join(missing)}")
    return [found[n] for n in names]


def unwaivable_checks(db: AuditDb, now: datetime) -> frozenset[str]:
    """Rule ids marked unwaivable in any effective policy baseline."""
    return unwaivable_rules(baselines.effective_all(db, now).values())


def report_of(db: AuditDb, run: int | None) -> AuditReport:
    stored = db.run(run) if run is not None else db.last_run()
    if stored is None:
        raise AuditUsageError(f"no audit run {run}" if run is not None else
                              "no audit has run yet: `cmdb audit run`")
    with _bulk():
        return evidence.manifest_report(stored)


@contextmanager
def _bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while an audit is built or read back.

    That allocates millions of small objects (documents, findings, manifest rows) that
    form no reference cycles, and the collector would walk all of them again and again:
    a quarter of the CPU time of `bench.audit`. Reference counting frees them as usual;
    the collector resumes afterwards."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def verify(db: AuditDb, public_key: Path | None, require_signatures: bool) -> Verification:
    key = evidence.load_public_key(public_key) if public_key else None
    with _bulk():
        return evidence.verify_chain(db.runs(), key, require_signatures=require_signatures)
