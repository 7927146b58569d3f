"""A small, strict BER codec for SNMPv1/v2c messages (RFC 1157, RFC 3416; X.690 BER).

    Message ::= SEQUENCE { version INTEGER (0 = v1, 1 = v2c), community OCTET STRING,
                           PDU }
    PDU     ::= [tag] SEQUENCE-like { request-id INTEGER, error-status INTEGER,
                                      error-index INTEGER, SEQUENCE OF VarBind }
    VarBind ::= SEQUENCE { name OBJECT IDENTIFIER, value }

In a GetBulkRequest, error-status and error-index carry non-repeaters and
max-repetitions. Values: INTEGER, OCTET STRING, NULL, OBJECT IDENTIFIER, IpAddress,
Counter32, Gauge32/Unsigned32, TimeTicks, Opaque, Counter64, and v2c's noSuchObject,
noSuchInstance and endOfMibView.

Why not pyasn1: decoding a response there costs 0.12-0.2 ms per varbind, ~93 % of the SNMP
transport's CPU (bench/README.md); this codec does it in a few microseconds. pysnmp stays
the reference implementation and handles SNMPv3.

Pure functions, no I/O. Decoding is strict: anything that is not a well-formed v1/v2c
message (bad or multi-byte tags, indefinite or oversized lengths, truncation, trailing
bytes, values out of their type's range, v2c-only types in a v1 message) raises
`BerError` naming the byte offset and the field. Lengths may use the long form even where
the short form would do (net-snmp writes its SEQUENCE lengths that way; X.690 allows it).
Values use the snmprec conventions (`discovery.transports.snmprec`): OIDs and IpAddresses
as dotted text, OCTET STRINGs and Opaque as bytes, the integer types as int, NULL as None.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple

from discovery.transports.snmprec import Tag, Value

__all__ = ["MAX_OID_ARCS", "BerError", "Binding", "Message", "Missing", "Oid", "PduType",
           "decode_message", "encode_message", "oid_text"]

Oid = tuple[int, ...]

MAX_OID_ARCS = 128  # RFC 2578 §3.5: at most 128 sub-identifiers, each below 2**32
_MAX_ARC = 2**32 - 1
_SEQUENCE = 0x30
_VERSIONS = (0, 1)  # SNMPv1, SNMPv2c
_MAX_ERROR_STATUS = 18  # inconsistentName, the last one RFC 3416 defines
_LENGTH_OCTETS = 4  # long-form lengths up to 2**32 - 1: far beyond any datagram
# Value ranges per integer type: (low, high).
_INT32 = (-(2**31), 2**31 - 1)
_UINT32 = (0, 2**32 - 1)
_UINT64 = (0, 2**64 - 1)


class BerError(ValueError):
    """Not a well-formed SNMPv1/v2c message; the text names the byte offset and field."""


class PduType(IntEnum):
    """The PDUs a v1/v2c manager sends and gets back, by their BER tag."""

    GET = 0xA0
    GET_NEXT = 0xA1
    RESPONSE = 0xA2
    GET_BULK = 0xA5  # SNMPv2c only


class Missing(IntEnum):
    """SNMPv2c's exception values: a varbind that holds no value (RFC 3416 §3)."""

    NO_SUCH_OBJECT = 0x80
    NO_SUCH_INSTANCE = 0x81
    END_OF_MIB_VIEW = 0x82


class Binding(NamedTuple):
    """One varbind: the OID as a tuple, its type (or why there is no value), the value."""

    oid: Oid
    kind: Tag | Missing
    value: Value


@dataclass(frozen=True)
class Message:
    """One SNMPv1/v2c message. For GET_BULK, `error_status` is non-repeaters and
    `error_index` is max-repetitions (the fields they take on the wire)."""

    version: int
    community: bytes
    pdu: PduType
    request_id: int
    error_status: int
    error_index: int
    bindings: tuple[Binding, ...]


def oid_text(oid: Sequence[int]) -> str:
    """Dotted numeric text without a leading dot."""
    return ".".join(map(str, oid))


# -- decoding --------------------------------------------------------------------------------

def decode_message(data: bytes) -> Message:
    """The message in `data`, which must hold exactly one; BerError otherwise."""
    tag, start, end = _header(data, 0, len(data), "message")
    _expect(tag, _SEQUENCE, 0, "message")
    if end != len(data):
        raise BerError(f"byte {end}: {len(data) - end} bytes after the end of the message")
    version, pos = _integer(data, start, end, "version", (0, 2**31 - 1))
    if version not in _VERSIONS:
        raise BerError(f"byte {start}: version {version} is not SNMPv1 (0) or SNMPv2c (1)")
    community, pos = _octet_string(data, pos, end, "community")
    pdu_tag, pdu_start, pdu_end = _header(data, pos, end, "PDU")
    pdu = _pdu_type(pdu_tag, pos, version)
    if pdu_end != end:
        raise BerError(f"byte {pdu_end}: {end - pdu_end} bytes after the PDU")
    request_id, pos = _integer(data, pdu_start, pdu_end, "request-id", _INT32)
    status_range = (0, 2**31 - 1) if pdu is PduType.GET_BULK else (0, _MAX_ERROR_STATUS)
    error_status, pos = _integer(data, pos, pdu_end, "error-status", status_range)
    error_index, pos = _integer(data, pos, pdu_end, "error-index", (0, 2**31 - 1))
    bindings = _binding_list(data, pos, pdu_end, version)
    return Message(version, community, pdu, request_id, error_status, error_index, bindings)


def _pdu_type(tag: int, pos: int, version: int) -> PduType:
    try:
        pdu = PduType(tag)
    except ValueError:
        raise BerError(f"byte {pos}: PDU type 0x{tag:02X} is not GET, GETNEXT, GETBULK or "
                       "Response") from None
    if pdu is PduType.GET_BULK and version == 0:
        raise BerError(f"byte {pos}: GETBULK in an SNMPv1 message")
    return pdu


def _header(data: bytes, pos: int, end: int, what: str) -> tuple[int, int, int]:
    """(tag, content start, content end) of the TLV at `pos`, which must fit before `end`."""
    if pos + 2 > end:
        raise BerError(f"byte {pos}: truncated: {what} expected, {end - pos} bytes left")
    tag, first = data[pos], data[pos + 1]
    if tag & 0x1F == 0x1F:
        raise BerError(f"byte {pos}: {what}: multi-byte tag numbers do not occur in SNMP")
    if first < 0x80:
        start, length = pos + 2, first
    else:
        count = first & 0x7F
        if count == 0 or count > _LENGTH_OCTETS:
            form = "indefinite length" if count == 0 else f"a {count}-octet length"
            raise BerError(f"byte {pos + 1}: {what}: {form} is not allowed here")
        start = pos + 2 + count
        if start > end:
            raise BerError(f"byte {pos + 1}: {what}: truncated in its length octets")
        length = int.from_bytes(data[pos + 2:start], "big")
    if start + length > end:
        raise BerError(f"byte {pos}: {what}: length {length} runs past the end of the data "
                       f"({end - start} bytes left)")
    return tag, start, start + length


def _expect(tag: int, wanted: int, pos: int, what: str) -> None:
    if tag != wanted:
        raise BerError(f"byte {pos}: {what}: tag 0x{tag:02X} where 0x{wanted:02X} belongs")


def _integer(data: bytes, pos: int, end: int, what: str,
             bounds: tuple[int, int]) -> tuple[int, int]:
    """An INTEGER field and the position after it."""
    tag, start, stop = _header(data, pos, end, what)
    _expect(tag, Tag.INTEGER, pos, what)
    return _int_value(data, start, stop, bounds, what), stop


def _octet_string(data: bytes, pos: int, end: int, what: str) -> tuple[bytes, int]:
    tag, start, stop = _header(data, pos, end, what)
    _expect(tag, Tag.OCTET_STRING, pos, what)
    return data[start:stop], stop


def _int_value(data: bytes, start: int, stop: int, bounds: tuple[int, int],
               what: str) -> int:
    if start == stop:
        raise BerError(f"byte {start}: {what}: an INTEGER needs at least one content octet")
    value = int.from_bytes(data[start:stop], "big", signed=True)
    low, high = bounds
    if not low <= value <= high:
        raise BerError(f"byte {start}: {what}: {value} is outside {low}..{high}")
    return value


def _binding_list(data: bytes, pos: int, end: int, version: int) -> tuple[Binding, ...]:
    tag, start, stop = _header(data, pos, end, "varbind list")
    _expect(tag, _SEQUENCE, pos, "varbind list")
    if stop != end:
        raise BerError(f"byte {stop}: {end - stop} bytes after the varbind list")
    out: list[Binding] = []
    while start < stop:
        binding, after = _binding(data, start, stop, f"varbind {len(out) + 1}")
        if version == 0 and (isinstance(binding.kind, Missing)
                             or binding.kind is Tag.COUNTER64):
            raise BerError(f"byte {start}: varbind {len(out) + 1}: {binding.kind.name} in "
                           "an SNMPv1 message (SNMPv2c only)")
        out.append(binding)
        start = after
    return tuple(out)


def _binding(data: bytes, pos: int, end: int, what: str) -> tuple[Binding, int]:
    tag, start, stop = _header(data, pos, end, what)
    _expect(tag, _SEQUENCE, pos, what)
    name_tag, name_start, name_stop = _header(data, start, stop, f"{what} name")
    _expect(name_tag, Tag.OBJECT_IDENTIFIER, start, f"{what} name")
    oid = _oid(data, name_start, name_stop, f"{what} name")
    value_tag, value_start, value_stop = _header(data, name_stop, stop, f"{what} value")
    if value_stop != stop:
        raise BerError(f"byte {value_stop}: {what}: {stop - value_stop} bytes after the value")
    decoder = _DECODERS.get(value_tag)
    if decoder is None:
        raise BerError(f"byte {name_stop}: {what} ({oid_text(oid)}): value type "
                       f"0x{value_tag:02X} is not an SNMPv1/v2c type")
    kind, decode = decoder
    return Binding(oid, kind, decode(data, value_start, value_stop, f"{what} value")), stop


def _oid(data: bytes, start: int, stop: int, what: str) -> Oid:
    raw = data[start:stop]
    if not raw:
        raise BerError(f"byte {start}: {what}: empty OBJECT IDENTIFIER")
    if raw[-1] & 0x80:
        raise BerError(f"byte {stop - 1}: {what}: the last sub-identifier is cut off")
    if max(raw) < 0x80:  # the common case: every sub-identifier fits one octet
        subids: Sequence[int] = raw
    else:
        subids = _subidentifiers(raw, start, what)
    first = subids[0]
    head = (first // 40, first % 40) if first < 80 else (2, first - 80)
    oid = (*head, *subids[1:])
    if len(oid) > MAX_OID_ARCS or max(oid) > _MAX_ARC:
        raise BerError(f"byte {start}: {what}: more than {MAX_OID_ARCS} sub-identifiers or "
                       f"one above {_MAX_ARC}")
    return oid


def _subidentifiers(raw: bytes, start: int, what: str) -> list[int]:
    """Base-128 sub-identifiers; a leading 0x80 octet (a non-minimal one) is malformed."""
    out: list[int] = []
    value, fresh = 0, True
    for offset, byte in enumerate(raw):
        if fresh and byte == 0x80:
            raise BerError(f"byte {start + offset}: {what}: sub-identifier padded with 0x80")
        value = (value << 7) | (byte & 0x7F)
        fresh = not byte & 0x80
        if fresh:
            out.append(value)
            value = 0
    return out


def _signed32(data: bytes, start: int, stop: int, what: str) -> Value:
    return _int_value(data, start, stop, _INT32, what)


def _unsigned32(data: bytes, start: int, stop: int, what: str) -> Value:
    return _int_value(data, start, stop, _UINT32, what)


def _unsigned64(data: bytes, start: int, stop: int, what: str) -> Value:
    return _int_value(data, start, stop, _UINT64, what)


def _octets(data: bytes, start: int, stop: int, what: str) -> Value:
    return data[start:stop]


def _null(data: bytes, start: int, stop: int, what: str) -> Value:
    if stop != start:
        raise BerError(f"byte {start}: {what}: {stop - start} content octets where a NULL "
                       "or an exception value has none")
    return None


def _object_id(data: bytes, start: int, stop: int, what: str) -> Value:
    return oid_text(_oid(data, start, stop, what))


def _ip_address(data: bytes, start: int, stop: int, what: str) -> Value:
    if stop - start != 4:
        raise BerError(f"byte {start}: {what}: IpAddress of {stop - start} octets, not 4")
    return ".".join(map(str, data[start:stop]))


_Decode = Callable[[bytes, int, int, str], Value]
_DECODERS: dict[int, tuple[Tag | Missing, _Decode]] = {
    Tag.INTEGER: (Tag.INTEGER, _signed32),
    Tag.OCTET_STRING: (Tag.OCTET_STRING, _octets),
    Tag.NULL: (Tag.NULL, _null),
    Tag.OBJECT_IDENTIFIER: (Tag.OBJECT_IDENTIFIER, _object_id),
    Tag.IP_ADDRESS: (Tag.IP_ADDRESS, _ip_address),
    Tag.COUNTER32: (Tag.COUNTER32, _unsigned32),
    Tag.GAUGE32: (Tag.GAUGE32, _unsigned32),
    Tag.TIMETICKS: (Tag.TIMETICKS, _unsigned32),
    Tag.OPAQUE: (Tag.OPAQUE, _octets),
    Tag.COUNTER64: (Tag.COUNTER64, _unsigned64),
    **{missing.value: (missing, _null) for missing in Missing},
}


# -- encoding --------------------------------------------------------------------------------

def encode_message(message: Message) -> bytes:
    """The BER bytes of `message` (minimal lengths); BerError for what cannot be encoded."""
    if message.version not in _VERSIONS:
        raise BerError(f"version {message.version} is not SNMPv1 (0) or SNMPv2c (1)")
    if message.pdu is PduType.GET_BULK and message.version == 0:
        raise BerError("GETBULK does not exist in SNMPv1")
    bindings = b"".join(_encode_binding(b) for b in message.bindings)
    pdu = b"".join((_encode_int(message.request_id), _encode_int(message.error_status),
                    _encode_int(message.error_index), _tlv(_SEQUENCE, bindings)))
    return _tlv(_SEQUENCE, b"".join((_encode_int(message.version),
                                     _tlv(Tag.OCTET_STRING, message.community),
                                     _tlv(message.pdu, pdu))))


def _tlv(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes((tag, size)) + content
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(octets))) + octets + content


def _encode_int(value: int, tag: int = Tag.INTEGER) -> bytes:
    magnitude = value if value >= 0 else ~value
    return _tlv(tag, value.to_bytes(magnitude.bit_length() // 8 + 1, "big", signed=True))


def _encode_binding(binding: Binding) -> bytes:
    name = _tlv(Tag.OBJECT_IDENTIFIER, _encode_oid(binding.oid))
    return _tlv(_SEQUENCE, name + _encode_value(binding))


def _encode_oid(oid: Sequence[int]) -> bytes:
    text = oid_text(oid)
    if not 2 <= len(oid) <= MAX_OID_ARCS or min(oid) < 0 or max(oid) > _MAX_ARC:
        raise BerError(f"OID {text[:80]}: 2 to {MAX_OID_ARCS} sub-identifiers of 0..{_MAX_ARC}")
    if oid[0] > 2 or (oid[0] < 2 and oid[1] > 39):
        raise BerError(f"OID {text[:80]}: the first arc must be 0, 1 or 2, and the second "
                       "below 40 unless the first is 2")
    return b"".join(_base128(arc) for arc in (oid[0] * 40 + oid[1], *oid[2:]))


def _base128(arc: int) -> bytes:
    out = [arc & 0x7F]
    arc >>= 7
    while arc:
        out.append(0x80 | (arc & 0x7F))
        arc >>= 7
    return bytes(reversed(out))


def _encode_value(binding: Binding) -> bytes:
    kind, value = binding.kind, binding.value
    if isinstance(kind, Missing) or kind is Tag.NULL:
        return bytes((kind, 0))
    if isinstance(value, int) and not isinstance(value, bool) and kind in _INTEGER_BOUNDS:
        low, high = _INTEGER_BOUNDS[kind]
        if low <= value <= high:
            return _encode_int(value, kind)
    elif isinstance(value, bytes) and kind in (Tag.OCTET_STRING, Tag.OPAQUE):
        return _tlv(kind, value)
    elif isinstance(value, str) and kind is Tag.OBJECT_IDENTIFIER:
        return _tlv(kind, _encode_oid(_parse_oid(value)))
    elif isinstance(value, str) and kind is Tag.IP_ADDRESS:
        return _tlv(kind, _parse_ip(value))
    raise BerError(f"{oid_text(binding.oid)}: {value!r:.80} is not a valid {kind.name} value")


_INTEGER_BOUNDS = {Tag.INTEGER: _INT32, Tag.COUNTER32: _UINT32, Tag.GAUGE32: _UINT32,
                   Tag.TIMETICKS: _UINT32, Tag.COUNTER64: _UINT64}


def _parse_oid(text: str) -> Oid:
    try:
        return tuple(int(arc) for arc in text.split("."))
    except ValueError:
        raise BerError(f"{text[:80]!r} is not a numeric OID") from None


def _parse_ip(text: str) -> bytes:
    parts = text.split(".")
    if len(parts) != 4 or not all(p.isdigit() and int(p) < 256 for p in parts):
        raise BerError(f"{text[:80]!r} is not a dotted IPv4 address")
    return bytes(int(p) for p in parts)
