"""Snapshot baselines: a CI's configuration frozen as the expected state, then compared.

A snapshot holds, per CI, its document (audit.document) minus ignored paths. Comparing
walks the expected and the current document together and reports each difference once,
at the shallowest path where it appears: a package installed since the capture is one
finding `packages.foo` (actual: the package), not one per package property.

Paths are written `config_files["/etc/ssh/sshd_config"].settings.permitrootlogin`:
keys that are plain identifiers are joined with dots, others are quoted in brackets, so
every path reads back unambiguously. Ignore patterns are shell globs over that text.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Observed, not configured: these change without anyone changing the CI. A running
# config is compared by `config_sections` (one finding per changed section) and its
# secret fingerprints; its whole text, hash and line list would repeat the same change.
DEFAULT_IGNORE = ("uid", "label", "status", "last_run", "boot_time", "memory_bytes",
                  "interfaces.*.oper_status", "config_lines", "config_snapshots.*.text",
                  "config_snapshots.*.sha256", "config_snapshots.*.line_count")

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def path_text(parts: Sequence[str]) -> str:
    text = ""
    for part in parts:
        if _IDENTIFIER.fullmatch(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part)}]"
    return text


@dataclass(frozen=True)
class Difference:
    path: str
    expected: Any  # None: not there at capture
    actual: Any  # None: not there now

    @property
    def kind(self) -> str:
        if self.expected is None:
            return "unexpected"
        return "missing" if self.actual is None else "changed"


def capture(doc: Mapping[str, Any], ignore: Sequence[str] = DEFAULT_IGNORE) -> dict[str, Any]:
    """The expected state of one CI: its document without ignored paths."""
    return _without(doc, (), tuple(ignore))


def compare(expected: Mapping[str, Any], current: Mapping[str, Any],
            ignore: Sequence[str] = DEFAULT_IGNORE) -> list[Difference]:
    actual = _without(current, (), tuple(ignore))
    return sorted(_diff(expected, actual, ()), key=lambda d: d.path)


def _without(doc: Mapping[str, Any], at: tuple[str, ...], ignore: tuple[str, ...]
             ) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in doc.items():
        parts = (*at, str(key))
        if _ignored(parts, ignore):
            continue
        kept[str(key)] = _without(value, parts, ignore) if isinstance(value, Mapping) else value
    return kept


def _ignored(parts: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    dotted = ".".join(parts)
    return any(fnmatch.fnmatchcase(dotted, p) or fnmatch.fnmatchcase(path_text(parts), p)
               for p in ignore)


def _diff(expected: Mapping[str, Any], actual: Mapping[str, Any], at: tuple[str, ...]
          ) -> Iterator[Difference]:
    for key in sorted(set(expected) | set(actual)):
        parts = (*at, key)
        want, have = expected.get(key), actual.get(key)
        if isinstance(want, Mapping) and isinstance(have, Mapping):
            yield from _diff(want, have, parts)
        elif want != have:
            yield Difference(path_text(parts), want, have)
