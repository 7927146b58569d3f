"""Paths into a CI document: a list of keys, no mini-language.

A path is a tuple of mapping keys (str) and list indexes (int >= 0); YAML writes it as a
list, and a plain string is a one-element path. Keys may contain dots and slashes
(`/etc/ssh/sshd_config`), which is why there is no dotted syntax. The element `"*"` fans
out over every value of the mapping or list at that level, so a path with a `*` yields a
list of values, each with the keys the `*`s took (`Hit.at`).

Resolving:
- A key that does not exist, an index past the end, or a `None` value (not observed) is
  *missing*. An int element also finds the mapping key `str(n)` (JSON keys are strings).
- Under a `*`, elements in which the rest of the path is missing are skipped.
- Stepping into something that is not a mapping or list (a key under a string), or a key
  that is not an int into a list, is a *problem*: the document does not have the shape the
  path expects, and the check reports an error rather than a guess.
- `container_missing` tells "nothing before the first `*`" (not observed) from "a
  container with no matching element" (observed, empty): `count` counts the latter as 0.
"""

from __future__ import annotations

import json
import reprlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Key = str | int
Path = tuple[Key, ...]
WILDCARD = "*"


class PathError(ValueError):
    """A path in a rule is malformed (load time)."""


@dataclass(frozen=True)
class Hit:
    at: tuple[Key, ...]  # the keys/indexes the `*`s of the path took, in order
    value: Any


@dataclass(frozen=True)
class Resolution:
    hits: tuple[Hit, ...] = ()
    fanned: bool = False  # the path has a `*`
    container_missing: bool = False  # missing before the first `*` (or the whole path)
    problem: str | None = None  # the document does not have the shape of the path


class _ShapeError(Exception):
    pass


_MISSING = object()


def parse_path(raw: object) -> Path:
    """A path from YAML: a non-empty list of keys and indexes, or one string."""
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not items:
        raise PathError("expected a string or a non-empty list of keys and indexes")
    for i, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise PathError(f"element {i} ({item!r}) is not a string key or an int index")
        if item == "" or (isinstance(item, int) and item < 0):
            raise PathError(f"element {i} ({item!r}) must be a non-empty key or an index >= 0")
    return tuple(items)


def fans_out(path: Path) -> bool:
    return WILDCARD in path


def render(path: Sequence[Key]) -> str:
    """A path as people read it in messages: a JSON list."""
    return json.dumps(list(path))


def resolve(doc: Mapping[str, Any], path: Path) -> Resolution:
    fanned = fans_out(path)
    split = path.index(WILDCARD) if fanned else len(path)
    try:
        node = _follow(doc, path, 0, split)
        if node is _MISSING:
            return Resolution(fanned=fanned, container_missing=True)
        hits: list[Hit] = []
        _collect(node, path, split, (), hits)
    except _ShapeError as exc:
        return Resolution(fanned=fanned, problem=str(exc))
    return Resolution(hits=tuple(hits), fanned=fanned)


def _follow(node: Any, path: Path, start: int, stop: int) -> Any:
    """Walk path[start:stop] (no `*` in it) from node; _MISSING when something is absent."""
    for i in range(start, stop):
        node = _step(node, path[i], path[:i])
        if node is _MISSING:
            return _MISSING
    return node


def _collect(node: Any, path: Path, i: int, at: tuple[Key, ...], out: list[Hit]) -> None:
    """Fan out at path[i] (a `*`, or the end of the path) and collect the hits below."""
    if i == len(path):
        out.append(Hit(at, node))
        return
    stop = path.index(WILDCARD, i + 1) if WILDCARD in path[i + 1:] else len(path)
    for key, child in _children(node, path[:i]):
        below = _follow(child, path, i + 1, stop)
        if below is not _MISSING:
            _collect(below, path, stop, (*at, key), out)


def _step(node: Any, key: Key, where: Path) -> Any:
    if isinstance(node, Mapping):
        if key in node:
            value = node[key]
        elif isinstance(key, int) and str(key) in node:
            value = node[str(key)]
        else:
            return _MISSING
        return _MISSING if value is None else value
    if isinstance(node, list | tuple):
        if not isinstance(key, int):
            raise _ShapeError(f"{render(where)} is a list: index it with a number or '*', "
                              f"not {key!r}")
        return node[key] if key < len(node) and node[key] is not None else _MISSING
    raise _ShapeError(f"{render(where)} is {_kind(node)}, not a mapping or list: cannot look "
                      f"up {key!r} in it")


def _children(node: Any, where: Path) -> list[tuple[Key, Any]]:
    if isinstance(node, Mapping):
        return [(k, v) for k, v in node.items() if v is not None]
    if isinstance(node, list | tuple):
        return [(i, v) for i, v in enumerate(node) if v is not None]
    raise _ShapeError(f"{render(where)} is {_kind(node)}, not a mapping or list: cannot fan "
                      "out over it with '*'")


def _kind(value: Any) -> str:
    return f"a {type(value).__name__} ({reprlib.repr(value)})"
