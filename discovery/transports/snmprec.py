"""The snmprec line format (`OID|TAG|VALUE`): what the SNMP transport prints, what
recorded `.snmprec` files hold, and what the SNMP platform parsers read.

One format for both means a parser works identically on a live agent and on a recording.
Pure code (no pysnmp): `encode` turns varbinds into sorted lines, `decode` reads them back.
Tags are the snmpsim/LibreNMS ones; a tag followed by `x` means the value is hex. Decoded
values are kept simple: `str` for OCTET STRING text, OIDs and IpAddress; `bytes` for
hex-encoded OCTET STRINGs and Opaque; `int` for the integer types; `None` for NULL.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from enum import IntEnum
from typing import NamedTuple

__all__ = ["SnmprecError", "Tag", "Value", "Varbind", "decode", "decode_line", "encode",
           "encode_line", "oid_key"]

Value = str | int | bytes | None


class Tag(IntEnum):
    """SNMP types by their snmprec tag (the BER tag number of the type)."""

    INTEGER = 2
    OCTET_STRING = 4
    NULL = 5
    OBJECT_IDENTIFIER = 6
    IP_ADDRESS = 64
    COUNTER32 = 65
    GAUGE32 = 66  # also Unsigned32: same tag on the wire
    TIMETICKS = 67
    OPAQUE = 68
    COUNTER64 = 70


_INTEGER_TAGS = frozenset({Tag.INTEGER, Tag.COUNTER32, Tag.GAUGE32, Tag.TIMETICKS,
                           Tag.COUNTER64})
# At least two arcs: a one-arc OID cannot be BER-encoded (some recordings hold "0").
_OID = re.compile(r"\d+(?:\.\d+)+")
# Printable ASCII without '|' is written as is, anything else as hex (upper case, as the
# recordings write it), so that every value survives the round trip (CR/LF would split
# the line).
_PRINTABLE = frozenset(range(0x20, 0x7F)) - {ord("|")}


class Varbind(NamedTuple):
    """One decoded line: a numeric OID without a leading dot, its type and its value."""

    oid: str
    tag: Tag
    value: Value


class SnmprecError(ValueError):
    """A line that is not `OID|TAG|VALUE`; the message names the line number."""


def oid_key(oid: str) -> tuple[int, ...]:
    """Sort key: OIDs compare component by component, numerically (1.10 after 1.9)."""
    return tuple(int(arc) for arc in oid.split("."))


def encode(varbinds: Iterable[Varbind | tuple[str, int, Value]]) -> str:
    """Lines sorted by OID, each ending with a newline ("" for no varbinds)."""
    ordered = sorted(varbinds, key=lambda vb: oid_key(vb[0]))
    return "".join(encode_line(oid, tag, value) + "\n" for oid, tag, value in ordered)


def encode_line(oid: str, tag: int, value: Value) -> str:
    """One `OID|TAG|VALUE` line (no newline); raise ValueError on a value of a wrong type."""
    if not _OID.fullmatch(oid):
        raise ValueError(f"not a numeric OID: {oid!r}")
    kind = Tag(tag)
    if kind in _INTEGER_TAGS and isinstance(value, int) and not isinstance(value, bool):
        return f"{oid}|{kind.value}|{value}"
    if kind is Tag.OCTET_STRING and isinstance(value, str | bytes):
        return _octets_line(oid, value)
    if kind is Tag.OPAQUE and isinstance(value, bytes):
        return f"{oid}|68x|{value.hex().upper()}"
    if kind is Tag.NULL and value is None:
        return f"{oid}|5|"
    if kind is Tag.OBJECT_IDENTIFIER and isinstance(value, str) and _OID.fullmatch(value):
        return f"{oid}|6|{value}"
    if kind is Tag.IP_ADDRESS and isinstance(value, str):
        return f"{oid}|64|{ipaddress.IPv4Address(value)}"
    raise ValueError(f"{oid}: a {type(value).__name__} value cannot be encoded as tag {tag}")


def _octets_line(oid: str, value: str | bytes) -> str:
    raw = value.encode("utf-8") if isinstance(value, str) else value
    if all(byte in _PRINTABLE for byte in raw):
        return f"{oid}|4|{raw.decode('ascii')}"
    return f"{oid}|4x|{raw.hex().upper()}"


def decode(text: str) -> list[Varbind]:
    """Every line of `text` (blank lines skipped); SnmprecError names a bad line."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(decode_line(line))
        except SnmprecError as exc:
            raise SnmprecError(f"line {number}: {exc}") from None
    return out


def decode_line(line: str) -> Varbind:
    """One line; split on the first two `|` only, since text values may hold a `|`."""
    parts = line.rstrip("\r\n").split("|", 2)
    if len(parts) != 3:
        raise SnmprecError("expected OID|TAG|VALUE")
    oid, tag_text, value = parts
    if not _OID.fullmatch(oid):
        raise SnmprecError(f"not a numeric OID: {oid[:80]!r}")
    hexed = tag_text.endswith("x")
    try:
        tag = Tag(int(tag_text.removesuffix("x")))
    except ValueError:
        raise SnmprecError(f"{oid}: unknown tag {tag_text[:10]!r}") from None
    try:
        return Varbind(oid, tag, _value(tag, value, hexed))
    except ValueError as exc:
        raise SnmprecError(f"{oid}: bad value for tag {tag_text}: {exc}") from None


def _value(tag: Tag, text: str, hexed: bool) -> Value:
    raw = bytes.fromhex(text) if hexed else None
    if tag is Tag.OCTET_STRING:
        return raw if raw is not None else text
    if tag is Tag.OPAQUE:
        return raw if raw is not None else bytes.fromhex(text)
    if tag is Tag.NULL:
        return None
    if tag in _INTEGER_TAGS:
        return int.from_bytes(raw, "big") if raw is not None else int(text)
    if tag is Tag.IP_ADDRESS:
        return str(ipaddress.IPv4Address(raw if raw is not None else text))
    # OBJECT IDENTIFIER
    oid = raw.decode("ascii") if raw is not None else text
    if not _OID.fullmatch(oid):
        raise ValueError(f"not a numeric OID: {oid[:80]!r}")
    return oid
