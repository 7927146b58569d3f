"""The v1/v2c BER codec (`discovery.transports.snmp_ber`): messages written by hand from
the BER rules (X.690 §8.1-8.3, 8.8, 8.19), round trips, pyasn1 (pysnmp's codec) as an
independent reference, strict rejection of malformed input, and the raw datagrams of real
agents (net-snmp's snmpd, snmpsim) decoded by both codecs."""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from pyasn1.codec.ber import decoder as pyasn1_decoder
from pyasn1.codec.ber import encoder as pyasn1_encoder
from pysnmp.proto import api

from discovery.platforms.generic_snmp import COLLECTORS
from discovery.transports.snmp_ber import (
    BerError,
    Binding,
    Message,
    Missing,
    Oid,
    PduType,
    decode_message,
    encode_message,
)
from discovery.transports.snmprec import Tag, Value
from tests.peers.snmp import SnmpdPeer, SnmpsimPeer, snmpd_peer, snmprec_dir, snmpsim_peer

__all__ = ["snmpd_peer", "snmprec_dir", "snmpsim_peer"]  # fixtures in use

SYS_OBJECT_ID_0 = (1, 3, 6, 1, 2, 1, 1, 2, 0)
SYS_UP_TIME_0 = (1, 3, 6, 1, 2, 1, 1, 3, 0)
HR_SW_NAME = (1, 3, 6, 1, 2, 1, 25, 6, 3, 1, 2)


def tlv(tag: int, *content: bytes) -> bytes:
    """X.690 8.1: identifier octet, definite length (short form below 128, else the long
    form with the fewest octets), contents. Independent of the codec under test."""
    body = b"".join(content)
    if len(body) < 0x80:
        return bytes([tag, len(body)]) + body
    size = len(body).to_bytes((len(body).bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + body


def integer(value: int, tag: int = 0x02) -> bytes:
    """X.690 8.3: two's complement in the fewest octets."""
    octets = 1
    while not -(1 << (8 * octets - 1)) <= value < 1 << (8 * octets - 1):
        octets += 1
    return tlv(tag, value.to_bytes(octets, "big", signed=True))


SYS_OBJECT_ID_0_BER = tlv(0x06, bytes.fromhex("2B06010201010200"))  # 1*40+3, 6, 1, ...


def response(*varbinds: bytes, version: int = 1, pdu: int = 0xA2, request_id: bytes | None = None,
             status: bytes = b"\x02\x01\x00", index: bytes = b"\x02\x01\x00",
             community: bytes = b"\x04\x06public") -> bytes:
    """A message assembled from already-encoded parts, so that any one may be malformed."""
    rid = integer(7) if request_id is None else request_id
    return tlv(0x30, integer(version), community,
               tlv(pdu, rid, status, index, tlv(0x30, *varbinds)))


def varbind(value: bytes, name: bytes = SYS_OBJECT_ID_0_BER) -> bytes:
    return tlv(0x30, name, value)


# -- messages written by hand ----------------------------------------------------------------

def test_get_request_is_encoded_as_x690_says() -> None:
    expected = bytes.fromhex(
        "3026"                    # message: SEQUENCE of 38 octets
        "020101"                  # version: INTEGER 1 (SNMPv2c)
        "0406" "7075626C6963"     # community: OCTET STRING "public"
        "A019"                    # GetRequest-PDU: [0] of 25 octets
        "020101" "020100" "020100"  # request-id 1, error-status 0, error-index 0
        "300E" "300C"             # varbind list, one varbind
        "06082B06010201010200"    # name: 1.3.6.1.2.1.1.2.0
        "0500")                   # value: NULL
    message = Message(1, b"public", PduType.GET, 1, 0, 0,
                      (Binding(SYS_OBJECT_ID_0, Tag.NULL, None),))
    assert encode_message(message) == expected
    assert decode_message(expected) == message


def test_getbulk_request_carries_non_repeaters_and_max_repetitions() -> None:
    expected = bytes.fromhex(
        "302B" "020101" "0406" "7075626C6963"
        "A51E"                    # GetBulkRequest-PDU: [5] of 30 octets
        "020412345678"            # request-id 0x12345678
        "020100" "020164"         # non-repeaters 0, max-repetitions 100
        "3010" "300E" "060A2B06010201190603" "0102" "0500")  # 1.3.6.1.2.1.25.6.3.1.2
    message = Message(1, b"public", PduType.GET_BULK, 0x12345678, 0, 100,
                      (Binding(HR_SW_NAME, Tag.NULL, None),))
    assert encode_message(message) == expected


def test_response_with_long_form_lengths_as_net_snmp_writes_them() -> None:
    data = bytes.fromhex(
        "30820047" "020101" "0406" "7075626C6963"
        "A2820038" "020101" "020100" "020100"
        "3082002B"                # varbind list: long form where the short one would do
        "3016" "06082B06010201010200"
        "060A2B06010401BF0803020A"  # 1.3.6.1.4.1.8072.3.2.10: 8072 = 0xBF 0x08 in base 128
        "3011" "06082B06010201010300"
        "4305" "00FFFFFFFF")      # TimeTicks 4294967295: a leading zero keeps it positive
    assert decode_message(data) == Message(1, b"public", PduType.RESPONSE, 1, 0, 0, (
        Binding(SYS_OBJECT_ID_0, Tag.OBJECT_IDENTIFIER, "1.3.6.1.4.1.8072.3.2.10"),
        Binding(SYS_UP_TIME_0, Tag.TIMETICKS, 4294967295)))
    assert _pyasn1_bindings(data) == decode_message(data).bindings  # the bytes are valid


@pytest.mark.parametrize(("oid", "content"), [
    ((0, 0), "00"),
    ((1, 3, 6, 1, 4, 1, 2636), "2B06010401944C"),      # 2636 = 20 * 128 + 76
    ((2, 999, 3), "883703"),                            # 2 * 40 + 999 = 1079: two octets
    ((1, 3, 4294967295), "2B8FFFFFFF7F"),               # the largest sub-identifier
])
def test_oids_in_base_128(oid: Oid, content: str) -> None:
    data = response(varbind(tlv(0x05), name=tlv(0x06, bytes.fromhex(content))))
    assert decode_message(data).bindings[0].oid == oid
    assert encode_message(decode_message(data)) == data


# -- round trips, and pyasn1 as the reference ---------------------------------------------------

EVERY_VALUE = [
    Binding((1, 3, 6, 1, 2, 1, 1, 1, 0), Tag.OCTET_STRING, b"Linux lab 6.1\x00\xff"),
    Binding((1, 3, 6, 1, 2, 1, 1, 4, 0), Tag.OCTET_STRING, b""),
    Binding((1, 3, 6, 1, 2, 1, 1, 9, 0), Tag.OCTET_STRING, bytes(range(256)) * 3),
    Binding(SYS_OBJECT_ID_0, Tag.OBJECT_IDENTIFIER, "1.3.6.1.4.1.9.1.2134"),
    Binding((1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 1), Tag.INTEGER, 1),
    Binding((1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 2), Tag.INTEGER, -1),
    Binding((1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 3), Tag.INTEGER, -(2**31)),
    Binding((1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 4), Tag.INTEGER, 2**31 - 1),
    Binding((1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 5), Tag.INTEGER, 128),
    Binding((1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 6), Tag.INTEGER, -129),
    Binding((1, 3, 6, 1, 2, 1, 4, 20, 1, 1, 10, 0, 0, 1), Tag.IP_ADDRESS, "10.0.0.1"),
    Binding((1, 3, 6, 1, 2, 1, 4, 20, 1, 1, 255, 0, 0, 1), Tag.IP_ADDRESS, "255.0.128.1"),
    Binding((1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 1), Tag.COUNTER32, 2**32 - 1),
    Binding((1, 3, 6, 1, 2, 1, 2, 2, 1, 5, 1), Tag.GAUGE32, 1_000_000_000),
    Binding((1, 3, 6, 1, 2, 1, 1, 3, 0), Tag.TIMETICKS, 0),
    Binding((1, 3, 6, 1, 4, 1, 2021, 10, 1, 6, 1), Tag.OPAQUE, bytes.fromhex("9F780442F60000")),
    Binding((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 1), Tag.COUNTER64, 2**64 - 1),
    Binding((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 2), Tag.COUNTER64, 2**63),
    Binding((1, 3, 6, 1, 2, 1, 1, 8, 0), Tag.NULL, None),
    Binding((1, 3, 6, 1, 2, 1, 1, 99, 0), Missing.NO_SUCH_OBJECT, None),
    Binding((1, 3, 6, 1, 2, 1, 1, 1, 1), Missing.NO_SUCH_INSTANCE, None),
    Binding((1, 3, 6, 1, 6, 3, 99), Missing.END_OF_MIB_VIEW, None),
]


def _response(bindings: tuple[Binding, ...], version: int = 1) -> Message:
    return Message(version, b"c\xc3\xa9 secret", PduType.RESPONSE, 2**31 - 1, 0, 0, bindings)


def test_every_value_type_round_trips() -> None:
    message = _response(tuple(EVERY_VALUE))
    assert decode_message(encode_message(message)) == message
    for binding in EVERY_VALUE:
        single = _response((binding,))
        assert decode_message(encode_message(single)) == single


def test_pyasn1_reads_what_we_write() -> None:
    data = encode_message(_response(tuple(EVERY_VALUE)))
    assert _pyasn1_bindings(data) == tuple(EVERY_VALUE)


def test_we_read_what_pyasn1_writes() -> None:
    v2c = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    types = {Tag.INTEGER: v2c.Integer32, Tag.OCTET_STRING: v2c.OctetString,
             Tag.OBJECT_IDENTIFIER: v2c.ObjectIdentifier, Tag.IP_ADDRESS: v2c.IpAddress,
             Tag.COUNTER32: v2c.Counter32, Tag.GAUGE32: v2c.Gauge32,
             Tag.TIMETICKS: v2c.TimeTicks, Tag.OPAQUE: v2c.Opaque,
             Tag.COUNTER64: v2c.Counter64, Tag.NULL: v2c.Null,
             Missing.NO_SUCH_OBJECT: v2c.NoSuchObject,
             Missing.NO_SUCH_INSTANCE: v2c.NoSuchInstance,
             Missing.END_OF_MIB_VIEW: v2c.EndOfMibView}
    pdu = v2c.GetResponsePDU()
    v2c.apiPDU.set_defaults(pdu)
    v2c.apiPDU.set_request_id(pdu, 4711)
    v2c.apiPDU.set_varbinds(pdu, [(b.oid, types[b.kind]("" if b.value is None else b.value))
                                  for b in EVERY_VALUE])
    message = v2c.Message()
    v2c.apiMessage.set_defaults(message)
    v2c.apiMessage.set_community(message, "public")
    v2c.apiMessage.set_pdu(message, pdu)
    decoded = decode_message(pyasn1_encoder.encode(message))
    assert (decoded.version, decoded.community, decoded.request_id) == (1, b"public", 4711)
    assert decoded.bindings == tuple(EVERY_VALUE)


def test_snmpv1_messages() -> None:
    get_next = Message(0, b"public", PduType.GET_NEXT, 3, 0, 0,
                       (Binding((1, 3, 6, 1, 2, 1, 1), Tag.NULL, None),))
    assert decode_message(encode_message(get_next)) == get_next
    no_such_name = Message(0, b"public", PduType.RESPONSE, 3, 2, 1, get_next.bindings)
    assert decode_message(encode_message(no_such_name)) == no_such_name


# -- strict rejection --------------------------------------------------------------------------

GOOD = response(varbind(tlv(0x04, b"lab switch")), varbind(integer(2**32 - 1, 0x41)))

MALFORMED = {
    "empty datagram": b"",
    "trailing octet": GOOD + b"\x00",
    "not a SEQUENCE": b"\x31" + GOOD[1:],
    "indefinite length": b"\x30\x80" + GOOD[2:] + b"\x00\x00",
    "five length octets": b"\x30\x85\x00\x00\x00\x00" + bytes([len(GOOD) - 2]) + GOOD[2:],
    "length past the end": b"\x30" + bytes([len(GOOD) - 1]) + GOOD[2:],
    "huge length": b"\x30\x84\xff\xff\xff\xff" + GOOD[2:],
    "inner length past its SEQUENCE": response(tlv(0x30, SYS_OBJECT_ID_0_BER, b"\x04\x7f")),
    "multi-byte tag": response(varbind(b"\x1f\x81\x00\x00")),
    "SNMPv3 version": response(varbind(tlv(0x05)), version=3),
    "negative version": response(varbind(tlv(0x05)), version=-1),
    "community not an OCTET STRING": response(varbind(tlv(0x05)), community=integer(1)),
    "SNMPv1 Trap PDU": response(varbind(tlv(0x05)), pdu=0xA4),
    "SNMPv3 Report PDU": response(varbind(tlv(0x05)), pdu=0xA8),
    "GETBULK in SNMPv1": response(varbind(tlv(0x05)), version=0, pdu=0xA5),
    "empty INTEGER": response(varbind(tlv(0x05)), request_id=b"\x02\x00"),
    "request-id above 2**31-1": response(varbind(tlv(0x05)), request_id=integer(2**31)),
    "error-status 19": response(varbind(tlv(0x05)), status=integer(19)),
    "negative error-index": response(varbind(tlv(0x05)), index=integer(-1)),
    "varbind list not a SEQUENCE": tlv(0x30, integer(1), b"\x04\x06public",
                                       tlv(0xA2, integer(7), integer(0), integer(0),
                                           tlv(0x31, varbind(tlv(0x05))))),
    "octets after the varbind list": tlv(0x30, integer(1), b"\x04\x06public",
                                         tlv(0xA2, integer(7), integer(0), integer(0),
                                             tlv(0x30, varbind(tlv(0x05))), b"\x05\x00")),
    "varbind of three elements": response(tlv(0x30, SYS_OBJECT_ID_0_BER, tlv(0x05), tlv(0x05))),
    "varbind without value": response(tlv(0x30, SYS_OBJECT_ID_0_BER)),
    "name not an OID": response(varbind(tlv(0x05), name=tlv(0x04, b"1.3.6"))),
    "empty OID": response(varbind(tlv(0x05), name=tlv(0x06))),
    "OID cut inside a sub-identifier": response(varbind(tlv(0x05), name=b"\x06\x02\x2b\x86")),
    "OID padded with 0x80": response(varbind(tlv(0x05), name=b"\x06\x03\x2b\x80\x01")),
    "OID of 129 sub-identifiers": response(varbind(tlv(0x05), name=tlv(0x06, b"\x2b" * 128))),
    "OID sub-identifier of 2**32": response(varbind(tlv(0x05),
                                                    name=b"\x06\x06\x2b\x90\x80\x80\x80\x00")),
    "OID value cut off": response(varbind(b"\x06\x01\x81")),
    "constructed OCTET STRING": response(varbind(tlv(0x24, tlv(0x04, b"ab")))),
    "BOOLEAN value": response(varbind(b"\x01\x01\xff")),
    "NsapAddress value": response(varbind(tlv(0x45, b"\x01\x02"))),
    "IpAddress of 3 octets": response(varbind(tlv(0x40, b"\x0a\x00\x01"))),
    "IpAddress of 5 octets": response(varbind(tlv(0x40, b"\x0a\x00\x00\x00\x01"))),
    "NULL with contents": response(varbind(b"\x05\x01\x00")),
    "endOfMibView with contents": response(varbind(b"\x82\x01\x00")),
    "empty Counter32": response(varbind(b"\x41\x00")),
    "negative Counter32": response(varbind(integer(-1, 0x41))),
    "Counter32 of 2**32": response(varbind(integer(2**32, 0x41))),
    "negative Gauge32": response(varbind(integer(-5, 0x42))),
    "TimeTicks of 2**32": response(varbind(integer(2**32, 0x43))),
    "Integer32 of 2**31": response(varbind(integer(2**31))),
    "Integer32 below -2**31": response(varbind(integer(-(2**31) - 1))),
    "Counter64 of 2**64": response(varbind(integer(2**64, 0x46))),
    "negative Counter64": response(varbind(integer(-1, 0x46))),
    "Counter64 in SNMPv1": response(varbind(integer(1, 0x46)), version=0),
    "noSuchObject in SNMPv1": response(varbind(b"\x80\x00"), version=0),
}


@pytest.mark.parametrize("data", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_input_is_rejected(data: bytes) -> None:
    with pytest.raises(BerError, match=r"byte \d+: "):
        decode_message(data)


def test_the_good_message_of_the_malformed_ones_decodes() -> None:
    """The malformed cases differ from this message in one thing each."""
    assert decode_message(GOOD).bindings == (
        Binding(SYS_OBJECT_ID_0, Tag.OCTET_STRING, b"lab switch"),
        Binding(SYS_OBJECT_ID_0, Tag.COUNTER32, 2**32 - 1))


def test_every_truncation_is_rejected() -> None:
    for size in range(len(GOOD)):
        with pytest.raises(BerError):
            decode_message(GOOD[:size])


def test_random_corruption_is_a_message_or_a_ber_error() -> None:
    """Flipped, dropped and inserted octets: never another exception, never a hang."""
    rng = random.Random(20240601)
    accepted = 0
    for _ in range(20000):
        data = bytearray(GOOD)
        for _ in range(rng.randint(1, 3)):
            where = rng.randrange(len(data))
            action = rng.randrange(3)
            if action == 0:
                data[where] = rng.randrange(256)
            elif action == 1:
                del data[where]
            else:
                data.insert(where, rng.randrange(256))
        try:
            decode_message(bytes(data))
            accepted += 1
        except BerError:
            pass
    assert accepted < 20000  # most corruptions are caught


@pytest.mark.parametrize(("message", "why"), [
    (Message(1, b"c", PduType.GET, 1, 0, 0, (Binding((3, 1), Tag.NULL, None),)), "first arc"),
    (Message(1, b"c", PduType.GET, 1, 0, 0, (Binding((1, 40), Tag.NULL, None),)), "first arc"),
    (Message(1, b"c", PduType.GET, 1, 0, 0, (Binding((1,), Tag.NULL, None),)), "2 to 128"),
    (Message(1, b"c", PduType.GET, 1, 0, 0, (Binding((1, 3) * 65, Tag.NULL, None),)),
     "2 to 128"),
    (Message(1, b"c", PduType.GET, 1, 0, 0, (Binding((1, 3, 2**32), Tag.NULL, None),)),
     "2 to 128"),
    (Message(0, b"c", PduType.GET_BULK, 1, 0, 10, ()), "SNMPv1"),
    (Message(3, b"c", PduType.GET, 1, 0, 0, ()), "version 3"),
    (_response((Binding(SYS_UP_TIME_0, Tag.COUNTER32, -1),)), "not a valid COUNTER32"),
    (_response((Binding(SYS_UP_TIME_0, Tag.IP_ADDRESS, "10.0.1"),)), "not a dotted IPv4"),
    (_response((Binding(SYS_UP_TIME_0, Tag.OBJECT_IDENTIFIER, "1..3"),)), "not a numeric"),
])
def test_what_cannot_be_encoded_is_a_ber_error(message: Message, why: str) -> None:
    with pytest.raises(BerError, match=why):
        encode_message(message)


# -- real agents' datagrams, decoded by both codecs -------------------------------------------

def _pyasn1_bindings(data: bytes) -> tuple[Binding, ...]:
    """The varbinds of `data` as pysnmp's codec (pyasn1) reads them."""
    version = int(api.decodeMessageVersion(data))
    module = api.PROTOCOL_MODULES[version]
    message, rest = pyasn1_decoder.decode(data, asn1Spec=module.Message())
    assert rest == b""
    pdu = module.apiMessage.get_pdu(message)
    return tuple(Binding(tuple(name), *_pyasn1_value(value))
                 for name, value in module.apiPDU.get_varbinds(pdu))


def _pyasn1_value(value: Any) -> tuple[Tag | Missing, Value]:
    tag = value.tagSet[-1]  # the tag on the wire (implicit tagging replaces the base one)
    byte = tag.tagClass | tag.tagFormat | tag.tagId
    kind: Tag | Missing = Missing(byte) if byte in tuple(Missing) else Tag(byte)
    if kind in (Tag.OCTET_STRING, Tag.OPAQUE):
        return kind, value.asOctets()
    if kind is Tag.OBJECT_IDENTIFIER:
        return kind, str(value)
    if kind is Tag.IP_ADDRESS:
        return kind, ".".join(map(str, value.asNumbers()))
    if kind is Tag.NULL or isinstance(kind, Missing):
        return kind, None
    return kind, int(value)


def _platform_subtrees() -> list[Oid]:
    """Every table and group the generic SNMP platform reads, whole."""
    lines = [c.line for collector in COLLECTORS for c in collector.commands]
    columns = {tuple(map(int, w.split("."))) for line in lines for w in line.split()[1:]}
    return sorted({oid[:-1] for oid in columns if oid[-1] != 0} | {(1, 3, 6, 1, 2, 1, 1)})


def _raw_walk(address: tuple[str, int], community: bytes, root: Oid) -> Iterator[bytes]:
    """GETBULK the subtree over a plain socket; yields every response datagram."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(10)
        sock.connect(address)
        last = root
        for request_id in range(1, 100_000):
            sock.send(encode_message(Message(1, community, PduType.GET_BULK, request_id, 0, 100,
                                             (Binding(last, Tag.NULL, None),))))
            data = sock.recv(65535)
            yield data
            answer = decode_message(data)
            assert answer.request_id == request_id and answer.error_status == 0
            inside = [b for b in answer.bindings if b.oid[:len(root)] == root
                      and b.kind is not Missing.END_OF_MIB_VIEW]
            if len(inside) < len(answer.bindings) or not inside:
                return
            last = inside[-1].oid


def _compare_datagrams(address: tuple[str, int], community: bytes) -> int:
    compared = 0
    for root in _platform_subtrees():
        for data in _raw_walk(address, community, root):
            ours = decode_message(data)
            assert ours.bindings == _pyasn1_bindings(data)
            assert ours.community == community and ours.pdu is PduType.RESPONSE
            compared += len(ours.bindings)
    return compared


@pytest.mark.peer
def test_snmpd_datagrams_decode_as_pyasn1_decodes_them(snmpd_peer: SnmpdPeer) -> None:
    compared = _compare_datagrams((snmpd_peer.address, snmpd_peer.port),
                                  snmpd_peer.community.encode())
    assert compared > 1000  # ifTable, hrSWInstalled (one row per package), ...


@pytest.mark.peer
def test_snmpsim_datagrams_decode_as_pyasn1_decodes_them(snmpsim_peer: SnmpsimPeer) -> None:
    for device in snmpsim_peer.devices:
        compared = _compare_datagrams((device.address, snmpsim_peer.port),
                                      device.community.encode())
        assert compared > 500, device
