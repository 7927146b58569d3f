"""The platform contract: registry, allowlist, and the per-target configs commands."""

from __future__ import annotations

import re

import pytest

from discovery.errors import ConfigError
from discovery.platforms import PLATFORMS, get_platform
from discovery.platforms.base import Platform, is_allowed
from discovery.platforms.linux import LinuxPlatform
from discovery.platforms.linux.configs import DEFAULT_FILES, config_paths
from inventory.model import Target

EXTRA = ["/etc/myapp/app.conf", "/opt/app-1.2/etc/settings.ini", "/etc/ssh/sshd_config.d/x.conf"]
TARGETS = [
    Target(name="plain", address="192.0.2.1"),
    Target(name="extra", address="192.0.2.2", vars={"config_files": EXTRA}),
]


def _all_lines(platform: Platform, target: Target) -> list[str]:
    found = []
    for collector in platform.collectors(target):
        for command in collector.commands:
            found.append(command.line)
            if command.fallback is not None:
                found.append(command.fallback)
    return found


def test_registry() -> None:
    platform = get_platform("linux")
    assert PLATFORMS["linux"] is platform
    assert (platform.name, platform.transport) == ("linux", "ssh")
    assert all(isinstance(p, re.Pattern) for p in platform.allowlist)


def test_unknown_platform_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"'vms'.*known: arista_eos, .*linux"):
        get_platform("vms")


def test_collector_names_and_command_names() -> None:
    collectors = LinuxPlatform().collectors(TARGETS[1])
    assert [c.name for c in collectors] == [
        "system", "interfaces", "packages", "services", "ports", "configs"]
    for collector in collectors:
        names = [c.name for c in collector.commands]
        assert len(names) == len(set(names)), collector.name
        assert all(re.fullmatch(r"[A-Za-z0-9_]+", n) for n in names)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_every_command_is_allowed(target: Target) -> None:
    platform = LinuxPlatform()
    lines = _all_lines(platform, target)
    assert len(lines) > 20
    for line in lines:
        assert is_allowed(platform, line), line


def test_extra_files_are_read() -> None:
    lines = _all_lines(LinuxPlatform(), TARGETS[1])
    for path in [*DEFAULT_FILES, *EXTRA]:
        assert f"cat -- {path}" in lines
    assert any(line.startswith("sha256sum -- ") and line.endswith(EXTRA[-1]) for line in lines)


@pytest.mark.parametrize("line", [
    "rm -rf /",
    "cat /etc/shadow; reboot",
    "cat -- /etc/x$(id)",
    "cat -- /etc/x`id`",
    "cat -- /etc/passwd | mail x@example.com",
    "cat -- /etc/passwd && reboot",
    "cat -- /etc/passwd > /etc/hosts",
    "cat -- /etc/passwd < /dev/zero",
    "cat -- /etc/passwd\nreboot",
    "cat -- '/etc/pass wd'",
    "cat -- relative/path",
    "cat /etc/passwd",
    "sha256sum -- /etc/a;reboot",
    "sha256sum -- /etc/a /etc/b & reboot",
    "sha256sum --",
    "hostname newname",
    "hostname -f; reboot",
    "systemctl stop sshd",
    "ip link set eth0 down",
    "sysctl -w net.ipv4.ip_forward=1",
    "ss -tulpnH -K",
])
def test_dangerous_lines_are_refused(line: str) -> None:
    assert not is_allowed(LinuxPlatform(), line)


@pytest.mark.parametrize("bad", [
    "relative/app.conf",
    "/etc/app conf",
    "/etc/x;reboot",
    "/etc/x$(id)",
    "/etc/`id`",
    "/etc/a|b",
    "/etc/a&b",
    "/etc/a>b",
    "/etc/../shadow",
    "/etc/app/",
    "/etc//app.conf",
    "/etc/\u00e4pp.conf",
    "/etc/app.conf\n",
    "",
    42,
])
def test_bad_config_paths_are_config_errors(bad: object) -> None:
    target = Target(name="web01", address="192.0.2.1", vars={"config_files": [bad]})
    with pytest.raises(ConfigError) as caught:
        LinuxPlatform().collectors(target)
    assert caught.value.target == "web01"
    assert repr(bad) in str(caught.value)


@pytest.mark.parametrize("value", ["/etc/app.conf", {"a": 1}, 7])
def test_config_files_must_be_a_list(value: object) -> None:
    target = Target(name="web01", address="192.0.2.1", vars={"config_files": value})
    with pytest.raises(ConfigError, match="expected a list"):
        config_paths(target)


def test_duplicate_paths_are_read_once() -> None:
    target = Target(name="t", address="192.0.2.1",
                    vars={"config_files": ["/etc/resolv.conf", "/etc/a.conf", "/etc/a.conf"]})
    assert config_paths(target) == (*DEFAULT_FILES, "/etc/a.conf")


def test_redaction_key_is_not_shown() -> None:
    assert "secret" not in repr(LinuxPlatform(redaction_key=b"secret"))
