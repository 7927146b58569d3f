"""CliTransport (netmiko) against simulated network devices on loopback (tests/peers/clisim.py).

Each of the six netmiko device types talks to a CliSim that replays recorded real outputs
(../shared/fixtures/cli, read in place; those tests skip without it) and small outputs
written here. The CliProfiles are test-local; the real ones come from the platforms.
"""

from __future__ import annotations

import logging
import re
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh
import pytest

from discovery.errors import (
    AuthError,
    ConfigError,
    ConnectError,
    DiscoveryError,
    DiscoveryTimeout,
    HostKeyError,
)
from discovery.platforms import NETWORK_PLATFORMS, build_platforms
from discovery.transports.base import Session, Transport
from discovery.transports.cli import (
    PAGER,
    CliSession,
    CliTransport,
    PagingError,
    network_profiles,
)
from discovery.transports.cli_profile import CliProfile
from discovery.transports.hostkeys import HostKeyPolicy
from inventory.model import Credentials, RefKind, SecretRef, Target
from tests.peers import clisim as peers
from tests.peers.clisim import (
    CliSim,
    SimDevice,
    SimFactory,
    case_outputs,
    project_cases,
    recorded_output,
    shared_cli_root,
)

make_clisim = peers.make_clisim
module_clisim = peers.module_clisim

pytestmark = pytest.mark.peer

PASSWORD = "pw-Never-Shown-4711"
ENABLE_SECRET = "en-Never-Shown-0815"
SECRETS = {"SIM_PASSWORD": PASSWORD, "SIM_ENABLE": ENABLE_SECRET, "SIM_WRONG": "wrong-pw-99"}
USER = "netops"
TIMEOUT = 10.0


def resolver(ref: SecretRef) -> str:
    try:
        return SECRETS[ref.name]
    except KeyError:
        raise LookupError(f"{ref} is not set") from None


def markers(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


@dataclass(frozen=True)
class Platform:
    """One device type under test: its profile, the error line the device prints for an
    unknown command, recorded cases (command, case stem) and outputs written here."""

    device_type: str
    fixtures: str  # folder under ../shared/fixtures/cli
    profile: CliProfile
    error_line: str
    recorded: tuple[tuple[str, str], ...]
    own: Mapping[str, str] = field(default_factory=dict)
    address: int = 1  # 127.0.71.<address>


def _long(prefix: str) -> str:
    """An output longer than a page (60 lines), to tell whether paging was turned off."""
    return "".join(f"{prefix} {i:3d}  192.0.2.{i:<3d}  up    up\n" for i in range(1, 61))


PLATFORMS = {
    "cisco_ios": Platform(
        "cisco_ios", "cisco_ios",
        CliProfile("cisco_ios", markers(r"^% Invalid input detected", r"^% Incomplete command",
                                        r"^% Ambiguous command"), "terminal length 0"),
        "% Invalid input detected at '^' marker.",
        (("show version", "cisco_ios_show_version"),
         ("show ip interface brief", "cisco_ios_show_ip_interface_brief"),
         ("show inventory", "cisco_ios_show_inventory")),
        {"show clock": "*10:15:02.123 UTC Mon Jan 1 2024\n",
         "show ip arp": _long("Internet")}, 1),
    "cisco_nxos": Platform(
        "cisco_nxos", "cisco_nxos",
        CliProfile("cisco_nxos", markers(r"^% Invalid command", r"^% Incomplete command",
                                         r"^% Invalid (?:input|parameter)"),
                   "terminal length 0"),
        "% Invalid command at '^' marker.",
        (("show version", "cisco_nxos_show_version"),
         ("show interface brief", "cisco_nxos_show_interface_brief")),
        {"show hostname": "sim-nxos.example.com\n", "show ip arp": _long("Eth1/")}, 2),
    "juniper_junos": Platform(
        "juniper_junos", "juniper_junos",
        CliProfile("juniper_junos", markers(r"^unknown command\.", r"^syntax error",
                                            r"^error: "), "set cli screen-length 0"),
        "syntax error, expecting <command>.",
        (("show version", "juniper_junos_show_version_qfx5100"),
         ("show interfaces", "juniper_junos_show_interfaces2"),
         ("show lldp neighbors", "juniper_junos_show_lldp_neighbors")),
        {"show system uptime": "Current time: 2024-01-01 10:15:02 UTC\n"
                               "System booted: 2023-12-01 08:00:00 UTC (4w3d 02:15 ago)\n",
         "show arp no-resolve": _long("xe-0/0/")}, 3),
    "arista_eos": Platform(
        "arista_eos", "arista_eos",
        CliProfile("arista_eos", markers(r"^% Invalid input", r"^% Incomplete command",
                                         r"^% Ambiguous command"), "terminal length 0"),
        "% Invalid input",
        (("show version", "arista_eos_show_version"),
         ("show ip interface brief", "arista_eos_show_ip_interface_brief")),
        {"show hostname": "Hostname: sim-eos\nFQDN:     sim-eos.example.com\n",
         "show ip arp": _long("Ethernet")}, 4),
    "huawei": Platform(
        "huawei", "huawei_vrp",
        CliProfile("huawei", markers(r"^Error: "), "screen-length 0 temporary"),
        "Error: Unrecognized command found at '^' position.",
        (("display version", "huawei_vrp_display_version3"),
         ("display interface brief", "huawei_vrp_display_interface_brief")),
        {"display clock": "2024-01-01 10:15:02\nMonday\nTime Zone(UTC) : UTC\n",
         "display arp": _long("GE0/0/")}, 5),
    "hp_comware": Platform(
        "hp_comware", "hp_comware",
        CliProfile("hp_comware", markers(r"^\s*% (?:Unrecognized|Incomplete|Too many|"
                                         r"Wrong parameter|Ambiguous)"),
                   "screen-length disable"),
        "% Unrecognized command found at '^' position.",
        (("display interface brief", "hp_comware_display_interface_brief"),
         ("display device manuinfo", "hp_comware_display_device_manuinfo")),
        {"display clock": "10:15:02 UTC Mon 01/01/2024\n", "display arp": _long("GE1/0/")}, 6),
}
DEVICE_TYPES = tuple(PLATFORMS)
LONG_COMMAND = {name: next(c for c, text in p.own.items() if text.count("\n") > 50)
                for name, p in PLATFORMS.items()}
PROFILES = {name: p.profile for name, p in PLATFORMS.items()}


def recorded(platform: Platform) -> dict[str, str]:
    """The recorded cases of `platform`; skips the test when ../shared is absent."""
    if shared_cli_root() is None:
        pytest.skip("../shared/fixtures/cli not present (recorded device outputs)")
    found = {cmd: recorded_output(platform.fixtures, cmd, case)
             for cmd, case in platform.recorded}
    missing = [cmd for cmd, text in found.items() if text is None]
    if missing:
        pytest.skip(f"recorded {platform.fixtures} outputs missing: {missing}")
    return {cmd: text for cmd, text in found.items() if text is not None}


def as_returned(raw: str) -> str:
    """What the transport must return for a recorded output: CRLF as LF, and the line
    break every device sends before its prompt."""
    text = raw.replace("\r\n", "\n")
    assert "\r" not in text, "pick a case without lone CR (netmiko turns those into LF)"
    return text if text.endswith("\n") or not text else text + "\n"


def device(platform: Platform, *, outputs: Mapping[str, str] | None = None,
           **kwargs: object) -> SimDevice:
    all_outputs = dict(platform.own)
    if outputs:
        all_outputs.update(outputs)
    sim_kwargs: dict[str, object] = {"hostname": "sim-" + platform.device_type.split("_")[-1],
                                     "username": USER, "password": PASSWORD}
    sim_kwargs.update(kwargs)
    return SimDevice(platform.device_type, all_outputs, **sim_kwargs)  # type: ignore[arg-type]


def target_for(sim: CliSim, platform: str, *, password: str = "SIM_PASSWORD",
               key_file: Path | None = None, **vars_: object) -> Target:
    creds = Credentials(username=USER, password=None if key_file else SecretRef(
        RefKind.ENV, password), key_file=str(key_file) if key_file else None)
    return Target(name=f"{platform}-1", address=sim.address, platform=platform,
                  transport="cli", port=sim.port, credentials=creds, vars=dict(vars_))


def trusting(sim: CliSim, tmp_path: Path) -> CliTransport:
    known = tmp_path / f"known_hosts_{sim.port}"
    known.write_text(sim.known_hosts_line(), encoding="utf-8")
    return CliTransport(PROFILES, host_keys=HostKeyPolicy(known_hosts=known),
                        resolve_secret=resolver, connect_timeout=5)


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS.values():
            assert secret not in text


def open_error(transport: CliTransport, target: Target,
               timeout: float = TIMEOUT) -> DiscoveryError:
    with pytest.raises(DiscoveryError) as info:
        transport.open(target, timeout).close()
    assert info.value.target == target.name
    assert_no_secret(str(info.value), repr(info.value))
    return info.value


def wait_for(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


@pytest.fixture(scope="module")
def shared_sims(module_clisim: SimFactory) -> Callable[[str], CliSim]:
    """One well-behaved device per type, shared by the module's read-only tests."""
    started: dict[str, CliSim] = {}

    def get(device_type: str) -> CliSim:
        if device_type not in started:
            platform = PLATFORMS[device_type]
            outputs = {} if shared_cli_root() is None else {
                cmd: text for cmd, case in platform.recorded
                if (text := recorded_output(platform.fixtures, cmd, case)) is not None}
            started[device_type] = module_clisim(device(platform, outputs=outputs),
                                                 f"127.0.71.{platform.address}")
        return started[device_type]

    return get


@pytest.fixture(params=DEVICE_TYPES)
def platform(request: pytest.FixtureRequest) -> Platform:
    return PLATFORMS[request.param]


@pytest.fixture
def session(platform: Platform, shared_sims: Callable[[str], CliSim],
            tmp_path: Path) -> Iterator[CliSession]:
    sim = shared_sims(platform.device_type)
    with trusting(sim, tmp_path).open(target_for(sim, platform.device_type), TIMEOUT) as s:
        yield s


# -- running commands -------------------------------------------------------------------


def test_satisfies_the_transport_protocols(session: CliSession) -> None:
    transport: Transport = CliTransport(PROFILES, host_keys=HostKeyPolicy(),
                                        resolve_secret=resolver)
    opened: Session = session
    assert CliTransport.name == "cli"
    assert transport is not None and opened is session


def test_recorded_outputs_come_back_exactly(platform: Platform, session: CliSession) -> None:
    for command, raw in recorded(platform).items():
        out = session.run(command, TIMEOUT)
        assert out.stdout == as_returned(raw), command
        assert (out.exit_status, out.stderr) == (0, "")


def test_own_outputs_come_back_exactly_even_longer_than_a_page(
        platform: Platform, session: CliSession) -> None:
    for command, text in platform.own.items():
        out = session.run(command, TIMEOUT)
        assert out.stdout == text, command
        assert out.ok


def test_netmiko_sent_the_profiles_paging_command(
        platform: Platform, session: CliSession, shared_sims: Callable[[str], CliSim]) -> None:
    assert platform.profile.paging_off in shared_sims(platform.device_type).received


def test_unknown_command_fails_with_the_vendor_error_line(
        platform: Platform, session: CliSession) -> None:
    out = session.run("show bogus-thing", TIMEOUT)
    assert out.exit_status == 1
    assert out.stderr == platform.error_line
    assert platform.error_line in out.stdout
    # The session is still in step: the next command gets its own output.
    command, text = next(iter(platform.own.items()))
    assert session.run(command, TIMEOUT).stdout == text


PROJECT_FOLDER = {"huawei": "huawei_vrp"}  # tests/fixtures/<platform name>
# netmiko's Junos driver takes a last line like this for prompt context, not output.
JUNOS_CONTEXT = re.compile(r"\{(?:master|backup|line|primary|secondary)[^\n]*\}\n?\Z",
                           re.IGNORECASE)


def through_transport(device_type: str, text: str) -> str | None:
    """What the transport returns for a recorded output; None: a PagingError, since the
    recording holds a pager prompt (a capture where someone pressed space)."""
    if PAGER.search(text.replace("\r\n", "\n")):
        return None
    expected = as_returned(text)
    if device_type == "juniper_junos":
        expected = JUNOS_CONTEXT.sub("", expected)
    return expected


def test_project_recorded_cases_come_back_exactly(
        platform: Platform, make_clisim: SimFactory, tmp_path: Path) -> None:
    """The project's own cases (tests/fixtures, no ../shared needed) replayed by a device."""
    cases = project_cases(PROJECT_FOLDER.get(platform.device_type, platform.device_type))
    if not any(case_outputs(case) for case in cases):
        pytest.skip(f"no recorded {platform.device_type} cases under tests/fixtures yet")
    replayed: dict[str, str] = {}  # the device replays what this holds (not a copy)
    sim = make_clisim(SimDevice(platform.device_type, replayed, username=USER,
                                password=PASSWORD), f"127.0.71.{80 + platform.address}")
    transport, target = trusting(sim, tmp_path), target_for(sim, platform.device_type)
    s = transport.open(target, TIMEOUT)
    for case in cases:  # case by case: the same command differs between cases
        replayed.clear()
        replayed.update(case_outputs(case))
        for command, text in replayed.items():
            expected = through_transport(platform.device_type, text)
            if expected is None:
                with pytest.raises(PagingError):
                    s.run(command, TIMEOUT)
                s = transport.open(target, TIMEOUT)  # that session was closed
            else:
                assert s.run(command, TIMEOUT).stdout == expected, f"{case}: {command}"
    s.close()


def test_junos_chassis_context_line_belongs_to_the_prompt(
        make_clisim: SimFactory, tmp_path: Path) -> None:
    platform = PLATFORMS["juniper_junos"]
    raw = recorded_output("juniper_junos", "show version", "juniper_junos_show_version_ex")
    if raw is None:
        pytest.skip("../shared/fixtures/cli/juniper_junos not present")
    assert raw.endswith("\n\n{master:0}\n")
    sim = make_clisim(device(platform, outputs={"show version": raw}), "127.0.71.13")
    with trusting(sim, tmp_path).open(target_for(sim, "juniper_junos"), TIMEOUT) as s:
        out = s.run("show version", TIMEOUT)
    assert out.stdout == raw.removesuffix("{master:0}\n")


def test_crlf_recording_comes_back_with_lf(make_clisim: SimFactory, tmp_path: Path) -> None:
    platform = PLATFORMS["huawei"]
    raw = recorded_output("huawei_vrp", "display version", "huawei_vrp_display_version")
    if raw is None:
        pytest.skip("../shared/fixtures/cli/huawei_vrp not present")
    assert raw.count("\r\n") > 50
    sim = make_clisim(device(platform, outputs={"display version": raw}), "127.0.71.15")
    with trusting(sim, tmp_path).open(target_for(sim, "huawei"), TIMEOUT) as s:
        assert s.run("display version", TIMEOUT).stdout == as_returned(raw)


# -- paging, timeouts, closing ----------------------------------------------------------


def test_device_paging_anyway_is_a_paging_error(
        platform: Platform, make_clisim: SimFactory, tmp_path: Path) -> None:
    sim = make_clisim(device(platform, pager_stuck=True), f"127.0.71.{20 + platform.address}")
    command = LONG_COMMAND[platform.device_type]
    with trusting(sim, tmp_path).open(target_for(sim, platform.device_type), TIMEOUT) as s:
        with pytest.raises(PagingError) as info:  # not DiscoveryTimeout: seen at the pager
            s.run(command, TIMEOUT)
        assert info.value.target == f"{platform.device_type}-1"
        assert "paged" in str(info.value) and str(platform.profile.paging_off) in str(info.value)
        assert_no_secret(str(info.value))
        with pytest.raises(ConnectError, match="session closed after the device paged"):
            s.run(command, TIMEOUT)
    assert wait_for(lambda: sim.sessions_open == 0)


def test_hung_command_times_out_and_ends_the_session(
        make_clisim: SimFactory, tmp_path: Path) -> None:
    platform = PLATFORMS["cisco_ios"]
    sim = make_clisim(device(platform, delays={"show tech-support": 30.0}), "127.0.71.31")
    with trusting(sim, tmp_path).open(target_for(sim, "cisco_ios"), TIMEOUT) as s:
        with pytest.raises(DiscoveryTimeout, match="show tech-support") as info:
            s.run("show tech-support", 1.0)
        assert info.value.target == "cisco_ios-1"
        assert_no_secret(str(info.value))
        with pytest.raises(ConnectError, match="session closed"):
            s.run("show clock", TIMEOUT)


def test_close_ends_the_session(
        platform: Platform, make_clisim: SimFactory, tmp_path: Path) -> None:
    sim = make_clisim(device(platform), f"127.0.71.{40 + platform.address}")
    s = trusting(sim, tmp_path).open(target_for(sim, platform.device_type), TIMEOUT)
    assert sim.sessions_open == 1
    s.close()
    s.close()  # twice is harmless
    assert wait_for(lambda: sim.sessions_open == 0)
    with pytest.raises(ConnectError, match="session closed"):
        s.run("show clock", TIMEOUT)


# -- authentication and enable ----------------------------------------------------------


def test_wrong_password_is_an_auth_error(
        platform: Platform, shared_sims: Callable[[str], CliSim], tmp_path: Path) -> None:
    sim = shared_sims(platform.device_type)
    target = target_for(sim, platform.device_type, password="SIM_WRONG")
    error = open_error(trusting(sim, tmp_path), target)
    assert isinstance(error, AuthError)
    assert f"user {USER}" in str(error) and "env:SIM_WRONG" in str(error)


def test_unresolvable_password_reference_is_an_auth_error(
        shared_sims: Callable[[str], CliSim], tmp_path: Path) -> None:
    sim = shared_sims("cisco_ios")
    error = open_error(trusting(sim, tmp_path),
                       target_for(sim, "cisco_ios", password="SIM_NOT_SET"))
    assert isinstance(error, AuthError) and "env:SIM_NOT_SET" in str(error)


def test_key_login(make_clisim: SimFactory, tmp_path: Path) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    key_file = tmp_path / "id_ed25519"
    key.write_private_key(key_file)
    public = key.export_public_key().decode("ascii")
    platform = PLATFORMS["huawei"]
    sim = make_clisim(device(platform, password=None, authorized_keys=(public,)),
                      "127.0.71.51")
    with trusting(sim, tmp_path).open(target_for(sim, "huawei", key_file=key_file),
                                      TIMEOUT) as s:
        assert s.run("display clock", TIMEOUT).stdout == platform.own["display clock"]


@pytest.mark.parametrize("device_type", ["cisco_ios", "cisco_nxos", "arista_eos"])
def test_enable_mode_with_a_secret(device_type: str, make_clisim: SimFactory,
                                   tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # netmiko logs every write at DEBUG, the secret too
    platform = PLATFORMS[device_type]
    sim = make_clisim(device(platform, enable_secret=ENABLE_SECRET),
                      f"127.0.71.{60 + platform.address}")
    transport = trusting(sim, tmp_path)
    unprivileged = transport.open(target_for(sim, device_type), TIMEOUT)
    assert unprivileged.prompt.endswith(">")
    unprivileged.close()
    target = target_for(sim, device_type, enable=True, enable_secret="env:SIM_ENABLE")
    with transport.open(target, TIMEOUT) as s:
        assert s.prompt.endswith("#")
        command, text = next(iter(platform.own.items()))
        assert s.run(command, TIMEOUT).stdout == text
    wrong = target_for(sim, device_type, enable=True, enable_secret="env:SIM_WRONG")
    error = open_error(transport, wrong, timeout=2.0)  # EOS: netmiko waits for `#` in vain
    assert isinstance(error, AuthError) and "env:SIM_WRONG" in str(error)
    assert "********" in caplog.text  # netmiko's filter masked the secret it wrote
    assert_no_secret(caplog.text)


def test_enable_secret_must_be_a_reference(shared_sims: Callable[[str], CliSim],
                                           tmp_path: Path) -> None:
    sim = shared_sims("cisco_ios")
    target = target_for(sim, "cisco_ios", enable=True, enable_secret=ENABLE_SECRET)
    error = open_error(trusting(sim, tmp_path), target)
    assert isinstance(error, ConfigError) and "enable_secret" in str(error)


def test_enable_is_refused_where_netmiko_would_enter_configuration_mode(
        shared_sims: Callable[[str], CliSim], tmp_path: Path) -> None:
    sim = shared_sims("hp_comware")  # netmiko's Comware "enable" is system-view
    error = open_error(trusting(sim, tmp_path), target_for(sim, "hp_comware", enable=True))
    assert isinstance(error, ConfigError) and "system-view" in str(error)
    assert "system-view" not in sim.received


# -- host keys ------------------------------------------------------------------------------


def test_unknown_host_key_without_tofu_is_refused(
        platform: Platform, shared_sims: Callable[[str], CliSim], tmp_path: Path) -> None:
    sim = shared_sims(platform.device_type)
    empty = tmp_path / "known_hosts"
    empty.write_text("", encoding="utf-8")
    transport = CliTransport(PROFILES, host_keys=HostKeyPolicy(known_hosts=empty),
                             resolve_secret=resolver)
    error = open_error(transport, target_for(sim, platform.device_type))
    assert isinstance(error, HostKeyError) and "unknown host key" in str(error)


def test_changed_host_key_after_pinning_is_refused(
        platform: Platform, make_clisim: SimFactory, tmp_path: Path) -> None:
    sim = make_clisim(device(platform), f"127.0.71.{70 + platform.address}")
    pins = tmp_path / "pins"
    transport = CliTransport(PROFILES, host_keys=HostKeyPolicy(
        pin_file=pins, trust_on_first_use=True), resolve_secret=resolver)
    target = target_for(sim, platform.device_type)
    transport.open(target, TIMEOUT).close()  # first use: pinned
    transport.open(target, TIMEOUT).close()  # same key: accepted
    assert len(pins.read_text(encoding="utf-8").splitlines()) == 1
    sim.rotate_host_key()
    error = open_error(transport, target)
    assert isinstance(error, HostKeyError) and "CHANGED" in str(error)
    assert len(pins.read_text(encoding="utf-8").splitlines()) == 1  # not re-pinned
    assert wait_for(lambda: sim.sessions_open == 0)


# -- the platforms' own profiles ---------------------------------------------------------

# platform name (discovery/platforms/<name>/profile.py) -> the test platform it speaks as
REAL_PLATFORMS = {"cisco_ios": "cisco_ios", "cisco_nxos": "cisco_nxos",
                  "juniper_junos": "juniper_junos", "arista_eos": "arista_eos",
                  "huawei_vrp": "huawei", "hp_comware": "hp_comware"}


@pytest.mark.parametrize("name", sorted(REAL_PLATFORMS))
def test_real_platform_profile_works_with_the_transport(
        name: str, shared_sims: Callable[[str], CliSim], tmp_path: Path) -> None:
    """The profiles the platform engineers declare: netmiko driver, paging command and
    failure markers against the device's own error text."""
    module = pytest.importorskip(f"discovery.platforms.{name}.profile")
    profile: CliProfile = module.PROFILE
    platform = PLATFORMS[REAL_PLATFORMS[name]]
    sim = shared_sims(platform.device_type)
    known = tmp_path / "known_hosts"
    known.write_text(sim.known_hosts_line(), encoding="utf-8")
    transport = CliTransport({name: profile}, host_keys=HostKeyPolicy(known_hosts=known),
                             resolve_secret=resolver)
    with transport.open(target_for(sim, name), TIMEOUT) as s:
        command, text = next(iter(platform.own.items()))
        assert s.run(command, TIMEOUT).stdout == text
        failed = s.run("show bogus-thing", TIMEOUT)
    assert (failed.exit_status, failed.stderr) == (1, platform.error_line)
    assert profile.paging_off in sim.received


# -- connection and configuration errors ------------------------------------------------


def test_refused_connection_is_a_connect_error(tmp_path: Path) -> None:
    from tests.peers.sshd import free_port

    port = free_port("127.0.71.90")
    target = Target("gone-1", "127.0.71.90", platform="cisco_ios", transport="cli",
                    port=port, credentials=Credentials(USER, SecretRef(RefKind.ENV,
                                                                       "SIM_PASSWORD")))
    transport = CliTransport(PROFILES, host_keys=HostKeyPolicy(), resolve_secret=resolver)
    error = open_error(transport, target)
    assert isinstance(error, ConnectError) and f"[127.0.71.90]:{port}" in str(error)


def test_unknown_platform_names_the_known_ones() -> None:
    transport = CliTransport(PROFILES, host_keys=HostKeyPolicy(), resolve_secret=resolver)
    target = Target("sw-1", "127.0.71.91", platform="vyos", transport="cli")
    error = open_error(transport, target)
    assert isinstance(error, ConfigError)
    assert "'vyos'" in str(error) and "cisco_ios" in str(error) and "huawei" in str(error)


def test_network_profiles_come_from_the_platforms() -> None:
    profiles = network_profiles(build_platforms())
    assert profiles == {p.name: p.profile for p in NETWORK_PLATFORMS}
    assert {p.device_type for p in profiles.values()} <= set(peers.DIALECTS)


# -- measured, not asserted -------------------------------------------------------------


def test_full_session_time(platform: Platform, shared_sims: Callable[[str], CliSim],
                           tmp_path: Path, record_property: Callable[[str, object], None]
                           ) -> None:
    """Connect, paging off, 5 commands, close; printed (run with -s), never asserted."""
    sim = shared_sims(platform.device_type)
    commands = [*sim.device.outputs][:5]
    commands += [commands[0]] * (5 - len(commands))
    started = time.monotonic()
    with trusting(sim, tmp_path).open(target_for(sim, platform.device_type), TIMEOUT) as s:
        outputs = [s.run(command, TIMEOUT) for command in commands]
    elapsed = time.monotonic() - started
    assert all(out.ok for out in outputs)
    record_property("full_session_seconds", round(elapsed, 3))
    print(f"\n{platform.device_type}: connect + paging off + 5 commands + close "
          f"= {elapsed:.3f} s")


def test_silent_peer_is_a_timeout(tmp_path: Path) -> None:
    """A port that accepts TCP but never speaks SSH (a hung device, a tarpit)."""
    with socket.create_server(("127.0.71.92", 0)) as silent:
        port = silent.getsockname()[1]
        target = Target("mute-1", "127.0.71.92", platform="cisco_ios", transport="cli",
                        port=port, credentials=Credentials(USER, SecretRef(
                            RefKind.ENV, "SIM_PASSWORD")))
        transport = CliTransport(PROFILES, host_keys=HostKeyPolicy(), resolve_secret=resolver)
        error = open_error(transport, target, timeout=1.0)
    assert isinstance(error, DiscoveryTimeout)
