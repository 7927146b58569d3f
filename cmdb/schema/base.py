"""How a CI class is declared: one frozen dataclass plus a small declaration.

Everything else (stores, reconciliation, audits, docs) reads these declarations; no other
module names a label, a key or a property on its own (DESIGN §4, STYLE 3).
"""

from __future__ import annotations

import dataclasses
import hashlib
import typing
from collections import abc
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, TypeVar, dataclass_transform

# Names the stores use for their own bookkeeping; a CI class may not declare them.
RESERVED_NAMES = frozenset(
    {"uid", "label", "status", "owner", "device", "first_run", "last_run", "absent_since",
     "source", "_prov", "_obs"}
)


class Source(StrEnum):
    """Where an observed value came from."""

    AGENT = "agent"
    SSH = "ssh"
    CLI = "cli"
    SNMP = "snmp"
    INVENTORY = "inventory"


# Default per-property precedence (DESIGN §4): what the host says of itself beats what we
# read over SSH, which beats network CLI, which beats SNMP. The inventory is what an
# operator typed; discovered facts override it.
DEFAULT_PRECEDENCE: tuple[Source, ...] = (
    Source.AGENT,
    Source.SSH,
    Source.CLI,
    Source.SNMP,
    Source.INVENTORY,
)


@dataclass(frozen=True)
class Owner:
    """The node that owns instances of a class, and the relationship from it.

    `by` names this class's fields that hold the owner's key; empty means the owner is
    the device the facts are about.
    """

    label: str
    rel: str
    by: tuple[str, ...] = ()


@dataclass(frozen=True)
class PropertySpec:
    name: str
    doc: str
    indexed: bool
    mapping: bool  # a str->str mapping, stored and diffed one entry at a time


@dataclass(frozen=True)
class NodeSpec:
    label: str
    key: tuple[str, ...]
    owner: Owner | None
    doc: str
    properties: Mapping[str, PropertySpec]
    # Classes without a natural key are matched by identity evidence instead (Device).
    identity: tuple[str, ...] = ()

    @property
    def uid_prefix(self) -> str:
        return "".join(c for c in self.label if c.isupper()).lower()


@dataclass(frozen=True)
class RelSpec:
    type: str
    src: str
    dst: str
    doc: str


class Node:
    """Base of every CI class. Subclasses are frozen, keyword-only dataclasses."""

    SPEC: ClassVar[NodeSpec]

    def key_values(self) -> tuple[str, ...]:
        return tuple(str(getattr(self, name)) for name in self.SPEC.key)


N = TypeVar("N", bound=Node)

NODE_TYPES: dict[str, type[Node]] = {}
RELATIONSHIPS: dict[str, RelSpec] = {}


@dataclass(frozen=True)
class Prop:
    """Documents a property: `hostname: Annotated[str | None, Prop("...")] = None`."""

    doc: str
    indexed: bool = False


@dataclass(frozen=True)
class Key:
    """Marks a natural-key field: required, never None, always indexed."""

    doc: str


@dataclass_transform(frozen_default=True, kw_only_default=True)
def node(
    label: str,
    *,
    doc: str,
    key: tuple[str, ...] = (),
    owner: Owner | None = None,
    identity: tuple[str, ...] = (),
) -> Callable[[type[N]], type[N]]:
    """Class decorator: make `cls` a frozen dataclass and register its declaration."""

    def register(cls: type[N]) -> type[N]:
        data_cls = dataclass(frozen=True, kw_only=True)(cls)
        hints = typing.get_type_hints(data_cls, include_extras=True)
        props = {
            f.name: _property_spec(f.name, hints[f.name])
            for f in dataclasses.fields(data_cls)  # type: ignore[arg-type]
        }
        data_cls.SPEC = NodeSpec(label, key, owner, doc, props, identity)
        if label in NODE_TYPES:
            raise ValueError(f"schema: label {label!r} declared twice")
        NODE_TYPES[label] = data_cls
        if owner is not None:
            relationship(owner.rel, owner.label, label, f"{owner.label} owns {label}")
        return data_cls

    return register


def relationship(rel_type: str, src: str, dst: str, doc: str) -> None:
    """Register a relationship type between two labels."""
    existing = RELATIONSHIPS.get(rel_type)
    if existing is not None and (existing.src, existing.dst) != (src, dst):
        raise ValueError(f"schema: relationship {rel_type} declared with two shapes")
    RELATIONSHIPS[rel_type] = RelSpec(rel_type, src, dst, doc)


def _property_spec(name: str, hint: Any) -> PropertySpec:
    marks = [m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Prop | Key)]
    if not marks:
        raise ValueError(f"schema: field {name!r} needs Annotated[..., Prop(...) or Key(...)]")
    mark = marks[0]
    value_type = typing.get_args(hint)[0]
    is_mapping = any(typing.get_origin(t) in (Mapping, abc.Mapping)
                     for t in (value_type, *typing.get_args(value_type)))
    indexed = isinstance(mark, Key) or (isinstance(mark, Prop) and mark.indexed)
    return PropertySpec(name, mark.doc, indexed, is_mapping)


def stable_uid(label: str, *parts: str) -> str:
    """The one uid of a node: a short, stable hash of its label and natural key.

    The prefix (e.g. `dev-`, `i-`) keeps uids readable in the CLI.
    """
    digest = hashlib.sha256("\x1f".join((label, *parts)).encode()).hexdigest()[:16]
    prefix = NODE_TYPES[label].SPEC.uid_prefix if label in NODE_TYPES else label.lower()
    return f"{prefix}-{digest}"


def properties_of(item: Node) -> dict[str, Any]:
    """The node's observed properties, flattened: mappings become `field.entry`.

    None means "not observed" and is left out (DESIGN §8).
    """
    flat: dict[str, Any] = {}
    for spec in item.SPEC.properties.values():
        value = getattr(item, spec.name)
        if value is None:
            continue
        if spec.mapping:
            for entry, entry_value in value.items():
                flat[f"{spec.name}.{entry}"] = entry_value
        elif isinstance(value, tuple):
            flat[spec.name] = list(value)
        else:
            flat[spec.name] = value
    return flat
