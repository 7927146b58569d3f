"""SNMP and CLI name the same port the same way: for every CLI platform, the interface
names of the recorded walks of that vendor (../shared/fixtures/snmprec) take the form
the CLI platform stores, read from its own fixture cases
(tests/fixtures/<platform>/interfaces/*/expected.json) and from ntc-templates' real
interface listings (../shared/fixtures/cli/<platform>/<command>/*.yml).

The walks and the CLI outputs come from different devices, so ports are compared by
form (`GigabitEthernet1/0/1` -> `GigabitEthernetN/N/N`): a row whose ifName or ifDescr
is spelled in a form the CLI prints must be named exactly that. Where the very same
name occurs on both sides (`GigabitEthernet1/0/1`, `Ethernet1/1`, `lo0`, ...) it must
be an SNMP interface name too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from cmdb.schema import Interface
from tests.discovery.platforms.generic_snmp.cases import REPO, SNMPREC, recordings
from tests.discovery.platforms.generic_snmp.test_recordings import (
    CLASSIFICATION,
    IF_DESCR,
    IF_NAME,
    _column,
    _facts,
    _text,
)

# CLI platform -> the shared ntc-templates folder of its interface listing.
LISTINGS = {
    "cisco_ios": "show_interfaces", "cisco_nxos": "show_interface",
    "arista_eos": "show_interfaces", "juniper_junos": "show_interfaces",
    "huawei_vrp": "display_interface", "hp_comware": "display_interface",
}
SHARED_CLI = SNMPREC.parent / "cli"
_DIGITS = re.compile(r"\d+")


def _form(name: str) -> str:
    return _DIGITS.sub("N", name)


def _fixture_names(platform: str) -> set[str]:
    names = set()
    for path in sorted((REPO / "tests" / "fixtures" / platform / "interfaces").glob(
            "*/expected.json")):
        nodes = json.loads(path.read_text(encoding="utf-8"))["nodes"]
        names |= {n["properties"]["name"] for n in nodes if n["label"] == "Interface"}
    return names


def _listing_names(platform: str) -> set[str]:
    names = set()
    for path in sorted((SHARED_CLI / platform / LISTINGS[platform]).glob("*.yml")):
        records = yaml.safe_load(path.read_text(encoding="utf-8"))["parsed_sample"]
        names |= {str(r["interface"]) for r in records if r.get("interface")}
    return names


def _recordings_of(platform: str) -> list[Path]:
    return [p for p in recordings() if CLASSIFICATION[p.stem][1] == platform]


def _snmp_names(path: Path) -> set[str]:
    return {n.name for n in _facts(path, "interfaces").nodes if isinstance(n, Interface)}


@pytest.mark.parametrize("platform", sorted(LISTINGS))
def test_snmp_names_take_the_cli_form(platform: str) -> None:
    walks = _recordings_of(platform)
    if not walks:
        pytest.skip(f"no {platform} recording in {SNMPREC} (../shared/fixtures)")
    fixture = _fixture_names(platform)
    assert fixture, f"no tests/fixtures/{platform}/interfaces case"
    forms = {_form(n) for n in fixture | _listing_names(platform)}
    compared = 0
    for path in walks:
        snmp = _snmp_names(path)
        names, descrs = _column(path, IF_NAME), _column(path, IF_DESCR)
        for index in set(names) | set(descrs):
            for raw in {_text(names.get(index)), _text(descrs.get(index))} - {None}:
                if raw is not None and _form(raw) in forms:
                    assert raw in snmp, f"{path.stem}: ifIndex {index} {raw!r}"
                    compared += 1
    assert compared > 0, f"no {platform} port in a form the CLI prints"


@pytest.mark.parametrize("platform", sorted(LISTINGS))
def test_the_same_name_on_both_sides(platform: str) -> None:
    walks = _recordings_of(platform)
    if not walks:
        pytest.skip(f"no {platform} recording in {SNMPREC} (../shared/fixtures)")
    fixture = _fixture_names(platform)
    shared = set()
    for path in walks:
        raw = {_text(v) for column in (IF_NAME, IF_DESCR)
               for v in _column(path, column).values()}
        common = fixture & raw
        assert common <= _snmp_names(path), path.stem
        shared |= common
    assert shared, f"no {platform} port name in both the CLI fixtures and the walks"
