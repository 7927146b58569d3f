"""The generic SNMP platform itself: names, collectors, and an allowlist that admits only
`walk`/`get` of numeric OIDs."""

from __future__ import annotations

import re

import pytest

from discovery.platforms.base import is_allowed
from discovery.platforms.generic_snmp import COLLECTORS, GenericSnmpPlatform
from inventory.model import Target

TARGET = Target(name="sw1", address="192.0.2.1")


def test_identity() -> None:
    platform = GenericSnmpPlatform()
    assert (platform.name, platform.transport) == ("generic_snmp", "snmp")
    assert platform.collectors(TARGET) == COLLECTORS
    assert [c.name for c in COLLECTORS] == [
        "system", "interfaces", "hardware", "neighbors", "fdb", "host_resources"]
    assert repr(platform) == "GenericSnmpPlatform()"


def test_every_declared_command_is_allowed_and_named_safely() -> None:
    platform = GenericSnmpPlatform()
    for collector in COLLECTORS:
        names = [c.name for c in collector.commands]
        assert len(names) == len(set(names)), collector.name
        for command in collector.commands:
            assert re.fullmatch(r"[a-z0-9_]+", command.name)
            assert command.fallback is None
            assert is_allowed(platform, command.line), command.line


def test_only_system_emits_the_device() -> None:
    required = {c.name: [x.name for x in c.commands if x.required] for c in COLLECTORS}
    assert required["system"] == ["system"]
    assert required["interfaces"] == ["if_table", "if_x_table", "sys_ids"]
    assert all(not v for k, v in required.items() if k not in ("system", "interfaces"))


@pytest.mark.parametrize("line", [
    "walk 1.3.6.1.2.1.2.2.1",
    "get 1.3.6.1.2.1.1.5.0 1.3.6.1.2.1.1.1.0",
    "walk 1.0.8802.1.1.2.1.4.1.1.9",
])
def test_numeric_reads_are_allowed(line: str) -> None:
    assert is_allowed(GenericSnmpPlatform(), line)


@pytest.mark.parametrize("line", [
    "set 1.3.6.1.2.1.1.5.0 s pwned",
    "walk",
    "get ",
    "walk .1.3.6.1.2.1.1",
    "walk 1.3.6.1.2.1.1.",
    "walk 1.3.6.01.2",
    "walk IF-MIB::ifTable",
    "walk 1.3.6.1.2.1.1 ; reboot",
    "walk 1.3.6.1.2.1.1\nset 1.3.6.1.2.1.1.5.0 s x",
    "walk  1.3.6.1.2.1.1",
    "WALK 1.3.6.1.2.1.1",
    "bulkset 1.3.6.1",
    "walk 1",
])
def test_anything_else_is_refused(line: str) -> None:
    assert not is_allowed(GenericSnmpPlatform(), line)
