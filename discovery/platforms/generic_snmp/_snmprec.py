"""A small, pure decoder of snmprec lines (`OID|TAG|VALUE`), the format the SNMP transport
hands to parsers and the format of recorded walks.

Decisions (see the fixture README):
- Split on the first two `|` only: values may contain `|`.
- A tag with an `x` suffix carries a hex-encoded value, for every type.
- A line that is not `OID|TAG|VALUE` with a numeric OID is skipped and its line number
  kept in `Walk.skipped`: recordings carry hand-sanitised lines (OIDs with `xx` in them)
  and one junk line must not cost the whole table. Only an output with lines but not a
  single usable one is a ParseError, since then it is not snmprec at all.
- A value that does not fit its type (`<private>` where an IpAddress or a number is
  expected, odd-length hex) is kept as `None`: the instance exists, its value was not
  observed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import IntEnum

from discovery.errors import ParseError
from discovery.platforms.common import excerpt

Oid = tuple[int, ...]
Value = bytes | int | str | None


class Tag(IntEnum):
    """snmprec type tags (the BER type numbers snmpsim uses)."""

    INTEGER = 2
    OCTET_STRING = 4
    NULL = 5
    OBJECT_IDENTIFIER = 6
    IP_ADDRESS = 64
    COUNTER32 = 65
    GAUGE32 = 66
    TIMETICKS = 67
    OPAQUE = 68
    COUNTER64 = 70


_INTEGERS = frozenset({Tag.INTEGER, Tag.COUNTER32, Tag.GAUGE32, Tag.TIMETICKS, Tag.COUNTER64})


@dataclass(frozen=True)
class Varbind:
    """One instance. `value` is bytes (OCTET STRING, Opaque), int (the integer types), a
    dotted string (OID, IpAddress) or None (NULL, unknown tag, unusable value)."""

    oid: Oid
    tag: int
    value: Value


@dataclass(frozen=True)
class Walk:
    """Decoded varbinds by OID, plus the numbers (1-based) of the lines skipped as junk."""

    varbinds: Mapping[Oid, Varbind]
    skipped: tuple[int, ...] = field(default=())

    def get(self, oid: Oid) -> Value:
        found = self.varbinds.get(oid)
        return None if found is None else found.value

    def under(self, prefix: Oid) -> Iterator[Varbind]:
        """The varbinds below `prefix`, in OID order."""
        size = len(prefix)
        for oid in sorted(o for o in self.varbinds if o[:size] == prefix):
            yield self.varbinds[oid]


def parse_oid(text: str) -> Oid | None:
    """A numeric OID (`1.3.6`, a leading dot allowed); None for anything else."""
    arcs = text.strip().removeprefix(".").split(".")
    if not all(arc.isdigit() and arc.isascii() for arc in arcs):
        return None
    return tuple(int(arc) for arc in arcs)


def format_oid(oid: Oid) -> str:
    return ".".join(str(arc) for arc in oid)


def decode(text: str, command: str = "snmprec", collector: str | None = None) -> Walk:
    """Decode an snmprec text; ParseError (naming the first line) when no line is usable."""
    found: dict[Oid, Varbind] = {}
    skipped: list[int] = []
    first_bad: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        varbind = decode_line(line)
        if varbind is None:
            skipped.append(number)
            first_bad = line if first_bad is None else first_bad
            continue
        found[varbind.oid] = varbind
    if not found and first_bad is not None:
        raise ParseError(f"{command}: no OID|TAG|VALUE line (line {skipped[0]}: "
                         f"{excerpt(first_bad)})", collector=collector)
    return Walk(found, tuple(skipped))


def decode_line(line: str) -> Varbind | None:
    """One `OID|TAG|VALUE` line; None when the line has no such shape."""
    parts = line.rstrip("\r\n").split("|", 2)
    if len(parts) != 3:
        return None
    oid = parse_oid(parts[0])
    tag_text = parts[1].strip()
    hexed = tag_text.endswith("x")
    tag_digits = tag_text.removesuffix("x")
    if oid is None or not tag_digits.isdigit():
        return None
    tag = int(tag_digits)
    raw = _unhex(parts[2]) if hexed else parts[2].encode("utf-8")
    return Varbind(oid, tag, None if raw is None else _value(tag, raw, hexed))


def _unhex(text: str) -> bytes | None:
    try:
        return bytes.fromhex(text.strip())
    except ValueError:
        return None


def _value(tag: int, raw: bytes, hexed: bool) -> Value:
    if tag in (Tag.OCTET_STRING, Tag.OPAQUE):
        return raw
    if tag in _INTEGERS:
        return _integer(raw)
    if tag == Tag.IP_ADDRESS:
        return _ipv4(raw, hexed)
    if tag == Tag.OBJECT_IDENTIFIER:
        oid = parse_oid(raw.decode("ascii", "replace"))
        return format_oid(oid) if oid is not None else None
    return None  # NULL and tags we do not know: present, but no value


def _integer(raw: bytes) -> int | None:
    text = raw.decode("ascii", "replace").strip()
    try:
        return int(text)
    except ValueError:
        return None


def _ipv4(raw: bytes, hexed: bool) -> str | None:
    """Dotted text, or the 4 raw octets a hex-tagged (`64x`) value decodes to."""
    if hexed:
        return str(ipaddress.IPv4Address(raw)) if len(raw) == 4 else None
    try:
        return str(ipaddress.IPv4Address(raw.decode("ascii").strip()))
    except (UnicodeDecodeError, ValueError):
        return None
