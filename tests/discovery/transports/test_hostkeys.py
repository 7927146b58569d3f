"""HostKeyPolicy without a server: known_hosts forms, CHANGED keys, pinning, threads."""

from __future__ import annotations

import base64
import errno
import os
import stat
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import paramiko
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from discovery.errors import HostKeyError
from discovery.transports.hostkeys import HostKeyPolicy, fingerprint, host_id


def new_key(kind: str = "ed25519") -> paramiko.PKey:
    private = ed25519.Ed25519PrivateKey.generate() if kind == "ed25519" else (
        ec.generate_private_key(ec.SECP256R1()))
    line = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    key_type, blob = line.split()[:2]
    return paramiko.PKey.from_type_string(key_type, base64.b64decode(blob))


def entry(names: str, key: paramiko.PKey) -> str:
    return f"{names} {key.get_name()} {key.get_base64()}\n"


def policy_with(tmp_path: Path, *lines: str) -> HostKeyPolicy:
    path = tmp_path / "known_hosts"
    path.write_text("".join(lines), encoding="utf-8")
    return HostKeyPolicy(known_hosts=path)


def refused(check: Callable[[], None]) -> str:
    with pytest.raises(HostKeyError) as info:
        check()
    return str(info.value)


def test_fingerprint_is_openssh_style() -> None:
    key = new_key()
    assert fingerprint(key.asbytes()) == key.fingerprint
    assert fingerprint(key.asbytes()).startswith("SHA256:")
    assert not fingerprint(key.asbytes()).endswith("=")


def test_host_id_brackets_non_default_ports() -> None:
    assert host_id("10.0.0.1", 22) == "10.0.0.1"
    assert host_id("10.0.0.1", 2222) == "[10.0.0.1]:2222"


def test_plain_entry_accepts_its_key_only_on_its_port(tmp_path: Path) -> None:
    key = new_key()
    policy = policy_with(tmp_path, "# comment\n\n", entry("[10.0.0.1]:2222", key))
    policy.verify("10.0.0.1", 2222, key)
    refused(lambda: policy.verify("10.0.0.1", 22, key))  # another port is another host


def test_hashed_and_pattern_entries(tmp_path: Path) -> None:
    key, other = new_key(), new_key()
    hashed = paramiko.HostKeys.hash_host("[sw1.example.net]:830")
    policy = policy_with(tmp_path, entry(hashed, key),
                         entry("*.lab.example.net,!bad.lab.example.net", other))
    policy.verify("sw1.example.net", 830, key)
    policy.verify("r7.LAB.example.net", 22, other)
    refused(lambda: policy.verify("bad.lab.example.net", 22, other))


def test_changed_key_names_both_fingerprints_and_the_line(tmp_path: Path) -> None:
    known, offered = new_key(), new_key()
    policy = policy_with(tmp_path, "# header\n", entry("10.0.0.9", known))
    message = refused(lambda: policy.verify("10.0.0.9", 22, offered, target="core-sw"))
    assert "CHANGED" in message and "core-sw" in message
    assert known.fingerprint in message and offered.fingerprint in message
    assert f"{tmp_path / 'known_hosts'} line 2" in message


def test_key_of_another_type_is_a_change_not_a_new_host(tmp_path: Path) -> None:
    pins = tmp_path / "pins"
    policy = HostKeyPolicy(known_hosts=None, pin_file=pins, trust_on_first_use=True)
    policy.verify("h", 22, new_key("ecdsa"))
    assert "CHANGED" in refused(lambda: policy.verify("h", 22, new_key("ed25519")))
    assert len(pins.read_text().splitlines()) == 1


def test_revoked_key_is_refused(tmp_path: Path) -> None:
    key = new_key()
    policy = policy_with(tmp_path, entry("h", key), "@revoked * " + entry("", key)[1:])
    assert "REVOKED" in refused(lambda: policy.verify("h", 22, key))


def test_unknown_host_without_tofu(tmp_path: Path) -> None:
    policy = policy_with(tmp_path, entry("other", new_key()))
    message = refused(lambda: policy.verify("h", 22, new_key()))
    assert "unknown host key" in message and "--trust-on-first-use" in message


def test_tofu_needs_a_pin_file() -> None:
    with pytest.raises(ValueError, match="pin_file"):
        HostKeyPolicy(trust_on_first_use=True)


def test_tofu_creates_pin_file_0600_and_pins_once(tmp_path: Path) -> None:
    pins = tmp_path / "a" / "b" / "pins"
    key = new_key()
    policy = HostKeyPolicy(pin_file=pins, trust_on_first_use=True)
    policy.verify("h", 2200, key)
    policy.verify("h", 2200, key)
    assert stat.S_IMODE(pins.stat().st_mode) == 0o600
    assert pins.read_text().startswith(entry("[h]:2200", key).rstrip("\n") + " ")
    assert len(pins.read_text().splitlines()) == 1
    # A later run (new policy object, fresh cache) trusts the pin without TOFU.
    HostKeyPolicy(pin_file=pins).verify("h", 2200, key)


def test_pin_file_without_trailing_newline_is_appended_safely(tmp_path: Path) -> None:
    pins = tmp_path / "pins"
    first, second = new_key(), new_key()
    pins.write_text(entry("a", first).rstrip("\n"))
    policy = HostKeyPolicy(pin_file=pins, trust_on_first_use=True)
    policy.verify("b", 22, second)
    policy.verify("a", 22, first)
    assert len(pins.read_text().splitlines()) == 2


def test_malformed_lines_are_skipped(tmp_path: Path) -> None:
    key = new_key()
    policy = policy_with(tmp_path, "h ssh-ed25519 not*base64\n", "justonefield\n",
                         "@cert-authority * ssh-ed25519 AAAA\n", entry("h", key))
    policy.verify("h", 22, key)


def test_known_key_types_in_file_order(tmp_path: Path) -> None:
    policy = policy_with(tmp_path, entry("h", new_key("ecdsa")), entry("h", new_key()))
    assert policy.known_key_types("h", 22) == ["ecdsa-sha2-nistp256", "ssh-ed25519"]
    assert policy.known_key_types("nobody", 22) == []


def test_threads_pinning_one_host_write_one_line(tmp_path: Path) -> None:
    pins = tmp_path / "pins"
    key = new_key()
    policy = HostKeyPolicy(pin_file=pins, trust_on_first_use=True)
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda _: policy.verify("h", 22, key), range(64)))
    assert len(pins.read_text().splitlines()) == 1


def test_racing_different_keys_pins_exactly_one(tmp_path: Path) -> None:
    # Two policies (think: two processes) race to pin different keys for one host.
    pins = tmp_path / "pins"
    keys = [new_key() for _ in range(8)]
    accepted: list[paramiko.PKey] = []
    barrier = threading.Barrier(len(keys))

    def attempt(key: paramiko.PKey) -> None:
        policy = HostKeyPolicy(pin_file=pins, trust_on_first_use=True)
        barrier.wait()
        try:
            policy.verify("h", 22, key)
            accepted.append(key)
        except HostKeyError as exc:
            assert "CHANGED" in str(exc)

    threads = [threading.Thread(target=attempt, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(accepted) == 1
    assert len(pins.read_text().splitlines()) == 1


def test_unreadable_known_hosts_is_a_host_key_error(tmp_path: Path) -> None:
    policy = HostKeyPolicy(known_hosts=tmp_path)  # a directory: reading it fails, even as root
    assert "cannot read" in refused(lambda: policy.verify("h", 22, new_key()))
    with pytest.raises(HostKeyError):
        policy.known_key_types("h", 22)


def test_unwritable_pin_file_is_a_host_key_error(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(*args: object, **kwargs: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    policy = HostKeyPolicy(pin_file=tmp_path / "pins", trust_on_first_use=True)
    monkeypatch.setattr(os, "open", disk_full)  # root ignores permission bits
    message = refused(lambda: policy.verify("h", 22, new_key(), target="t1"))
    assert "cannot pin" in message and "No space left" in message and "t1" in message
