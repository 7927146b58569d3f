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

import functools
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


@dataclass(frozen=True, slots=True)  # slots: made per CI and rule, a million per audit
class Hit:
    at: tuple[Key, ...]  # the keys/indexes the `*`s of the path took, in order
    value: Any


@dataclass(frozen=True, slots=True)
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


@functools.lru_cache(maxsize=4096)
def _stars(path: Path) -> tuple[int, ...]:
    """Positions of the `*`s in a path (rules resolve the same few paths fleet-wide)."""
    return tuple(i for i, key in enumerate(path) if key == WILDCARD)


def resolve(doc: Mapping[str, Any], path: Path) -> Resolution:
    stars = _stars(path)
    fanned = bool(stars)
    try:
        node = _follow(doc, path, 0, stars[0] if fanned else len(path))
        if node is _MISSING:
            return Resolution(fanned=fanned, container_missing=True)
        if not fanned:
            return Resolution(hits=(Hit((), node),))
        hits: list[Hit] = []
        _collect(node, path, stars, 0, (), hits)
    except _ShapeError as exc:
        return Resolution(fanned=fanned, problem=str(exc))
    return Resolution(hits=tuple(hits), fanned=fanned)


def _follow(node: Any, path: Path, start: int, stop: int) -> Any:
    """Walk path[start:stop] (no `*` in it) from node; _MISSING when something is absent."""
    for i in range(start, stop):
        node = _step(node, path, i)
        if node is _MISSING:
            return _MISSING
    return node


def _collect(node: Any, path: Path, stars: tuple[int, ...], star: int,
             at: tuple[Key, ...], out: list[Hit]) -> None:
    """Fan out at the `star`-th `*` of the path and collect the hits below it."""
    i = stars[star]
    last = star + 1 == len(stars)
    stop = len(path) if last else stars[star + 1]
    for key, child in _children(node, path, i):
        below = _follow(child, path, i + 1, stop)
        if below is _MISSING:
            continue
        if last:
            out.append(Hit((*at, key), below))
        else:
            _collect(below, path, stars, star + 1, (*at, key), out)


def _step(node: Any, path: Path, i: int) -> Any:
    """path[i] looked up in node (what path[:i] led to)."""
    key = path[i]
    if type(node) is dict or isinstance(node, Mapping):  # documents are plain dicts
        if key in node:
            value = node[key]
        elif isinstance(key, int) and str(key) in node:
            value = node[str(key)]
        else:
            return _MISSING
        return _MISSING if value is None else value
    if isinstance(node, list | tuple):
        if not isinstance(key, int):
            raise _ShapeError(f"{render(path[:i])} is a list: index it with a number or "
                              f"'*', not {key!r}")
        return node[key] if key < len(node) and node[key] is not None else _MISSING
    raise _ShapeError(f"{render(path[:i])} is {_kind(node)}, not a mapping or list: "
                      f"cannot look up {key!r} in it")


def _children(node: Any, path: Path, i: int) -> list[tuple[Key, Any]]:
    if type(node) is dict or isinstance(node, Mapping):
        return [(k, v) for k, v in node.items() if v is not None]
    if isinstance(node, list | tuple):
        return [(n, v) for n, v in enumerate(node) if v is not None]
    raise _ShapeError(f"{render(path[:i])} is {_kind(node)}, not a mapping or list: cannot "
                      "fan out over it with '*'")


def _kind(value: Any) -> str:
    return f"a {type(value).__name__} ({reprlib.repr(value)})"
