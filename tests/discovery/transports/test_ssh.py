"""SshTransport against a real OpenSSH server on loopback (no mocks)."""

from __future__ import annotations

import importlib
import os
import socket
import stat
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from discovery.errors import (
    AuthError,
    ConnectError,
    DiscoveryError,
    DiscoveryTimeout,
    HostKeyError,
)
from discovery.transports.base import CommandOutput, Session, Transport
from discovery.transports.hostkeys import HostKeyPolicy
from discovery.transports.ssh import SshSession, SshTransport
from inventory.model import Credentials, RefKind, SecretRef, Target
from tests.peers import sshd as peers
from tests.peers.sshd import SshdFactory, SshdPeer, free_port, generate_key, public_key_line

# The peer fixtures, used directly here; harmless once a conftest imports them too.
sshd_peer = peers.sshd_peer
make_sshd = peers.make_sshd

pytestmark = pytest.mark.peer

SECRET_VALUE = "hunter2-must-never-show"


class SecretNotFound(ValueError):
    """What a resolver raises for a reference it cannot resolve."""


def env_resolver(ref: SecretRef) -> str:
    # Stand-in for inventory.resolve_secret: only the contract (ValueError) matters here.
    value = os.environ.get(ref.name) if ref.kind is RefKind.ENV else None
    if value is None:
        raise SecretNotFound(f"{ref} is not set")
    return value


def target_for(peer: SshdPeer, *, key: Path | None = None, user: str | None = None,
               password: SecretRef | None = None, passphrase: SecretRef | None = None,
               port: int | None = None, key_file: str | None = None) -> Target:
    if key_file is None and password is None:
        key_file = str(key or peer.client_key_path)
    creds = Credentials(username=user or peer.user, password=password, key_file=key_file,
                        key_passphrase=passphrase)
    return Target(name="peer-1", address=peer.address, port=port or peer.port,
                  credentials=creds)


def known_hosts(tmp_path: Path, *lines: str) -> HostKeyPolicy:
    path = tmp_path / "known_hosts"
    path.write_text("".join(lines), encoding="utf-8")
    return HostKeyPolicy(known_hosts=path)


def transport(policy: HostKeyPolicy) -> SshTransport:
    return SshTransport(host_keys=policy, resolve_secret=env_resolver, connect_timeout=5)


@pytest.fixture
def trusting(sshd_peer: SshdPeer, tmp_path: Path) -> SshTransport:
    return transport(known_hosts(tmp_path, sshd_peer.known_hosts_line()))


@pytest.fixture
def session(sshd_peer: SshdPeer, trusting: SshTransport) -> Iterator[SshSession]:
    with trusting.open(target_for(sshd_peer), timeout=10) as opened:
        yield opened


def open_error(tr: SshTransport, target: Target, timeout: float = 10) -> DiscoveryError:
    with pytest.raises(DiscoveryError) as info:
        tr.open(target, timeout=timeout).close()
    assert info.value.target == target.name
    return info.value


# -- running commands ---------------------------------------------------------------------


def test_satisfies_the_transport_protocols(session: SshSession, trusting: SshTransport) -> None:
    tr: Transport = trusting
    se: Session = session
    assert tr is trusting and se is session


def test_hostname_is_this_machine(session: SshSession) -> None:
    out = session.run("hostname", timeout=10)
    assert out == CommandOutput("hostname", socket.gethostname() + "\n", "", 0)


def test_exit_status_of_false_is_1(session: SshSession) -> None:
    out = session.run("false", timeout=10)
    assert out.exit_status == 1
    assert not out.ok


def test_large_output_arrives_complete(session: SshSession) -> None:
    out = session.run("seq 1 300000", timeout=60)
    assert out.stdout == "".join(f"{i}\n" for i in range(1, 300001))
    assert out.exit_status == 0


def test_large_stdout_and_stderr_together_do_not_deadlock(session: SshSession) -> None:
    # stderr first: a reader blocked on stdout alone would stall once the window fills.
    out = session.run("seq 1 200000 >&2; seq 1 200000", timeout=60)
    expected = "".join(f"{i}\n" for i in range(1, 200001))
    assert out.stdout == expected
    assert out.stderr == expected


def test_stderr_and_exit_status_captured(session: SshSession) -> None:
    out = session.run("echo out; echo 'err line' >&2; exit 3", timeout=10)
    assert (out.stdout, out.stderr, out.exit_status) == ("out\n", "err line\n", 3)


def test_invalid_utf8_is_replaced(session: SshSession) -> None:
    out = session.run(r"printf 'caf\351 ok'", timeout=10)
    assert out.stdout == "caf\ufffd ok"


def test_command_reading_stdin_gets_eof(session: SshSession) -> None:
    assert session.run("cat; echo done", timeout=10).stdout == "done\n"


def test_hanging_command_times_out_and_session_stays_usable(session: SshSession) -> None:
    started = time.monotonic()
    with pytest.raises(DiscoveryTimeout) as info:
        session.run("sleep 30", timeout=1)
    assert time.monotonic() - started < 20
    assert info.value.target == "peer-1"
    assert "sleep 30" in str(info.value)
    assert session.run("echo ok", timeout=10).stdout == "ok\n"


def test_run_after_close_is_connect_error(sshd_peer: SshdPeer, trusting: SshTransport) -> None:
    opened = trusting.open(target_for(sshd_peer), timeout=10)
    opened.close()
    with pytest.raises(ConnectError):
        opened.run("true", timeout=5)


def test_eight_concurrent_sessions(sshd_peer: SshdPeer, trusting: SshTransport) -> None:
    def work(i: int) -> str:
        with trusting.open(target_for(sshd_peer), timeout=20) as opened:
            return opened.run(f"echo {i}", timeout=20).stdout

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    assert results == [f"{i}\n" for i in range(8)]


# -- authentication -----------------------------------------------------------------------


def test_unauthorized_key_is_auth_error(sshd_peer: SshdPeer, trusting: SshTransport) -> None:
    key = sshd_peer.make_unauthorized_key()
    err = open_error(trusting, target_for(sshd_peer, key=key))
    assert isinstance(err, AuthError)
    assert f"user {sshd_peer.user}" in str(err)
    assert str(key) in str(err)


def test_unknown_user_is_auth_error(sshd_peer: SshdPeer, trusting: SshTransport) -> None:
    err = open_error(trusting, target_for(sshd_peer, user="no-such-user-cmdb"))
    assert isinstance(err, AuthError)
    assert "no-such-user-cmdb" in str(err)


def test_missing_key_file_is_auth_error(sshd_peer: SshdPeer, trusting: SshTransport,
                                        tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "id_ed25519"
    err = open_error(trusting, target_for(sshd_peer, key=missing))
    assert isinstance(err, AuthError)
    assert str(missing) in str(err)


def test_unset_password_reference_is_auth_error(sshd_peer: SshdPeer, trusting: SshTransport,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CMDB_TEST_UNSET_PW", raising=False)
    ref = SecretRef(RefKind.ENV, "CMDB_TEST_UNSET_PW")
    err = open_error(trusting, target_for(sshd_peer, password=ref))
    assert isinstance(err, AuthError)
    assert "env:CMDB_TEST_UNSET_PW" in str(err)


def test_with_the_inventory_resolver(sshd_peer: SshdPeer, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    resolve = getattr(importlib.import_module("inventory"), "resolve_secret", None)
    if resolve is None:
        pytest.skip("inventory.resolve_secret not available yet")
    tr = SshTransport(host_keys=known_hosts(tmp_path, sshd_peer.known_hosts_line()),
                      resolve_secret=resolve)
    monkeypatch.delenv("CMDB_TEST_UNSET_PW", raising=False)
    err = open_error(tr, target_for(sshd_peer, password=SecretRef(RefKind.ENV,
                                                                  "CMDB_TEST_UNSET_PW")))
    assert isinstance(err, AuthError)
    assert "env:CMDB_TEST_UNSET_PW" in str(err)


def test_refused_password_never_shows_its_value(sshd_peer: SshdPeer, trusting: SshTransport,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CMDB_TEST_PW", SECRET_VALUE)
    ref = SecretRef(RefKind.ENV, "CMDB_TEST_PW")
    err = open_error(trusting, target_for(sshd_peer, password=ref))
    assert isinstance(err, AuthError)  # the peer allows keys only
    assert "env:CMDB_TEST_PW" in str(err)
    chain: BaseException | None = err
    while chain is not None:
        assert SECRET_VALUE not in f"{chain!s} {chain!r}"
        chain = chain.__cause__ or chain.__context__


def test_passphrase_protected_key(sshd_peer: SshdPeer, trusting: SshTransport,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    key = sshd_peer.make_client_key("locked", passphrase="correct horse")
    ref = SecretRef(RefKind.ENV, "CMDB_TEST_KEY_PASS")
    monkeypatch.setenv("CMDB_TEST_KEY_PASS", "correct horse")
    with trusting.open(target_for(sshd_peer, key=key, passphrase=ref), timeout=10) as opened:
        assert opened.run("echo ok", timeout=10).stdout == "ok\n"
    monkeypatch.setenv("CMDB_TEST_KEY_PASS", "wrong horse")
    err = open_error(trusting, target_for(sshd_peer, key=key, passphrase=ref))
    assert isinstance(err, AuthError)
    assert str(key) in str(err)
    assert "wrong horse" not in str(err)
    err = open_error(trusting, target_for(sshd_peer, key=key))
    assert isinstance(err, AuthError)
    assert "encrypted" in str(err)


def test_no_credentials_is_auth_error(sshd_peer: SshdPeer, trusting: SshTransport) -> None:
    target = Target(name="peer-1", address=sshd_peer.address, port=sshd_peer.port)
    err = open_error(trusting, target)
    assert isinstance(err, AuthError)


# -- connecting ---------------------------------------------------------------------------


def test_closed_port_is_connect_error(sshd_peer: SshdPeer, trusting: SshTransport) -> None:
    err = open_error(trusting, target_for(sshd_peer, port=free_port()))
    assert isinstance(err, ConnectError)


def test_silent_server_is_timeout(sshd_peer: SshdPeer, trusting: SshTransport) -> None:
    with socket.socket() as listener:  # accepts TCP (backlog) but never says a word
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        started = time.monotonic()
        err = open_error(trusting, target_for(sshd_peer, port=port), timeout=1)
    assert isinstance(err, DiscoveryTimeout)
    assert time.monotonic() - started < 20


def test_tcp_connect_timeout(sshd_peer: SshdPeer, tmp_path: Path) -> None:
    tr = SshTransport(host_keys=known_hosts(tmp_path), resolve_secret=env_resolver,
                      connect_timeout=0.5)
    with socket.socket() as listener, socket.socket() as filler:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)  # one queued connection fills it; Linux then drops SYNs
        port = listener.getsockname()[1]
        filler.connect(("127.0.0.1", port))
        err = open_error(tr, target_for(sshd_peer, port=port), timeout=5)
    assert isinstance(err, DiscoveryTimeout)
    assert "no TCP connection" in str(err)


def test_non_ssh_server_is_connect_error(sshd_peer: SshdPeer, trusting: SshTransport) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        thread = threading.Thread(target=_answer_http, args=(listener,), daemon=True)
        thread.start()
        err = open_error(trusting, target_for(sshd_peer, port=listener.getsockname()[1]))
        thread.join(10)
    assert isinstance(err, ConnectError)


def _answer_http(listener: socket.socket) -> None:
    conn, _ = listener.accept()
    with conn:
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")


# -- host keys ----------------------------------------------------------------------------


def test_changed_host_key_is_refused(sshd_peer: SshdPeer, tmp_path: Path) -> None:
    other = generate_key(tmp_path / "other_host_key")
    policy = known_hosts(tmp_path, f"{sshd_peer.host_pattern()} {public_key_line(other)}\n")
    err = open_error(transport(policy), target_for(sshd_peer))
    assert isinstance(err, HostKeyError)
    text = str(err)
    assert "changed" in text.lower()
    assert f"{policy.known_hosts} line 1" in text
    assert _fingerprint(other) in text and _fingerprint(sshd_peer.host_key_path) in text


def test_unknown_host_key_without_tofu(sshd_peer: SshdPeer, tmp_path: Path) -> None:
    policy = known_hosts(tmp_path, "[127.0.0.1]:1 " + sshd_peer.host_key_pub + "\n")
    err = open_error(transport(policy), target_for(sshd_peer))
    assert isinstance(err, HostKeyError)
    assert "unknown host key" in str(err)
    assert "--trust-on-first-use" in str(err)


def test_hashed_known_hosts_entry(sshd_peer: SshdPeer, tmp_path: Path) -> None:
    policy = known_hosts(tmp_path, sshd_peer.known_hosts_line())
    assert policy.known_hosts is not None
    subprocess.run(["ssh-keygen", "-H", "-f", str(policy.known_hosts)], check=True,
                   capture_output=True)
    assert policy.known_hosts.read_text().startswith("|1|")
    with transport(policy).open(target_for(sshd_peer), timeout=10) as opened:
        assert opened.run("true", timeout=10).ok


def test_tofu_pins_then_refuses_a_new_host_key(make_sshd: SshdFactory, tmp_path: Path) -> None:
    peer = make_sshd(address="127.0.0.3")
    pins = tmp_path / "state" / "pinned_hosts"
    tr = transport(HostKeyPolicy(pin_file=pins, trust_on_first_use=True))
    for _ in range(2):  # first connect pins, the second finds the pin
        with tr.open(target_for(peer), timeout=10) as opened:
            assert opened.run("true", timeout=10).ok
    assert stat.S_IMODE(pins.stat().st_mode) == 0o600
    lines = pins.read_text().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"[127.0.0.3]:{peer.port} {peer.host_key_pub} ")

    peer.rotate_host_key()
    err = open_error(tr, target_for(peer))
    assert isinstance(err, HostKeyError)
    assert "changed" in str(err).lower()
    assert f"{pins} line 1" in str(err)
    assert pins.read_text().splitlines() == lines  # the new key was not pinned


def test_concurrent_tofu_pins_once(make_sshd: SshdFactory, tmp_path: Path) -> None:
    peer = make_sshd()
    pins = tmp_path / "pins"
    tr = transport(HostKeyPolicy(pin_file=pins, trust_on_first_use=True))

    def work(_: int) -> bool:
        with tr.open(target_for(peer), timeout=20) as opened:
            return opened.run("true", timeout=20).ok

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(work, range(8)))
    assert len(pins.read_text().splitlines()) == 1


def test_known_key_type_is_asked_for_first(make_sshd: SshdFactory, tmp_path: Path) -> None:
    # The server offers ed25519 and ECDSA; we know only its ECDSA key, as OpenSSH would.
    peer = make_sshd(host_key_types=("ed25519", "ecdsa"))
    policy = known_hosts(tmp_path, peer.known_hosts_line("ecdsa"))
    with transport(policy).open(target_for(peer), timeout=10) as opened:
        assert opened.run("true", timeout=10).ok


def _fingerprint(private_key: Path) -> str:
    out = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(private_key)],
                         check=True, capture_output=True, text=True).stdout
    return out.split()[1]


# -- the peer itself ----------------------------------------------------------------------


def test_missing_sshd_fails_in_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.setattr(peers, "SSHD", tmp_path / "no-sshd")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install openssh-server"):
        peers.require_sshd()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must provide it"):
        peers.require_sshd()


def test_peer_start_failure_shows_the_sshd_log() -> None:
    peers.require_sshd()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen(1)
        peer = SshdPeer(port=squatter.getsockname()[1])
        with pytest.raises(peers.SshdStartError, match="Bind to port"):
            peer.__enter__()
    assert not peer.workdir.exists()
