"""Selectors: which CIs a rule, baseline or waiver applies to.

A selector is a mapping of keys to a string or a list of strings (any of them). All keys
must hold (AND); a key absent from the selector does not constrain; an empty selector
matches every CI. Keys, and the CI document field each reads:

- `label`, `role`, `platform`, `site`, `uid`: the field equals one of the values
  (exact, case-sensitive).
- `distro`: `os.distro_id` equals one of the values.
- `hostname`: `hostname` matches one of the globs (fnmatch `*`, `?`, `[...]`),
  case-insensitively, as DNS names are.
- `tags`: every listed tag is in the CI's `tags` (here a list means ALL of, not any of).

A CI document without the field does not match a selector that names it. Unknown keys,
empty lists and non-string values are errors when the selector is loaded.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any


class SelectorKey(enum.StrEnum):
    LABEL = "label"
    ROLE = "role"
    PLATFORM = "platform"
    SITE = "site"
    HOSTNAME = "hostname"
    UID = "uid"
    DISTRO = "distro"
    TAGS = "tags"


_KEYS = frozenset(key.value for key in SelectorKey)


class SelectorError(ValueError):
    """A malformed selector; `field` names the offending key (load time)."""

    def __init__(self, field: str | None, problem: str) -> None:
        super().__init__(problem)
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class Selector:
    """Parsed criteria, in SelectorKey order; each key's values are any-of (tags: all-of)."""

    criteria: tuple[tuple[SelectorKey, tuple[str, ...]], ...] = ()

    @classmethod
    def parse(cls, raw: object) -> Selector:
        """From YAML: a mapping, or None for "every CI"."""
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise SelectorError(None, f"expected a mapping of selector keys, got {raw!r}")
        unknown = sorted(str(k) for k in raw if k not in _KEYS)
        if unknown:
            raise SelectorError(unknown[0], f"unknown selector key; expected one of "
                                f"{', '.join(SelectorKey)}")
        parsed = {SelectorKey(k): _values(str(k), v) for k, v in raw.items()}
        return cls(tuple((k, parsed[k]) for k in SelectorKey if k in parsed))

    def matches(self, doc: Mapping[str, Any]) -> bool:
        return all(_matches(key, values, doc) for key, values in self.criteria)

    def to_dict(self) -> dict[str, list[str]]:
        """JSON form, for reports and evidence."""
        return {key.value: list(values) for key, values in self.criteria}


def _values(key: str, raw: object) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise SelectorError(key, "empty list: name at least one value, or drop the key")
    bad = [item for item in items if not isinstance(item, str) or not item]
    if bad:
        raise SelectorError(key, f"{bad[0]!r} is not a non-empty string (quote numbers)")
    return tuple(items)


def _matches(key: SelectorKey, values: tuple[str, ...], doc: Mapping[str, Any]) -> bool:
    if key is SelectorKey.TAGS:
        tags = doc.get("tags")
        return isinstance(tags, list | tuple) and all(tag in tags for tag in values)
    found = _field(key, doc)
    if not isinstance(found, str):
        return False
    if key is SelectorKey.HOSTNAME:
        return any(fnmatchcase(found.lower(), glob.lower()) for glob in values)
    return found in values


def _field(key: SelectorKey, doc: Mapping[str, Any]) -> object:
    if key is SelectorKey.DISTRO:
        os_info = doc.get("os")
        return os_info.get("distro_id") if isinstance(os_info, Mapping) else None
    return doc.get(key.value)
