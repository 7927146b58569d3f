"""Redaction of every fixture config (one per platform, plus Junos `display set`), each
holding every secret form its platform's rules declare: no secret survives anywhere, each
has one fingerprint, and a changed secret changes only its fingerprint."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cmdb.schema import facts_to_json
from discovery.platforms.netconfig.collector import NAME, parse
from discovery.platforms.netconfig.redact import (
    PLACEHOLDER,
    RedactedConfig,
    fingerprint,
    redact_config,
)
from discovery.platforms.netconfig.rules import RULES
from discovery.transports.base import CommandOutput
from tests.discovery.platforms.netconfig.cases import (
    case_dirs,
    leaks,
    platform_of,
    raw_config,
    secrets_of,
)

KEY = b"test-key/netconfig"
CASES = case_dirs()


def _id(directory: Path) -> str:
    return f"{platform_of(directory)}/{directory.name}"


def _redact(directory: Path, text: str | None = None, key: bytes = KEY) -> RedactedConfig:
    return redact_config(platform_of(directory), raw_config(directory) if text is None
                         else text, key)


def _mutated(value: str) -> str:
    """The same secret with one letter or digit near its middle changed (its syntax,
    quotes and cipher delimiters kept)."""
    middle = len(value) // 2
    for pos in sorted(range(len(value)), key=lambda i: abs(i - middle)):
        if value[pos].isalnum():
            swap = "Q" if value[pos] != "Q" else "R"
            return value[:pos] + swap + value[pos + 1:]
    raise AssertionError(f"no letter to change in secret #{len(value)}")


def test_every_platform_has_a_case() -> None:
    assert {platform_of(d) for d in CASES} == set(RULES)


@pytest.mark.parametrize("directory", CASES, ids=_id)
def test_no_secret_survives(directory: Path) -> None:
    platform = platform_of(directory)
    redacted = _redact(directory)
    output = CommandOutput("show running-config", raw_config(directory))
    facts = parse({NAME: output}, platform, KEY)
    places = "\n".join(redacted.fingerprints)
    as_json = json.dumps(facts_to_json(facts))
    for value in secrets_of(directory):
        assert value in raw_config(directory)
        for where, text in (("text", redacted.text), ("fingerprint names", places),
                            ("facts JSON", as_json), ("repr", repr(facts)),
                            ("repr", repr(redacted))):
            assert value not in text, f"a secret of {_id(directory)} is in the {where}"
    assert leaks(redacted.text) == []


@pytest.mark.parametrize("directory", CASES, ids=_id)
def test_every_secret_has_one_fingerprint(directory: Path) -> None:
    redacted = _redact(directory)
    raw = raw_config(directory)
    occurrences = sum(raw.count(value) for value in secrets_of(directory))
    assert len(redacted.fingerprints) == occurrences == redacted.text.count(PLACEHOLDER)
    expected = sorted(fingerprint(v, KEY) for v in secrets_of(directory)
                      for _ in range(raw.count(v)))
    assert sorted(redacted.fingerprints.values()) == expected


@pytest.mark.parametrize("directory", CASES, ids=_id)
def test_a_changed_secret_changes_only_its_fingerprints(directory: Path) -> None:
    raw = raw_config(directory)
    before = _redact(directory)
    for value in secrets_of(directory):
        after = _redact(directory, raw.replace(value, _mutated(value)))
        assert after.text == before.text
        assert after.fingerprints.keys() == before.fingerprints.keys()
        changed = [k for k in before.fingerprints
                   if before.fingerprints[k] != after.fingerprints[k]]
        assert len(changed) == raw.count(value), changed


@pytest.mark.parametrize("directory", CASES, ids=_id)
def test_non_secret_lines_pass_unchanged(directory: Path) -> None:
    rules = RULES[platform_of(directory)]
    kept = [line.rstrip() for line in raw_config(directory).splitlines()
            if not rules.is_volatile(line.rstrip())]
    while kept and not kept[0]:
        kept.pop(0)
    while kept and not kept[-1]:
        kept.pop()
    out = _redact(directory).text.splitlines()
    assert len(out) == len(kept)
    for original, redacted in zip(kept, out, strict=True):
        # Only the secrets differ: the redacted line with each placeholder as a
        # wildcard must match the original line exactly.
        shape = ".+?".join(re.escape(part) for part in redacted.split(PLACEHOLDER))
        assert re.fullmatch(shape, original), (original, redacted)
        if PLACEHOLDER not in redacted:
            assert redacted == original


@pytest.mark.parametrize("directory", CASES, ids=_id)
def test_a_changed_ordinary_line_changes_the_text(directory: Path) -> None:
    raw = raw_config(directory)
    before = _redact(directory)
    after = _redact(directory, raw.replace("192.0.2.1", "192.0.2.99"))
    assert "192.0.2.1" in raw
    assert after.text != before.text
    assert after.text == before.text.replace("192.0.2.1", "192.0.2.99")


@pytest.mark.parametrize("directory", CASES, ids=_id)
def test_same_input_same_output_and_key_matters(directory: Path) -> None:
    first, second = _redact(directory), _redact(directory)
    assert first == second
    other = _redact(directory, key=b"another key")
    assert other.text == first.text and other.fingerprints.keys() == first.fingerprints.keys()
    assert all(other.fingerprints[k] != v for k, v in first.fingerprints.items())


@pytest.mark.parametrize("directory", CASES, ids=_id)
def test_line_ends_and_trailing_blanks_do_not_matter(directory: Path) -> None:
    raw = raw_config(directory)
    crlf = "\r\n".join(f"{line}  " for line in raw.splitlines())
    assert _redact(directory, crlf) == _redact(directory)


def test_repeated_places_and_several_secrets_on_a_line_get_distinct_names() -> None:
    text = ("snmp-server community Inv3ntedA RO\nsnmp-server community Inv3ntedB RO\n"
            "snmp-server user u g v3 auth sha Inv3ntedC priv aes 128 Inv3ntedD\nend\n")
    names = list(redact_config("cisco_ios", text, KEY).fingerprints)
    assert names == [
        "snmp-server community <redacted> RO",
        "snmp-server community <redacted> RO #2",
        "snmp-server user u g v3 auth sha <redacted> priv aes 128 <redacted> [1]",
        "snmp-server user u g v3 auth sha <redacted> priv aes 128 <redacted> [2]",
    ]


def test_section_headers_name_the_place() -> None:
    text = "tacacs server A\n key 7 Inv3ntedA\ntacacs server B\n key 7 Inv3ntedB\n"
    found = redact_config("cisco_ios", text, KEY).fingerprints
    assert found == {"tacacs server A > key 7 <redacted>": fingerprint("Inv3ntedA", KEY),
                     "tacacs server B > key 7 <redacted>": fingerprint("Inv3ntedB", KEY)}


def test_a_parent_rule_needs_its_section() -> None:
    # ` key 1` under `key chain` is a key id, not a secret; under `tacacs server` it is.
    text = "key chain KC\n key 1\n  key-string Inv3ntedK\n"
    found = redact_config("cisco_ios", text, KEY)
    assert found.text == "key chain KC\n key 1\n  key-string <redacted>\n"


def test_unknown_platform_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="no running-config rules for platform 'acme_os'"):
        redact_config("acme_os", "hostname x\n", KEY)


def test_empty_text() -> None:
    assert redact_config("cisco_ios", "\n\n", KEY) == RedactedConfig("", {})
