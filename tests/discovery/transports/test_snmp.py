"""The SNMP transport against real agents: net-snmp's snmpd (compared with net-snmp's own
snmpbulkwalk) and snmpsim playing real recordings (compared with the files). v1/v2c run
through both clients, our own (`snmp_v2c`, the default) and pysnmp (the reference), and
every subtree of the generic SNMP platform must come out the same from both and from
net-snmp. A `Relay` between the transport and snmpd stands in for agents that answer
tooBig, late or garbage, or die mid-walk."""

from __future__ import annotations

import re
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType

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
from discovery.lab.snmpsim import SimDevice
from discovery.platforms.generic_snmp import COLLECTORS
from discovery.transports.snmp import SnmpClient, SnmpSession, SnmpTransport, parse_command
from discovery.transports.snmp_ber import Message, PduType, decode_message, encode_message
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


def _transport(client: SnmpClient = SnmpClient.BUILTIN, **kwargs: float) -> SnmpTransport:
    return SnmpTransport(resolve_secret=resolve_secret, client=client,
                         **kwargs)  # type: ignore[arg-type]


CLIENTS = list(SnmpClient)


@pytest.fixture
def open_session() -> Iterator[Callable[..., SnmpSession]]:
    """open_session(target, client, **transport options): closed when the test ends."""
    sessions: list[SnmpSession] = []

    def opener(target: Target, client: SnmpClient = SnmpClient.BUILTIN,
               **kwargs: float) -> SnmpSession:
        session = _transport(client, **kwargs).open(target, 10)
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
    return net_snmp_walk_with(peer.client_args(user), peer.client_env(), subtree)


def net_snmp_walk_with(args: list[str], env: Mapping[str, str],
                       subtree: str) -> dict[str, tuple[str, str]]:
    out = subprocess.run(
        ["snmpbulkwalk", "-Cr25", "-On", "-Ox", "-Ob", "-Oe", "-Ot", "-OU",
         "--hexOutputLength=0", *args, subtree],
        capture_output=True, text=True, env=dict(env), check=True).stdout
    found = {}
    for line in out.splitlines():
        oid, _, rest = line.partition(" = ")
        if not rest or rest.startswith(("No Such Object", "No Such Instance", "No more")):
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
@pytest.mark.parametrize("client", CLIENTS)
def test_snmpv1_walks_with_getnext_and_sees_the_same(
        client: SnmpClient, snmpd_peer: SnmpdPeer, open_session: Callable[..., SnmpSession],
        monkeypatch: pytest.MonkeyPatch) -> None:
    reference = net_snmp_walk(snmpd_peer, SYSTEM)
    session = open_session(_target(
        snmpd_peer.address, _v2c(snmpd_peer, monkeypatch, version=SnmpVersion.V1)), client)
    assert_same_walk(decode(session.run(f"walk {SYSTEM}", 30).stdout), reference)
    # v1 reports a missing instance as noSuchName: the others still come back
    got = session.run("get 1.3.6.1.2.1.1.5.0 1.3.6.1.2.1.1.99.0 1.3.6.1.2.1.1.2.0", 10)
    assert [vb.oid for vb in decode(got.stdout)] == ["1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.5.0"]


@pytest.mark.peer
@pytest.mark.parametrize("client", CLIENTS)
def test_get_leaves_out_what_the_agent_lacks(
        client: SnmpClient, snmpd_peer: SnmpdPeer, open_session: Callable[..., SnmpSession],
        monkeypatch: pytest.MonkeyPatch) -> None:
    session = open_session(_target(snmpd_peer.address, _v2c(snmpd_peer, monkeypatch)), client)
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
@pytest.mark.parametrize("client", CLIENTS)
def test_wrong_community_is_silence_explained(
        client: SnmpClient, snmpd_peer: SnmpdPeer, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "not-the-community-4711"
    target = _target(snmpd_peer.address, _v2c(snmpd_peer, monkeypatch, community=wrong))
    with pytest.raises(DiscoveryTimeout) as info:
        _transport(client, timeout=0.5, retries=0).open(target, 5)
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
@pytest.mark.parametrize("client", CLIENTS)
def test_agent_killed_mid_session(client: SnmpClient, make_snmpd: Callable[[], SnmpdPeer],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    peer = make_snmpd()
    session = _transport(client, timeout=0.5, retries=0).open(
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
@pytest.mark.parametrize("client", CLIENTS)
def test_walk_cut_short_names_the_subtree_and_what_arrived(
        client: SnmpClient, snmpd_peer: SnmpdPeer, monkeypatch: pytest.MonkeyPatch) -> None:
    # One answer for open (a single GET), then 3 of the walk: with 5 repetitions that is
    # 15 varbinds before the agent falls silent.
    with SilencingRelay("127.0.61.30", (snmpd_peer.address, snmpd_peer.port), 4) as relay:
        address, port = relay.endpoint
        snmp = SnmpCredentials(SnmpVersion.V2C, port=port, community=_env_ref(
            monkeypatch, "TEST_SNMP_COMMUNITY", snmpd_peer.community))
        transport = _transport(client, timeout=0.5, retries=0, max_repetitions=5)
        with transport.open(_target(address, snmp), 5) as session, \
                pytest.raises(DiscoveryTimeout) as info:
            session.run(f"walk {HR_SW_NAME}", 10)
    assert f"walk of {HR_SW_NAME}" in str(info.value)
    assert "stopped answering after 15 varbinds" in str(info.value)
    assert "incomplete" in str(info.value)


@pytest.mark.peer
@pytest.mark.parametrize("client", CLIENTS)
def test_command_timeout_reports_progress(client: SnmpClient, snmpd_peer: SnmpdPeer,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    target = _target(snmpd_peer.address, _v2c(snmpd_peer, monkeypatch))
    with _transport(client, max_repetitions=1).open(target, 5) as session, \
            pytest.raises(DiscoveryTimeout, match=r"did not finish within 0\.02 s") as info:
        session.run(f"walk {HR_SW_NAME}", 0.02)  # ~850 round trips, 0.15 s with ours
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


# -- our v1/v2c client against pysnmp and net-snmp, on every subtree of the platform ---------

PLATFORM_LINES = sorted({c.line for collector in COLLECTORS for c in collector.commands})
# The whole tables and groups those lines read, so that every column and type is compared
# (counters, TimeTicks and Counter64 too, which the platform's own columns lack).
TABLES = sorted({line.split()[1].rsplit(".", 1)[0] for line in PLATFORM_LINES
                 if line.startswith("walk ")} | {SYSTEM}, key=oid_key)
PLATFORM_WALKS = [f"walk {table}" for table in TABLES] + PLATFORM_LINES
NUMBERS = {"INTEGER", "Counter32", "Gauge32", "Timeticks", "Counter64"}


def _run_all(session: SnmpSession, lines: list[str]) -> dict[str, list[Varbind]]:
    return {line: decode(session.run(line, 60).stdout) for line in lines}


def _net_snmp_tables(args: list[str], env: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    return {oid: found for table in TABLES
            for oid, found in net_snmp_walk_with(args, env, table).items()}


def assert_between(ours: list[Varbind], line: str, before: Mapping[str, tuple[str, str]],
                   after: Mapping[str, tuple[str, str]]) -> None:
    """`ours` (the answer to `line`) was read between two net-snmp walks: the rows both
    saw, nothing neither saw, the same types; values equal where they did not move, else
    within the two."""
    subtrees = tuple(f"{oid}." for oid in line.split()[1:])
    before = {oid: found for oid, found in before.items() if oid.startswith(subtrees)}
    after = {oid: found for oid, found in after.items() if oid.startswith(subtrees)}
    seen = {vb.oid: as_net_snmp(vb) for vb in ours}
    assert set(before) & set(after) <= set(seen) <= set(before) | set(after)
    for oid, (kind, value) in seen.items():
        first, last = before.get(oid), after.get(oid)
        assert kind in {ref[0] for ref in (first, last) if ref}, (oid, kind)
        if first == last:
            assert (kind, value) == first, oid
        elif kind in NUMBERS and first and last:
            low, high = sorted((int(first[1]), int(last[1])))
            assert low <= int(value) <= high, (oid, value, first, last)


def assert_same_lines(reference: dict[str, list[Varbind]], ours: dict[str, list[Varbind]],
                      moving: set[str]) -> None:
    """The same snmprec lines per command, but for the OIDs whose values moved."""
    assert ours.keys() == reference.keys()
    for line, expected in reference.items():
        still = [vb for vb in expected if vb.oid not in moving]
        assert [vb for vb in ours[line] if vb.oid not in moving] == still, line
        tags = {vb.oid: vb.tag for vb in expected}
        assert all(tags.get(vb.oid, vb.tag) == vb.tag for vb in ours[line]), line


def _moving(before: Mapping[str, tuple[str, str]],
            after: Mapping[str, tuple[str, str]]) -> set[str]:
    return {oid for oid in set(before) | set(after) if before.get(oid) != after.get(oid)}


@pytest.mark.peer
def test_both_clients_and_net_snmp_see_the_same_platform_subtrees_on_snmpd(
        snmpd_peer: SnmpdPeer, open_session: Callable[..., SnmpSession],
        monkeypatch: pytest.MonkeyPatch) -> None:
    target = _target(snmpd_peer.address, _v2c(snmpd_peer, monkeypatch))
    args, env = snmpd_peer.client_args(), snmpd_peer.client_env()
    before = _net_snmp_tables(args, env)
    pysnmp = _run_all(open_session(target, SnmpClient.PYSNMP), PLATFORM_WALKS)
    ours = _run_all(open_session(target, SnmpClient.BUILTIN), PLATFORM_WALKS)
    after = _net_snmp_tables(args, env)
    assert len(before) > 1000  # ifTable, hrSWInstalled (one row per package), ...
    for line in PLATFORM_WALKS:
        if line.startswith("walk "):
            assert_between(ours[line], line, before, after)
            assert_between(pysnmp[line], line, before, after)
    assert_same_lines(pysnmp, ours, _moving(before, after))
    assert {vb.tag for lines in ours.values() for vb in lines} >= {
        Tag.INTEGER, Tag.OCTET_STRING, Tag.OBJECT_IDENTIFIER, Tag.IP_ADDRESS, Tag.COUNTER32,
        Tag.GAUGE32, Tag.TIMETICKS, Tag.COUNTER64}


@pytest.mark.peer
@pytest.mark.parametrize("device", SIM_DEVICES, ids=lambda d: d.recording)
def test_both_clients_and_net_snmp_see_the_same_platform_subtrees_on_snmpsim(
        device: SimDevice, snmpsim_peer: SnmpsimPeer,
        open_session: Callable[..., SnmpSession], monkeypatch: pytest.MonkeyPatch) -> None:
    ref = _env_ref(monkeypatch, "TEST_SNMP_COMMUNITY", device.community)
    target = _target(device.address, SnmpCredentials(SnmpVersion.V2C, community=ref,
                                                     port=snmpsim_peer.port))
    pysnmp = _run_all(open_session(target, SnmpClient.PYSNMP), PLATFORM_LINES)
    ours = _run_all(open_session(target, SnmpClient.BUILTIN), PLATFORM_LINES)
    assert ours == pysnmp  # a recording does not move: every line the same
    reference = _net_snmp_tables(snmpsim_peer.client_args(device), snmpsim_peer.client_env())
    for line in PLATFORM_LINES:
        if line.startswith("walk "):
            assert_between(ours[line], line, reference, reference)
    assert sum(map(len, ours.values())) > 500


@pytest.mark.peer
def test_both_clients_see_the_same_over_snmpv1(
        snmpd_peer: SnmpdPeer, open_session: Callable[..., SnmpSession],
        monkeypatch: pytest.MonkeyPatch) -> None:
    target = _target(snmpd_peer.address, _v2c(snmpd_peer, monkeypatch,
                                              version=SnmpVersion.V1))
    lines = [f"walk {SYSTEM} {IF_TABLE}", "get 1.3.6.1.2.1.1.5.0 1.3.6.1.2.1.1.99.0"]
    before = _net_snmp_tables(snmpd_peer.client_args(), snmpd_peer.client_env())
    pysnmp = _run_all(open_session(target, SnmpClient.PYSNMP), lines)
    ours = _run_all(open_session(target, SnmpClient.BUILTIN), lines)
    after = _net_snmp_tables(snmpd_peer.client_args(), snmpd_peer.client_env())
    assert len(ours[lines[0]]) > 20 and len(ours[lines[1]]) == 1
    assert_same_lines(pysnmp, ours, _moving(before, after))


@pytest.mark.peer
def test_the_client_is_chosen_per_transport_or_target(
        snmpd_peer: SnmpdPeer, open_session: Callable[..., SnmpSession],
        monkeypatch: pytest.MonkeyPatch) -> None:
    v2c, v3 = _v2c(snmpd_peer, monkeypatch), _v3(snmpd_peer.users[0], snmpd_peer.port,
                                                   monkeypatch)
    address = snmpd_peer.address
    assert "client builtin" in repr(open_session(_target(address, v2c)))
    assert "client pysnmp" in repr(open_session(_target(address, v2c), SnmpClient.PYSNMP))
    assert "client pysnmp" in repr(open_session(_target(address, v2c, snmp_client="pysnmp")))
    assert "client builtin" in repr(open_session(_target(address, v2c, snmp_client="builtin"),
                                                 SnmpClient.PYSNMP))
    assert "client pysnmp" in repr(open_session(_target(address, v3)))  # v3: always pysnmp
    for bad in ("fast", 1, ""):
        with pytest.raises(ConfigError, match=r"vars\.snmp_client must be one of builtin, "
                                              "pysnmp"):
            _transport().open(_target(address, v2c, snmp_client=bad), 5)


# -- agents that answer tooBig, late or garbage, or die mid-walk ----------------------------

class Relay:
    """UDP between the transport and an agent, with hooks for what real agents do wrong.

    `answer(request)` may answer a request itself (bytes) instead of forwarding it;
    `meddle(n, answer)` may replace (bytes) or drop (None) the agent's n-th answer (from
    1); an answer for which `hold(n)` is true is sent only after the next request came
    in, i.e. late: after the transport gave up on it and retried."""

    def __init__(self, agent: tuple[str, int], *,
                 answer: Callable[[bytes], bytes | None] = lambda data: None,
                 meddle: Callable[[int, bytes], bytes | None] = lambda n, data: data,
                 hold: Callable[[int], bool] = lambda n: False) -> None:
        self._agent = agent
        self._answer, self._meddle, self._hold = answer, meddle, hold
        self.requests: list[bytes] = []
        self._answers = 0
        self._held: list[bytes] = []
        self._front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._front.bind(("127.0.61.31", 0))
        self._endpoint: tuple[str, int] = self._front.getsockname()
        self._back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._back.bind(("127.0.0.1", 0))  # snmpd's community admits 127.0.0.1 only
        self._client: tuple[str, int] | None = None
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._pump, args=(sock,), daemon=True)
                         for sock in (self._front, self._back)]

    @property
    def endpoint(self) -> tuple[str, int]:
        return self._endpoint

    def __enter__(self) -> Relay:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(2)
        for sock in (self._front, self._back):
            sock.close()

    def _pump(self, source: socket.socket) -> None:
        source.settimeout(0.1)
        while not self._stop.is_set():
            try:
                data, sender = source.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            if source is self._front:
                self._request(data, sender)
            else:
                self._answered(data)

    def _request(self, data: bytes, sender: tuple[str, int]) -> None:
        self._client = sender
        self.requests.append(data)
        for late in self._held:
            self._front.sendto(late, sender)
        self._held.clear()
        reply = self._answer(data)
        if reply is not None:
            self._front.sendto(reply, sender)
        else:
            self._back.sendto(data, self._agent)

    def _answered(self, data: bytes) -> None:
        self._answers += 1
        out = self._meddle(self._answers, data)
        if out is None or self._client is None:
            return
        if self._hold(self._answers):
            self._held.append(out)
        else:
            self._front.sendto(out, self._client)


def _relayed_target(relay: Relay, peer: SnmpdPeer, monkeypatch: pytest.MonkeyPatch) -> Target:
    address, port = relay.endpoint
    return _target(address, SnmpCredentials(SnmpVersion.V2C, port=port, community=_env_ref(
        monkeypatch, "TEST_SNMP_COMMUNITY", peer.community)))


def _bulk_requests(relay: Relay) -> list[Message]:
    found = (decode_message(data) for data in relay.requests)
    return [m for m in found if m.pdu is PduType.GET_BULK]


def _too_big_above(limit: int) -> Callable[[bytes], bytes | None]:
    """An agent whose responses fit `limit` rows at most: tooBig (error-status 1, no
    varbinds, RFC 3416 §4.2.1) to a GETBULK asking for more."""
    def answer(data: bytes) -> bytes | None:
        request = decode_message(data)
        if request.pdu is not PduType.GET_BULK or request.error_index <= limit:
            return None
        return encode_message(Message(request.version, request.community, PduType.RESPONSE,
                                      request.request_id, 1, 0, ()))
    return answer


@pytest.mark.peer
@pytest.mark.parametrize("client", CLIENTS)
def test_too_big_halves_max_repetitions_until_the_answer_fits(
        client: SnmpClient, snmpd_peer: SnmpdPeer, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = net_snmp_walk(snmpd_peer, HR_SW_NAME)
    with Relay((snmpd_peer.address, snmpd_peer.port), answer=_too_big_above(10)) as relay, \
            _transport(client, max_repetitions=100).open(
                _relayed_target(relay, snmpd_peer, monkeypatch), 5) as session:
        assert_same_walk(decode(session.run(f"walk {HR_SW_NAME}", 30).stdout), reference)
    asked = [m.error_index for m in _bulk_requests(relay)]
    assert asked[:5] == [100, 50, 25, 12, 6]
    assert set(asked[5:]) == {6} and len(asked) > len(reference) // 6


@pytest.mark.peer
@pytest.mark.parametrize("client", CLIENTS)
def test_too_big_even_for_one_row_is_a_command_error(
        client: SnmpClient, snmpd_peer: SnmpdPeer, monkeypatch: pytest.MonkeyPatch) -> None:
    with Relay((snmpd_peer.address, snmpd_peer.port), answer=_too_big_above(0)) as relay, \
            _transport(client, max_repetitions=20).open(
                _relayed_target(relay, snmpd_peer, monkeypatch), 5) as session, \
            pytest.raises(CommandError, match=rf"agent-1: walk of {SYSTEM} after 0 varbinds: "
                                              r"the agent answered tooBig \(error index 0\)"):
        session.run(f"walk {SYSTEM}", 10)
    assert [m.error_index for m in _bulk_requests(relay)] == [20, 10, 5, 2, 1]


@pytest.mark.peer
@pytest.mark.parametrize("client", CLIENTS)
def test_a_late_answer_is_dropped_and_the_retry_counts(
        client: SnmpClient, snmpd_peer: SnmpdPeer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk's first answer arrives after the transport retried: it matches no
    outstanding request-id any more and is dropped; the answer to the retry is used."""
    reference = net_snmp_walk(snmpd_peer, SYSTEM)
    with Relay((snmpd_peer.address, snmpd_peer.port), hold=lambda n: n == 2) as relay, \
            _transport(client, timeout=0.3, retries=1).open(
                _relayed_target(relay, snmpd_peer, monkeypatch), 5) as session:
        assert_same_walk(decode(session.run(f"walk {SYSTEM}", 10).stdout), reference)
    first, retry = _bulk_requests(relay)[:2]
    assert first.bindings == retry.bindings and first.request_id != retry.request_id


@pytest.mark.peer
@pytest.mark.parametrize("client", CLIENTS)
def test_agent_killed_mid_walk(client: SnmpClient, make_snmpd: Callable[[], SnmpdPeer],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    peer = make_snmpd()

    def kill_after_third_walk_answer(n: int, data: bytes) -> bytes:
        if n == 4:  # one answer for open's GET, then three of the walk
            peer.stop()
        return data

    with Relay((peer.address, peer.port), meddle=kill_after_third_walk_answer) as relay, \
            _transport(client, timeout=0.5, retries=1, max_repetitions=5).open(
                _relayed_target(relay, peer, monkeypatch), 5) as session, \
            pytest.raises(DiscoveryTimeout) as info:
        session.run(f"walk {HR_SW_NAME}", 10)
    assert peer.pid is None or not Path(f"/proc/{peer.pid}").exists()
    assert str(info.value).startswith(f"Timeout: agent-1: no answer from {relay.endpoint[0]}")
    assert f"walk of {HR_SW_NAME} within 0.5 s x 2 tries" in str(info.value)
    assert "stopped answering after 15 varbinds" in str(info.value)
    _assert_no_secret(info.value, peer.community)


def _reworded(**changes: object) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        message = decode_message(data)
        fields = {**message.__dict__, **changes}
        return encode_message(Message(**fields))
    return change


GARBAGE: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "truncated": (lambda data: data[:len(data) // 2],
                  r"sent a malformed SNMP message \(\d+ bytes\): byte \d+: .*runs past"),
    "garbage": (lambda data: b"\x00garbage\xff" * 3,
                r"sent a malformed SNMP message \(27 bytes\): byte 0: message: length 103 "
                r"runs past the end of the data \(25 bytes left\)"),
    "trailing bytes": (lambda data: data + b"\x05\x00",
                       r"malformed SNMP message .*2 bytes after the end of the message"),
    "another community": (_reworded(community=b"someone else"),
                          "answered with another community than the request's"),
    "SNMPv1 answer": (_reworded(version=0), "answered in SNMPv1 to an SNMPv2c request"),
    "not a Response": (_reworded(pdu=PduType.GET_NEXT),
                       "answered with a GET_NEXT PDU instead of a Response"),
}


@pytest.mark.peer
@pytest.mark.parametrize("case", GARBAGE.values(), ids=GARBAGE.keys())
def test_a_bad_answer_is_a_command_error_naming_the_target(
        case: tuple[Callable[[bytes], bytes], str], snmpd_peer: SnmpdPeer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Our client fails at once (pysnmp drops such datagrams and times out)."""
    spoil, expected = case

    def meddle(n: int, data: bytes) -> bytes:
        return spoil(data) if n == 3 else data

    with Relay((snmpd_peer.address, snmpd_peer.port), meddle=meddle) as relay, \
            _transport(timeout=5, retries=3, max_repetitions=5).open(
                _relayed_target(relay, snmpd_peer, monkeypatch), 5) as session, \
            pytest.raises(CommandError, match=expected) as info:
        session.run(f"walk {HR_SW_NAME} {SYSTEM}", 60)
    assert re.match(rf"CommandError: agent-1: walk of ({HR_SW_NAME}|{SYSTEM}) at "
                    rf"{relay.endpoint[0]}:{relay.endpoint[1]} failed: ", str(info.value))
    _assert_no_secret(info.value, snmpd_peer.community, "someone else")
    asked = [m.bindings for m in _bulk_requests(relay)]
    assert len(set(asked)) == len(asked)  # no retry: the walk stopped at the bad answer
