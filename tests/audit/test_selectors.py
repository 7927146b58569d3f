"""Selectors (`applies_to`, reused by baselines and waivers) on the CI document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from audit.model import Verdict
from audit.rules import evaluate, load_pack
from audit.selectors import Selector, SelectorError, SelectorKey
from tests.audit.test_rules import DOC, HEADER, ROUTER, rule_yaml, write_pack


@pytest.mark.parametrize(("raw", "web1", "router"), [
    (None, True, True), ({}, True, True),
    ({"label": "Device"}, True, True), ({"label": "Site"}, False, False),
    ({"role": "server"}, True, False), ({"role": ["network", "server"]}, True, False),
    ({"platform": "linux"}, True, False), ({"platform": ["linux", "cisco_ios"]}, True, True),
    ({"platform": "Linux"}, False, False),  # exact: platforms are identifiers
    ({"site": "dc1"}, True, False),  # the router has no site: no match
    ({"uid": "d-0123456789abcdef"}, True, False),
    ({"distro": "debian"}, True, False), ({"distro": ["rhel", "rocky"]}, False, False),
    ({"hostname": "web*"}, True, False), ({"hostname": "rtr-dc?-0[1-4]"}, False, True),
    ({"hostname": ["db*", "WEB1"]}, True, False),  # globs, case-insensitive
    ({"hostname": "web"}, False, False),  # a glob matches the whole name
    ({"tags": "pci"}, True, False), ({"tags": ["pci", "prod"]}, True, False),
    ({"tags": ["pci", "dmz"]}, False, False),  # tags: ALL listed
    ({"platform": "linux", "site": "dc2"}, False, False),  # keys: AND
    ({"platform": "linux", "site": "dc1", "tags": "prod"}, True, False),
])
def test_selector_matches(raw: dict[str, Any] | None, web1: bool, router: bool) -> None:
    selector = Selector.parse(raw)
    assert selector.matches(DOC) is web1
    assert selector.matches(ROUTER) is router


def test_selector_json_form_is_in_key_order() -> None:
    selector = Selector.parse({"tags": "pci", "platform": ["linux", "aix"]})
    assert selector.to_dict() == {"platform": ["linux", "aix"], "tags": ["pci"]}
    assert list(selector.to_dict()) == ["platform", "tags"]
    assert Selector.parse({"platform": "linux"}) == Selector.parse({"platform": ["linux"]})


@pytest.mark.parametrize(("raw", "field", "fragment"), [
    ({"colour": "red"}, "colour", "unknown selector key; expected one of label, role"),
    ({"tags": []}, "tags", "empty list"),
    ({"site": 12}, "site", "12 is not a non-empty string"),
    ({"hostname": ["web*", None]}, "hostname", "None is not"),
    ({"role": ""}, "role", "'' is not"),
    (["platform", "linux"], None, "expected a mapping"),
])
def test_selector_errors_name_the_key(raw: object, field: str | None, fragment: str) -> None:
    with pytest.raises(SelectorError) as caught:
        Selector.parse(raw)
    assert caught.value.field == field
    assert fragment in str(caught.value)


def test_a_non_matching_selector_is_not_applicable(tmp_path: Path) -> None:
    text = HEADER + rule_yaml(applies_to="{platform: cisco_ios}", path="[os, version]",
                              equals=None, version="{at_least: '15.2', scheme: generic}")
    rule = load_pack(write_pack(tmp_path, text)).rules[0]
    assert evaluate(rule, ROUTER).verdict is Verdict.COMPLIANT
    result = evaluate(rule, DOC)  # a Linux host: its os.version "12" is never compared
    assert result.verdict is Verdict.NOT_APPLICABLE
    assert result.actual is None
    assert "applies_to" in result.message


def test_selector_keys_are_an_enum() -> None:
    assert {k.value for k in SelectorKey} == {"label", "role", "platform", "site", "hostname",
                                             "uid", "distro", "tags"}
