"""Manifests as cmdb-auditor wrote them before format 2 (`cmdb-audit-manifest/1`): every
finding in full. Stored evidence in that format must stay verifiable and reportable;
tests build such bodies here (test_manifest_formats checks this writer against bodies
the old code really stored, in fixtures/v1-audit-db)."""

from __future__ import annotations

import hashlib

from audit.evidence import FORMAT_V1, ChainLink, Manifest, canonical
from audit.model import AuditReport, finding_to_dict, report_to_dict


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_v1_manifest(report: AuditReport, previous: ChainLink | None,
                      tool_version: str) -> Manifest:
    findings = [finding_to_dict(f) for f in report.findings]
    digests = [_sha(canonical(f)) for f in findings]
    previous_sha = previous.sha256 if previous is not None else None
    body = canonical({
        "format": FORMAT_V1,
        "run": report.run,
        "created_at": report.finished_at,
        "tool_version": tool_version,
        "previous_run": previous.run if previous is not None else None,
        "previous_sha256": previous_sha,
        "finding_sha256": digests,
        "findings_sha256": _sha(canonical(digests)),
        "report": report_to_dict(report, findings),
    })
    return Manifest(report.run, _sha(body), previous_sha, body)
