"""The runner against a real OpenSSH server: every fault becomes a typed error in that
target's result, and the other targets of the same run still succeed."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from discovery.errors import ErrorKind
from discovery.lab.sshd import SshdPeer, free_port, generate_key, public_key_line
from discovery.result import DiscoveryResult, TargetResult, result_from_json, result_to_json
from discovery.runner import RunnerOptions, discover
from discovery.transports.hostkeys import HostKeyPolicy
from discovery.transports.ssh import SshTransport
from inventory import Credentials, Inventory, Target, resolve_secret
from tests.peers.sshd import SshdFactory


def target(name: str, peer: SshdPeer, *, key: Path | None = None, user: str | None = None,
           port: int | None = None, **vars: object) -> Target:
    return Target(name=name, address=peer.address, port=port or peer.port,
                  credentials=Credentials(username=user or peer.user,
                                          key_file=str(key or peer.client_key_path)),
                  vars=dict(vars))


def run(targets: list[Target], known_hosts: Path, **options: object) -> DiscoveryResult:
    policy = HostKeyPolicy(known_hosts=known_hosts)
    transport = SshTransport(host_keys=policy, resolve_secret=resolve_secret)
    opts = RunnerOptions(**{"retries": 0, "command_timeout": 20.0, **options})  # type: ignore[arg-type]
    return discover(Inventory(tuple(targets)), {"ssh": transport}, opts)


def by_name(result: DiscoveryResult) -> dict[str, TargetResult]:
    return {t.target: t for t in result.targets}


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A config 'file' that blocks every reader: a command that hangs on a real host.
    Opening it for writing afterwards lets the stuck `cat`/`sha256sum` finish."""
    path = tmp_path / "hang.conf"
    os.mkfifo(path)
    yield path
    for _ in range(4):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            break  # no reader left
        os.close(fd)
        time.sleep(0.2)


def test_every_fault_is_a_typed_error_and_the_good_target_succeeds(
        sshd_peer: SshdPeer, make_sshd: SshdFactory, tmp_path: Path, fifo: Path) -> None:
    rekeyed = make_sshd()
    impostor = generate_key(tmp_path / "impostor_host_key", comment="not-the-real-host-key")
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(
        sshd_peer.known_hosts_line() + "\n"
        + f"{rekeyed.host_pattern()} {public_key_line(impostor)}\n")
    garbage_key = sshd_peer.make_client_key(
        "garbage", forced_command="echo '<html>502 Bad Gateway</html>'")
    targets = [
        target("good", sshd_peer),
        target("wrong-key", sshd_peer, key=sshd_peer.make_unauthorized_key()),
        target("wrong-user", sshd_peer, user="no-such-user-cmdb"),
        target("closed-port", sshd_peer, port=free_port(sshd_peer.address)),
        target("changed-host-key", rekeyed),
        target("hanging-command", sshd_peer, config_files=[str(fifo)]),
        target("garbage", sshd_peer, key=garbage_key),
    ]
    began = time.monotonic()
    result = by_name(run(targets, known_hosts, command_timeout=2.0, concurrency=7))
    assert time.monotonic() - began < 60  # the hang did not hang the run

    assert result["good"].status == "ok", result["good"]
    assert len(result["good"].collectors) == 6
    unreached = {name: t.error.kind for name, t in result.items() if t.error}
    assert unreached == {
        "wrong-key": ErrorKind.AUTH,
        "wrong-user": ErrorKind.AUTH,
        "closed-port": ErrorKind.CONNECT,
        "changed-host-key": ErrorKind.HOST_KEY,
    }
    assert "changed" in result["changed-host-key"].error.message.lower()  # type: ignore[union-attr]

    hanging = {c.name: c for c in result["hanging-command"].collectors}
    assert hanging["configs"].error is not None
    assert hanging["configs"].error.kind is ErrorKind.TIMEOUT
    assert result["hanging-command"].status == "partial"
    assert all(c.ok for name, c in hanging.items() if name != "configs")

    garbage = result["garbage"].collectors
    assert result["garbage"].reached and result["garbage"].status == "failed"
    assert {c.error.kind for c in garbage if c.error} <= {ErrorKind.PARSE, ErrorKind.COMMAND}
    assert any(c.error and c.error.kind is ErrorKind.PARSE for c in garbage)


def test_unknown_host_key_without_trust_on_first_use_is_refused(
        sshd_peer: SshdPeer, tmp_path: Path) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    outcome = run([target("t", sshd_peer)], empty).targets[0]
    assert outcome.error is not None and outcome.error.kind is ErrorKind.HOST_KEY


def test_connect_errors_are_retried_with_backoff_and_auth_errors_are_not(
        sshd_peer: SshdPeer, tmp_path: Path) -> None:
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(sshd_peer.known_hosts_line() + "\n")
    closed = target("closed", sshd_peer, port=free_port(sshd_peer.address))
    wrong = target("wrong", sshd_peer, key=sshd_peer.make_unauthorized_key())
    began = time.monotonic()
    result = by_name(run([closed], known_hosts, retries=2, backoff=0.5))
    waited = time.monotonic() - began
    assert result["closed"].error is not None
    assert waited >= 1.5  # 0.5 s + 1.0 s of backoff: it did retry
    began = time.monotonic()
    run([wrong], known_hosts, retries=2, backoff=2.0)
    assert time.monotonic() - began < 2.0  # no backoff: an auth failure is final


def test_record_writes_raw_outputs_and_the_result_round_trips(
        sshd_peer: SshdPeer, tmp_path: Path) -> None:
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(sshd_peer.known_hosts_line() + "\n")
    result = run([target("me", sshd_peer)], known_hosts, record_dir=tmp_path / "rec")
    assert (tmp_path / "rec" / "me" / "system" / "commands.json").exists()
    assert (tmp_path / "rec" / "me" / "packages" / "commands.json").exists()
    saved = result_to_json(result)
    assert result_to_json(result_from_json(saved)) == saved
    assert result_from_json(saved).target_facts() == result.target_facts()


def test_a_bad_config_path_fails_the_target_before_connecting(
        sshd_peer: SshdPeer, tmp_path: Path) -> None:
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(sshd_peer.known_hosts_line() + "\n")
    bad = target("bad", sshd_peer, config_files=["/etc/x; reboot"])
    outcome = run([bad], known_hosts).targets[0]
    assert outcome.error is not None and outcome.error.kind is ErrorKind.CONFIG
    assert "/etc/x; reboot" in outcome.error.message
