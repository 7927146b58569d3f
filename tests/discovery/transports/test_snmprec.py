"""The snmprec line format: encode varbinds, decode lines, and real recordings round-trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from discovery.transports.snmprec import (
    SnmprecError,
    Tag,
    Varbind,
    decode,
    decode_line,
    encode,
    encode_line,
    oid_key,
)
from tests.peers.snmp import SNMPREC_DIR

# (varbind, its line)
CASES = [
    (Varbind("1.3.6.1.2.1.1.5.0", Tag.OCTET_STRING, "core-sw1.example.com"),
     "1.3.6.1.2.1.1.5.0|4|core-sw1.example.com"),
    (Varbind("1.3.6.1.2.1.1.6.0", Tag.OCTET_STRING, ""), "1.3.6.1.2.1.1.6.0|4|"),
    (Varbind("1.3.6.1.2.1.2.2.1.6.1", Tag.OCTET_STRING, b"\x00\x1b\x21\xbb\xe6\xf0"),
     "1.3.6.1.2.1.2.2.1.6.1|4x|001B21BBE6F0"),
    (Varbind("1.3.6.1.2.1.1.1.0", Tag.OCTET_STRING, b"IOS\r\nVersion 15"),
     "1.3.6.1.2.1.1.1.0|4x|494F530D0A56657273696F6E203135"),
    (Varbind("1.3.6.1.2.1.1.1.0", Tag.OCTET_STRING, b"a|b"), "1.3.6.1.2.1.1.1.0|4x|617C62"),
    (Varbind("1.3.6.1.2.1.1.1.0", Tag.OCTET_STRING, b"name\x00"),
     "1.3.6.1.2.1.1.1.0|4x|6E616D6500"),
    (Varbind("1.3.6.1.2.1.2.2.1.8.1", Tag.INTEGER, -1), "1.3.6.1.2.1.2.2.1.8.1|2|-1"),
    (Varbind("1.3.6.1.2.1.1.2.0", Tag.OBJECT_IDENTIFIER, "1.3.6.1.4.1.9.1.1208"),
     "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.9.1.1208"),
    (Varbind("1.3.6.1.2.1.4.20.1.1.192.0.2.1", Tag.IP_ADDRESS, "192.0.2.1"),
     "1.3.6.1.2.1.4.20.1.1.192.0.2.1|64|192.0.2.1"),
    (Varbind("1.3.6.1.2.1.2.2.1.10.1", Tag.COUNTER32, 4294967295),
     "1.3.6.1.2.1.2.2.1.10.1|65|4294967295"),
    (Varbind("1.3.6.1.2.1.2.2.1.5.1", Tag.GAUGE32, 1000000000),
     "1.3.6.1.2.1.2.2.1.5.1|66|1000000000"),
    (Varbind("1.3.6.1.2.1.1.3.0", Tag.TIMETICKS, 12345), "1.3.6.1.2.1.1.3.0|67|12345"),
    (Varbind("1.3.6.1.4.1.2021.10.1.6.1", Tag.OPAQUE, b"\x9f\x78\x04"),
     "1.3.6.1.4.1.2021.10.1.6.1|68x|9F7804"),
    (Varbind("1.3.6.1.2.1.31.1.1.1.6.1", Tag.COUNTER64, 18446744073709551615),
     "1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551615"),
    (Varbind("1.3.6.1.2.1.1.9.1.2.1", Tag.NULL, None), "1.3.6.1.2.1.1.9.1.2.1|5|"),
]


@pytest.mark.parametrize(("varbind", "line"), CASES, ids=[c[1] for c in CASES])
def test_encode_and_decode_each_type(varbind: Varbind, line: str) -> None:
    assert encode_line(*varbind) == line
    assert decode_line(line) == varbind


def test_printable_bytes_are_written_as_text_and_come_back_as_text() -> None:
    line = encode_line("1.3.6.1.2.1.1.5.0", Tag.OCTET_STRING, b"sw1")
    assert line == "1.3.6.1.2.1.1.5.0|4|sw1"
    assert decode_line(line).value == "sw1"


def test_non_ascii_text_is_hex_and_comes_back_as_utf8_bytes() -> None:
    line = encode_line("1.3.6.1.2.1.1.6.0", Tag.OCTET_STRING, "Zürich")
    assert line == "1.3.6.1.2.1.1.6.0|4x|5AC3BC72696368"
    assert decode_line(line).value == "Zürich".encode()


def test_encode_sorts_numerically_and_ends_with_newline() -> None:
    out = encode([("1.3.6.1.2.1.2.2.1.2.10", 4, "b"), ("1.3.6.1.2.1.2.2.1.2.9", 4, "a"),
                  ("1.3.6.1.2.1.1.1.0", 4, "x")])
    assert out == ("1.3.6.1.2.1.1.1.0|4|x\n1.3.6.1.2.1.2.2.1.2.9|4|a\n"
                   "1.3.6.1.2.1.2.2.1.2.10|4|b\n")
    assert encode([]) == ""
    assert oid_key("1.3.6.1.10") > oid_key("1.3.6.1.9")


def test_decode_splits_on_the_first_two_bars_and_reads_hex_variants() -> None:
    assert decode("1.3.6.1|4|a|b\n\n1.3.6.2|64x|C0000201\n1.3.6.3|2x|0100\n") == [
        Varbind("1.3.6.1", Tag.OCTET_STRING, "a|b"),
        Varbind("1.3.6.2", Tag.IP_ADDRESS, "192.0.2.1"),
        Varbind("1.3.6.3", Tag.INTEGER, 256),
    ]


@pytest.mark.parametrize(("text", "fragment"), [
    ("1.3.6.1|4\n", "line 1: expected OID|TAG|VALUE"),
    ("1.3.6.1|2|1\n.1.3.6.1|2|1\n", "line 2: not a numeric OID"),
    ("1.3.6.1|99|1\n", "unknown tag '99'"),
    ("1.3.6.1|2|one\n", "bad value for tag 2"),
    ("1.3.6.1|4x|0G\n", "bad value for tag 4x"),
    ("1.3.6.1|64|<private>\n", "bad value for tag 64"),
    ("1.3.6.1|6|0\n", "bad value for tag 6"),
])
def test_decode_errors_name_the_line(text: str, fragment: str) -> None:
    with pytest.raises(SnmprecError, match="line"):
        decode(text)
    with pytest.raises(SnmprecError) as info:
        decode(text)
    assert fragment in str(info.value)


@pytest.mark.parametrize(("oid", "tag", "value"), [
    (".1.3.6.1", Tag.INTEGER, 1), ("1.3.6.1", Tag.INTEGER, "1"),
    ("1.3.6.1", Tag.INTEGER, True), ("1.3.6.1", Tag.OBJECT_IDENTIFIER, "iso.3"),
    ("1.3.6.1", Tag.IP_ADDRESS, "300.1.1.1"), ("1.3.6.1", Tag.NULL, ""),
    ("1.3.6.1", 3, b"\x01"),
])
def test_encode_refuses_values_of_the_wrong_type(oid: str, tag: int, value: object) -> None:
    with pytest.raises(ValueError):
        encode_line(oid, tag, value)  # type: ignore[arg-type]


# The three recordings with invalid data (fixtures README, "Known quirks") and where.
QUIRKS = {"nxos_n3k-3064pq": "line 5777", "vrp_s5328c-ei": "line 1347",
          "windows_svr_2019_1809": "line 551"}


def _recordings() -> list[Path]:
    return sorted(SNMPREC_DIR.glob("*.snmprec")) if SNMPREC_DIR.is_dir() else []


@pytest.mark.skipif(not SNMPREC_DIR.is_dir(), reason="../shared/fixtures/snmprec not present")
@pytest.mark.parametrize("path", _recordings(), ids=lambda p: p.stem)
def test_real_recordings_round_trip_value_for_value(path: Path) -> None:
    text = path.read_text(encoding="ascii")
    if path.stem in QUIRKS:
        with pytest.raises(SnmprecError, match=QUIRKS[path.stem]):
            decode(text)
        return
    varbinds = decode(text)
    assert len(varbinds) == text.count("\n")
    assert decode(encode(varbinds)) == [_as_text(vb) for vb in varbinds]
    # Lines come back identical but for the case of hex digits, and printable text that
    # a recording wrote as hex (its value is the same).
    again = encode(varbinds).splitlines()
    differ = [(a, b) for a, b in zip(text.splitlines(), again, strict=True)
              if a.upper() != b.upper()]
    assert all(decode_line(a).tag is Tag.OCTET_STRING and "|4x|" in a for a, _ in differ)


def _as_text(vb: Varbind) -> Varbind:
    """What printable bytes decode to after a round trip: text."""
    if isinstance(vb.value, bytes) and vb.tag is Tag.OCTET_STRING and all(
            0x20 <= b < 0x7F and b != 0x7C for b in vb.value):
        return vb._replace(value=vb.value.decode("ascii"))
    return vb
