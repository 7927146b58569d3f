"""Every CI class declaration keeps the schema's rules (STYLE 6: one suite for all)."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from cmdb.schema import (
    NODE_TYPES,
    RELATIONSHIPS,
    RESERVED_NAMES,
    Device,
    Facts,
    FactsError,
    Interface,
    IpAddress,
    Package,
    facts_from_json,
    facts_to_json,
    stable_uid,
)

LABELS = sorted(NODE_TYPES)
REQUIRED = {"Device", "OperatingSystem", "Interface", "IpAddress", "Package", "Service",
            "ListeningPort", "ConfigFile", "Site"}


def test_the_core_classes_are_declared() -> None:
    assert set(NODE_TYPES) >= REQUIRED


@pytest.mark.parametrize("label", LABELS)
def test_key_fields_exist_and_are_not_optional(label: str) -> None:
    cls = NODE_TYPES[label]
    spec = cls.SPEC
    assert spec.key or spec.identity, f"{label} needs a natural key or identity evidence"
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for name in spec.key:
        assert name in fields, f"{label}: key field {name} is not declared"
        assert type(None) not in typing.get_args(hints[name]), f"{label}.{name} is optional"
        assert fields[name].default is dataclasses.MISSING, f"{label}.{name} has a default"
    for name in spec.identity:
        assert name in fields, f"{label}: identity field {name} is not declared"


@pytest.mark.parametrize("label", LABELS)
def test_reserved_names_unused_and_every_property_documented(label: str) -> None:
    spec = NODE_TYPES[label].SPEC
    assert not set(spec.properties) & RESERVED_NAMES
    undocumented = [p.name for p in spec.properties.values() if not p.doc]
    assert not undocumented, f"{label}: undocumented {undocumented}"
    assert spec.doc


@pytest.mark.parametrize("label", LABELS)
def test_owners_resolve(label: str) -> None:
    spec = NODE_TYPES[label].SPEC
    if spec.owner is None:
        return
    owner = NODE_TYPES.get(spec.owner.label)
    assert owner is not None, f"{label}: owner {spec.owner.label} is not declared"
    assert RELATIONSHIPS[spec.owner.rel].dst == label
    # The fields naming the owner must be exactly the owner's key, and part of ours.
    assert len(spec.owner.by) == len(owner.SPEC.key) or not spec.owner.by
    assert set(spec.owner.by) <= set(spec.key)
    if not spec.owner.by:
        assert spec.owner.label == "Device", f"{label}: only devices own without a key"


def test_relationships_connect_declared_labels() -> None:
    for rel in RELATIONSHIPS.values():
        assert rel.src in NODE_TYPES and rel.dst in NODE_TYPES, rel


def test_uid_is_stable_and_depends_on_every_key_part() -> None:
    a = stable_uid("Interface", "dev-1", "eth0")
    assert a == stable_uid("Interface", "dev-1", "eth0")
    assert a != stable_uid("Interface", "dev-2", "eth0")
    assert a != stable_uid("Interface", "dev-1", "eth1")
    assert a.startswith("i-")


def test_facts_round_trip_through_json() -> None:
    facts = Facts(
        nodes=(Device(hostname="h", cpu_count=4), Interface(name="eth0", mac="aa:bb:cc:dd:ee:ff"),
               IpAddress(interface="eth0", address="10.0.0.1", prefix_length=24),
               Package(name="bash", arch="amd64", version="5.2", other_versions=("5.1",))),
        complete=frozenset({"Interface"}),
    )
    assert facts_from_json(facts_to_json(facts)) == facts


@pytest.mark.parametrize(("data", "message"), [
    ({"nodes": [{"label": "Toaster", "properties": {}}]}, "nodes[0].label: unknown CI class"),
    ({"nodes": [{"label": "Package", "properties": {"name": "x"}}]}, "missing key field"),
    ({"nodes": [{"label": "Device", "properties": {"colour": "red"}}]}, "unknown field"),
    ({"nodes": {}}, "facts.nodes: expected a list"),
    ({"complete": ["Nope"]}, "facts.complete: unknown CI class"),
])
def test_bad_facts_are_named(data: dict[str, object], message: str) -> None:
    with pytest.raises(FactsError, match=message.replace("[", r"\[").replace("]", r"\]")):
        facts_from_json(data)
