"""Redaction of a network device's configuration text (pure): volatile lines removed,
secrets replaced by a placeholder, and a keyed fingerprint kept per secret so that a
changed secret is still detected without storing it (DESIGN §6).

Normalisation: lines are split on any line end and lose trailing blanks; leading and
trailing blank lines are dropped; the result ends with one newline. Nothing else in a
kept line changes except its secrets, each replaced by `<redacted>` (the rest of the line
stays, so it still says WHAT is configured).

Fingerprint names are stable: the redacted line, preceded by its enclosing section
headers (by indentation, which covers IOS-style, VRP/Comware and Junos braces alike),
joined by " > ". A line holding several secrets numbers them ` [1]`, ` [2]`; the same
name seen again gets ` #2`, ` #3` in config order. The name never holds a secret (it is
built from redacted lines), so only a changed secret changes its fingerprint, and the
redacted text does not change at all.

Fingerprints are HMAC-SHA256 (hex) of the secret value under the redaction key. With the
public default key a weak secret could be guessed from its fingerprint: a deployment
passes its own key, as for the Linux configs (discovery/platforms/linux/configs.py).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from discovery.platforms.netconfig.rules import PlatformRules, rules_for

PLACEHOLDER = "<redacted>"
_COMMENTS = ("!", "#", "/*", "}")


@dataclass(frozen=True)
class RedactedConfig:
    text: str
    fingerprints: Mapping[str, str]


@dataclass(frozen=True)
class _Section:
    indent: int
    header: str


def redact_config(platform: str, text: str, key: bytes) -> RedactedConfig:
    """`text` (a running configuration of `platform`) redacted; ValueError for a platform
    without rules."""
    rules = rules_for(platform)
    lines = normalised_lines(text, rules)
    stack: list[_Section] = []
    out: list[str] = []
    fingerprints: dict[str, str] = {}
    for line in lines:
        indent = len(line) - len(line.lstrip())
        while stack and stack[-1].indent >= indent:
            stack.pop()
        parent = stack[-1].header if stack else None
        spans = secret_spans(rules, line, parent)
        redacted = _replace(line, spans)
        place = " > ".join([s.header for s in stack] + [redacted.strip()])
        for n, (start, end) in enumerate(spans, 1):
            name = f"{place} [{n}]" if len(spans) > 1 else place
            fingerprints[_unique(name, fingerprints)] = fingerprint(line[start:end], key)
        out.append(redacted)
        if redacted.strip() and not redacted.lstrip().startswith(_COMMENTS):
            stack.append(_Section(indent, redacted.strip()))
    return RedactedConfig(text="".join(f"{line}\n" for line in out), fingerprints=fingerprints)


def normalised_lines(text: str, rules: PlatformRules) -> list[str]:
    """Lines without trailing blanks, volatile lines dropped, outer blank lines trimmed."""
    kept = [line for line in (raw.rstrip() for raw in text.splitlines())
            if not rules.is_volatile(line)]
    while kept and not kept[0]:
        kept.pop(0)
    while kept and not kept[-1]:
        kept.pop()
    return kept


def secret_spans(rules: PlatformRules, line: str, parent: str | None) -> list[tuple[int, int]]:
    """(start, end) of every secret in `line`, overlapping matches merged, in order."""
    found: list[tuple[int, int]] = []
    for rule in rules.secrets:
        if rule.parent is not None and (parent is None or not rule.parent.search(parent)):
            continue
        for match in rule.pattern.finditer(line):
            start, end = match.span("secret")
            if end > start:
                found.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def fingerprint(value: str, key: bytes) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _replace(line: str, spans: list[tuple[int, int]]) -> str:
    for start, end in reversed(spans):
        line = line[:start] + PLACEHOLDER + line[end:]
    return line


def _unique(name: str, taken: Mapping[str, str]) -> str:
    if name not in taken:
        return name
    n = 2
    while f"{name} #{n}" in taken:
        n += 1
    return f"{name} #{n}"
