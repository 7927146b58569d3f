"""Secret references: parsing, resolution, and that no message ever carries a secret."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from inventory import (
    InventoryError,
    RefKind,
    SecretError,
    SecretRef,
    load_inventory,
    parse_secret_ref,
    resolve_secret,
    secret_file_too_open,
)
from tests.inventory.conftest import WriteYaml

SECRET = "s3cr3t-Pa55w0rd"


@pytest.mark.parametrize(("text", "expected"), [
    ("env:CMDB_SSH_PASSWORD", SecretRef(RefKind.ENV, "CMDB_SSH_PASSWORD")),
    ("env:_x1", SecretRef(RefKind.ENV, "_x1")),
    ("file:/etc/cmdb/pass", SecretRef(RefKind.FILE, "/etc/cmdb/pass")),
    ("file:~/pw", SecretRef(RefKind.FILE, str(Path.home() / "pw"))),
])
def test_parse_secret_ref(text: str, expected: SecretRef) -> None:
    assert parse_secret_ref(text, "defaults.credentials.password") == expected


@pytest.mark.parametrize(("text", "fragment"), [
    (SECRET, "literal secrets are not allowed"),
    (f"pass:{SECRET}", "literal secrets are not allowed"),
    (f"ENV:{SECRET}", "literal secrets are not allowed"),
    ("env:", "variable name"),
    (f"env:{SECRET}-x", "variable name"),
    (f"file:{SECRET}", "absolute path"),
])
def test_bad_refs_are_rejected_without_echoing_them(text: str, fragment: str) -> None:
    with pytest.raises(InventoryError) as info:
        parse_secret_ref(text, "hosts.a.credentials.password")
    assert info.value.key == "hosts.a.credentials.password"
    assert fragment in info.value.problem
    assert SECRET not in str(info.value)


def test_literal_password_in_inventory_is_rejected(write_yaml: WriteYaml) -> None:
    path = write_yaml(f"""
        defaults:
          credentials:
            username: cmdb
            password: {SECRET}
        """)
    with pytest.raises(InventoryError) as info:
        load_inventory([path])
    exc = info.value
    assert (exc.file, exc.line, exc.key) == (str(path), 4, "defaults.credentials.password")
    assert "use an env:NAME or file:/path reference" in exc.problem
    assert SECRET not in str(exc)


def test_literal_passphrase_as_number_not_echoed(write_yaml: WriteYaml) -> None:
    path = write_yaml("hosts:\n  a:\n    credentials: {key_passphrase: 918273645}\n")
    with pytest.raises(InventoryError) as info:
        load_inventory([path])
    assert info.value.key == "hosts.a.credentials.key_passphrase"
    assert info.value.line == 3
    assert "got an integer" in str(info.value)
    assert "918273645" not in str(info.value)


def test_credentials_given_as_a_string_not_echoed(write_yaml: WriteYaml) -> None:
    path = write_yaml(f"hosts:\n  a: {{credentials: {SECRET}}}\n")
    with pytest.raises(InventoryError, match="expected a mapping, got a string") as info:
        load_inventory([path])
    assert SECRET not in str(info.value)


def test_resolve_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CMDB_TEST_PW", SECRET)
    assert resolve_secret(SecretRef(RefKind.ENV, "CMDB_TEST_PW")) == SECRET


def test_resolve_env_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CMDB_TEST_PW", raising=False)
    ref = SecretRef(RefKind.ENV, "CMDB_TEST_PW")
    with pytest.raises(SecretError) as info:
        resolve_secret(ref)
    assert str(info.value) == "env:CMDB_TEST_PW is not set"
    assert info.value.ref == ref


def test_resolve_env_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CMDB_TEST_PW", "")
    with pytest.raises(SecretError) as info:
        resolve_secret(SecretRef(RefKind.ENV, "CMDB_TEST_PW"))
    assert str(info.value) == "env:CMDB_TEST_PW is set but empty"


@pytest.mark.parametrize(("content", "expected"), [
    (f"{SECRET}\n", SECRET),
    (f"{SECRET}\r\n", SECRET),
    (f"{SECRET}\n\n", f"{SECRET}\n"),   # only one trailing newline is stripped
    (f" {SECRET} ", f" {SECRET} "),      # spaces may be part of a passphrase
])
def test_resolve_file(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "pw"
    path.write_bytes(content.encode())
    assert resolve_secret(SecretRef(RefKind.FILE, str(path))) == expected


def test_resolve_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope"
    with pytest.raises(SecretError) as info:
        resolve_secret(SecretRef(RefKind.FILE, str(path)))
    assert str(info.value) == f"file:{path}: not readable: No such file or directory"


def test_resolve_unreadable_file(tmp_path: Path) -> None:
    # A directory is unreadable as a file even for root (chmod 000 is not).
    with pytest.raises(SecretError) as info:
        resolve_secret(SecretRef(RefKind.FILE, str(tmp_path)))
    assert str(info.value) == f"file:{tmp_path}: not readable: Is a directory"


@pytest.mark.parametrize(("content", "fragment"), [
    (SECRET.encode() + b"\xff\xfe" + SECRET.encode(), "not valid UTF-8"),
    (SECRET.encode() * 5000, "larger than"),
    (b"\n", "file is empty"),
])
def test_file_errors_never_contain_the_secret(tmp_path: Path, content: bytes,
                                              fragment: str) -> None:
    path = tmp_path / "pw"
    path.write_bytes(content)
    with pytest.raises(SecretError) as info:
        resolve_secret(SecretRef(RefKind.FILE, str(path)))
    exc = info.value
    assert fragment in str(exc)
    assert str(exc).startswith(f"file:{path}: ")
    assert SECRET not in str(exc) and SECRET not in repr(exc)
    # A chained UnicodeDecodeError would carry the raw bytes along.
    assert exc.__cause__ is None and exc.__context__ is None


def test_resolve_expands_tilde(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "pw").write_text(SECRET)
    assert resolve_secret(SecretRef(RefKind.FILE, "~/pw")) == SECRET


@pytest.mark.parametrize(("mode", "too_open"), [
    (0o600, False), (0o400, False), (0o640, True), (0o604, True), (0o620, True),
])
def test_secret_file_too_open(tmp_path: Path, mode: int, too_open: bool) -> None:
    path = tmp_path / "pw"
    path.write_text(SECRET)
    os.chmod(path, mode)
    assert secret_file_too_open(path) is too_open
    assert secret_file_too_open(str(path)) is too_open


def test_secret_file_too_open_missing_file_is_false(tmp_path: Path) -> None:
    assert secret_file_too_open(tmp_path / "nope") is False
