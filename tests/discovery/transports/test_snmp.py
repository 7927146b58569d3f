"""The SNMP transport against real agents: net-snmp's snmpd (compared with net-snmp's own
snmpbulkwalk) and snmpsim playing real recordings (compared with the files)."""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from discovery.errors import (
    AuthError,
    CommandError,
    ConfigError,
    ConnectError,
    DiscoveryError,
    DiscoveryTimeout,
)
from discovery.lab.snmpd import SnmpUser
from discovery.transports.snmp import SnmpSession, SnmpTransport, parse_command
from discovery.transports.snmprec import Tag, Varbind, decode, oid_key
from inventory.credentials import resolve_secret
from inventory.model import (
    RefKind,
    SecretRef,
    SnmpAuthProtocol,
    SnmpCredentials,
    SnmpPrivProtocol,
    SnmpVersion,
    Target,
)
from tests.peers.snmp import (
    SIM_DEVICES,
    SilencingRelay,
    SnmpdPeer,
    SnmpsimPeer,
    make_snmpd,
    snmpd_peer,
    snmprec_dir,
    snmpsim_peer,
)

__all__ = ["make_snmpd", "snmpd_peer", "snmprec_dir", "snmpsim_peer"]  # fixtures in use

SYSTEM, IF_TABLE = "1.3.6.1.2.1.1", "1.3.6.1.2.1.2.2.1"
HR_SW_NAME = "1.3.6.1.2.1.25.6.3.1.2"
_AUTH = {"SHA": SnmpAuthProtocol.SHA, "SHA-256": SnmpAuthProtocol.SHA256}
_PRIV = {"AES": SnmpPrivProtocol.AES128, "AES-256": SnmpPrivProtocol.AES256}


def _env_ref(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> SecretRef:
    monkeypatch.setenv(name, value)
    return SecretRef(RefKind.ENV, name)


def _v2c(peer: SnmpdPeer, monkeypatch: pytest.MonkeyPatch, community: str | None = None,
         version: SnmpVersion = SnmpVersion.V2C) -> SnmpCredentials:
    ref = _env_ref(monkeypatch, "TEST_SNMP_COMMUNITY", community or peer.community)
    return SnmpCredentials(version, community=ref, port=peer.port)


def _v3(user: SnmpUser, port: int, monkeypatch: pytest.MonkeyPatch, *, name: str | None = None,
        auth_key: str | None = None, priv_key: str | None = None,
        context: str | None = None) -> SnmpCredentials:
    return SnmpCredentials(
        SnmpVersion.V3, user=name or user.name, port=port, context=context,
        auth_protocol=_AUTH[user.auth_protocol], priv_protocol=_PRIV[user.priv_protocol],
        auth_key=_env_ref(monkeypatch, "TEST_SNMP_AUTH", auth_key or user.auth_key),
        priv_key=_env_ref(monkeypatch, "TEST_SNMP_PRIV", priv_key or user.priv_key))


def _target(address: str, snmp: SnmpCredentials | None, **vars_: object) -> Target:
    return Target(name="agent-1", address=address, platform="generic_snmp",
                  transport="snmp", snmp=snmp, vars=vars_)


def _transport(**kwargs: float) -> SnmpTransport:
    return SnmpTransport(resolve_secret=resolve_secret, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def open_session() -> Iterator[Callable[..., SnmpSession]]:
    """open_session(target, **transport options): closed when the test ends."""
    sessions: list[SnmpSession] = []

    def opener(target: Target, **kwargs: float) -> SnmpSession:
        session = _transport(**kwargs).open(target, 10)
        sessions.append(session)
        return session

    yield opener
    for session in sessions:
        session.close()


# -- the reference: net-snmp's own walk ---------------------------------------------------

NET_SNMP_TYPES = {Tag.INTEGER: "INTEGER", Tag.OCTET_STRING: "Hex-STRING",
                  Tag.OBJECT_IDENTIFIER: "OID", Tag.IP_ADDRESS: "IpAddress",
                  Tag.COUNTER32: "Counter32", Tag.GAUGE32: "Gauge32",
                  Tag.TIMETICKS: "Timeticks", Tag.COUNTER64: "Counter64"}
# Values that move between two walks: traffic counters and clocks. Ours is walked
# second, so it must be at least the reference's.
VOLATILE = {"Counter32", "Counter64", "Timeticks"}


def net_snmp_walk(peer: SnmpdPeer, subtree: str,
                  user: SnmpUser | None = None) -> dict[str, tuple[str, str]]:
    """{oid: (type, value)} from snmpbulkwalk: numeric OIDs, strings in hex."""
    out = subprocess.run(
        ["snmpbulkwalk", "-Cr25", "-On", "-Ox", "-Ob", "-Oe", "-Ot", "-OU",
         "--hexOutputLength=0", *peer.client_args(user), subtree],
        capture_output=True, text=True, env=peer.client_env(), check=True).stdout
    found = {}
    for line in out.splitlines():
        oid, _, rest = line.partition(" = ")
        if rest.startswith("No Such Object"):
            continue
        if rest == '""':
            kind, value = "Hex-STRING", ""
        elif ": " in rest:
            kind, value = rest.split(": ", 1)
        else:  # -Ot prints TimeTicks as a bare number
            kind, value = "Timeticks", rest
        found[oid.removeprefix(".")] = (kind, value.strip())
    return found


def as_net_snmp(vb: Varbind) -> tuple[str, str]:
    value = vb.value
    if vb.tag is Tag.OCTET_STRING:
        raw = value if isinstance(value, bytes) else str(value).encode()
        return "Hex-STRING", raw.hex(" ").upper()
    if vb.tag is Tag.OBJECT_IDENTIFIER:
        assert isinstance(value, str)
        return "OID", f".{value}"
    return NET_SNMP_TYPES[vb.tag], str(value)


def assert_same_walk(ours: list[Varbind], reference: dict[str, tuple[str, str]]) -> None:
    assert reference, "the reference walk is empty: nothing would be compared"
    assert [vb.oid for vb in ours] == sorted(reference, key=oid_key)
    for vb in ours:
        kind, value = as_net_snmp(vb)
        ref_kind, ref_value = reference[vb.oid]
        assert kind == ref_kind, vb
        if kind in VOLATILE:
            assert int(value) >= int(ref_value), vb
        else:
            assert value == ref_value, vb


def _under(varbinds: list[Varbind], subtree: str) -> list[Varbind]:
    return [vb for vb in varbinds if vb.oid.startswith(subtree + ".")]


CREDENTIALS = ["v2c", "v3 SHA/AES-128", "v3 SHA-256/AES-256"]


def _credentials(kind: str, peer: SnmpdPeer, monkeypatch: pytest.MonkeyPatch,
                 ) -> tuple[SnmpCredentials, SnmpUser | None]:
    if kind == "v2c":
        return _v2c(peer, monkeypatch), None
    user = peer.users[0] if "AES-128" in kind else peer.users[1]
    return _v3(user, peer.port, monkeypatch), user


# -- against snmpd ------------------------------------------------------------------------

@pytest.mark.peer
@pytest.mark.parametrize("kind", CREDENTIALS)
def test_walk_equals_net_snmp(kind: str, snmpd_peer: SnmpdPeer, open_session: Callable[
        ..., SnmpSession], monkeypatch: pytest.MonkeyPatch) -> None:
    snmp, user = _credentials(kind, snmpd_peer, monkeypatch)
    reference = {sub: net_snmp_walk(snmpd_peer, sub, user)
                 for sub in (SYSTEM, IF_TABLE, HR_SW_NAME)}
    session = open_session(_target(snmpd_peer.address, snmp))
    output = session.run(f"walk {SYSTEM} {IF_TABLE} {HR_SW_NAME}", 30)
    assert output.ok and output.stdout.endswith("\n")
    walked = decode(output.stdout)
    for subtree, expected in reference.items():
        assert_same_walk(_under(walked, subtree), expected)
    assert len(walked) == sum(len(r) for r in reference.values())


@pytest.mark.peer
def test_installed_software_count_equals_snmpbulkwalk_rows(
        snmpd_peer: SnmpdPeer, open_session: Callable[..., SnmpSession],
        monkeypatch: pytest.MonkeyPatch) -> None:
    session = open_session(_target(snmpd_peer.address, _v2c(snmpd_peer, monkeypatch)))
    rows = session.run(f"walk {HR_SW_NAME}", 30).stdout.splitlines()
    reference = subprocess.run(
        ["snmpbulkwalk", "-On", *snmpd_peer.client_args(), HR_SW_NAME], capture_output=True,
        text=True, env=snmpd_peer.client_env(), check=True).stdout.splitlines()
    assert len(rows) == len(reference) > 10  # one row per dpkg package on this machine
    assert all(line.split("|")[1] in ("4", "4x") for line in rows)


@pytest.mark.peer
def test_snmpv1_walks_with_getnext_and_sees_the_same(
        snmpd_peer: SnmpdPeer, open_session: Callable[..., SnmpSession],
        monkeypatch: pytest.MonkeyPatch) -> None:
    reference = net_snmp_walk(snmpd_peer, SYSTEM)
    session = open_session(_target(
        snmpd_peer.address, _v2c(snmpd_peer, monkeypatch, version=SnmpVersion.V1)))
    assert_same_walk(decode(session.run(f"walk {SYSTEM}", 30).stdout), reference)
    # v1 reports a missing instance as noSuchName: the others still come back
    got = session.run("get 1.3.6.1.2.1.1.5.0 1.3.6.1.2.1.1.99.0 1.3.6.1.2.1.1.2.0", 10)
    assert [vb.oid for vb in decode(got.stdout)] == ["1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.5.0"]


@pytest.mark.peer
def test_get_leaves_out_what_the_agent_lacks(
        snmpd_peer: SnmpdPeer, open_session: Callable[..., SnmpSession],
        monkeypatch: pytest.MonkeyPatch) -> None:
    session = open_session(_target(snmpd_peer.address, _v2c(snmpd_peer, monkeypatch)))
    output = session.run("get 1.3.6.1.2.1.1.6.0 1.3.6.1.2.1.1.99.0 1.3.6.1.2.1.1.2.0", 10)
    assert output.stdout == ("1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10\n"
                             "1.3.6.1.2.1.1.6.0|4|cmdb-auditor lab\n")
    assert session.run("walk 1.3.6.1.2.1.99", 10).stdout == ""  # no such subtree: empty
    assert session.run("get 1.3.6.1.2.1.1.99.0", 10).stdout == ""


@pytest.mark.peer
def test_open_reads_sys_object_id_and_engine_id(
        snmpd_peer: SnmpdPeer, open_session: Callable[..., SnmpSession],
        monkeypatch: pytest.MonkeyPatch) -> None:
    engine_id = subprocess.run(
        ["snmpget", "-On", "-Ox", "-Oqv", "--hexOutputLength=0", *snmpd_peer.client_args(),
         "1.3.6.1.6.3.10.2.1.1.0"],
        capture_output=True, text=True, env=snmpd_peer.client_env(), check=True).stdout
    engine_id = re.sub(r"[^0-9A-F]", "", engine_id.upper())
    assert len(engine_id) >= 10
    for snmp in (_v2c(snmpd_peer, monkeypatch), _v3(snmpd_peer.users[0], snmpd_peer.port,
                                                     monkeypatch)):
        session = open_session(_target(snmpd_peer.address, snmp))
        assert session.sys_object_id == "1.3.6.1.4.1.8072.3.2.10"
        assert session.engine_id is not None
        assert session.engine_id.hex().upper() == engine_id


@pytest.mark.peer
def test_sessions_in_several_threads_at_once(
        snmpd_peer: SnmpdPeer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner's way: one session per worker thread, each with its own loop."""
    target = _target(snmpd_peer.address, _v2c(snmpd_peer, monkeypatch))
    results: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with _transport().open(target, 10) as session:
                results.append(session.run(f"walk {SYSTEM} {IF_TABLE}", 30).stdout)
        except BaseException as exc:  # reported below, with its type
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(results) == 4
    assert len({tuple(vb.oid for vb in decode(r)) for r in results}) == 1


@pytest.mark.peer
def test_per_target_vars_override_the_transport_settings(
        snmpd_peer: SnmpdPeer, open_session: Callable[..., SnmpSession],
        monkeypatch: pytest.MonkeyPatch) -> None:
    snmp = _v2c(snmpd_peer, monkeypatch)
    reference = net_snmp_walk(snmpd_peer, SYSTEM)
    one_by_one = open_session(_target(snmpd_peer.address, snmp, snmp_max_repetitions=1,
                                      snmp_timeout=3, snmp_retries=0))
    assert_same_walk(decode(one_by_one.run(f"walk {SYSTEM}", 30).stdout), reference)
    for bad in ({"snmp_max_repetitions": "many"}, {"snmp_timeout": 0},
                {"snmp_retries": 1.5}, {"snmp_max_repetitions": True}):
        with pytest.raises(ConfigError, match="agent-1"):
            _transport().open(_target(snmpd_peer.address, snmp, **bad), 5)


# -- faults --------------------------------------------------------------------------------

def _assert_no_secret(exc: BaseException, *secrets: str) -> None:
    for text in (str(exc), repr(exc), str(exc.__cause__ or "")):
        for secret in secrets:
            assert secret not in text


@pytest.mark.peer
def test_wrong_community_is_silence_explained(
        snmpd_peer: SnmpdPeer, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "not-the-community-4711"
    target = _target(snmpd_peer.address, _v2c(snmpd_peer, monkeypatch, community=wrong))
    with pytest.raises(DiscoveryTimeout) as info:
        _transport(timeout=0.5, retries=0).open(target, 5)
    message = str(info.value)
    assert message.startswith("Timeout: agent-1: no answer from 127.0.61.1:")
    assert "answer a wrong community or an unknown SNMPv3 user with silence" in message
    assert "community from env:TEST_SNMP_COMMUNITY" in message
    _assert_no_secret(info.value, wrong, snmpd_peer.community)
    assert wrong not in repr(target)


@pytest.mark.peer
def test_wrong_auth_key_is_an_auth_error(
        snmpd_peer: SnmpdPeer, monkeypatch: pytest.MonkeyPatch) -> None:
    user = snmpd_peer.users[0]
    wrong = "wrong-auth-key-4711"
    target = _target(snmpd_peer.address, _v3(user, snmpd_peer.port, monkeypatch,
                                             auth_key=wrong))
    with pytest.raises(AuthError, match="wrong SNMPv3 authentication key") as info:
        _transport(timeout=1, retries=0).open(target, 5)
    assert f"user {user.name} (authPriv)" in str(info.value)
    _assert_no_secret(info.value, wrong, user.auth_key, user.priv_key)


@pytest.mark.peer
def test_wrong_priv_key_is_an_auth_error(
        snmpd_peer: SnmpdPeer, monkeypatch: pytest.MonkeyPatch) -> None:
    user = snmpd_peer.users[1]
    wrong = "wrong-priv-key-4711"
    target = _target(snmpd_peer.address, _v3(user, snmpd_peer.port, monkeypatch,
                                             priv_key=wrong))
    # net-snmp drops a request it cannot decrypt (agents that report it: AuthError)
    with pytest.raises(DiscoveryTimeout, match="wrong privacy key or protocol") as info:
        _transport(timeout=1, retries=0).open(target, 5)
    _assert_no_secret(info.value, wrong, user.auth_key, user.priv_key)


@pytest.mark.peer
def test_unknown_user_is_an_auth_error(
        snmpd_peer: SnmpdPeer, monkeypatch: pytest.MonkeyPatch) -> None:
    user = snmpd_peer.users[0]
    target = _target(snmpd_peer.address, _v3(user, snmpd_peer.port, monkeypatch,
                                             name="nobody"))
    with pytest.raises(AuthError, match="does not know this SNMPv3 user") as info:
        _transport(timeout=1, retries=0).open(target, 5)
    assert "user nobody" in str(info.value)
    _assert_no_secret(info.value, user.auth_key, user.priv_key)


@pytest.mark.peer
def test_unresolvable_secret_is_an_auth_error(snmpd_peer: SnmpdPeer,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_SNMP_UNSET", raising=False)
    snmp = SnmpCredentials(SnmpVersion.V2C, community=SecretRef(RefKind.ENV, "TEST_SNMP_UNSET"),
                           port=snmpd_peer.port)
    with pytest.raises(AuthError, match=r"cannot resolve snmp\.community: env:TEST_SNMP_UNSET"):
        _transport().open(_target(snmpd_peer.address, snmp), 5)


def test_target_without_snmp_settings_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="needs the target's snmp: settings"):
        _transport().open(_target("127.0.61.1", None), 5)


@pytest.mark.peer
def test_agent_killed_mid_session(make_snmpd: Callable[[], SnmpdPeer],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    peer = make_snmpd()
    session = _transport(timeout=0.5, retries=0).open(
        _target(peer.address, _v2c(peer, monkeypatch)), 5)
    try:
        assert session.run(f"walk {SYSTEM}", 10).stdout
        peer.stop()
        with pytest.raises(DiscoveryTimeout, match=f"walk of {SYSTEM}") as info:
            session.run(f"walk {SYSTEM}", 10)
        assert "stopped answering after 0 varbinds" in str(info.value)
        _assert_no_secret(info.value, peer.community)
    finally:
        session.close()


@pytest.mark.peer
def test_walk_cut_short_names_the_subtree_and_what_arrived(
        snmpd_peer: SnmpdPeer, monkeypatch: pytest.MonkeyPatch) -> None:
    # One answer for open (a single GET), then 3 of the walk: with 5 repetitions that is
    # 15 varbinds before the agent falls silent.
    with SilencingRelay("127.0.61.30", (snmpd_peer.address, snmpd_peer.port), 4) as relay:
        address, port = relay.endpoint
        snmp = SnmpCredentials(SnmpVersion.V2C, port=port, community=_env_ref(
            monkeypatch, "TEST_SNMP_COMMUNITY", snmpd_peer.community))
        transport = _transport(timeout=0.5, retries=0, max_repetitions=5)
        with transport.open(_target(address, snmp), 5) as session, \
                pytest.raises(DiscoveryTimeout) as info:
            session.run(f"walk {HR_SW_NAME}", 10)
    assert f"walk of {HR_SW_NAME}" in str(info.value)
    assert "stopped answering after 15 varbinds" in str(info.value)
    assert "incomplete" in str(info.value)


@pytest.mark.peer
def test_command_timeout_reports_progress(snmpd_peer: SnmpdPeer,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    target = _target(snmpd_peer.address, _v2c(snmpd_peer, monkeypatch))
    with _transport(max_repetitions=1).open(target, 5) as session, \
            pytest.raises(DiscoveryTimeout, match=r"did not finish within 0\.05 s") as info:
        session.run(f"walk {HR_SW_NAME}", 0.05)  # ~1000 round trips: cannot finish
    assert f"varbinds received per subtree: {HR_SW_NAME}:" in str(info.value)


@pytest.mark.parametrize("line", [
    "", "walk", "walk .1.3.6.1.2.1.1", "walk ifTable", "set 1.3.6.1.2.1.1.5.0 x",
    "walk 1.3.6.1.2.1.1 system", "get 1", "GET 1.3.6.1.2.1.1.5.0",
])
def test_bad_commands_are_command_errors(line: str) -> None:
    with pytest.raises(CommandError):
        parse_command(line, "agent-1")


@pytest.mark.peer
def test_bad_command_in_a_session_and_run_after_close(
        snmpd_peer: SnmpdPeer, monkeypatch: pytest.MonkeyPatch) -> None:
    session = _transport().open(_target(snmpd_peer.address, _v2c(snmpd_peer, monkeypatch)), 5)
    with pytest.raises(CommandError, match=r"agent-1.*not a numeric OID"):
        session.run("walk 1.3.6.1.2.1.1 sysName", 5)
    session.close()
    session.close()  # twice is fine
    with pytest.raises(ConnectError, match="session closed"):
        session.run(f"walk {SYSTEM}", 5)


@pytest.mark.peer
def test_reprs_never_show_secrets(snmpd_peer: SnmpdPeer, open_session: Callable[
        ..., SnmpSession], monkeypatch: pytest.MonkeyPatch) -> None:
    user = snmpd_peer.users[0]
    session = open_session(_target(snmpd_peer.address, _v3(user, snmpd_peer.port,
                                                            monkeypatch)))
    texts = [repr(session), repr(session._peer), repr(snmpd_peer), repr(user)]
    for text in texts:
        for secret in (user.auth_key, user.priv_key, snmpd_peer.community):
            assert secret not in text
    assert "cmdb-sha-aes (authPriv)" in repr(session)


def test_every_error_is_a_discovery_error() -> None:
    for cls in (AuthError, CommandError, ConfigError, ConnectError, DiscoveryTimeout):
        assert issubclass(cls, DiscoveryError)


# -- against snmpsim playing real recordings -------------------------------------------------

def _recording_under(path: Path, subtree: str) -> list[str]:
    lines = path.read_text(encoding="ascii").splitlines()
    return [line for line in lines if line.startswith(subtree + ".")]


@pytest.mark.peer
@pytest.mark.parametrize("device", SIM_DEVICES, ids=lambda d: d.recording)
def test_if_table_equals_the_recording(device: object, snmpsim_peer: SnmpsimPeer,
                                       snmprec_dir: Path, open_session: Callable[
                                           ..., SnmpSession],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    sim = next(d for d in snmpsim_peer.devices if d == device)
    expected = _recording_under(snmprec_dir / f"{sim.recording}.snmprec", IF_TABLE)
    ref = _env_ref(monkeypatch, "TEST_SNMP_COMMUNITY", sim.community)
    session = open_session(_target(sim.address, SnmpCredentials(
        SnmpVersion.V2C, community=ref, port=snmpsim_peer.port)))
    lines = session.run(f"walk {IF_TABLE}", 60).stdout.splitlines()
    assert len(lines) == len(expected) > 0
    # the same lines, but for the case of hex digits (recordings mix both)
    assert [line.upper() for line in lines] == [line.upper() for line in expected]
    assert decode("\n".join(lines)) == decode("\n".join(expected))


@pytest.mark.peer
def test_snmpv3_context_selects_the_recording(snmpsim_peer: SnmpsimPeer, snmprec_dir: Path,
                                              open_session: Callable[..., SnmpSession],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    sim, user = SIM_DEVICES[1], snmpsim_peer.v3_user
    assert user is not None
    session = open_session(_target(sim.address, _v3(user, snmpsim_peer.port, monkeypatch,
                                                    context=sim.recording)))
    expected = _recording_under(snmprec_dir / f"{sim.recording}.snmprec", SYSTEM)
    assert decode(session.run(f"walk {SYSTEM}", 30).stdout) == decode("\n".join(expected))
