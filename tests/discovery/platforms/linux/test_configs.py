"""Edge cases of the `configs` parser: file states, formats, redaction, sysctl."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import pytest

from cmdb.schema import ConfigFile
from discovery.errors import ParseError
from discovery.platforms.common import DEFAULT_REDACTION_KEY
from discovery.platforms.linux import configs
from discovery.platforms.linux._settings import fingerprint, infer_format, parse_settings, redact
from discovery.recording import read_case
from discovery.transports.base import CommandOutput

KEY = DEFAULT_REDACTION_KEY


def _cat(path: str, stdout: str = "", stderr: str = "", status: int = 0) -> CommandOutput:
    return CommandOutput(f"cat -- {path}", stdout, stderr, status)


def _files(**outputs: CommandOutput) -> dict[str, ConfigFile]:
    nodes = configs.parse(outputs).nodes
    return {n.path: n for n in nodes if isinstance(n, ConfigFile)}


def test_file_states() -> None:
    sha = CommandOutput("sha256sum -- /etc/a.conf /etc/gone.conf /etc/secret.conf",
                        f"{'ab' * 32}  /etc/a.conf\n", "sha256sum: ...\n", 1)
    found = _files(
        sha256sum=sha,
        a=_cat("/etc/a.conf", "x 1\n"),
        b=_cat("/etc/gone.conf", "", "cat: /etc/gone.conf: No such file or directory\n", 1),
        c=_cat("/etc/secret.conf", "", "cat: /etc/secret.conf: Permission denied\n", 1),
        d=_cat("/etc/ssh", "", "cat: /etc/ssh: Is a directory\n", 1),
        e=_cat("/etc/nosha.conf", "k=v\n"),
    )
    assert set(found) == {"/etc/a.conf", "/etc/secret.conf", "/etc/nosha.conf"}
    assert found["/etc/a.conf"].sha256 == "ab" * 32
    assert found["/etc/nosha.conf"].sha256 == hashlib.sha256(b"k=v\n").hexdigest()
    assert found["/etc/nosha.conf"].size == 4
    assert found["/etc/secret.conf"] == ConfigFile(path="/etc/secret.conf", format="keyvalue")


def test_outputs_not_from_cat_are_ignored() -> None:
    assert _files(x=CommandOutput("hostname", "web01\n"),
                  y=CommandOutput("cat -- /etc/a b", "k v\n")) == {}


@pytest.mark.parametrize(("path", "fmt"), [
    ("/etc/ssh/sshd_config", "sshd"), ("/etc/ssh/sshd_config.d/50-cloud.conf", "sshd"),
    ("/etc/chrony/chrony.conf", "chrony"), ("/etc/ntp.conf", "ntp"),
    ("/etc/resolv.conf", "resolv"), ("/etc/app/app.ini", "keyvalue"),
])
def test_infer_format(path: str, fmt: str) -> None:
    assert infer_format(path) == fmt


def test_sshd_first_value_wins_and_accumulators() -> None:
    text = ("PermitRootLogin no\nPermitRootLogin yes\nport 22\nPort=2222\n"
            "ListenAddress = 0.0.0.0\nSubsystem sftp  internal-sftp\n"
            "  # indented comment\nMatch User backup\n  PermitRootLogin yes\n"
            "  PermitRootLogin no\nMatch all\nX11Forwarding no\n")
    assert parse_settings("sshd", text) == {
        "permitrootlogin": "no", "port": "22 2222", "listenaddress": "0.0.0.0",
        "subsystem.sftp": "internal-sftp", "match[User backup].permitrootlogin": "yes",
        "match[all].x11forwarding": "no",
    }


def test_chrony_numbering_and_flags() -> None:
    text = "! comment\n; comment\nserver a iburst\nserver b\npool p\nrtcsync\nmakestep 1 3\n"
    assert parse_settings("chrony", text) == {
        "server.1": "a iburst", "server.2": "b", "pool.1": "p", "rtcsync": "yes",
        "makestep": "1 3"}


def test_resolv() -> None:
    text = ("; comment\nsearch a.example\nnameserver 192.0.2.1\nsearch b.example c.example\n"
            "nameserver 192.0.2.2\noptions ndots:2\noptions edns0\n")
    assert parse_settings("resolv", text) == {
        "search": "b.example c.example", "nameserver.1": "192.0.2.1",
        "nameserver.2": "192.0.2.2", "options": "ndots:2 edns0"}


def test_keyvalue_forms_and_sections() -> None:
    text = ("a = 1\nb=2\nc: 3\nd 4\nexport E='five'\nbare\n[s]\nf = \"six  six\"\n"
            "; comment\n# comment\n")
    assert parse_settings("keyvalue", text) == {
        "a": "1", "b": "2", "c": "3", "d": "4", "E": "five", "s.f": "six six"}


@pytest.mark.parametrize("name", [
    "password", "db_password", "DB_PASSWD", "passphrase", "client_secret", "auth_token",
    "api_key", "apikey", "ssl.key", "private_key", "wpa_psk", "snmp_community", "credentials",
    "1",
])
def test_secret_keys_are_redacted_in_keyvalue(name: str) -> None:
    value = "hunter2"
    (redacted,) = redact("keyvalue", {name: value}, KEY).values()
    assert redacted == fingerprint(value, KEY)
    assert value not in redacted


@pytest.mark.parametrize("name", [
    "PASS_MAX_DAYS", "password_min_length", "passwordauthentication", "token_ttl", "monkey",
    "keyfile", "hostkey",
])
def test_ordinary_keys_are_kept(name: str) -> None:
    assert redact("keyvalue", {name: "90"}, KEY) == {name: "90"}


@pytest.mark.parametrize("value", [
    "-----BEGIN OPENSSH PRIVATE KEY-----",
    "$6$salt$hash",
    "$y$j9T$abc$def",
    "postgresql://app:pw@db.example/app",
    "SHA1 HEX:B2159C05D6A2",
])
def test_secret_looking_values_are_redacted_in_every_format(value: str) -> None:
    for fmt in ("sshd", "chrony", "keyvalue"):
        assert redact(fmt, {"x": value}, KEY) == {"x": fingerprint(value, KEY)}


def test_sshd_keywords_are_not_secrets() -> None:
    settings = {"passwordauthentication": "no", "hostkey": "/etc/ssh/ssh_host_ed25519_key"}
    assert redact("sshd", settings, KEY) == settings


def test_fingerprint_is_keyed_and_stable() -> None:
    first = fingerprint("hunter2", KEY)
    assert first == fingerprint("hunter2", KEY)
    assert first != fingerprint("hunter3", KEY)
    assert first != fingerprint("hunter2", b"another key")
    assert first.startswith("<redacted:hmac-sha256:") and len(first) == len(
        "<redacted:hmac-sha256:>") + 12


def test_redaction_key_reaches_the_parser() -> None:
    from discovery.platforms.linux import LinuxPlatform
    from inventory.model import Target

    target = Target(name="t", address="192.0.2.1")
    collector = LinuxPlatform(redaction_key=b"k2").collectors(target)[-1]
    found = collector.parse({"a": _cat("/etc/app.conf", "password = x\n")}).nodes[0]
    assert isinstance(found, ConfigFile) and found.settings == {
        "password": fingerprint("x", b"k2")}


def test_sysctl_pseudo_file() -> None:
    stdout = "net.ipv4.tcp_rmem = 4096\t131072\t6291456\nkernel.randomize_va_space = 2\n"
    found = _files(sysctl=CommandOutput(configs.SYSCTL, stdout))["sysctl"]
    text = "kernel.randomize_va_space = 2\nnet.ipv4.tcp_rmem = 4096 131072 6291456\n"
    assert found.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert (found.size, found.format) == (len(text), "sysctl")


def test_sysctl_missing_is_not_reported() -> None:
    missing = CommandOutput(configs.SYSCTL, "", "sysctl: not found\n", 127)
    assert _files(sysctl=missing) == {}


@pytest.mark.parametrize(("name", "output", "message"), [
    ("sysctl", CommandOutput(configs.SYSCTL, "garbage\n"), "sysctl: expected 'key = value'"),
    ("sha256sum", CommandOutput("sha256sum -- /etc/a", "abc  /etc/a\n"),
     "sha256sum: expected 'SHA256  PATH'"),
])
def test_garbage_is_a_parse_error(name: str, output: CommandOutput, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        configs.parse({name: output})


CONFIG_FILES_CASE = Path(__file__).resolve().parents[3] / "fixtures" / "linux" / "configs" / (
    "rhel9_config_files")


def test_recordings_hold_no_secret_and_still_parse() -> None:
    """What `--record` writes of the configs collector: every value the parser redacts
    is gone from the text, and the redacted recording parses to the same settings
    (secrets aside)."""
    outputs = read_case(CONFIG_FILES_CASE)
    raw_secrets = _secret_values(outputs)
    assert len(raw_secrets) >= 5, raw_secrets  # the case has keys, hashes, a PEM block
    recorded = configs.recordable(outputs)
    written = "".join(o.stdout for o in recorded.values())
    assert [s for s in raw_secrets if s in written] == []
    before, after = configs.parse(outputs).nodes, configs.parse(recorded).nodes
    for old, new in zip(before, after, strict=True):
        assert isinstance(old, ConfigFile) and isinstance(new, ConfigFile)
        kept = {k: v for k, v in (old.settings or {}).items() if "<redacted" not in v}
        assert {k: v for k, v in (new.settings or {}).items() if k in kept} == kept
        assert set(new.settings or {}) == set(old.settings or {})


def _secret_values(outputs: Mapping[str, CommandOutput]) -> list[str]:
    """The raw values behind each redacted setting, read back from the files."""
    found = []
    for node in configs.parse(outputs, KEY).nodes:
        assert isinstance(node, ConfigFile)
        if node.format == "sysctl":
            continue
        raw = parse_settings(node.format or "", _text_of(outputs, node.path))
        found += [raw[k] for k, v in (node.settings or {}).items() if "<redacted" in v]
    return found


def _text_of(outputs: Mapping[str, CommandOutput], path: str) -> str:
    return next(o.stdout for o in outputs.values() if o.command == f"cat -- {path}")
