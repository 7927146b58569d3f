"""cmdb.config_history over real stores (SQLite, and the real Neo4j server where the store
matters): the project's recorded running configs (tests/fixtures/<platform>/running_config)
are parsed by the real collector, edited between runs (a line, a whole section, a secret)
and ingested; versions, texts and diffs are then read back."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cmdb.changeset import RunInfo
from cmdb.config_history import (
    ConfigHistoryError,
    SecretChange,
    SecretChangeKind,
    SectionChange,
    diff,
    find_snapshot,
    pick,
    section_paths,
    unified_diff,
    versions,
)
from cmdb.ingest import ingest
from cmdb.schema import (
    ConfigSnapshot,
    Device,
    Facts,
    Node,
    OperatingSystem,
    Source,
    TargetFacts,
    TargetOutcome,
)
from cmdb.store import GraphStore
from cmdb.store.sqlite import SqliteStore
from discovery.platforms.netconfig.collector import NAME, parse
from discovery.recording import read_case

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
IOS_CASE = FIXTURES / "cisco_ios" / "running_config" / "all_secrets"
JUNOS_CASE = FIXTURES / "juniper_junos" / "running_config" / "all_secrets"

# Edits a user would make between two runs, on the recorded configurations.
IOS_OLD_DESCRIPTION = " description uplink to core (key exchange link)"
IOS_NEW_DESCRIPTION = " description uplink to core, moved to port 2"
IOS_NEW_SECTION = ["interface GigabitEthernet0/2", " description new access port",
                   " switchport access vlan 20", " shutdown", "!"]
IOS_REMOVED_LINE = "ip ftp username backup"
IOS_VTY_PLACE = "line vty 0 4 > password 7 <redacted>"
JUNOS_BGP_PLACE = ("protocols { > bgp { > group IBGP { > authentication-key <redacted>; "
                   "## SECRET-DATA")



@pytest.fixture
def store(tmp_path: Path) -> Iterator[GraphStore]:
    opened = SqliteStore(tmp_path / "cmdb.sqlite")
    yield opened
    opened.close()


# ---- building the history -------------------------------------------------------------------


def recorded(case: Path) -> str:
    return read_case(case)[NAME].stdout


def ios_edited(text: str | None = None, secret: str | None = None) -> str:
    """The recorded IOS config with a changed description, a new interface section, a
    removed top-level line, and optionally a changed VTY password."""
    text = recorded(IOS_CASE) if text is None else text
    text = text.replace(IOS_OLD_DESCRIPTION + "\n", IOS_NEW_DESCRIPTION + "\n")
    text = text.replace("router ospf 1\n", "\n".join(IOS_NEW_SECTION) + "\nrouter ospf 1\n")
    text = text.replace(IOS_REMOVED_LINE + "\n", "")
    return text.replace("Inv3ntedVtyPassw0rd", secret) if secret else text


def config_facts(target: str, platform: str, case: Path, text: str) -> TargetFacts:
    output = dataclasses.replace(read_case(case)[NAME], stdout=text)
    return TargetFacts(target, Source.CLI, parse({NAME: output}, platform))


def device_facts(target: str, hostname: str, serial: str, platform: str | None,
                 *extra: Node) -> TargetFacts:
    device = Device(hostname=hostname, serial=serial, platform=platform, role="network")
    return TargetFacts(target, Source.CLI, Facts(nodes=(device, *extra)))


def record(store: GraphStore, day: int, *batch: TargetFacts) -> int:
    """One discovery run on 2026-03-<day> that reached every target of `batch`."""
    at = datetime(2026, 3, day, 12, tzinfo=UTC)
    run = store.begin_run("discovery", at)
    targets = tuple(TargetOutcome(t, True) for t in dict.fromkeys(f.target for f in batch))
    ingest(store, list(batch), RunInfo(run, "discovery", at, at, targets))
    return run


def ios_run(store: GraphStore, day: int, text: str, hostname: str = "rtr1",
            serial: str = "FOC0001", platform: str | None = "cisco_ios") -> int:
    return record(store, day, device_facts(hostname, hostname, serial, platform),
                  config_facts(hostname, "cisco_ios", IOS_CASE, text))


def stored_text(platform: str, case: Path, text: str) -> str:
    """The redacted text the collector makes of `text` (what the store should hold)."""
    snapshot = config_facts("x", platform, case, text).facts.nodes[0]
    assert isinstance(snapshot, ConfigSnapshot) and snapshot.text is not None
    return snapshot.text


def ios_history(store: GraphStore) -> list[str]:
    """Five runs: original, unchanged, edited, edited + new VTY password, original again."""
    original, edited = recorded(IOS_CASE), ios_edited()
    texts = [original, original, edited, ios_edited(secret="Inv3ntedVtyN3wPass"), original]
    for day, text in enumerate(texts, 1):
        ios_run(store, day, text)
    return texts


def changed_lines(lines: tuple[str, ...] | list[str], mark: str) -> list[str]:
    return [line[1:] for line in lines if line.startswith(mark)
            and not line.startswith(mark * 3)]


# ---- versions ------------------------------------------------------------------------------


def test_every_text_or_secret_change_is_a_version(any_store: GraphStore) -> None:
    texts = ios_history(any_store)
    ref = find_snapshot(any_store, "rtr1")
    found = versions(any_store, ref)
    # Run 2 changed nothing: no version. Run 4 changed only a secret: a version whose
    # redacted text is the same. Run 5 restored run 1's text and secret.
    assert [(v.number, v.run) for v in found] == [(1, 1), (2, 3), (3, 4), (4, 5)]
    assert [v.at[:10] for v in found] == ["2026-03-01", "2026-03-03", "2026-03-04",
                                          "2026-03-05"]
    for version, text in zip(found, [texts[0], texts[2], texts[3], texts[4]], strict=True):
        assert version.text == stored_text("cisco_ios", IOS_CASE, text)
        assert version.sha256 == hashlib.sha256(version.text.encode()).hexdigest()
        assert version.line_count == version.text.count("\n")
    assert found[0].line_count is not None
    assert found[1].line_count == found[0].line_count + len(IOS_NEW_SECTION) - 1
    assert found[2].sha256 == found[1].sha256
    assert [v.secret_changes for v in found] == [
        (), (), (SecretChange(IOS_VTY_PLACE, SecretChangeKind.CHANGED),),
        (SecretChange(IOS_VTY_PLACE, SecretChangeKind.CHANGED),)]
    assert [v.same_as for v in found] == [None, None, None, 1]
    assert pick(found, None, ref) == found[-1]
    assert pick(found, 2, ref) == found[1]


def test_versions_never_hold_a_secret_value(store: GraphStore) -> None:
    ios_history(store)
    found = versions(store, find_snapshot(store, "rtr1"))
    secrets = [*read_secrets(IOS_CASE), "Inv3ntedVtyN3wPass"]
    for version in found:
        shown = repr(version) + version.text + " ".join(version.fingerprints)
        assert not [s for s in secrets if s in shown]
        assert not [f for f in version.fingerprints.values() if f in repr(version)]


def read_secrets(case: Path) -> list[str]:
    values = json.loads((case / "secrets.json").read_text(encoding="utf-8"))
    assert isinstance(values, list) and values
    return [str(v) for v in values]


def test_an_unknown_version_is_named(store: GraphStore) -> None:
    ios_run(store, 1, recorded(IOS_CASE))
    ref = find_snapshot(store, "rtr1")
    found = versions(store, ref)
    for number in (0, 2):
        with pytest.raises(ConfigHistoryError, match=rf"versions 1\.\.1; there is no version "
                                                     rf"{number}"):
            pick(found, number, ref)


# ---- finding the device -----------------------------------------------------------------------


def test_a_device_is_found_by_name_uid_prefix_or_snapshot(store: GraphStore) -> None:
    ios_run(store, 1, recorded(IOS_CASE))
    ios_run(store, 1, recorded(IOS_CASE), hostname="rtr2", serial="FOC0002")
    ref = find_snapshot(store, "rtr1")
    device = store.get(ref.device_uid)
    assert device is not None and device.value("hostname") == "rtr1"
    assert ref.platform == "cisco_ios" and ref.device_name == "rtr1"
    for alias in (ref.device_uid, ref.device_uid[:8], ref.snapshot_uid):
        assert find_snapshot(store, alias) == ref
    assert find_snapshot(store, "rtr2").device_uid != ref.device_uid


def test_unknown_ambiguous_and_missing_are_clear_errors(store: GraphStore) -> None:
    ios_run(store, 1, recorded(IOS_CASE), serial="FOC0001")
    ios_run(store, 2, recorded(IOS_CASE), serial="FOC0009")  # another device, same name
    record(store, 3, device_facts("sw1", "sw1", "FOC0003", "cisco_ios"))  # no config
    with pytest.raises(ConfigHistoryError, match="no device matches 'rtr9'"):
        find_snapshot(store, "rtr9")
    twins = sorted(d.uid for d in store.nodes("Device") if d.value("hostname") == "rtr1")
    assert len(twins) == 2
    with pytest.raises(ConfigHistoryError, match="'rtr1' matches 2 devices") as caught:
        find_snapshot(store, "rtr1")
    assert all(uid in str(caught.value) for uid in twins)
    with pytest.raises(ConfigHistoryError, match=r"'sw1' has no 'running' .*none stored"):
        find_snapshot(store, "sw1")
    with pytest.raises(ConfigHistoryError, match=r"no 'startup' .*kinds stored: running"):
        find_snapshot(store, twins[0], "startup")


def test_the_platform_comes_from_the_os_family_when_the_device_does_not_say(
        store: GraphStore) -> None:
    os_node = OperatingSystem(family="ios", name="IOS")
    record(store, 1, device_facts("rtr1", "rtr1", "FOC1", None, os_node),
           config_facts("rtr1", "cisco_ios", IOS_CASE, recorded(IOS_CASE)))
    record(store, 1, device_facts("gw1", "gw1", "FOC2", None),
           config_facts("gw1", "cisco_ios", IOS_CASE, recorded(IOS_CASE)))
    assert find_snapshot(store, "rtr1").platform == "cisco_ios"
    assert find_snapshot(store, "gw1").platform is None


# ---- diffs ---------------------------------------------------------------------------------


def test_a_diff_shows_the_edited_lines_under_their_sections(any_store: GraphStore) -> None:
    ios_history(any_store)
    ref = find_snapshot(any_store, "rtr1")
    found = versions(any_store, ref)
    result = diff(ref, found[0], found[1])
    assert result.differs and result.secret_changes == ()
    assert changed_lines(result.lines, "-") == [IOS_OLD_DESCRIPTION, IOS_REMOVED_LINE]
    assert changed_lines(result.lines, "+") == [IOS_NEW_DESCRIPTION, *IOS_NEW_SECTION]
    headers = [line.split(" @@ ", 1)[1] for line in result.lines if line.startswith("@@")]
    # The new section is added after `interface Dialer1`'s block; the removed line is top
    # level, after the `router bgp 64500` block (diff -p: the nearest section above).
    assert headers == ["interface GigabitEthernet0/0", "interface Dialer1", "router bgp 64500"]
    assert result.sections == (
        SectionChange("interface GigabitEthernet0/0", 1, 1),
        SectionChange("interface GigabitEthernet0/2", len(IOS_NEW_SECTION) - 1, 0),
        SectionChange("ip ftp", 0, 1))
    secret_only = diff(ref, found[1], found[2])
    assert secret_only.lines == () and secret_only.sections == ()
    assert secret_only.secret_changes == (SecretChange(IOS_VTY_PLACE, SecretChangeKind.CHANGED),)
    assert secret_only.differs
    same = diff(ref, found[0], found[3])
    assert not same.differs and same.lines == () and same.sections == ()


def test_junos_hunks_name_the_brace_path(store: GraphStore) -> None:
    original = recorded(JUNOS_CASE)
    edited = (original.replace("neighbor 192.0.2.2;", "neighbor 192.0.2.3;")
              .replace("$9$Inv3ntedBgpAuthK3y", "$9$Inv3ntedBgpN3wK3y")
              + "routing-options {\n    static {\n        route 0.0.0.0/0 next-hop 192.0.2.254;\n"
                "    }\n}\n")
    for day, text in enumerate((original, edited), 1):
        record(store, day, device_facts("mx1", "mx1", "JN0001", "juniper_junos"),
               config_facts("mx1", "juniper_junos", JUNOS_CASE, text))
    ref = find_snapshot(store, "mx1")
    old, new = versions(store, ref)
    result = diff(ref, old, new)
    headers = [line.split(" @@ ", 1)[1] for line in result.lines if line.startswith("@@")]
    assert headers == ["protocols { > bgp { > group IBGP {", "policy-options {"]
    assert changed_lines(result.lines, "-") == ["            neighbor 192.0.2.2;"]
    assert changed_lines(result.lines, "+")[0] == "            neighbor 192.0.2.3;"
    assert result.secret_changes == (SecretChange(JUNOS_BGP_PLACE, SecretChangeKind.CHANGED),)
    # hier_config reads Junos as set lines; single lines group under their first words.
    assert result.sections == (SectionChange("set protocols bgp", 1, 1),
                               SectionChange("set routing-options static", 1, 0))


def test_an_unknown_platform_still_diffs_without_a_section_summary(store: GraphStore) -> None:
    ios_run(store, 1, recorded(IOS_CASE), platform=None)
    ios_run(store, 2, ios_edited(), platform=None)
    ref = find_snapshot(store, "rtr1")
    old, new = versions(store, ref)
    result = diff(ref, old, new)
    assert ref.platform is None and result.sections is None
    assert changed_lines(result.lines, "+") == [IOS_NEW_DESCRIPTION, *IOS_NEW_SECTION]


@pytest.mark.parametrize(("case", "platform", "edit"), [
    (IOS_CASE, "cisco_ios", ios_edited),
    (JUNOS_CASE, "juniper_junos",
     lambda text: text.replace("    ntp {\n", "    ntp {\n        boot-server 192.0.2.1;\n")
     .replace("        trusted-key 1;\n", "")),
])
def test_our_unified_diff_is_difflibs_plus_the_section(
        case: Path, platform: str, edit: Callable[[str], str]) -> None:
    old = stored_text(platform, case, recorded(case))
    new = stored_text(platform, case, edit(recorded(case)))
    ours = unified_diff(old, new, "a", "b")
    theirs = list(difflib.unified_diff(old.splitlines(), new.splitlines(), "a", "b",
                                       lineterm=""))
    assert len(theirs) > 3
    assert [line.split(" @@ ", 1)[0] + (" @@" if line.startswith("@@") else "")
            for line in ours] == theirs


def test_section_paths_follow_indentation() -> None:
    lines = ["hostname r1", "!", "interface Gi0/1", " description x", " ip address 1",
             "!", "key chain K", " key 1", "  key-string 7 <redacted>", "ntp server 1"]
    assert section_paths(lines) == [
        "", "", "", "interface Gi0/1", "interface Gi0/1", "interface Gi0/1",
        "interface Gi0/1", "key chain K", "key chain K > key 1", "key chain K"]


def test_added_and_removed_secrets_are_named_by_place(store: GraphStore) -> None:
    original = recorded(IOS_CASE)
    edited = original.replace("ip http client password 7 Inv3ntedHttpCl1ent\n", "").replace(
        "snmp-server community Inv3ntedRwComm RW 20\n",
        "snmp-server community Inv3ntedRwComm RW 20\nsnmp-server community Inv3ntedN3wComm RO 30\n")
    ios_run(store, 1, original)
    ios_run(store, 2, edited)
    ref = find_snapshot(store, "rtr1")
    old, new = versions(store, ref)
    expected = (SecretChange("ip http client password 7 <redacted>", SecretChangeKind.REMOVED),
                SecretChange("snmp-server community <redacted> RO 30", SecretChangeKind.ADDED))
    assert new.secret_changes == expected
    result = diff(ref, old, new)
    assert result.secret_changes == expected
    assert changed_lines(result.lines, "+") == ["snmp-server community <redacted> RO 30"]
