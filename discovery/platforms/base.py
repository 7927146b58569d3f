"""A platform is mostly data: the commands its collectors ask, the allowlist they must
fit, and small pure parsers from raw outputs to schema objects (STYLE 7)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from cmdb.schema import Facts, Source
from discovery.transports.base import CommandOutput
from inventory.model import Target


@dataclass(frozen=True)
class Command:
    """One read-only command. `name` is the key its output has in the parser's input.

    `fallback` runs when the primary exits non-zero (e.g. `ip addr` where `ip -j` is too
    old). A `required` command that still fails makes the collector fail with a
    CommandError; an optional one is handed to the parser, failure and all.
    """

    name: str
    line: str
    fallback: str | None = None
    required: bool = True


Outputs = Mapping[str, CommandOutput]
Parser = Callable[[Outputs], Facts]
# What `--record` may write of a collector's outputs: the same outputs with every secret
# replaced, still parseable (DESIGN §6: secrets never reach recordings or fixtures).
Redactor = Callable[[Outputs], Outputs]


@dataclass(frozen=True)
class Collector:
    name: str
    commands: tuple[Command, ...]
    parse: Parser
    source: Source = Source.SSH
    # Labels this collector enumerates completely (DESIGN §4 "Absence").
    complete: frozenset[str] = field(default_factory=frozenset)
    # For collectors whose raw outputs may hold secrets (config files, running configs).
    recordable: Redactor | None = None

    def for_recording(self, outputs: Outputs) -> Outputs:
        return outputs if self.recordable is None else self.recordable(outputs)


class Platform(Protocol):
    name: str
    transport: str
    allowlist: tuple[re.Pattern[str], ...]

    def collectors(self, target: Target) -> tuple[Collector, ...]: ...


def is_allowed(platform: Platform, line: str) -> bool:
    """A command may run only if it fully matches one allowlist pattern."""
    return any(pattern.fullmatch(line) for pattern in platform.allowlist)
