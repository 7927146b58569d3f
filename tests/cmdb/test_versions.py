"""Version orderings of cmdb.schema.versions: rpm, dpkg and the generic firmware rule.

Version strings are real ones where possible: Debian 12 and RHEL 9 packages from
tests/fixtures/linux/packages, network firmware from the recorded device outputs in
../shared/fixtures (read in place; those tests skip when the folder is absent)."""

from __future__ import annotations

from functools import cmp_to_key
from itertools import pairwise
from pathlib import Path

import pytest
import yaml

from cmdb.schema.versions import (
    VersionError,
    VersionScheme,
    check_version,
    compare_dpkg,
    compare_rpm,
    compare_versions,
    rpm_vercmp,
)

REPO = Path(__file__).resolve().parents[2]
PACKAGES = REPO / "tests" / "fixtures" / "linux" / "packages"
SHARED_CLI = REPO / ".." / "shared" / "fixtures" / "cli"

DPKG, RPM, GENERIC = VersionScheme.DPKG, VersionScheme.RPM, VersionScheme.GENERIC


def _sign(result: int) -> int:
    return (result > 0) - (result < 0)


@pytest.mark.parametrize(("a", "b", "sign"), [
    ("1.0", "1.0", 0), ("1.0", "2.0", -1), ("2.0.1", "2.0", 1), ("1.010", "1.9", 1),
    ("1.0~rc1", "1.0", -1), ("1.0^git1", "1.0", 1), ("1.0^git1", "1.0.1", -1),
    ("a", "1", -1), ("fc4", "fc.4", 0), ("1.0a", "1.0", 1), ("362.13.1", "362.8.1", 1),
])
def test_rpm_vercmp(a: str, b: str, sign: int) -> None:
    assert _sign(rpm_vercmp(a, b)) == sign
    assert _sign(compare_rpm((0, a, "1"), (0, b, "1"))) == sign


def test_rpm_epoch_wins() -> None:
    assert compare_rpm((1, "1.0", "1"), (0, "9.0", "1")) > 0


@pytest.mark.parametrize(("a", "b", "sign"), [
    ("1.0", "1.0-1", -1), ("1:1.0", "2.0", 1), ("1.0~rc1", "1.0", -1), ("1.0", "1.0+b1", -1),
    ("2.36-9+deb12u4", "2.36-9+deb12u10", -1), ("1.0a", "1.0", 1), ("1.0-1", "1.0-1~bpo", 1),
    ("7.1wheezy11", "7.1wheezy11", 0),
])
def test_dpkg_compare(a: str, b: str, sign: int) -> None:
    assert _sign(compare_dpkg(a, b)) == sign


@pytest.mark.parametrize(("a", "b", "sign"), [
    ("1:2.0", "3.0", 1),  # the epoch wins
    ("1.0~rc1", "1.0", -1), ("1.0~~", "1.0~", -1), ("1.0~", "1.0", -1),
    ("1:9.2p1-2+deb12u2", "1:9.2p1-2+deb12u3", -1),  # openssh-server, Debian 12 updates
    ("1:9.2p1-2+deb12u2", "1:9.2p1-2", 1),
    ("20230710~deb12u1", "20230710", -1),  # ca-certificates-java, a backport
    ("12.4+deb12u11", "12.4+deb12u5", 1),  # base-files: numbers, not text
    ("4:12.2.0-3", "12.2.0-14+deb12u1", 1),  # cpp vs cpp-12: epoch 4 beats all
    ("2.38.1-5+deb12u3", "2.38.1-5+deb12u3", 0),
])
def test_compare_versions_dpkg(a: str, b: str, sign: int) -> None:
    assert compare_versions(a, b, DPKG) == sign
    assert compare_versions(b, a, DPKG) == -sign


@pytest.mark.parametrize(("a", "b", "sign"), [
    ("5.14.0-362.13.1.el9_3", "5.14.0-362.8.1.el9_3", 1),  # kernel: release numbers
    ("5.14.0-362.8.1.el9_3", "5.14.0-284.30.1.el9_2", 1),
    ("1:3.0.7-24.el9", "3.0.8-1.el9", 1),  # openssl: epoch 1
    ("0:8.7p1-34.el9_3.3", "8.7p1-34.el9_3.3", 0),  # a missing epoch is 0
    ("8.7p1-34.el9_3.3", "8.7p1", 0),  # no release on one side: versions only
    ("8.7p1-34.el9_3.3", "8.7p1-38.el9", -1),
    ("8.7p1-34.el9_3.3", "8.8p1", -1), ("2023c-1.el9", "2024a-1.el9", -1),
    ("1.0~rc1-1", "1.0-1", -1), ("1.0^git1-1", "1.0-1", 1),
])
def test_compare_versions_rpm(a: str, b: str, sign: int) -> None:
    assert compare_versions(a, b, RPM) == sign
    assert compare_versions(b, a, RPM) == -sign


@pytest.mark.parametrize(("a", "b", "sign"), [
    # Cisco IOS / IOS-XE / NX-OS, as `show version` prints them
    ("15.2(4)M7", "15.2(4)M10", -1), ("15.2(4)M7", "15.2(4)M", 1),
    ("12.2(54)SG1", "12.2(54)SG", 1), ("15.8(3)M2", "15.3(2)S1", 1),
    ("16.12.4", "16.12.04", 0), ("16.12.4", "16.9.5", 1), ("17.3.4a", "17.3.4", 1),
    ("17.3.4a", "17.3.4b", -1), ("17.3.4a", "17.3.5", -1), ("03.06.05E", "03.06.06E", -1),
    ("9.3(7a)", "9.3(7)", 1), ("9.3(7a)", "9.3(15)", -1), ("7.0(7)N1(1)", "7.0(7)N1(10)", -1),
    # Huawei VRP
    ("V200R019C10SPC800", "V200R019C10", 1), ("V200R019C10SPC800", "V200R019C10SPC900", -1),
    ("V300R022C00SPC100", "V300R019C10SPC300", 1), ("V300R023C00", "V300R022C00SPC100", 1),
    ("V800R011C00SPC200", "v800r011c00spc200", 0),  # words compare case-insensitively
    # Junos
    ("21.4R3-S5.4", "21.4R3-S3.4", 1), ("21.4R3-S5.4", "21.4R3", 1),
    ("19.4R3-S1.3", "21.4R3-S3.4", -1), ("13.3R1.4", "13.3R1.10", -1),
    # Arista EOS
    ("4.28.9M", "4.27.6M", 1), ("4.28.10M", "4.28.9M", 1),
    # semver and friends: pre-release words and `~` sort before the release
    ("4.2.0-rc1", "4.2.0", -1), ("4.2.0-rc1", "4.2.0-rc2", -1), ("4.2.0-beta.11", "4.2.0-rc1", -1),
    ("4.2.0-alpha", "4.2.0-beta", -1), ("4.2.0.dev1", "4.2.0a1", -1), ("1.0~1", "1.0", -1),
    ("4.2.0-rc1", "4.1.9", 1), ("v1.2", "1.2", 0), ("v1.10", "1.9", 1),
])
def test_compare_versions_generic(a: str, b: str, sign: int) -> None:
    assert compare_versions(a, b, GENERIC) == sign
    assert compare_versions(b, a, GENERIC) == -sign


@pytest.mark.parametrize(("a", "b"), [
    ("21.4R3.13", "21.4R3-S5.4"),  # Junos: the S release is newer, by Juniper's rule
    ("4.28.9.1M", "4.28.9M"),  # EOS: the .1 patch is newer, the opposite rule
    ("1.0a", "1.0.1"),
])
def test_generic_refuses_a_number_against_letters(a: str, b: str) -> None:
    for x, y in ((a, b), (b, a)):
        with pytest.raises(VersionError, match=r"cannot be ordered.*a number against letters"):
            compare_versions(x, y, GENERIC)


@pytest.mark.parametrize(("version", "scheme", "message"), [
    ("", DPKG, "upstream version '' must start with a digit"),
    ("abc", DPKG, "must start with a digit"),
    ("x:1.0", DPKG, "epoch 'x' is not a number"),
    ("1.0-", DPKG, "revision '' must be"),
    ("1.0 beta", DPKG, "must start with a digit and hold only"),
    ("1.0-1_2", DPKG, "revision '1_2'"),
    ("(none)", RPM, r"expected \[EPOCH:\]VERSION\[-RELEASE\]"),
    ("1.0-1-2", RPM, "expected"), ("a:1.0", RPM, "epoch 'a' is not a number"),
    ("", RPM, "expected"),
    ("", GENERIC, "at least one digit"), ("N/A", GENERIC, "at least one digit"),
    ("latest", GENERIC, "at least one digit"),
    ("10.3(6) [Maintenance Release]", GENERIC, "expected letters, digits"),
])
def test_malformed_versions_raise(version: str, scheme: VersionScheme, message: str) -> None:
    with pytest.raises(VersionError, match=message):
        check_version(version, scheme)
    with pytest.raises(VersionError):
        compare_versions(version, "1.0", scheme)
    with pytest.raises(VersionError):
        compare_versions("1.0", version, scheme)


def test_schemes_are_an_enum() -> None:
    assert [s.value for s in VersionScheme] == ["dpkg", "rpm", "generic"]
    assert VersionScheme("rpm") is RPM


def _package_versions(case: str, name: str) -> list[str]:
    rows = (PACKAGES / case / name).read_text().splitlines()
    return [row.split("\t")[2] for row in rows if row.split("\t")[2]]


@pytest.mark.parametrize(("case", "name", "scheme"), [
    ("debian12", "dpkg.txt", DPKG), ("rhel9", "rpm.txt", RPM),
])
def test_every_recorded_package_version_is_valid_and_ordered(case: str, name: str,
                                                            scheme: VersionScheme) -> None:
    versions = _package_versions(case, name)
    assert len(versions) > 10
    for version in versions:
        check_version(version, scheme)
        assert compare_versions(version, version, scheme) == 0
    def order(a: str, b: str) -> int:
        return compare_versions(a, b, scheme)

    ordered = sorted(versions, key=cmp_to_key(order))
    for older, newer in pairwise(ordered):
        assert compare_versions(older, newer, scheme) <= 0
        assert compare_versions(newer, older, scheme) >= 0


# (platform folder, command folder, field, which word) of records holding a version:
# NX-OS prints "10.3(6) [Maintenance Release]", VRP "S7700 V200R010C00SPC600"
FIRMWARE_FIELDS = [
    ("cisco_ios", "show_version", "version", 0), ("cisco_nxos", "show_version", "os", 0),
    ("juniper_junos", "show_version", "junos_version", 0),
    ("arista_eos", "show_version", "image", 0),
    ("huawei_vrp", "display_version", "product_version", -1),
]


def _firmware_versions() -> list[str]:
    found: list[str] = []
    for platform, command, field, word in FIRMWARE_FIELDS:
        for path in sorted((SHARED_CLI / platform / command).glob("*.yml")):
            for record in yaml.safe_load(path.read_text())["parsed_sample"]:
                words = str(record.get(field) or "").split()
                found.extend(words[word:][:1])
    return found


def test_recorded_firmware_versions_parse_and_compare() -> None:
    if not SHARED_CLI.is_dir():
        pytest.skip("../shared/fixtures not present")
    versions = _firmware_versions()
    assert {"12.2(54)SG1", "21.4R3-S3.4", "V200R010C00SPC600", "4.27.6M", "9.3(15)",
            "14.0(1h)"} <= set(versions)
    for version in versions:
        check_version(version, GENERIC)
        assert compare_versions(version, version, GENERIC) == 0
