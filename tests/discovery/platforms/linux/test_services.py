"""Edge cases of the `services` parser (systemd and SysV)."""

from __future__ import annotations

import re

import pytest

from cmdb.schema import Service
from discovery.errors import CommandError, ParseError
from discovery.platforms.linux import services
from discovery.transports.base import CommandOutput


def _parse(units: CommandOutput, unit_files: CommandOutput | None = None) -> list[Service]:
    outputs = {"units": units}
    if unit_files is not None:
        outputs["unit_files"] = unit_files
    nodes = services.parse(outputs).nodes
    return [n for n in nodes if isinstance(n, Service)]


def test_markers_and_old_two_column_unit_files() -> None:
    units = CommandOutput(services.UNITS,
                          "\u25cf kdump.service loaded failed failed Crash recovery kernel arming\n"
                          "  sshd.service   loaded active running OpenSSH server daemon  \r\n"
                          "x.service loaded active exited\n")
    files = CommandOutput(services.UNIT_FILES, "sshd.service enabled\nkdump.service enabled\n")
    kdump, sshd, x = _parse(units, files)
    assert (kdump.active_state, kdump.sub_state, kdump.enabled) == ("failed", "failed", "enabled")
    assert sshd.description == "OpenSSH server daemon"
    assert (x.description, x.enabled) == (None, None)


def test_failed_unit_files_leave_enabled_unobserved() -> None:
    units = CommandOutput(services.UNITS, "sshd.service loaded active running SSH\n")
    files = CommandOutput(services.UNIT_FILES, "", "Failed to list unit files\n", 1)
    (sshd,) = _parse(units, files)
    assert sshd.enabled is None


def test_sysv_without_runlevel_dirs() -> None:
    units = CommandOutput(services.INIT_D, "README\nskeleton\nssh\n.depend.boot\ncron\n")
    files = CommandOutput(services.RC_DIRS, "",
                          "ls: cannot access '/etc/rcS.d': No such file or directory\n", 2)
    assert [(s.name, s.enabled) for s in _parse(units, files)] == [("cron", None), ("ssh", None)]


def test_sysv_with_some_runlevel_dirs_missing() -> None:
    units = CommandOutput(services.INIT_D, "crond\nsshd\nnetfs\n")
    files = CommandOutput(services.RC_DIRS, "/etc/rc3.d:\nK50netfs\nS55sshd\nS90crond\n",
                          "ls: cannot access '/etc/rcS.d': No such file or directory\n", 2)
    found = {s.name: s.enabled for s in _parse(units, files)}
    assert found == {"crond": "enabled", "sshd": "enabled", "netfs": "disabled"}


def test_systemd_installed_but_not_running_uses_sysv_only() -> None:
    units = CommandOutput(services.INIT_D, "ssh\n")
    files = CommandOutput(services.UNIT_FILES, "ssh.service enabled enabled\n")
    assert _parse(units, files) == [Service(name="ssh")]


@pytest.mark.parametrize(("units", "files", "message"), [
    ("Failed to connect to bus\n", "", "expected UNIT LOAD ACTIVE SUB"),
    ("sshd.service loaded\n", "", "expected UNIT LOAD ACTIVE SUB"),
    ("", "", "systemd listed no service"),
    ("a.service loaded active running A\n", "a.service\n", "expected UNIT STATE"),
    ("a.service loaded active running A\n", "a.socket enabled\n", "expected UNIT STATE"),
])
def test_garbage_is_a_parse_error(units: str, files: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        _parse(CommandOutput(services.UNITS, units), CommandOutput(services.UNIT_FILES, files))


def test_units_failed_everywhere_is_a_command_error() -> None:
    failed = CommandOutput(services.INIT_D, "", "ls: cannot access '/etc/init.d'\n", 2)
    with pytest.raises(CommandError, match=re.escape("ls -1 /etc/init.d: exit status 2")):
        _parse(failed)
