"""The body of an evidence manifest: what it holds and how it is written and read back.

Format 2 (written since the finding index; `cmdb-audit-manifest/2`) states each check
once and gives each finding as one short row:

    {"format": "cmdb-audit-manifest/2", "run", "created_at", "tool_version",
     "previous_run", "previous_sha256",
     "finding_sha256": [SHA-256 of each finding row], "findings_sha256": SHA-256 of that list,
     "report": {"run", "started_at", "finished_at", "inputs", "coverage", "meta", "summary",
                "checks": [{"baseline", "baseline_version", "check", "title", "severity",
                            "references", "expected"}, ...],
                "cis": [[uid, name], ...],
                "finding_fields": ["check", "ci", "verdict", "actual", "message", "waiver",
                                   "trend"],
                "findings": [[0, 0, "drift", "yes", "found 'yes'; ...", null, "new"], ...],
                "resolved": [rows like findings]}}

In a row, `check` and `ci` are positions in `checks` and `cis`; a check whose title,
severity, references or expected value differ between findings (snapshot paths, a rule
whose CI was not reached) is simply listed once per variant. Format 1
(`cmdb-audit-manifest/1`) repeated every field in every finding; it is still read, so
stored evidence stays verifiable and reportable.

Both formats are canonical JSON (`canonical`): sorted keys, no insignificant whitespace,
UTF-8. Format 2 is written piece by piece (each finding row is encoded once, hashed and
written into the body), which gives exactly the bytes `canonical` would give for the
whole.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from audit.model import (
    AuditReport,
    CoverageEntry,
    Finding,
    InputRef,
    Reference,
    Severity,
    Trend,
    Verdict,
    report_from_dict,
)

FORMAT = "cmdb-audit-manifest/2"
FORMAT_V1 = "cmdb-audit-manifest/1"
FINDING_FIELDS = ("check", "ci", "verdict", "actual", "message", "waiver", "trend")

# One encoder for every piece: same settings as `canonical`.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                            allow_nan=False)


class ManifestFormatError(ValueError):
    """A body that is not a manifest of a known format; the message says what is wrong."""


def canonical(obj: Any) -> bytes:
    """Canonical JSON: sorted keys, no insignificant whitespace, UTF-8, no NaN."""
    try:
        return _ENCODER.encode(obj).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ManifestFormatError(f"value cannot be written as canonical JSON: {exc}") \
            from exc


def _not_json(obj: Any) -> Any:
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def _make_row_encoder() -> Callable[[Any], bytes]:
    """`canonical` for one finding row at a time, without json's per-call setup (a large
    audit encodes a million rows): CPython's C encoder with the same settings, made once.
    Rows hold JSON values read from the store, which have no reference cycles."""
    try:
        from _json import make_encoder
    except ImportError:  # not CPython: the same bytes, a little slower
        return canonical
    encoder = make_encoder(None, _not_json, encode_basestring, None, ":", ",", True, False,
                           False)

    def encode(row: Any) -> bytes:
        try:
            return "".join(encoder(row, 0)).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise ManifestFormatError(f"value cannot be written as canonical JSON: {exc}") \
                from exc

    return encode


encode_row = _make_row_encoder()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- writing (format 2) ------------------------------------------------------------------

@dataclass(frozen=True)
class Header:
    """The chain fields of a body, beside the report."""

    run: int
    created_at: str
    tool_version: str
    previous_run: int | None
    previous_sha256: str | None


class _Raw:
    """Bytes already in canonical form, placed into a body as they are."""

    def __init__(self, chunks: list[bytes | memoryview]) -> None:
        self.chunks = chunks


def _object(fields: Mapping[str, Any]) -> _Raw:
    """A JSON object in canonical form, its values encoded or already raw."""
    chunks: list[bytes | memoryview] = [b"{"]
    for i, key in enumerate(sorted(fields)):
        chunks.append(b"," if i else b"")
        chunks += (canonical(key), b":")
        value = fields[key]
        if isinstance(value, _Raw):
            chunks += value.chunks
        else:
            chunks.append(canonical(value))
    chunks.append(b"}")
    return _Raw(chunks)


class _Rows:
    """A JSON array of finding rows, written row by row as each is encoded, and the
    array of their digests beside it: no row is held on its own."""

    def __init__(self, digests: bool) -> None:
        self.rows = io.BytesIO(b"[")
        self.rows.seek(1)
        self.digests = io.BytesIO(b"[") if digests else None
        if self.digests is not None:
            self.digests.seek(1)
        self.count = 0

    def add(self, row: list[Any]) -> None:
        data = encode_row(row)
        if self.count:
            self.rows.write(b",")
        self.rows.write(data)
        if self.digests is not None:
            self.digests.write(b',"' if self.count else b'"')
            self.digests.write(hashlib.sha256(data).hexdigest().encode("ascii"))
            self.digests.write(b'"')
        self.count += 1

    def array(self) -> _Raw:
        self.rows.write(b"]")
        return _Raw([self.rows.getbuffer()])

    def digest_array(self) -> bytes:
        assert self.digests is not None, "rows written without digests"
        self.digests.write(b"]")
        return self.digests.getvalue()


class _Tables:
    """The checks and CIs of a report, each stated once, by first appearance."""

    def __init__(self) -> None:
        self.checks: list[dict[str, Any]] = []
        self.cis: list[list[str]] = []
        self._check_at: dict[tuple[Any, ...], int] = {}
        self._ci_at: dict[tuple[str, str], int] = {}
        # A rule's findings share its title, references and expected objects: look those
        # up by identity first (the objects are kept alive here, so ids stay theirs), and
        # compare by value only on a miss. The tables depend on values alone.
        self._by_identity: dict[tuple[Any, ...], int] = {}
        self._alive: list[Any] = []

    def row(self, f: Finding) -> list[Any]:
        # Verdict and Trend are str enums: JSON writes them as their values.
        return [self._check(f), self._ci(f), f.verdict, f.actual, f.message, f.waiver,
                f.trend]

    def _check(self, f: Finding) -> int:
        fast = (f.baseline, f.baseline_version, f.check, f.severity, id(f.title),
                id(f.references), id(f.expected))
        at = self._by_identity.get(fast)
        if at is None:
            at = self._by_identity[fast] = self._check_by_value(f)
            self._alive.append((f.title, f.references, f.expected))
        return at

    def _check_by_value(self, f: Finding) -> int:
        key = (f.baseline, f.baseline_version, f.check, f.title, f.severity,
               f.references, _expected_key(f.expected))
        at = self._check_at.get(key)
        if at is None:
            at = self._check_at[key] = len(self.checks)
            self.checks.append({
                "baseline": f.baseline, "baseline_version": f.baseline_version,
                "check": f.check, "title": f.title, "severity": f.severity.value,
                "references": [[r.standard, r.control] for r in f.references],
                "expected": f.expected})
        return at

    def _ci(self, f: Finding) -> int:
        key = (f.ci, f.ci_name)
        at = self._ci_at.get(key)
        if at is None:
            at = self._ci_at[key] = len(self.cis)
            self.cis.append([f.ci, f.ci_name])
        return at


def _expected_key(expected: Any) -> Any:
    """A hashable stand-in for an expected value: equal exactly when the JSON is."""
    if expected is None or isinstance(expected, str | int | float | bool):
        return (type(expected).__name__, expected)
    return canonical(expected)


def encode(report: AuditReport, header: Header) -> bytes:
    """The format 2 body of `report`, in canonical form."""
    tables = _Tables()
    findings, resolved = _Rows(digests=True), _Rows(digests=False)
    for f in report.findings:
        findings.add(tables.row(f))
    for f in report.resolved:
        resolved.add(tables.row(f))
    digest_list = findings.digest_array()  # canonical JSON of the list of hex digests
    report_part = _object({
        "run": report.run, "started_at": report.started_at,
        "finished_at": report.finished_at, "inputs": [i.__dict__ for i in report.inputs],
        "coverage": [c.__dict__ for c in report.coverage], "meta": dict(report.meta),
        "summary": report.counts(), "checks": tables.checks, "cis": tables.cis,
        "finding_fields": list(FINDING_FIELDS), "findings": findings.array(),
        "resolved": resolved.array()})
    body = _object({
        "format": FORMAT, "run": header.run, "created_at": header.created_at,
        "tool_version": header.tool_version, "previous_run": header.previous_run,
        "previous_sha256": header.previous_sha256, "finding_sha256": _Raw([digest_list]),
        "findings_sha256": sha256_hex(digest_list), "report": report_part})
    return b"".join(body.chunks)


# ---- reading (formats 1 and 2) -----------------------------------------------------------

_HEADER_TYPES: dict[str, Any] = {"run": int, "previous_sha256": (str, type(None)),
                                 "finding_sha256": list, "findings_sha256": str,
                                 "report": dict}


def decode(body: bytes) -> tuple[dict[str, Any], AuditReport]:
    """Parse and check a body once: its JSON, and the report in it."""
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestFormatError(f"manifest is not valid UTF-8 JSON ({exc})") from exc
    fmt = parsed.get("format") if isinstance(parsed, dict) else None
    if fmt not in (FORMAT, FORMAT_V1):
        raise ManifestFormatError(f"manifest is not of format {FORMAT} or {FORMAT_V1}")
    # Re-serializing must give the same bytes: rules out duplicate keys and padding that
    # would let two different readings share one hash.
    if canonical(parsed) != body:
        raise ManifestFormatError("manifest body is not in canonical JSON form")
    for name, kind in _HEADER_TYPES.items():
        if not isinstance(parsed.get(name), kind):
            raise ManifestFormatError(f"manifest field {name!r} is missing or of the wrong "
                                      "type")
    try:
        report = (_report_v2(parsed["report"]) if fmt == FORMAT
                  else report_from_dict(parsed["report"]))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ManifestFormatError(f"manifest report cannot be read ({exc!r})") from exc
    return parsed, report


def finding_label(parsed: Mapping[str, Any], index: int) -> str:
    """"<check> on <CI uid>" for finding `index` of a body `decode` accepted."""
    report = parsed["report"]
    item = report["findings"][index]
    if parsed["format"] == FORMAT_V1:
        return f"{item.get('check')} on {item.get('ci')}"
    return f"{report['checks'][item[0]]['check']} on {report['cis'][item[1]][0]}"


@dataclass(frozen=True)
class _CheckSpec:
    baseline: str
    baseline_version: int
    check: str
    title: str
    severity: Severity
    references: tuple[Reference, ...]
    expected: Any

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> _CheckSpec:
        return cls(_text(d["baseline"]), int(d["baseline_version"]), _text(d["check"]),
                   _text(d["title"]), Severity(d["severity"]),
                   tuple(Reference(s, c) for s, c in d["references"]), d["expected"])


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _report_v2(d: Mapping[str, Any]) -> AuditReport:
    if tuple(d["finding_fields"]) != FINDING_FIELDS:
        raise ValueError(f"finding_fields {d['finding_fields']!r} are not {FINDING_FIELDS}")
    checks = [_CheckSpec.of(c) for c in d["checks"]]
    cis = [(_text(uid), _text(name)) for uid, name in d["cis"]]
    return AuditReport(
        run=int(d["run"]), started_at=d["started_at"], finished_at=d["finished_at"],
        inputs=tuple(InputRef(**i) for i in d["inputs"]),
        coverage=tuple(CoverageEntry(**c) for c in d["coverage"]),
        findings=_findings(d["findings"], checks, cis),
        resolved=_findings(d["resolved"], checks, cis), meta=dict(d["meta"]))


def _findings(rows: Iterable[Sequence[Any]], checks: Sequence[_CheckSpec],
              cis: Sequence[tuple[str, str]]) -> tuple[Finding, ...]:
    found = []
    for row in rows:
        check_at, ci_at, verdict, actual, message, waiver, trend = row
        if not isinstance(check_at, int) or not isinstance(ci_at, int) \
                or check_at < 0 or ci_at < 0:
            raise ValueError(f"finding row {row!r}: check and ci must be positions")
        c, (uid, name) = checks[check_at], cis[ci_at]
        found.append(Finding(
            c.baseline, c.baseline_version, c.check, uid, name, Verdict(verdict),
            c.severity, c.title, c.expected, actual, _text(message), c.references,
            None if waiver is None else _text(waiver),
            None if trend is None else Trend(trend)))
    return tuple(found)
