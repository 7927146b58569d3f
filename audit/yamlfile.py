"""Strict YAML for audit inputs (rule packs; baselines and waivers may share it).

- Booleans are YAML 1.2's, only `true`/`false` (any case style): `yes`, `no`, `on`, `off`
  stay strings. PyYAML follows YAML 1.1, where `equals: no` would be the boolean False and
  never match the sshd setting "no".
- A key given twice in one mapping is an error; PyYAML would keep the last one silently.
- Everything else is PyYAML's SafeLoader: no Python objects, ever.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any

import yaml


class YamlFileError(ValueError):
    """Not valid YAML; `line` is 1-based when known."""

    def __init__(self, problem: str, line: int | None = None) -> None:
        super().__init__(problem)
        self.problem, self.line = problem, line


class _StrictLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode,
                          deep: bool = False) -> dict[Hashable, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable) and key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"found the key {key!r} twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


_BOOL_TAG = "tag:yaml.org,2002:bool"
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def load_yaml(data: bytes | str) -> object:
    """One YAML document; YamlFileError with the line on any problem."""
    try:
        return yaml.load(data, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlFileError(str(exc.problem), mark.line + 1 if mark else None) from exc
    except yaml.YAMLError as exc:
        raise YamlFileError(str(exc)) from exc
