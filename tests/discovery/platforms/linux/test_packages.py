"""Edge cases of the `packages` parser (the version orderings: tests/cmdb/test_versions.py)."""

from __future__ import annotations

import pytest

from cmdb.schema import Package
from discovery.errors import CommandError, ParseError
from discovery.platforms.linux import packages
from discovery.transports.base import CommandOutput

MISSING = "bash: line 1: {}: command not found\n"


def _dpkg(stdout: str) -> CommandOutput:
    return CommandOutput(packages.DPKG, stdout)


def _rpm(stdout: str) -> CommandOutput:
    return CommandOutput(packages.RPM, stdout)


def _no(tool: str, line: str) -> CommandOutput:
    return CommandOutput(line, "", MISSING.format(tool), 127)


def _parse(dpkg: CommandOutput, rpm: CommandOutput) -> list[Package]:
    nodes = packages.parse({"dpkg": dpkg, "rpm": rpm}).nodes
    assert all(isinstance(n, Package) for n in nodes)
    return [n for n in nodes if isinstance(n, Package)]


def test_dpkg_statuses() -> None:
    stdout = ("a\tamd64\t1.0\tii \nb\tamd64\t1.0\thi \nc\tamd64\t1.0\trc \nd\tamd64\t\tun \n"
              "e\tamd64\t1.0\tiF \nf\tamd64\t1.0\tiU \ng\tamd64\t1.0\tpn \nh\tall\t2\tiiR\r\n")
    found = {p.name for p in _parse(_dpkg(stdout), _no("rpm", packages.RPM))}
    assert found == {"a", "b", "e", "f", "h"}


def test_both_managers_are_merged() -> None:
    found = _parse(_dpkg("bash\tamd64\t5.2.15-2+b2\tii \n"),
                   _rpm("rpm\tx86_64\t0:4.18.0-1\n"))
    assert [(p.name, p.manager) for p in found] == [("bash", "dpkg"), ("rpm", "rpm")]


def test_rpm_on_debian_answers_empty_and_dpkg_lists() -> None:
    found = _parse(_dpkg("bash\tamd64\t5.2.15-2+b2\tii \n"), _rpm(""))
    assert len(found) == 1


def test_rpm_epochs_versions_and_keys() -> None:
    stdout = ("kernel\tx86_64\t0:5.14.0-70.13.1.el9_0\n"
              "gpg-pubkey\t(none)\t0:fd431d51-4ae0493b\n"
              "kernel\tx86_64\t0:5.14.0-362.8.1.el9_3\n"
              "kernel\tx86_64\t0:5.14.0-70.13.1.el9_0\n"
              "kernel\tx86_64\t0:5.14.0-362.13.1.el9_3\n"
              "shim-x64\tx86_64\t3:15.6-1.el9\n")
    kernel, shim = _parse(_no("dpkg-query", packages.DPKG), _rpm(stdout))
    assert kernel.version == "5.14.0-362.13.1.el9_3"
    assert kernel.other_versions == ("5.14.0-362.8.1.el9_3", "5.14.0-70.13.1.el9_0")
    assert (shim.version, shim.other_versions) == ("3:15.6-1.el9", None)


def test_no_manager_is_a_command_error_naming_both() -> None:
    with pytest.raises(CommandError) as caught:
        _parse(_no("dpkg-query", packages.DPKG), _no("rpm", packages.RPM))
    assert "dpkg-query: exit status 127" in str(caught.value)
    assert "rpm: exit status 127" in str(caught.value)


def test_nothing_installed_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="no installed package"):
        _parse(_dpkg("apache2\tamd64\t\tun \n"), _rpm(""))


@pytest.mark.parametrize(("dpkg", "rpm", "message"), [
    ("garbage\n", "", "dpkg-query .*expected NAME<TAB>ARCH<TAB>VERSION<TAB>STATUS: 'garbage'"),
    ("a\tamd64\t1.0\tzz \n", "", "STATUS"),
    ("a\t\t1.0\tii \n", "", "installed package without arch/version"),
    ("", "bash 5.1 x86_64\n", "rpm -qa .*EPOCH:VERSION-RELEASE"),
    ("", "bash\tx86_64\t5.1-1\n", "EPOCH:VERSION-RELEASE"),
])
def test_garbage_is_a_parse_error(dpkg: str, rpm: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        _parse(_dpkg(dpkg), _rpm(rpm))
