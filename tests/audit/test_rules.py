"""The policy-rule engine: every operator passing and failing, fan-out, when_missing,
version bounds per scheme, selectors, and load errors naming file, rule and field."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from audit.model import Reference, Severity, Verdict
from audit.rules import Evaluation, Rule, RulePackError, evaluate, load_pack, load_packs

C, D, NA, E = Verdict.COMPLIANT, Verdict.DRIFT, Verdict.NOT_APPLICABLE, Verdict.ERROR
SSHD = ["config_files", "/etc/ssh/sshd_config", "settings"]

# The CI document the drift engine builds for a Device (see the task / drift engine)
DOC: dict[str, Any] = {
    "uid": "d-0123456789abcdef", "label": "Device", "status": "present", "last_run": 12,
    "hostname": "web1", "role": "server", "platform": "linux", "serial": "VMW-4211",
    "fqdn": "web1.dc1.example.com", "vendor": "VMware, Inc.", "model": "VMware7,1",
    "site": "dc1", "tags": ["pci", "prod"],
    "os": {"family": "linux", "distro_id": "debian", "version": "12",
           "kernel_release": "6.1.0-18-amd64"},
    "interfaces": {"eth0": {"mac": "52:54:00:12:34:56", "mtu": 1500, "ips": ["10.0.0.5"]},
                   "eth1": {"mac": "52:54:00:12:34:57", "mtu": 9000, "ips": []}},
    "packages": {
        "openssh-server": {"version": "1:9.2p1-2+deb12u2", "arch": "amd64", "manager": "dpkg"},
        "bash": {"version": "5.2.15-2+b8", "arch": "amd64", "manager": "dpkg"}},
    "services": {"ssh.service": {"active_state": "active", "sub_state": "running",
                                 "enabled": "enabled"}},
    "listening_ports": [
        {"protocol": "tcp", "address": "0.0.0.0", "port": 22, "process": "sshd"},
        {"protocol": "udp", "address": "127.0.0.1", "port": 323, "process": "chronyd"}],
    "config_files": {
        "/etc/ssh/sshd_config": {"sha256": "ab" * 32, "size": 3223, "format": "sshd",
                                 "settings": {"permitrootlogin": "no",
                                              "passwordauthentication": "no",
                                              "maxauthtries": "4", "x11forwarding": "yes"}},
        "/etc/chrony/chrony.conf": {"sha256": "cd" * 32, "size": 120, "format": "chrony",
                                    "settings": {"server.1": "ntp1.example.com iburst"}}},
}
RHEL = {"uid": "d-2", "label": "Device", "platform": "linux", "os": {"distro_id": "rhel"},
        "packages": {"openssh-server": {"version": "8.7p1-34.el9_3.3", "manager": "rpm"}}}
ROUTER = {"uid": "d-3", "label": "Device", "platform": "cisco_ios", "hostname": "RTR-DC1-01",
          "os": {"version": "15.2(4)M7"}}

HEADER = 'pack: linux-hardening\nversion: "1.0.0"\nrules:\n'
BASE_RULE = {"id": "R-1", "title": "a rule", "path": "[hostname]", "equals": "web1",
             "severity": "high"}


def rule_yaml(**fields: str | None) -> str:
    """One rule as block YAML; values are raw YAML text, None drops the key."""
    spec = {**BASE_RULE, **fields}
    return "  - " + "\n    ".join(f"{k}: {v}" for k, v in spec.items() if v is not None) + "\n"


def write_pack(tmp_path: Path, text: str, name: str = "x.yaml") -> Path:
    path = tmp_path / "packs" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def one_rule(tmp_path: Path, spec: dict[str, Any]) -> Rule:
    """A rule from {key: python value}, written as JSON (valid YAML) so types are exact."""
    fields: dict[str, str | None] = {"equals": None}  # the base rule's operator
    fields.update({k: json.dumps(v) for k, v in spec.items()})
    return load_pack(write_pack(tmp_path, HEADER + rule_yaml(**fields))).rules[0]


def check(tmp_path: Path, spec: dict[str, Any], doc: dict[str, Any] = DOC) -> Evaluation:
    result = evaluate(one_rule(tmp_path, spec), doc)
    json.dumps([result.expected, result.actual])  # always JSON-able
    return result


# ---- operators ----------------------------------------------------------------------------

@pytest.mark.parametrize(("spec", "verdict", "actual"), [
    ({"path": [*SSHD, "permitrootlogin"], "equals": "no"}, C, "no"),
    ({"path": [*SSHD, "permitrootlogin"], "equals": "No"}, D, "no"),  # case-sensitive
    ({"path": [*SSHD, "x11forwarding"], "not_equals": "yes"}, D, "yes"),
    ({"path": [*SSHD, "x11forwarding"], "not_equals": "no"}, C, "yes"),
    ({"path": [*SSHD, "maxauthtries"], "equals": 4}, C, "4"),  # number vs stored text
    ({"path": [*SSHD, "maxauthtries"], "equals": 6}, D, "4"),
    ({"path": ["listening_ports", 0, "port"], "equals": "22"}, C, 22),
    ({"path": ["interfaces", "eth0", "mtu"], "equals": 1500.0}, C, 1500),
    ({"path": ["interfaces", "eth0", "mtu"], "equals": 9000}, D, 1500),
    ({"path": ["os", "distro_id"], "in": ["debian", "ubuntu"]}, C, "debian"),
    ({"path": ["os", "distro_id"], "in": ["rhel", "rocky"]}, D, "debian"),
    ({"path": ["listening_ports", 1, "port"], "in": [22, 443]}, D, 323),
    ({"path": ["os", "distro_id"], "not_in": ["centos", "fedora"]}, C, "debian"),
    ({"path": ["os", "distro_id"], "not_in": ["debian"]}, D, "debian"),
    ({"path": ["os", "kernel_release"], "regex": r"6\.1\.0-\d+-amd64"}, C, "6.1.0-18-amd64"),
    ({"path": ["os", "kernel_release"], "regex": r"6\.1"}, D, "6.1.0-18-amd64"),  # fullmatch
    ({"path": ["listening_ports", 0, "port"], "regex": "2[0-9]"}, C, 22),
    ({"path": ["services", "ssh.service"], "present": True}, C,
     DOC["services"]["ssh.service"]),
    ({"path": ["services", "telnet.service"], "present": True}, D, None),
    ({"path": ["packages", "telnetd"], "absent": True}, C, None),
    ({"path": ["packages", "bash"], "absent": True}, D, DOC["packages"]["bash"]),
    ({"path": "tags", "count": {"min": 1, "max": 3}}, C, 2),
    ({"path": "tags", "count": {"equals": 3}}, D, 2),
    ({"path": ["interfaces", "*"], "count": {"max": 1}}, D, 2),
    ({"path": ["interfaces", "*", "ips", "*"], "count": {"equals": 1}}, C, 1),
])
def test_operators(tmp_path: Path, spec: dict[str, Any], verdict: Verdict,
                   actual: object) -> None:
    result = check(tmp_path, spec)
    assert (result.verdict, result.actual) == (verdict, actual), result.message
    assert result.expected == {k: v for k, v in spec.items() if k != "path"}


@pytest.mark.parametrize(("spec", "message"), [
    ({"path": [*SSHD, "permitrootlogin"], "equals": False},
     "cannot compare the string 'no' with the boolean False"),
    ({"path": "tags", "equals": "pci"}, "cannot compare the list"),
    ({"path": "tags", "in": ["pci", True]}, "cannot compare the list"),
    ({"path": "interfaces", "regex": ".*"}, "regex needs a string or number, found the mapping"),
    ({"path": "hostname", "count": {"min": 1}}, "count needs a list or mapping, found str"),
    ({"path": ["packages", "bash", "version"], "version": {"at_least": "5.2", "scheme":
                                                            "rpm"}}, ""),  # valid: see below
])
def test_values_that_cannot_be_compared_are_errors(tmp_path: Path, spec: dict[str, Any],
                                                   message: str) -> None:
    result = check(tmp_path, spec)
    if not message:  # control: the same path with a comparable operator is not an error
        assert result.verdict is C
        return
    assert result.verdict is E
    assert message in result.message


# ---- versions -----------------------------------------------------------------------------

OPENSSH = ["packages", "openssh-server", "version"]


@pytest.mark.parametrize(("doc", "bounds", "verdict"), [
    (DOC, {"at_least": "1:9.2p1-2+deb12u2", "scheme": "dpkg"}, C),
    (DOC, {"at_least": "1:9.2p1-2+deb12u3", "scheme": "dpkg"}, D),  # deb12u3 fixes a CVE
    (DOC, {"at_least": "9.9", "scheme": "dpkg"}, C),  # the epoch 1 beats any upstream
    (DOC, {"below": "1:9.3", "scheme": "dpkg"}, C),
    (DOC, {"at_least": "1:9.2p1~", "below": "1:9.2p1-2", "scheme": "dpkg"}, D),
    (RHEL, {"at_least": "8.7p1-34.el9_3.3", "scheme": "rpm"}, C),
    (RHEL, {"at_least": "8.7p1-38.el9", "scheme": "rpm"}, D),
    (RHEL, {"at_least": "8.7p1", "below": "8.8", "scheme": "rpm"}, C),  # any 8.7p1 release
    (RHEL, {"below": "8.7p1", "scheme": "rpm"}, D),
])
def test_package_version_bounds(tmp_path: Path, doc: dict[str, Any], bounds: dict[str, str],
                                verdict: Verdict) -> None:
    result = check(tmp_path, {"path": OPENSSH, "version": bounds}, doc)
    assert result.verdict is verdict, result.message
    assert result.actual == doc["packages"]["openssh-server"]["version"]


@pytest.mark.parametrize(("bounds", "verdict"), [
    ({"at_least": "15.2(4)M7"}, C), ({"at_least": "15.2(4)M10"}, D),
    ({"at_least": "15.2(4)M", "below": "15.2(5)"}, C), ({"below": "15.2(4)M7"}, D),
    ({"at_least": "15.2(4)M7a"}, D),
])
def test_firmware_version_bounds(tmp_path: Path, bounds: dict[str, str],
                                 verdict: Verdict) -> None:
    spec = {"path": ["os", "version"], "version": {**bounds, "scheme": "generic"}}
    assert check(tmp_path, spec, ROUTER).verdict is verdict


@pytest.mark.parametrize(("doc", "scheme", "bound", "message"), [
    ({**ROUTER, "os": {"version": "N/A"}}, "generic", "15.0", "at least one digit"),
    ({**ROUTER, "os": {"version": "15.2(4.0.55)E"}}, "generic", "15.2(4)M7",
     "cannot be ordered"),
    ({**ROUTER, "os": {"version": 15.2}}, "generic", "15.0", "a version must be a string"),
    (DOC, "dpkg", "1.0", ""),  # control: os.version "12" compares fine
])
def test_versions_that_cannot_be_compared_are_errors(tmp_path: Path, doc: dict[str, Any],
                                                     scheme: str, bound: str,
                                                     message: str) -> None:
    spec = {"path": ["os", "version"], "version": {"at_least": bound, "scheme": scheme}}
    result = check(tmp_path, spec, doc)
    assert result.verdict is (E if message else C), result.message
    assert message in result.message


# ---- fan-out ------------------------------------------------------------------------------

@pytest.mark.parametrize(("spec", "verdict", "actual"), [
    ({"path": ["listening_ports", "*", "port"], "all": {"in": [22, 323]}}, C,
     [{"at": [0], "value": 22}, {"at": [1], "value": 323}]),
    ({"path": ["listening_ports", "*", "port"], "all": {"in": [22]}}, D,
     [{"at": [1], "value": 323}]),
    ({"path": ["listening_ports", "*", "port"], "all": {"not_in": [21, 23]}}, C, None),
    ({"path": ["listening_ports", "*", "address"], "any": {"equals": "0.0.0.0"}}, C,
     [{"at": [0], "value": "0.0.0.0"}]),
    ({"path": ["listening_ports", "*", "port"], "any": {"equals": 23}}, D, None),
    ({"path": ["interfaces", "*", "mtu"], "all": {"equals": 1500}}, D,
     [{"at": ["eth1"], "value": 9000}]),
    ({"path": ["config_files", "*", "settings", "permitrootlogin"],
      "all": {"equals": "no"}}, C, [{"at": ["/etc/ssh/sshd_config"], "value": "no"}]),
    ({"path": ["packages", "*", "version"],
      "all": {"version": {"at_least": "1.0", "scheme": "dpkg"}}}, C, None),
    ({"path": ["interfaces", "*", "ips", "*"], "all": {"regex": r"10\..*"}}, C, None),
])
def test_fan_out(tmp_path: Path, spec: dict[str, Any], verdict: Verdict,
                 actual: object) -> None:
    result = check(tmp_path, spec)
    assert result.verdict is verdict, result.message
    if actual is not None:
        assert result.actual == actual


@pytest.mark.parametrize(("quantifier", "at_least", "verdict"), [
    ("all", "1", E),  # two pass, one unknown: cannot say all pass
    ("any", "1", C),  # one passing is enough
    ("any", "9001", E),  # none passes, one unknown: cannot say none does
    ("all", "9000", D),  # eth0 fails: drift whatever the unknown one is
])
def test_fan_out_is_three_valued(tmp_path: Path, quantifier: str, at_least: str,
                                 verdict: Verdict) -> None:
    doc = copy.deepcopy(DOC)
    doc["interfaces"]["eth2"] = {"mtu": "jumbo"}  # no version: cannot be checked
    spec = {"path": ["interfaces", "*", "mtu"],
            quantifier: {"version": {"at_least": at_least, "scheme": "generic"}}}
    result = check(tmp_path, spec, doc)
    assert result.verdict is verdict, result.message
    assert '1 could not be checked, e.g. at ["eth2"]' in result.message
    if verdict is E:
        assert result.actual == [{"at": ["eth2"], "value": "jumbo"}]


# ---- age -----------------------------------------------------------------------------------

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
AV = ["atm", "antivirus", "definitions_date"]


def atm(date: object) -> dict[str, Any]:
    return {"uid": "d-4", "label": "Device", "role": "atm",
            "atm": {"antivirus": {"product": "AV", "definitions_date": date}}}


@pytest.mark.parametrize(("date", "max_days", "verdict"), [
    ("2026-11-20", 7, C),  # a date counts whole days: 7 days old all through the 27th
    ("2026-11-20", 6, D),
    ("2026-11-19", 7, D),
    ("20261120", 7, C),  # ISO 8601 basic format
    ("2026-11-20T12:00:00Z", 7, C),  # a date-time counts exactly: 7 days to the second
    ("2026-11-20T11:59:59Z", 7, D),
    ("2026-11-20T14:00:00+02:00", 7, C),  # 12:00 UTC
    ("2026-11-20T09:00:00-02:00", 7, D),  # 11:00 UTC: 7 days and an hour
    ("2026-11-20T12:00:00", 7, C),  # no offset: UTC
    ("2026-11-20T11:00:00", 7, D),
    ("2026-12-24", 0, C),  # in the future: a negative age passes
    ("2026-11-27", 0, C),
])
def test_age(tmp_path: Path, date: str, max_days: int, verdict: Verdict) -> None:
    rule = one_rule(tmp_path, {"path": AV, "age": {"max_days": max_days}})
    result = evaluate(rule, atm(date), now=NOW)
    assert (result.verdict, result.actual) == (verdict, date), result.message
    assert result.expected == {"age": {"max_days": max_days}}
    assert result.message.endswith(f"as of {NOW.isoformat()}")


@pytest.mark.parametrize(("value", "message"), [
    ("20/11/2026", "'20/11/2026' is not an ISO 8601 date or date-time"),
    ("2026-11", "is not an ISO 8601 date"),  # a month is not a day
    ("yesterday", "is not an ISO 8601 date"),
    ("", "is not an ISO 8601 date"),
    (20261120, "age needs an ISO 8601 date or date-time string, found the number"),
    (["2026-11-20"], "found the list"),
])
def test_age_of_what_is_not_a_date_is_an_error(tmp_path: Path, value: object,
                                               message: str) -> None:
    rule = one_rule(tmp_path, {"path": AV, "age": {"max_days": 7}})
    result = evaluate(rule, atm(value), now=NOW)
    assert (result.verdict, result.actual) == (E, value)
    assert message in result.message


def test_age_fans_out_three_valued(tmp_path: Path) -> None:
    doc = {"components": {"CDM": {"firmware_date": "2026-11-01"},
                          "PIN": {"firmware_date": "2025-01-01"},
                          "IDC": {"firmware_date": "soon"}}}
    path = ["components", "*", "firmware_date"]
    every = evaluate(one_rule(tmp_path, {"path": path, "all": {"age": {"max_days": 60}}}),
                     doc, now=NOW)
    assert (every.verdict, every.actual) == (D, [{"at": ["PIN"], "value": "2025-01-01"}])
    assert "1 could not be checked" in every.message
    some = evaluate(one_rule(tmp_path, {"path": path, "any": {"age": {"max_days": 60}}}),
                    doc, now=NOW)
    assert (some.verdict, some.actual) == (C, [{"at": ["CDM"], "value": "2026-11-01"}])
    none = evaluate(one_rule(tmp_path, {"path": path, "any": {"age": {"max_days": 1}}}),
                    doc, now=NOW)
    assert none.verdict is E  # none passes, one unknown


def test_age_defaults_to_now_and_refuses_a_naive_now(tmp_path: Path) -> None:
    rule = one_rule(tmp_path, {"path": AV, "age": {"max_days": 1}})
    today = datetime.now(UTC).date().isoformat()
    assert evaluate(rule, atm(today)).verdict is C  # the current signature still works
    assert evaluate(rule, atm("1999-01-01")).verdict is D
    with pytest.raises(ValueError, match="has no time zone"):
        evaluate(rule, atm(today), now=datetime(2026, 11, 27, 12, 0))


def test_other_operators_ignore_now(tmp_path: Path) -> None:
    rule = one_rule(tmp_path, {"path": [*SSHD, "permitrootlogin"], "equals": "no"})
    result = evaluate(rule, DOC, now=NOW)
    assert result.verdict is C
    assert "as of" not in result.message  # only age verdicts depend on the time


# ---- missing paths and when_missing -------------------------------------------------------

@pytest.mark.parametrize("when", ["drift", "compliant", "not-applicable", "error", None])
@pytest.mark.parametrize("path", [
    [*SSHD, "permitemptypasswords"],  # key missing
    ["config_files", "/etc/ssh/sshd_config.d/x.conf", "settings", "port"],  # parent missing
    ["listening_ports", 7, "port"],  # index past the end
    ["config_files", "*", "settings", "permitemptypasswords"],  # fan-out finds nothing
    ["routes", "*", "gateway"],  # fan-out container missing
])
def test_when_missing(tmp_path: Path, path: list[Any], when: str | None) -> None:
    spec: dict[str, Any] = {"path": path}
    spec.update({"all": {"equals": "no"}} if "*" in path else {"equals": "no"})
    if when:
        spec["when_missing"] = when
    result = check(tmp_path, spec)
    assert result.verdict is Verdict(when or "drift")
    assert result.actual is None
    assert "nothing at" in result.message


def test_count_of_an_empty_fan_out_is_zero_but_a_missing_container_is_missing(
        tmp_path: Path) -> None:
    spec = {"path": ["interfaces", "eth1", "ips", "*"], "count": {"max": 0}}
    assert (check(tmp_path, spec).verdict, check(tmp_path, spec).actual) == (C, 0)
    missing = {"path": ["interfaces", "eth9", "ips", "*"], "count": {"max": 0},
               "when_missing": "error"}
    assert check(tmp_path, missing).verdict is E


def test_none_is_not_observed(tmp_path: Path) -> None:
    doc = {**DOC, "fqdn": None}
    assert check(tmp_path, {"path": "fqdn", "present": True}, doc).verdict is D
    assert check(tmp_path, {"path": "fqdn", "absent": True}, doc).verdict is C


def test_an_int_path_element_finds_a_json_string_key(tmp_path: Path) -> None:
    switch = {**ROUTER, "vlans": {"10": {"name": "users"}, "20": {"name": "voice"}}}
    assert check(tmp_path, {"path": ["vlans", 10, "name"], "equals": "users"},
                 switch).verdict is C
    assert check(tmp_path, {"path": ["vlans", 30, "name"], "equals": "users"},
                 switch).verdict is D  # missing: when_missing drift


@pytest.mark.parametrize(("path", "message"), [
    (["hostname", "x"], '["hostname"] is a str'),
    (["listening_ports", "port"], '["listening_ports"] is a list: index it'),
    (["os", "version", "*"], "cannot fan out"),
])
def test_paths_through_the_wrong_shape_are_errors(tmp_path: Path, path: list[Any],
                                                  message: str) -> None:
    spec = {"path": path, "count": {"min": 1}} if "*" in path else {"path": path,
                                                                      "present": True}
    result = check(tmp_path, spec)
    assert result.verdict is E
    assert message in result.message


# ---- loading ------------------------------------------------------------------------------

def test_a_pack_loads_with_its_hash_and_fields(tmp_path: Path) -> None:
    text = HEADER.replace("rules:", "description: Debian hardening\nrules:") + rule_yaml(
        id="LNX-SSH-001", title="SSH root login is disabled",
        applies_to="{platform: linux, tags: [pci]}",
        path="[config_files, /etc/ssh/sshd_config, settings, permitrootlogin]",
        equals="no",  # YAML 1.2: the string "no", not False
        rationale="Direct root login leaves no trace of who logged in.",
        references='[{standard: CIS Debian 12, control: "5.1.20"}, '
                   '{standard: PCI DSS v4.0, control: "8.2.2"}]',
        unwaivable="true", when_missing="error") + rule_yaml(id="R-2", severity="critical")
    path = write_pack(tmp_path, text)
    pack = load_pack(path)
    assert (pack.name, pack.version, pack.description) == ("linux-hardening", "1.0.0",
                                                           "Debian hardening")
    assert pack.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert pack.source == str(path)
    first, second = pack.rules
    assert first.path == ("config_files", "/etc/ssh/sshd_config", "settings",
                          "permitrootlogin")
    assert first.references == (Reference("CIS Debian 12", "5.1.20"),
                                Reference("PCI DSS v4.0", "8.2.2"))
    assert (first.severity, first.unwaivable, first.when_missing) == (Severity.HIGH, True, E)
    assert first.applies_to.to_dict() == {"platform": ["linux"], "tags": ["pci"]}
    assert evaluate(first, DOC).verdict is C
    assert (second.severity, second.unwaivable, second.when_missing) == (
        Severity.CRITICAL, False, D)
    assert second.applies_to.to_dict() == {}


@pytest.mark.parametrize("value", ["no", "off", "yes", "on", "No"])
def test_yaml_yes_no_on_off_stay_strings(tmp_path: Path, value: str) -> None:
    rule = load_pack(write_pack(tmp_path, HEADER + rule_yaml(equals=value))).rules[0]
    assert rule.check.expected() == {"equals": value}


# (rule fields as raw YAML, the rule's label in the message, field, a fragment of it)
RULE_ERRORS: list[tuple[dict[str, str | None], str, str | None, str]] = [
    ({"severity": "urgent"}, "R-1", "severity",
     "'urgent' is not one of info, low, medium, high, critical"),
    ({"severity": None}, "R-1", "severity", "required"),
    ({"id": None}, "rules[0]", "id", "required"),
    ({"id": "R 1"}, "rules[0]", "id", "use letters, digits"),
    ({"title": None}, "R-1", "title", "required"),
    ({"title": "42"}, "R-1", "title", "expected a non-empty string, got 42"),
    ({"path": None}, "R-1", "path", "required"),
    ({"path": "[]"}, "R-1", "path", "non-empty list"),
    ({"path": "[a, true]"}, "R-1", "path", "element 1 (True) is not a string key"),
    ({"path": "[a, -1]"}, "R-1", "path", "index >= 0"),
    ({"colour": "red"}, "R-1", "colour", "unknown key"),
    ({"equals": None}, "R-1", None, "no operator: give exactly one of equals"),
    ({"regex": "web.*"}, "R-1", "regex", "a second operator (with 'equals')"),
    ({"equals": None, "regex": "'web(1'"}, "R-1", "regex", "does not compile"),
    ({"equals": "null"}, "R-1", "equals", "use absent: true"),
    ({"equals": "[a, b]"}, "R-1", "equals", "expected a string, number or boolean"),
    ({"equals": None, "in": "web1"}, "R-1", "in", "expected a non-empty list"),
    ({"equals": None, "not_in": "[a, {b: c}]"}, "R-1", "not_in[1]", "expected a string"),
    ({"equals": None, "present": "false"}, "R-1", "present", "use absent: true"),
    ({"equals": None, "version": "{at_least: '1.0', scheme: semver}"}, "R-1",
     "version.scheme", "'semver' is not one of dpkg, rpm, generic"),
    ({"equals": None, "version": "{at_least: '1.0'}"}, "R-1", "version.scheme", "None"),
    ({"equals": None, "version": "{scheme: dpkg}"}, "R-1", "version", "at_least, below"),
    ({"equals": None, "version": "{at_least: 2.10, scheme: generic}"}, "R-1",
     "version.at_least", "quoted version string, got 2.1"),
    ({"equals": None, "version": "{below: 'latest', scheme: generic}"}, "R-1",
     "version.below", "at least one digit"),
    ({"equals": None, "version": "{at_least: 'x:1', scheme: dpkg}"}, "R-1",
     "version.at_least", "epoch 'x' is not a number"),
    ({"equals": None, "version": "{at_least: '2.0', below: '2.0', scheme: rpm}"}, "R-1",
     "version.below", "no version fits"),
    ({"equals": None, "version": "{at_least: '1', until: '2', scheme: rpm}"}, "R-1",
     "version.until", "unknown key"),
    ({"equals": None, "count": "{min: -1}"}, "R-1", "count.min", "whole number >= 0"),
    ({"equals": None, "count": "{min: 1, equals: 2}"}, "R-1", "count.equals",
     "cannot be combined"),
    ({"equals": None, "count": "{min: 3, max: 2}"}, "R-1", "count.max", "below min 3"),
    ({"equals": None, "count": "{}"}, "R-1", "count", "give min, max"),
    ({"path": "[listening_ports, '*', port]"}, "R-1", "equals",
     "wrap the operator in all: or any:, or use count:"),
    ({"path": "[packages, '*']", "equals": None, "present": "true"}, "R-1", "present",
     "the path fans out"),
    ({"equals": None, "all": "{equals: web1}"}, "R-1", "all", "needs a path with '*'"),
    ({"path": "[a, '*']", "equals": None, "any": "{count: {min: 1}}"}, "R-1", "any.count",
     "any takes one of age, equals, in, not_equals, not_in, regex, version"),
    ({"path": "[a, '*']", "equals": None, "all": "{equals: 1, in: [1]}"}, "R-1", "all",
     "exactly one of"),
    ({"path": "[a, '*']", "equals": None, "all": "{regex: '('}"}, "R-1", "all.regex",
     "does not compile"),
    ({"equals": None, "age": "7"}, "R-1", "age", "expected a mapping with max_days"),
    ({"equals": None, "age": "{}"}, "R-1", "age", "give max_days"),
    ({"equals": None, "age": "{max_days: -1}"}, "R-1", "age.max_days", "whole number >= 0"),
    ({"equals": None, "age": "{max_days: 1.5}"}, "R-1", "age.max_days", "got 1.5"),
    ({"equals": None, "age": "{max_days: true}"}, "R-1", "age.max_days", "got True"),
    ({"equals": None, "age": "{max_hours: 3}"}, "R-1", "age.max_hours", "unknown key"),
    ({"path": "[a, '*']", "equals": None, "all": "{age: {max_days: x}}"}, "R-1",
     "all.age.max_days", "got 'x'"),
    ({"when_missing": "ignore"}, "R-1", "when_missing",
     "'ignore' is not one of drift, compliant, not-applicable, error"),
    ({"equals": None, "absent": "true", "when_missing": "compliant"}, "R-1", "when_missing",
     "drop when_missing"),
    ({"unwaivable": "yes"}, "R-1", "unwaivable", "expected true or false, got 'yes'"),
    ({"applies_to": "{colour: red}"}, "R-1", "applies_to.colour", "unknown selector key"),
    ({"applies_to": "{platform: []}"}, "R-1", "applies_to.platform", "empty list"),
    ({"applies_to": "{site: 12}"}, "R-1", "applies_to.site", "12 is not a non-empty string"),
    ({"applies_to": "linux"}, "R-1", "applies_to", "expected a mapping"),
    ({"references": "[{standard: CIS}]"}, "R-1", "references[0]", "exactly standard and"),
    ({"references": "[{standard: CIS, control: 5.2}]"}, "R-1", "references[0].control",
     "got 5.2 (quote it)"),
]


@pytest.mark.parametrize(("fields", "label", "field", "fragment"), RULE_ERRORS)
def test_rule_errors_name_file_rule_and_field(tmp_path: Path, fields: dict[str, str | None],
                                              label: str, field: str | None,
                                              fragment: str) -> None:
    path = write_pack(tmp_path, HEADER + rule_yaml(id="R-0", equals='"x"') + rule_yaml(
        **fields))
    with pytest.raises(RulePackError) as caught:
        load_pack(path)
    where = f"field '{field}': " if field else ""
    label = "rules[1]" if label == "rules[0]" else label  # the bad rule is the second one
    assert str(caught.value).startswith(f"{path}: rule {label}: {where}")
    assert fragment in str(caught.value)
    assert (caught.value.source, caught.value.rule, caught.value.field) == (str(path), label,
                                                                          field)


@pytest.mark.parametrize(("text", "where", "fragment"), [
    ("- 1\n", "", "expected a mapping with pack, version and rules"),
    ('version: "1"\nrules: [{}]\n', "field 'pack': ", "required"),
    ("pack: p\nversion: 1.0\nrules: [{}]\n", "field 'version': ", "got 1.0 (quote it)"),
    ('pack: p\nversion: "1"\nrules: []\n', "field 'rules': ", "non-empty list"),
    ('pack: p\nversion: "1"\nowner: me\nrules: [{}]\n', "field 'owner': ", "unknown key"),
    (HEADER + "  - 42\n", "rule rules[0]: ", "expected a mapping, got 42"),
    (HEADER + rule_yaml() + rule_yaml(title='"again"'), "rule R-1: field 'id': ",
     "duplicate rule id (rules[0] and rules[1])"),
    (HEADER + rule_yaml(path="[a, b"), "line ", "invalid YAML"),
    (HEADER + rule_yaml(equals="web1", title="t\n    equals: web2"), "line 8: ",
     "invalid YAML: found the key 'equals' twice"),
])
def test_pack_errors_name_the_file(tmp_path: Path, text: str, where: str,
                                   fragment: str) -> None:
    path = write_pack(tmp_path, text)
    with pytest.raises(RulePackError) as caught:
        load_pack(path)
    assert str(caught.value).startswith(f"{path}: {where}")
    assert fragment in str(caught.value)


def test_unreadable_pack(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match=r"nope\.yaml: cannot read"):
        load_pack(tmp_path / "nope.yaml")


def test_load_packs_refuses_duplicate_names_and_rule_ids(tmp_path: Path) -> None:
    first = write_pack(tmp_path, HEADER + rule_yaml(), "a.yaml")
    again = write_pack(tmp_path, HEADER + rule_yaml(id="R-2"), "b.yaml")
    other = write_pack(tmp_path, HEADER.replace("linux-hardening", "other") + rule_yaml(),
                       "c.yaml")
    fine = write_pack(tmp_path, HEADER.replace("linux-hardening", "ok") + rule_yaml(id="R-9"),
                      "d.yaml")
    assert [p.name for p in load_packs([first, fine])] == ["linux-hardening", "ok"]
    with pytest.raises(RulePackError, match=f"^{again}: field 'pack': pack 'linux-hardening' "
                                            f"is also loaded from {first}$"):
        load_packs([first, again])
    with pytest.raises(RulePackError, match=f"^{other}: rule R-1: field 'id': rule id also "
                                            f"used in {first}"):
        load_packs([first, other])


GARBAGE_DOCS: list[dict[str, Any]] = [
    {}, {"tags": [{"a": 1}], "platform": ["linux"], "hostname": 5, "os": "debian"},
    {"config_files": [1, 2], "listening_ports": {"a": None, "b": [1]}, "interfaces": "eth0"},
    {"packages": {"openssh-server": {"version": ["1"]}, "bash": None}, "os": {"version": {}}},
]
ANY_RULES: list[dict[str, Any]] = [
    {"path": [*SSHD, "permitrootlogin"], "in": ["no", 1]},
    {"path": ["os", "version"], "regex": "1.*", "applies_to": {"tags": "pci"}},
    {"path": OPENSSH, "version": {"at_least": "1", "scheme": "dpkg"}},
    {"path": ["listening_ports", "*", "port"], "any": {"not_equals": 22}},
    {"path": ["config_files", "*", "settings", "*"], "count": {"max": 3}},
    {"path": ["interfaces", "*", "ips", 0], "all": {"version": {"below": "2",
                                                                "scheme": "generic"}}},
    {"path": ["os", "version"], "present": True, "applies_to": {"hostname": "w*"}},
    {"path": ["os", "version"], "age": {"max_days": 1}},
    {"path": ["packages", "*", "version"], "any": {"age": {"max_days": 1}}},
]


@pytest.mark.parametrize("spec", ANY_RULES)
def test_bad_documents_give_verdicts_never_exceptions(tmp_path: Path,
                                                      spec: dict[str, Any]) -> None:
    rule = one_rule(tmp_path, spec)
    for doc in GARBAGE_DOCS:
        result = evaluate(rule, doc)
        assert result.verdict in (C, D, NA, E)
        json.dumps([result.expected, result.actual])
