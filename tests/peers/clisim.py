"""TEST CODE ONLY: a simulated network device's SSH CLI, for the network CLI transport's
tests. Never used by the product.

No maintained fake switch runs here (TESTBED "Network CLI"), so `CliSim` is a small
asyncssh server on a loopback address that behaves like the CLI of one network OS as
netmiko's driver for it sees it: login banner, prompt (`host>`/`host#`, `user@host>`,
`<host>`), the session commands netmiko sends (terminal width, paging off) with the
answers netmiko waits for, enable mode with a password, the vendor's own error text for
unknown commands, echo of typed commands (netmiko checks it; off for the enable
password), and a pager (`--More--`) until paging is turned off. It replays a mapping
command -> output (e.g. recorded real outputs from ../shared/fixtures/cli, read in place).

`pager_stuck` makes it ignore the paging command (a device that pages anyway);
`rotate_host_key()` gives it a new host key; `delays` makes a command hang.
"""

from __future__ import annotations

import asyncio
import hmac
import threading
from collections.abc import Callable, Coroutine, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncssh
import pytest
from asyncssh.editor import SSHLineEditorChannel

from discovery.recording import INDEX, read_case

__all__ = ["DIALECTS", "CliSim", "Dialect", "SimDevice", "case_outputs", "make_clisim",
           "module_clisim", "project_cases", "recorded_output", "shared_cli_root"]

_START_TIMEOUT = 10.0
_T = TypeVar("_T")


# -- how each network OS's CLI looks -----------------------------------------------------


def _caret(column: int) -> str:
    return " " * column + "^\n"


def _ios_error(prompt: str, command: str, column: int) -> str:
    return _caret(len(prompt) + column) + "% Invalid input detected at '^' marker.\n\n"


def _nxos_error(prompt: str, command: str, column: int) -> str:
    return _caret(len(prompt) + column) + "% Invalid command at '^' marker.\n\n"


def _eos_error(prompt: str, command: str, column: int) -> str:
    return "% Invalid input\n"


def _junos_error(prompt: str, command: str, column: int) -> str:
    known = command.split()[0] in {"show", "ping", "traceroute", "request", "monitor",
                                   "file", "clear", "set", "help", "configure"}
    text = "syntax error, expecting <command>." if known else "unknown command."
    return _caret(len(prompt) + column) + text + "\n"


def _vrp_error(prompt: str, command: str, column: int) -> str:
    return _caret(len(prompt) + column) + "Error: Unrecognized command found at '^' position.\n"


def _comware_error(prompt: str, command: str, column: int) -> str:
    return _caret(len(prompt) + column) + " % Unrecognized command found at '^' position.\n"


ErrorText = Callable[[str, str, int], str]  # (prompt, command, caret column) -> text


@dataclass(frozen=True)
class Dialect:
    """One network OS as netmiko's driver for it talks to it (netmiko 4.8, read from
    `session_preparation` of each driver): `setup` maps the session commands the driver
    sends to the answer it waits for; `paging_off` are those that stop the pager."""

    prompt: str  # formatted with host and user
    enabled_prompt: str | None  # None: the OS has no enable mode
    setup: Mapping[str, str]
    paging_off: frozenset[str]
    pager: str
    error: ErrorText
    banner: str = ""
    enable_denied: str = "% Access denied\n"


_CISCO_SETUP = {"terminal width 511": "", "terminal length 0": ""}
DIALECTS: Mapping[str, Dialect] = {
    "cisco_ios": Dialect("{host}>", "{host}#", _CISCO_SETUP,
                         frozenset({"terminal length 0"}), " --More-- ", _ios_error,
                         enable_denied="% Bad secrets\n\n"),
    "cisco_nxos": Dialect("{host}>", "{host}#", _CISCO_SETUP,
                          frozenset({"terminal length 0"}), " --More-- ", _nxos_error,
                          banner="Cisco Nexus Operating System (NX-OS) Software\n"),
    "arista_eos": Dialect(
        "{host}>", "{host}#",
        {"terminal width 511": "Width set to 511 columns.\n",
         "terminal length 0": "Pagination disabled.\n"},
        frozenset({"terminal length 0"}), " --More-- ", _eos_error),
    "juniper_junos": Dialect(
        "{user}@{host}> ", None,
        {"set cli screen-width 511": "Screen width set to 511\n",
         "set cli complete-on-space off": "Disabling complete-on-space\n",
         "set cli screen-length 0": "Screen length set to 0\n"},
        frozenset({"set cli screen-length 0"}), "---(more)---", _junos_error,
        banner="--- JUNOS 21.4R3.15 built 2023-01-01 00:00:00 UTC\n"),
    "huawei": Dialect(
        "<{host}>", None,
        {"screen-length 0 temporary":
         "Info: The configuration takes effect on the current user terminal interface "
         "only.\n"},
        frozenset({"screen-length 0 temporary"}), "  ---- More ----", _vrp_error,
        banner="Info: The max number of VTY users is 10, and the number\n"
               "      of current VTY users on line is 1.\n"),
    "hp_comware": Dialect(
        "<{host}>", None,
        {"screen-length disable":
         "% Screen-length configuration is disabled for current user.\n"},
        frozenset({"screen-length disable"}), "  ---- More ----", _comware_error,
        banner="*" * 60 + "\n* Simulated device: test code only" + " " * 25 + "*\n"
               + "*" * 60 + "\n"),
}
DIALECTS = {**DIALECTS, "huawei_vrp": DIALECTS["huawei"]}  # netmiko's two names for VRP
_EXIT = frozenset({"exit", "quit", "logout"})


@dataclass(frozen=True)
class SimDevice:
    """What the simulated device knows: its OS (a netmiko device type in DIALECTS), the
    outputs it replays, one user (password and/or public keys), an enable secret (None:
    sessions start privileged), and misbehaviour for error tests."""

    device_type: str
    outputs: Mapping[str, str] = field(default_factory=dict)
    hostname: str = "sim-device"
    username: str = "netops"
    password: str | None = field(default=None, repr=False)
    authorized_keys: tuple[str, ...] = ()  # OpenSSH public key lines
    enable_secret: str | None = field(default=None, repr=False)
    pager_stuck: bool = False  # page long outputs even after the paging command
    page_lines: int = 24
    delays: Mapping[str, float] = field(default_factory=dict)  # command -> seconds

    @property
    def dialect(self) -> Dialect:
        return DIALECTS[self.device_type]


# -- the server --------------------------------------------------------------------------


class CliSim:
    """The simulated device's SSH server, run in its own thread and event loop."""

    def __init__(self, device: SimDevice, address: str = "127.0.71.1") -> None:
        if device.device_type not in DIALECTS:
            raise ValueError(f"no dialect for {device.device_type!r}")
        self.device = device
        self.address = address
        self.port = 0
        self.received: list[str] = []  # every line typed, in order (not secrets)
        self.sessions_started = 0
        self.sessions_open = 0
        self._host_key = asyncssh.generate_private_key("ssh-ed25519")
        self._keys = [asyncssh.import_public_key(k).public_data
                      for k in device.authorized_keys]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name=f"clisim-{device.device_type}")
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._conns: set[asyncssh.SSHServerConnection] = set()

    def start(self) -> CliSim:
        self._thread.start()
        self._acceptor = self._call(self._listen())
        self.port = self._acceptor.get_port()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._call(self._shutdown())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(_START_TIMEOUT)
        if not self._loop.is_running():
            self._loop.close()

    def __enter__(self) -> CliSim:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def host_pattern(self) -> str:
        return self.address if self.port == 22 else f"[{self.address}]:{self.port}"

    def known_hosts_line(self) -> str:
        public = self._host_key.export_public_key("openssh").decode("ascii").split()
        return f"{self.host_pattern} {public[0]} {public[1]}\n"

    def rotate_host_key(self) -> None:
        """A new host key for connections from now on (a reinstalled device, or a MITM)."""
        self._host_key = asyncssh.generate_private_key("ssh-ed25519")

        async def update() -> None:
            assert self._acceptor is not None
            self._acceptor.update(server_host_keys=[self._host_key])

        self._call(update())

    def _call(self, coro: Coroutine[Any, Any, _T]) -> _T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(_START_TIMEOUT)

    async def _listen(self) -> asyncssh.SSHAcceptor:
        return await asyncssh.listen(
            self.address, 0, server_factory=lambda: _Auth(self), server_host_keys=[
                self._host_key], process_factory=self._serve, encoding="utf-8",
            line_editor=True, kbdint_auth=False)

    async def _shutdown(self) -> None:
        if self._acceptor is not None:
            self._acceptor.close()
            await self._acceptor.wait_closed()
        for conn in list(self._conns):
            conn.close()
        # Sessions still inside a command (a `delays` hang) end here, not with the loop.
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    async def _serve(self, process: asyncssh.SSHServerProcess[str]) -> None:
        self.sessions_started += 1
        self.sessions_open += 1
        try:
            await _Shell(self, process).run()
        except (asyncssh.Error, OSError, EOFError):
            pass  # the client went away mid-command
        finally:
            self.sessions_open -= 1
            process.exit(0)


class _Auth(asyncssh.SSHServer):
    """One user, by password or by public key; anything else is refused."""

    def __init__(self, sim: CliSim) -> None:
        self._sim = sim
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._sim._conns.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._sim._conns.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return self._sim.device.password is not None

    def validate_password(self, username: str, password: str) -> bool:
        expected = self._sim.device.password
        return (expected is not None and username == self._sim.device.username
                and hmac.compare_digest(password.encode(), expected.encode()))

    def public_key_auth_supported(self) -> bool:
        return bool(self._sim._keys)

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return username == self._sim.device.username and key.public_data in self._sim._keys


class _Shell:
    """One CLI session: prompt, read a line, answer, repeat."""

    def __init__(self, sim: CliSim, process: asyncssh.SSHServerProcess[str]) -> None:
        self._sim = sim
        self._device = sim.device
        self._dialect = sim.device.dialect
        self._process = process
        self._enabled = self._dialect.enabled_prompt is None or sim.device.enable_secret is None
        self._paging = True  # as on a real device, until the paging command

    @property
    def prompt(self) -> str:
        fmt = self._dialect.enabled_prompt if (
            self._enabled and self._dialect.enabled_prompt) else self._dialect.prompt
        return fmt.format(host=self._device.hostname, user=self._device.username)

    async def run(self) -> None:
        self._write(self._dialect.banner + self.prompt)
        while (line := await self._readline()) is not None:
            command = line.strip()
            if command in _EXIT:
                return
            if command:
                self._sim.received.append(command)
                await self._answer(command)
            self._write(self.prompt)

    async def _answer(self, command: str) -> None:
        await asyncio.sleep(self._device.delays.get(command, 0))
        if command in self._dialect.setup:
            if command in self._dialect.paging_off and not self._device.pager_stuck:
                self._paging = False
            self._write(self._dialect.setup[command])
        elif command == "enable" and self._dialect.enabled_prompt is not None:
            await self._enable()
        elif command in self._device.outputs:
            text = self._device.outputs[command]
            await self._page(text if text.endswith("\n") or not text else text + "\n")
        else:
            column = command.rfind(" ") + 1  # the caret points at the last word
            self._write(self._dialect.error(self.prompt, command, column))

    async def _enable(self) -> None:
        secret = self._device.enable_secret
        if self._enabled or secret is None:
            self._enabled = True
            return
        self._write("Password: ")
        _editor(self._process).set_echo(False)  # as real devices: the secret is not shown
        try:
            typed = await self._readline()
        finally:
            _editor(self._process).set_echo(True)
        self._write("\n")
        if typed is not None and hmac.compare_digest(typed.strip().encode(), secret.encode()):
            self._enabled = True
        else:
            self._write(self._dialect.enable_denied)

    async def _page(self, text: str) -> None:
        lines = text.splitlines(keepends=True)
        size = self._device.page_lines - 1
        if not self._paging or len(lines) <= size:
            self._write(text)
            return
        shown = 0
        while shown < len(lines):
            self._write("".join(lines[shown:shown + size]))
            shown += size
            if shown >= len(lines):
                return
            self._write(self._dialect.pager)
            key = await self._key()
            width = len(self._dialect.pager)
            self._write("\b" * width + " " * width + "\b" * width)
            if key in ("", "q", "Q", "\x03"):
                return
            size = 1 if key in ("\r", "\n") else self._device.page_lines - 1

    async def _readline(self) -> str | None:
        while True:
            try:
                line = await self._process.stdin.readline()
            except asyncssh.TerminalSizeChanged:
                continue
            return line if line else None

    async def _key(self) -> str:
        """One key press, unbuffered, as a pager reads it."""
        _editor(self._process).set_line_mode(False)
        try:
            return await self._process.stdin.read(1)
        except asyncssh.TerminalSizeChanged:
            return " "
        finally:
            _editor(self._process).set_line_mode(True)

    def _write(self, text: str) -> None:
        if text and not self._process.channel.is_closing():  # the client may be gone
            self._process.stdout.write(text)


def _editor(process: asyncssh.SSHServerProcess[str]) -> SSHLineEditorChannel:
    # With a PTY and line_editor=True, asyncssh wraps the channel in its line editor.
    channel = process.channel
    assert isinstance(channel, SSHLineEditorChannel), type(channel)
    return channel


# -- recorded outputs --------------------------------------------------------------------


def shared_cli_root() -> Path | None:
    """../shared/fixtures/cli next to the repository, if this machine has it."""
    root = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "cli"
    return root if root.is_dir() else None


def recorded_output(platform: str, command: str, case: str | None = None) -> str | None:
    """A recorded real output of `command` on `platform` (the folder names of
    ../shared/fixtures/cli), byte for byte (CRLF kept), read in place; None if absent.
    `case` is the file stem; by default the first case in name order."""
    root = shared_cli_root()
    if root is None:
        return None
    folder = root / platform / command.replace(" ", "_")
    path = folder / f"{case}.raw" if case else next(iter(sorted(folder.glob("*.raw"))), None)
    if path is None or not path.is_file():
        return None
    return path.read_bytes().decode("utf-8", errors="replace")


PROJECT_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def project_cases(platform: str) -> list[Path]:
    """The project's own recorded cases of `platform` (tests/fixtures/<platform>/
    <collector>/<case>/, written by `cmdb discover --record` or by hand)."""
    return sorted(p.parent for p in (PROJECT_FIXTURES / platform).glob(f"*/*/{INDEX}"))


def case_outputs(directory: Path) -> dict[str, str]:
    """command line -> stdout of the commands of one recorded case that succeeded."""
    return {out.command: out.stdout for out in read_case(directory).values() if out.ok}


# -- pytest fixtures ---------------------------------------------------------------------


SimFactory = Callable[..., CliSim]


def _factory(sims: list[CliSim]) -> SimFactory:
    def start(device: SimDevice, address: str = "127.0.71.1") -> CliSim:
        sim = CliSim(device, address)
        sims.append(sim)  # before start: a failed start still gets stopped
        return sim.start()

    return start


@pytest.fixture
def make_clisim() -> Iterator[SimFactory]:
    """Start simulated devices (`make_clisim(SimDevice(...), address)`); all are stopped
    when the test ends."""
    sims: list[CliSim] = []
    yield _factory(sims)
    for sim in reversed(sims):
        sim.stop()


@pytest.fixture(scope="module")
def module_clisim() -> Iterator[SimFactory]:
    """As `make_clisim`, but the devices live until the module's tests are done."""
    sims: list[CliSim] = []
    yield _factory(sims)
    for sim in reversed(sims):
        sim.stop()
