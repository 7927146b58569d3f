"""Audit report renderers: each format checked by parsing it back as its consumers would,
and the HTML report opened in a real headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

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
from audit.render import CSV_FIELDS, ReportFormat, render

V, S, T = Verdict, Severity, Trend
LINUX, ATM, CORE = "linux-servers", "atm-fleet", "network-core"
VERSIONS = {LINUX: 3, ATM: 7, CORE: 2}
XSS = "<script>alert(1)</script>"
CIS, PCI = Reference("CIS", "5.2.10"), Reference("PCI DSS", "6.3.3")


def finding(baseline: str, check: str, ci: str, verdict: Verdict, severity: Severity,
            **extra: Any) -> Finding:
    values: dict[str, Any] = {"title": f"{check} is as approved", "ci_name": ci.upper()}
    values.update(extra)
    return Finding(baseline=baseline, baseline_version=VERSIONS[baseline], check=check,
                   ci=f"uid-{ci}", verdict=verdict, severity=severity, **values)


FINDINGS = (
    finding(LINUX, "ssh.permit_root_login", "web01", V.DRIFT, S.HIGH, expected="no",
            actual="yes", references=(CIS,), trend=T.NEW, message="sshd_config says yes"),
    finding(LINUX, "ssh.permit_root_login", "db01", V.COMPLIANT, S.HIGH, expected="no",
            actual="no", references=(CIS,), trend=T.UNCHANGED),
    finding(LINUX, "pkg.openssl.version", "web01", V.DRIFT, S.CRITICAL, expected=">=3.0.13",
            actual="3.0.2", references=(PCI, CIS), trend=T.PERSISTING),
    finding(LINUX, "ntp.servers", "db01", V.COMPLIANT, S.LOW, expected=["ntp1", "ntp2"],
            actual=["ntp1", "ntp2"]),
    finding(LINUX, "auditd.enabled", "db01", V.WAIVED, S.MEDIUM, expected=True, actual=False,
            waiver="W-2024-017", message="legacy host, replaced in Q3", trend=T.UNCHANGED),
    finding(LINUX, "sysctl.ip_forward", "web01", V.NOT_APPLICABLE, S.INFO,
            message="not a router"),
    finding(LINUX, "motd.banner", "web01", V.DRIFT, S.LOW, expected="Authorized use only",
            actual="bad\x1b[31m [bold]x[/bold]\x07\x00", trend=T.NEW),
    finding(ATM, "atm.software.version", "atm-0042", V.DRIFT, S.HIGH, expected="4.2.1",
            actual=XSS, trend=T.NEW, message="=SUM(1+1)*cmd|' /C calc'!A0"),
    finding(ATM, "atm.software.version", "atm-0043", V.ERROR, S.HIGH, expected="4.2.1",
            message="not reached: not seen since run 40", trend=T.PERSISTING),
    finding(ATM, "atm.usb.storage", "atm-0042", V.COMPLIANT, S.CRITICAL, expected="disabled",
            actual="disabled"),
    finding(ATM, "atm.cash.low_threshold", "atm-0042", V.DRIFT, S.LOW, expected=0, actual=-1,
            ci_name="@ATM-0042", trend=T.PERSISTING),
    finding(CORE, "ntp.servers", "core-sw1", V.DRIFT, S.MEDIUM,
            expected=[f"10.0.0.{i}" for i in range(1, 30)], actual=["192.0.2.1"],
            trend=T.PERSISTING),
    finding(CORE, "snmp.community", "core-sw1", V.WAIVED, S.HIGH, expected="absent",
            actual="present", waiver="W-2024-021", trend=T.UNCHANGED),
    finding(CORE, "logging.host", "core-sw1", V.ERROR, S.MEDIUM,
            message="command failed: show logging"),
    finding(CORE, "ios.version", "lab-sw9", V.COMPLIANT, S.MEDIUM, expected="17.9",
            actual="17.9"),
)
VERDICTS = {"compliant": 4, "drift": 6, "not-applicable": 1, "error": 2, "waived": 2}
# baseline -> (tests, failures, errors, skipped)
JUNIT = {ATM: (4, 2, 1, 0), LINUX: (7, 3, 0, 2), CORE: (4, 1, 1, 1)}
CI_INFO = {"uid-web01": {"site": "paris-dc1", "role": "web"},
           "uid-db01": {"site": "paris-dc1", "role": "db"},
           "uid-atm-0042": {"site": "lyon-branch-12", "role": "atm"},
           "uid-atm-0043": {"site": "lyon-branch-12", "role": "atm"},
           "uid-core-sw1": {"site": "paris-dc1", "role": None}}  # uid-lab-sw9: absent


def make_report(meta: dict[str, Any] | None = None) -> AuditReport:
    reached = ("web01", "db01", "atm-0042", "core-sw1", "lab-sw9")
    coverage = tuple(CoverageEntry(f"uid-{n}", n.upper(), True, last_run=41) for n in reached)
    return AuditReport(
        run=12, started_at="2024-05-02T10:00:00Z", finished_at="2024-05-02T10:04:31Z",
        inputs=(InputRef("baseline", LINUX, "3", "ab" * 32),
                InputRef("baseline", ATM, "7", "cd" * 32),
                InputRef("baseline", CORE, "2", "ef" * 32),
                InputRef("waiver", "W-2024-017", "1", "01" * 32),
                InputRef("discovery-run", "discovery", "41")),
        coverage=(*coverage, CoverageEntry("uid-atm-0043", "ATM-0043", False,
                                           "timed out\x1b[2J, not seen since run 40", 40)),
        findings=FINDINGS,
        resolved=(finding(LINUX, "ssh.protocol", "old01", V.COMPLIANT, S.HIGH,
                          trend=T.RESOLVED),),
        meta={"ci_info": CI_INFO, "scope": "all"} if meta is None else meta,
    )


@pytest.fixture
def report() -> AuditReport:
    return make_report()


def test_fixture_counts_match_the_expectations(report: AuditReport) -> None:
    assert report.counts() == VERDICTS


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_every_format_is_deterministic(report: AuditReport, fmt: ReportFormat) -> None:
    first = render(report, fmt)
    assert first and first == render(make_report(), fmt)


# ---- json -------------------------------------------------------------------------------

def test_json_round_trips(report: AuditReport) -> None:
    text = render(report, ReportFormat.JSON)
    assert report_from_dict(json.loads(text)) == report
    assert json.loads(text)["summary"] == VERDICTS
    assert text.startswith('{\n  "coverage"')  # indented, sorted keys


# ---- table ------------------------------------------------------------------------------

def test_table_has_summary_findings_and_coverage(report: AuditReport) -> None:
    text = render(report, ReportFormat.TABLE)
    for part in ("Audit run 12", "15 findings on 6 CIs", "compliant 4", "drift 6",
                 "not-applicable 1", "error 2", "waived 2", "critical 1, high 3, medium 2, "
                 "low 2, info 0", "Coverage: 5 of 6 CIs reached", "Resolved since the "
                 "previous run: 1", "11 not compliant (4 compliant not listed)",
                 "W-2024-021", "Not reached: 1 of 6 CIs", "not seen since run 40"):
        assert part in text, part
    assert "\x1b" not in text and "\x07" not in text  # no colour codes, no device controls
    assert "timed out\\x1b[2J" in text  # shown escaped instead
    # Critical first, then by CI within a severity.
    assert text.index("pkg.openssl.version") < text.index("atm.software.version")
    order = ("ATM-0042", "ATM-0043", "snmp.community", "ssh.permit_root_login",
             "logging.host", "sysctl.ip_forward")
    assert [text.index(part) for part in order] == sorted(text.index(p) for p in order)
    assert "ios.version" not in text  # compliant: counted, not listed


def test_table_does_not_interpret_rich_markup_from_devices() -> None:
    report = make_report()
    weird = Finding(LINUX, 3, "x", "uid-z", "[bold]z[/bold]", V.DRIFT, S.HIGH, "t")
    text = render(AuditReport(1, "a", "b", findings=(weird,), meta=report.meta),
                  ReportFormat.TABLE)
    assert "[bold]z[/bold]" in text


# ---- csv --------------------------------------------------------------------------------

def csv_rows(report: AuditReport) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render(report, ReportFormat.CSV), newline="")))


def test_csv_one_row_per_finding_with_all_fields(report: AuditReport) -> None:
    rows = csv_rows(report)
    assert len(rows) == len(FINDINGS) and tuple(rows[0]) == CSV_FIELDS
    openssl = next(r for r in rows if r["check"] == "pkg.openssl.version")
    assert openssl["references"] == "PCI DSS:6.3.3;CIS:5.2.10"
    assert (openssl["severity"], openssl["verdict"], openssl["trend"]) == (
        "critical", "drift", "persisting")
    ntp = next(r for r in rows if r["check"] == "ntp.servers" and r["baseline"] == LINUX)
    assert json.loads(ntp["expected"]) == ["ntp1", "ntp2"]
    waived = next(r for r in rows if r["verdict"] == "waived" and r["ci"] == "uid-db01")
    assert waived["waiver"] == "W-2024-017" and waived["baseline_version"] == "3"
    atm = next(r for r in rows if r["check"] == "atm.software.version" and r["actual"])
    assert json.loads(atm["actual"]) == XSS  # CSV carries values verbatim, as JSON text


def test_csv_neutralises_formula_injection(report: AuditReport) -> None:
    rows = csv_rows(report)
    cells = [cell for row in rows for cell in row.values()]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=SUM(1+1)*cmd|' /C calc'!A0" in cells
    low = next(r for r in rows if r["check"] == "atm.cash.low_threshold")
    assert (low["ci_name"], low["actual"]) == ("'@ATM-0042", "'-1")


# ---- junit ------------------------------------------------------------------------------

def test_junit_counts_per_suite(report: AuditReport) -> None:
    root = ET.fromstring(render(report, ReportFormat.JUNIT))  # control chars escaped
    assert root.tag == "testsuites" and root.get("tests") == "15"
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == ("6", "2", "3")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == sorted(JUNIT)
    for name, (tests, failures, errors, skipped) in JUNIT.items():
        suite = suites[name]
        found = (len(suite.findall("testcase")), len(suite.findall("testcase/failure")),
                 len(suite.findall("testcase/error")), len(suite.findall("testcase/skipped")))
        assert found == (tests, failures, errors, skipped), name
        attrs = tuple(int(suite.get(a, "-1")) for a in ("tests", "failures", "errors",
                                                         "skipped"))
        assert attrs == found, name
        assert {c.get("classname") for c in suite.iter("testcase")} == {name}


def test_junit_case_contents(report: AuditReport) -> None:
    root = ET.fromstring(render(report, ReportFormat.JUNIT))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    failure = cases["atm.software.version @ ATM-0042"].find("failure")
    assert failure is not None and failure.text is not None
    assert f"actual: {json.dumps(XSS)}" in failure.text and 'expected: "4.2.1"' in failure.text
    error = cases["logging.host @ CORE-SW1"].find("error")
    assert error is not None and "show logging" in error.get("message", "")
    waived = cases["auditd.enabled @ DB01"].find("skipped")
    assert waived is not None and "W-2024-017" in waived.get("message", "")
    motd = cases["motd.banner @ WEB01"].find("failure")
    assert motd is not None and "\\u001b" in (motd.text or "")
    assert len(cases["ios.version @ LAB-SW9"]) == 0  # compliant: a bare testcase


# ---- sarif ------------------------------------------------------------------------------

def test_sarif_structure_levels_and_suppressions(report: AuditReport) -> None:
    doc = json.loads(render(report, ReportFormat.SARIF))
    assert doc["version"] == "2.1.0" and "sarif-2.1.0" in doc["$schema"]
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "cmdb-auditor"
    assert [r["id"] for r in driver["rules"]] == sorted({f.check for f in FINDINGS})
    openssl = next(r for r in driver["rules"] if r["id"] == "pkg.openssl.version")
    assert openssl["shortDescription"]["text"] == "pkg.openssl.version is as approved"
    assert openssl["properties"]["references"] == ["PCI DSS:6.3.3", "CIS:5.2.10"]
    ntp = next(r for r in driver["rules"] if r["id"] == "ntp.servers")
    assert ntp["properties"] == {"severity": "medium", "baselines": [LINUX, CORE],
                                 "references": []}
    results = run["results"]
    assert len(results) == 6 + 2 + 2  # drift + error + waived; compliant/n-a are not results
    levels = Counter((r["properties"]["severity"], r["level"]) for r in results)
    assert set(levels) == {("critical", "error"), ("high", "error"), ("medium", "warning"),
                           ("low", "note")}
    for result in results:
        rule = driver["rules"][result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        (loc,) = result["locations"][0]["logicalLocations"]
        assert loc["kind"] == "resource" and loc["fullyQualifiedName"].startswith("uid-")
    waived = {r["locations"][0]["logicalLocations"][0]["name"]: r["suppressions"]
              for r in results if "suppressions" in r}
    assert waived == {"DB01": [{"kind": "external", "status": "accepted",
                                "justification": "W-2024-017"}],
                      "CORE-SW1": [{"kind": "external", "status": "accepted",
                                    "justification": "W-2024-021"}]}


# ---- html -------------------------------------------------------------------------------

class Tags(HTMLParser):
    """Every start tag with its attributes, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(page)
    return parser.tags


def test_html_escapes_device_values_and_loads_nothing(report: AuditReport) -> None:
    page = render(report, ReportFormat.HTML)
    assert XSS not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    tags = parse(page)
    assert [t for t, _ in tags].count("script") == 1  # only ours
    assert not [a for _, attrs in tags for name, a in attrs.items()
                if name in ("src", "href", "action", "srcset", "xlink:href")]
    assert "http://" not in page.replace('http-equiv="', "") and "https://" not in page
    csp = next(a["content"] for t, a in tags if a.get("http-equiv") ==
               "Content-Security-Policy")
    assert csp is not None and "default-src 'none'" in csp and "unsafe-inline" not in csp


def test_html_sections(report: AuditReport) -> None:
    page = render(report, ReportFormat.HTML)
    rows = [a for t, a in parse(page) if t == "tr" and "data-verdict" in a]
    assert Counter(a["data-verdict"] for a in rows) == VERDICTS
    for part in ("run 12", "2024-05-02T10:04:31Z", "ab" * 32, "W-2024-017",
                 "By baseline", "By site", "By role", "paris-dc1", "lyon-branch-12",
                 ">atm<", "unknown", "ATM-0043", "not seen since run 40", "5 of 6 CIs",
                 "Resolved since the previous run", "ssh.protocol", "@media print"):
        assert part in page, part
    assert page.count("<svg") == 3
    # atm-fleet: 1 compliant among 4 assessed (2 drift + 1 error).
    assert "25% (1/4)" in page


def test_html_without_ci_info_or_findings() -> None:
    page = render(make_report(meta={}), ReportFormat.HTML)
    # One bar in the site chart, one in the role chart; baselines are always known.
    assert page.count("<title>unknown</title>") == 2
    empty = render(AuditReport(1, "a", "b"), ReportFormat.HTML)
    assert "0 findings" in empty and "no findings" in empty


# ---- headless Chromium ------------------------------------------------------------------

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage")


def require_chromium() -> str:
    """Skip (locally) or fail (in CI) when Chromium is not installed."""
    found = shutil.which("chromium")
    if found:
        return found
    msg = "Chromium not installed (chromium not on PATH)"
    if os.environ.get("CI"):
        pytest.fail(f"{msg}; CI must provide it (scripts/bootstrap installs it as root)")
    pytest.skip(f"{msg}; install it with: apt-get install chromium")


def chromium(binary: str, tmp_path: Path, *args: str) -> str:
    done = subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                           *args], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_html_in_headless_chromium(report: AuditReport, tmp_path: Path) -> None:
    binary = require_chromium()
    page = tmp_path / "report.html"
    page.write_text(render(report, ReportFormat.HTML), encoding="utf-8")
    png = tmp_path / "report.png"
    chromium(binary, tmp_path, f"--screenshot={png}", "--window-size=1280,2000",
             page.as_uri())
    print(f"HTML report screenshot: {png}")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (1280, 2000)
    assert len(data) > 50_000  # a blank page compresses to a few kB

    dom = chromium(binary, tmp_path, "--dump-dom", page.as_uri())
    assert re.search(r'<body[^>]*data-ready="1"', dom), "the report's script did not run"
    assert 'data-visible="15"' in dom and "15 of 15 findings shown" in dom
    assert '<div id="filters" class="filters">' in dom  # shown once the script runs


def test_html_filters_preset_from_the_url(report: AuditReport, tmp_path: Path) -> None:
    binary = require_chromium()
    page = tmp_path / "report.html"
    page.write_text(render(report, ReportFormat.HTML), encoding="utf-8")
    dom = chromium(binary, tmp_path, "--dump-dom",
                   page.as_uri() + "?verdict=drift&severity=high")
    wanted = sum(1 for f in FINDINGS if f.verdict is V.DRIFT and f.severity.at_least(S.HIGH))
    assert wanted == 3 and f"{wanted} of 15 findings shown" in dom
    assert len(re.findall(r"<tr [^>]*data-verdict[^>]*hidden", dom)) == 15 - wanted
    dom = chromium(binary, tmp_path, "--dump-dom", page.as_uri() + "?q=openssl")
    assert "1 of 15 findings shown" in dom
