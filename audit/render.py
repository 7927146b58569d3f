"""Audit report renderers: one `AuditReport`, six formats for people and for CI tools.

Finding values come from devices and land in terminals, spreadsheets, XML and HTML, so
each format neutralises them its own way: control characters are shown escaped in the
terminal table, CSV cells that a spreadsheet would run as a formula are prefixed with
`'`, characters XML 1.0 cannot carry are escaped in JUnit, and the HTML escapes everything
(see `audit.html_report`).
"""

from __future__ import annotations

import csv
import enum
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from audit.html_report import ordered, render_html, value_text
from audit.model import AuditReport, Finding, Severity, Trend, Verdict, report_to_dict


class ReportFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    JUNIT = "junit"
    SARIF = "sarif"
    HTML = "html"


def render(report: AuditReport, fmt: ReportFormat) -> str:
    renderers: dict[ReportFormat, Callable[[AuditReport], str]] = {
        ReportFormat.TABLE: render_table, ReportFormat.JSON: render_json,
        ReportFormat.CSV: render_csv, ReportFormat.JUNIT: render_junit,
        ReportFormat.SARIF: render_sarif, ReportFormat.HTML: render_html,
    }
    return renderers[fmt](report)


def render_json(report: AuditReport) -> str:
    # Sorted keys: the same report always gives the same bytes (diffs, hashes).
    return json.dumps(report_to_dict(report), indent=2, sort_keys=True,
                      ensure_ascii=False) + "\n"


# ---- terminal table ---------------------------------------------------------------------

def _printable(text: str) -> str:
    """Control characters from a device must not drive the terminal: show them escaped."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode()
                   for c in text)


def _cut(text: str, width: int) -> str:
    text = _printable(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def summary_lines(report: AuditReport) -> list[str]:
    failing = Counter(f.severity for f in report.findings if f.failing)
    cis = len({f.ci for f in report.findings})
    reached = sum(1 for c in report.coverage if c.reached)
    return [
        f"Audit run {report.run}: {report.started_at} → {report.finished_at}, "
        f"{len(report.findings)} findings on {cis} CIs",
        "Verdicts: " + ", ".join(f"{v} {n}" for v, n in report.counts().items()),
        "Failing by severity: " + ", ".join(f"{s.value} {failing.get(s, 0)}"
                                            for s in reversed(Severity)),
        f"Coverage: {reached} of {len(report.coverage)} CIs reached",
        f"Resolved since the previous run: {len(report.resolved)}",
    ]


def render_table(report: AuditReport) -> str:
    buffer = io.StringIO()
    # A file that is not a terminal and no colour system: plain text, no escape codes.
    console = Console(file=buffer, width=120, color_system=None, force_terminal=False,
                      highlight=False, emoji=False)
    for line in summary_lines(report):
        console.print(Text(line))
    console.print()
    _findings_table(console, report)
    console.print()
    _coverage_table(console, report)
    # rich pads titles to the full width; trailing blanks only get in the way of pipes.
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def _findings_table(console: Console, report: AuditReport) -> None:
    # Compliant findings can number thousands; the terminal lists what needs attention.
    shown = [f for f in ordered(report.findings) if f.verdict is not Verdict.COMPLIANT]
    hidden = len(report.findings) - len(shown)
    if not shown:
        console.print(Text(f"No findings other than compliant ({hidden})."))
        return
    table = Table(title=f"Findings: {len(shown)} not compliant ({hidden} compliant not "
                  "listed)", title_justify="left")
    for column in ("CI", "check", "severity", "verdict", "trend", "expected", "actual"):
        # Short vocabulary columns never wrap; names and values fold to fit 120 columns.
        table.add_column(column, overflow="fold", no_wrap=column in ("severity", "trend"),
                         max_width=18 if column in ("expected", "actual") else None)
    for f in shown:
        verdict = Text("\n").join(Text(_cut(v, 30)) for v in (f.verdict, f.waiver) if v)
        table.add_row(Text(_cut(f.ci_name, 30)), Text(_cut(f.check, 40)), Text(f.severity),
                      verdict, Text(f.trend or ""), Text(_cut(value_text(f.expected), 30)),
                      Text(_cut(value_text(f.actual), 30)))
    console.print(table)


def _coverage_table(console: Console, report: AuditReport) -> None:
    missed = sorted((c for c in report.coverage if not c.reached), key=lambda c: c.ci_name)
    if not missed:
        console.print(Text(f"All {len(report.coverage)} CIs in scope were reached."))
        return
    table = Table(title=f"Not reached: {len(missed)} of {len(report.coverage)} CIs",
                  title_justify="left")
    for column in ("CI", "uid", "reason", "last seen in run"):
        table.add_column(column, overflow="fold")
    for c in missed:
        table.add_row(*(Text(_cut(str(v), 60)) for v in (
            c.ci_name, c.ci, c.reason or "", "" if c.last_run is None else c.last_run)))
    console.print(table)


# ---- CSV --------------------------------------------------------------------------------

CSV_FIELDS = ("baseline", "baseline_version", "check", "ci", "ci_name", "verdict",
              "severity", "trend", "title", "expected", "actual", "message", "references",
              "waiver")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets may run as a formula


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(report: AuditReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_FIELDS)
    for f in ordered(report.findings):
        row = (f.baseline, f.baseline_version, f.check, f.ci, f.ci_name, f.verdict,
               f.severity, f.trend, f.title, value_text(f.expected), value_text(f.actual),
               f.message, ";".join(f"{r.standard}:{r.control}" for r in f.references),
               f.waiver)
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue()


# ---- JUnit XML --------------------------------------------------------------------------

# Characters XML 1.0 cannot carry at all; ElementTree would write them and break parsers.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(text: object) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def _testcase(suite: ET.Element, f: Finding) -> str | None:
    """Add one testcase; return its outcome tag (failure/error/skipped) or None."""
    case = ET.SubElement(suite, "testcase", classname=_x(f.baseline),
                         name=_x(f"{f.check} @ {f.ci_name}"), time="0")
    detail = (f"{f.title}\nCI: {f.ci_name} ({f.ci})\nexpected: {value_text(f.expected)}\n"
              f"actual: {value_text(f.actual)}\n{f.message}")
    outcome: tuple[str, str] | None = {
        Verdict.DRIFT: ("failure", f.message or f.title),
        Verdict.ERROR: ("error", f"could not check: {f.message or f.title}"),
        Verdict.NOT_APPLICABLE: ("skipped", f"not applicable: {f.message}"),
        Verdict.WAIVED: ("skipped", f"waived by {f.waiver}: {f.message}"),
    }.get(f.verdict)
    if outcome is None:
        return None
    tag, message = outcome
    element = ET.SubElement(case, tag, message=_x(message))
    if tag != "skipped":
        element.set("type", f"{f.verdict}/{f.severity}")
        element.text = _x(detail)
    return tag


def render_junit(report: AuditReport) -> str:
    root = ET.Element("testsuites", name=f"cmdb-auditor run {report.run}")
    totals: Counter[str] = Counter()
    by_baseline: dict[str, list[Finding]] = {}
    for f in ordered(report.findings):
        by_baseline.setdefault(f.baseline, []).append(f)
    for baseline in sorted(by_baseline):
        findings = by_baseline[baseline]
        suite = ET.SubElement(root, "testsuite", name=_x(baseline),
                              timestamp=_x(report.started_at), time="0")
        counts = Counter(_testcase(suite, f) for f in findings)
        tallies = {"tests": len(findings), "failures": counts["failure"],
                   "errors": counts["error"], "skipped": counts["skipped"]}
        for name, n in tallies.items():
            suite.set(name, str(n))
        totals.update(tallies)
    for name in ("tests", "failures", "errors", "skipped"):
        root.set(name, str(totals[name]))
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n")


# ---- SARIF 2.1.0 ------------------------------------------------------------------------

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error",
               Severity.MEDIUM: "warning", Severity.LOW: "note", Severity.INFO: "note"}
# Trend against the previous run, in SARIF's words; RESOLVED findings are not results.
SARIF_BASELINE_STATE = {Trend.NEW: "new", Trend.PERSISTING: "unchanged",
                        Trend.UNCHANGED: "unchanged"}


def _sarif_rules(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """One rule per distinct check, described by its most severe finding."""
    first: dict[str, Finding] = {}
    baselines: dict[str, set[str]] = {}  # a snapshot path can be a check in several
    for f in ordered(findings):
        first.setdefault(f.check, f)
        baselines.setdefault(f.check, set()).add(f.baseline)
    return [{"id": check, "shortDescription": {"text": f.title},
             "defaultConfiguration": {"level": SARIF_LEVEL[f.severity]},
             "properties": {"severity": f.severity.value,
                            "baselines": sorted(baselines[check]),
                            "references": [f"{r.standard}:{r.control}"
                                           for r in f.references]}}
            for check, f in sorted(first.items())]


def _sarif_result(f: Finding, rule_index: int) -> dict[str, Any]:
    what = "could not check" if f.verdict is Verdict.ERROR else f.verdict.value
    result: dict[str, Any] = {
        "ruleId": f.check, "ruleIndex": rule_index, "kind": "fail",
        "level": SARIF_LEVEL[f.severity],
        "message": {"text": f"{f.title} on {f.ci_name}: {what}. {f.message}".strip()},
        "locations": [{"logicalLocations": [
            {"name": f.ci_name, "fullyQualifiedName": f.ci, "kind": "resource"}]}],
        # Stable across runs (baseline, check, CI), so consumers can track the finding.
        "partialFingerprints": {
            "findingKey/v1": hashlib.sha256("\0".join(f.key).encode()).hexdigest()},
        "properties": {"baseline": f.baseline, "baselineVersion": f.baseline_version,
                       "verdict": f.verdict.value, "severity": f.severity.value,
                       "expected": f.expected, "actual": f.actual},
    }
    state = SARIF_BASELINE_STATE.get(f.trend) if f.trend else None
    if state:
        result["baselineState"] = state
    if f.verdict is Verdict.WAIVED:
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": f.waiver or f.message}]
    return result


def render_sarif(report: AuditReport) -> str:
    rules = _sarif_rules(report.findings)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = [_sarif_result(f, index[f.check]) for f in ordered(report.findings)
               if f.failing or f.verdict is Verdict.WAIVED]
    run = {
        "tool": {"driver": {"name": "cmdb-auditor", "rules": rules}},
        "automationDetails": {"id": f"cmdb-auditor/run-{report.run}"},
        "invocations": [{"executionSuccessful": True, "startTimeUtc": report.started_at,
                         "endTimeUtc": report.finished_at}],
        "results": results,
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]},
                      indent=2, ensure_ascii=False) + "\n"
