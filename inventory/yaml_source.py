"""Read one YAML file into plain values, remembering the line of every key path, so
that every inventory error can name the file, the line and the key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from inventory.credentials import InventoryError

KeyPath = tuple[str | int, ...]

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# Far above any real inventory (~5 nodes per host); stops alias bombs early.
_MAX_NODES = 500_000


@dataclass(frozen=True)
class Source:
    file: str
    data: Mapping[str, Any]
    lines: Mapping[KeyPath, int]

    def line_of(self, path: KeyPath) -> int | None:
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def error(self, path: KeyPath, problem: str) -> InventoryError:
        return InventoryError(problem, file=self.file, line=self.line_of(path),
                              key=dotted(path) or None)


class _Reader:
    """Turns a composed node tree into dicts/lists/scalars, recording lines as it goes.

    Done by hand rather than with `yaml.safe_load` because PyYAML silently keeps the
    last of duplicate keys (a duplicate host would vanish) and forgets all positions.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[KeyPath, int] = {}
        self._scalars = yaml.constructor.SafeConstructor()
        self._active: set[int] = set()
        self._count = 0

    def value(self, node: Node, path: KeyPath) -> Any:
        self._count += 1
        if self._count > _MAX_NODES:
            raise self._error(node, path, f"more than {_MAX_NODES} YAML nodes (alias bomb?)")
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if id(node) in self._active:
            raise self._error(node, path, "recursive YAML alias")
        self._active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            if isinstance(node, SequenceNode):
                return self._sequence(node, path)
            raise self._error(node, path, f"unsupported YAML node {type(node).__name__}")
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: MappingNode, path: KeyPath) -> dict[str, Any]:
        self._check_tag(node, _MAP_TAG, path)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node, path)
            sub = (*path, key)
            if key in out:
                raise self._error(key_node, sub,
                                  f"duplicate key '{key}' (first at line {self.lines[sub]})")
            self.lines[sub] = node_line(key_node)
            out[key] = self.value(value_node, sub)
        return out

    def _sequence(self, node: SequenceNode, path: KeyPath) -> list[Any]:
        self._check_tag(node, _SEQ_TAG, path)
        out: list[Any] = []
        for index, item in enumerate(node.value):
            self.lines[(*path, index)] = node_line(item)
            out.append(self.value(item, (*path, index)))
        return out

    def _key(self, node: Node, path: KeyPath) -> str:
        if node.tag == _MERGE_TAG:
            raise self._error(node, path, "YAML merge keys (<<) are not supported; "
                                          "put shared settings in defaults or a group")
        key = self._scalar(node, path) if isinstance(node, ScalarNode) else None
        if not isinstance(key, str) or not key:
            shown = repr(node.value) if isinstance(node, ScalarNode) else "a collection"
            raise self._error(node, path, f"key {shown} must be a non-empty string; quote it")
        return key

    def _scalar(self, node: ScalarNode, path: KeyPath) -> Any:
        try:
            return self._scalars.construct_object(node)
        except (yaml.YAMLError, ValueError) as exc:  # unknown tag, impossible date, ...
            raise self._error(node, path, f"cannot read value: {_yaml_problem(exc)}") from None

    def _check_tag(self, node: Node, tag: str, path: KeyPath) -> None:
        if node.tag != tag:
            raise self._error(node, path, f"unsupported YAML tag {node.tag}")

    def _error(self, node: Node, path: KeyPath, problem: str) -> InventoryError:
        return InventoryError(problem, file=self.file, line=node_line(node),
                              key=dotted(path) or None)


def read_yaml(path: str | Path) -> Source:
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InventoryError(f"cannot read file: {exc.strerror or exc}", file=file) from exc
    try:
        root = yaml.compose(raw, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise InventoryError(f"invalid YAML: {_yaml_problem(exc)}", file=file,
                             line=None if line is None else line + 1) from None
    if root is None:
        raise InventoryError("file is empty; expected a mapping with defaults, groups "
                             "and/or hosts", file=file)
    reader = _Reader(file)
    reader.lines[()] = node_line(root)
    data = reader.value(root, ())
    if not isinstance(data, dict):
        raise InventoryError(f"expected a mapping with defaults, groups and/or hosts, "
                             f"got {describe(data)}", file=file, line=node_line(root))
    return Source(file, data, reader.lines)


def _yaml_problem(exc: Exception) -> str:
    # Only PyYAML's short problem text: its full str() quotes a snippet of the document.
    if isinstance(exc, yaml.MarkedYAMLError):
        return ", ".join(p for p in (exc.context, exc.problem) if p) or type(exc).__name__
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def node_line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def dotted(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def describe(value: object) -> str:
    """Describe a value by type only: the field might be a mistyped secret."""
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean",
             int: "an integer", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
