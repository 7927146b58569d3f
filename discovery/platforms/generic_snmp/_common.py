"""Helpers every generic SNMP collector shares: building `walk`/`get` command lines,
decoding the outputs that answered, grouping a table's columns into rows, and turning
SNMP values into schema values (text, numbers, MACs, unique names). Interface names are
in `naming`.

A value that is absent or unusable is None (not observed), never "" or a placeholder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from discovery.platforms.base import Command, Outputs
from discovery.platforms.generic_snmp import oids
from discovery.platforms.generic_snmp._snmprec import (
    Oid,
    Value,
    Varbind,
    Walk,
    decode,
    format_oid,
)
from discovery.platforms.netcli import mac as mac_text
from discovery.platforms.netcli import text as clean_text

Row = Mapping[str, Value]
_MAC_OCTETS = (6, 8)  # EUI-48 and EUI-64; tunnels put IPs (4 octets) in ifPhysAddress


def walk_command(name: str, *subtrees: str | Oid, required: bool = False) -> Command:
    return Command(name, "walk " + " ".join(_dotted(s) for s in subtrees), required=required)


def get_command(name: str, *instances: str | Oid, required: bool = False) -> Command:
    return Command(name, "get " + " ".join(_dotted(s) for s in instances), required=required)


def _dotted(value: str | Oid) -> str:
    return value if isinstance(value, str) else format_oid(value)


@dataclass(frozen=True)
class Answers:
    """The merged varbinds of the commands that answered, and which ones did."""

    walk: Walk
    answered: frozenset[str]

    def has(self, name: str) -> bool:
        return name in self.answered


def read(outputs: Outputs, collector: str, names: Iterable[str]) -> Answers:
    """Decode the named outputs that ran successfully; a failed one is simply not there
    (required commands stop the runner before the parser)."""
    merged: dict[Oid, Varbind] = {}
    answered = []
    skipped: list[int] = []
    for name in names:
        output = outputs.get(name)
        if output is None or not output.ok:
            continue
        walk = decode(output.stdout, output.command, collector)
        merged.update(walk.varbinds)
        skipped.extend(walk.skipped)
        answered.append(name)
    return Answers(Walk(merged, tuple(skipped)), frozenset(answered))


def rows(walk: Walk, table: oids.Table) -> dict[Oid, dict[str, Value]]:
    """The table's rows by index (in index order), each mapping column name -> value;
    a column an agent does not fill is absent from its row."""
    names = {number: name for name, number in table.columns.items()}
    size = len(table.entry)
    found: dict[Oid, dict[str, Value]] = {}
    for varbind in walk.under(table.entry):
        if len(varbind.oid) <= size + 1 or varbind.oid[size] not in names:
            continue
        found.setdefault(varbind.oid[size + 1:], {})[names[varbind.oid[size]]] = varbind.value
    return {index: found[index] for index in sorted(found)}


def text(value: Value) -> str | None:
    """An OCTET STRING (or any value) as stripped text; empty, NUL-only and placeholder
    values ("n/a", "unknown", "--") are not observed."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return clean_text(str(value).replace("\x00", " "))


def integer(value: Value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def mac(value: Value) -> str | None:
    """A hardware address (6 or 8 octets) in lower-case colon form; a MAC some agents send
    as text ("00:1B:21:..."/"001b.21..") is accepted too; anything else is None."""
    if not isinstance(value, bytes) or not value:
        return None
    if len(value) in _MAC_OCTETS:
        return ":".join(f"{octet:02x}" for octet in value)
    return mac_text(value.decode("ascii", "replace"))


def mac_from_index(arcs: Oid) -> str | None:
    """A MAC written as 6 index arcs (BRIDGE-MIB FDB indexes)."""
    if len(arcs) != 6 or any(arc > 255 for arc in arcs):
        return None
    return mac(bytes(arcs))


def hex_string(value: Value) -> str | None:
    """Binary octets as lower-case hex without separators (snmpEngineID)."""
    if not isinstance(value, bytes) or not value:
        return None
    return value.hex()


def unique_names(names: Mapping[int, str]) -> dict[int, str]:
    """Names are keys: a name several indexes share gets ` #<index>` on each of them, so
    the result is deterministic and does not depend on which row came first."""
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {index: name if counts[name] == 1 else f"{name} #{index}"
            for index, name in names.items()}


IF_NAME_OIDS = (*oids.IF_TABLE.walk_oids("descr"), *oids.IF_X_TABLE.walk_oids("name"))
