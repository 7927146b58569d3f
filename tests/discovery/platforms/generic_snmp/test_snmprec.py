"""The snmprec line decoder: types, hex variants, values with `|`, and junk."""

from __future__ import annotations

import pytest

from discovery.errors import ParseError
from discovery.platforms.generic_snmp._snmprec import decode, decode_line
from tests.discovery.platforms.generic_snmp.cases import SNMPREC


@pytest.mark.parametrize(("line", "value"), [
    ("1.3.6.1.2.1.1.5.0|4|sw1.example.com", b"sw1.example.com"),
    ("1.3.6.1.2.1.1.5.0|4|a|b|c", b"a|b|c"),
    ("1.3.6.1.2.1.1.5.0|4|", b""),
    ("1.3.6.1.2.1.2.2.1.6.1|4x|005E00530101", bytes.fromhex("005e00530101")),
    ("1.3.6.1.2.1.2.2.1.6.1|4x|005e00530101", bytes.fromhex("005e00530101")),
    ("1.3.6.1.2.1.2.2.1.3.1|2|-1", -1),
    ("1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551615", 18446744073709551615),
    ("1.3.6.1.2.1.1.3.0|67|123", 123),
    ("1.3.6.1.2.1.4.20.1.3.192.0.2.1|64|255.255.255.0", "255.255.255.0"),
    ("1.3.6.1.2.1.4.20.1.3.192.0.2.1|64x|C0000201", "192.0.2.1"),
    ("1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.9.1.1208", "1.3.6.1.4.1.9.1.1208"),
    ("1.3.6.1.2.1.1.2.0|6|.1.3.6.1.4.1.9", "1.3.6.1.4.1.9"),
    ("1.3.6.1.2.1.1.9.1.1|5|", None),
    # sanitised or broken values: the instance is there, its value is not observed
    ("1.3.6.1.4.1.9.9.168.1.2.1.1.3.1|64|<private>", None),
    ("1.3.6.1.2.1.2.2.1.4.1|2|<private>", None),
    ("1.3.6.1.2.1.47.1.1.1.1.3.1|6|zero", None),
    ("1.3.6.1.2.1.1.6.0|4x|ABC", None),
    ("1.3.6.1.2.1.4.20.1.3.192.0.2.1|64x|C00002", None),
    ("1.3.6.1.2.1.1.1.0|99|what", None),
])
def test_values(line: str, value: object) -> None:
    varbind = decode_line(line)
    assert varbind is not None
    assert varbind.value == value


@pytest.mark.parametrize("line", [
    "no pipes here",
    "1.3.6.1.2.1.1.5.0|4",
    "1.3.6.1.2.1.4.20.1.2.192.168.xx.xx|2|3",
    "iso.3.6.1|4|x",
    "1.3.6.1.2.1.1.5.0|string|x",
])
def test_malformed_lines_are_not_varbinds(line: str) -> None:
    assert decode_line(line) is None


def test_junk_lines_are_skipped_and_numbered() -> None:
    text = "1.3.6.1.2.1.1.5.0|4|a\r\ngarbage\n\n1.3.6.1.2.1.1.1.0|4|b\n1.3.6.xx|2|1\n"
    walk = decode(text)
    assert walk.skipped == (2, 5)
    assert walk.get((1, 3, 6, 1, 2, 1, 1, 5, 0)) == b"a"
    assert [v.value for v in walk.under((1, 3, 6, 1, 2, 1, 1))] == [b"b", b"a"]


def test_output_without_any_varbind_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match=r"walk 1\.3: no OID\|TAG\|VALUE line \(line 1"):
        decode("% Unknown command\nstill not snmp\n", "walk 1.3", "system")
    assert not decode("").varbinds
    assert not decode("\n\n").varbinds


def test_windows_recording_sanitised_oids_are_skipped() -> None:
    path = SNMPREC / "windows_svr_2019_1809.snmprec"
    if not path.is_file():
        pytest.skip("../shared/fixtures not present")
    walk = decode(path.read_text(encoding="ascii"))
    # the README's quirks table: lines 551, 553, 557, 558 and 1157-1170 carry `xx` OIDs
    assert walk.skipped == (551, 553, 557, 558, *range(1157, 1171))
    assert len(walk.varbinds) == 1170 - len(walk.skipped)
