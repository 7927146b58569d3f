"""A throwaway net-snmp agent on loopback: the SNMP transport's real peer in tests, the
lab and the benchmark (TESTBED: "net-snmp agent").

`SnmpdPeer` runs `snmpd -f -C -c CONF` in a temp dir (config, persistent state, log) on
one loopback address (or several: one agent answering as many "devices", all with this
host's MIB data) and a free UDP port, with a v2c community and SNMPv3 authPriv users
whose secrets are random per peer, and stops it by PID. `client_args` builds the
matching command line for net-snmp's own clients (`snmpbulkwalk` as the reference).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

SNMPD = Path("/usr/sbin/snmpd")
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 5.0
SYS_OBJECT_ID_0 = "1.3.6.1.2.1.1.2.0"

_CONFIG = """\
# Written by discovery/lab/snmpd.py. Debian ships no IETF MIB files: load none.
[snmp] mibs :
agentaddress {endpoints}
# Requests to 127.x come from 127.0.0.1, whatever 127.x address the agent listens on.
rocommunity {community} 127.0.0.0/8
sysLocation cmdb-auditor lab
sysContact cmdb@example.com
dontLogTCPWrappersConnects yes
{users}
"""


@dataclass(frozen=True)
class SnmpUser:
    """An SNMPv3 USM user, protocols named as net-snmp names them ("SHA-256", "AES")."""

    name: str
    auth_protocol: str
    priv_protocol: str
    auth_key: str = field(default_factory=lambda: secrets.token_hex(12), repr=False)
    priv_key: str = field(default_factory=lambda: secrets.token_hex(12), repr=False)


def default_users() -> tuple[SnmpUser, ...]:
    """SHA/AES-128 (what most devices offer) and SHA-256/AES-256 (Blumenthal)."""
    return (SnmpUser("cmdb-sha-aes", "SHA", "AES"),
            SnmpUser("cmdb-sha256-aes256", "SHA-256", "AES-256"))


class SnmpdStartError(RuntimeError):
    """snmpd did not come up; the message carries its log."""


def free_udp_port(*addresses: str) -> int:
    """A UDP port free on every given address (the OS picks it on the first)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind((addresses[0] if addresses else "127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        if all(_udp_free(a, port) for a in addresses[1:]):
            return port
    raise OSError("no UDP port free on all of " + ", ".join(addresses))


def _udp_free(address: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((address, port))
        except OSError:
            return False
        return True


def net_snmp_env(state_dir: Path) -> dict[str, str]:
    """Environment for net-snmp clients: private persistent state, no MIB loading."""
    return {**os.environ, "SNMP_PERSISTENT_DIR": str(state_dir), "MIBS": "", "MIBDIRS": ""}


class SnmpdPeer:
    """One snmpd on `address` (any 127.x.y.z) and `more_addresses`, all on one UDP port;
    `port=None` picks one free on all of them."""

    def __init__(self, address: str = "127.0.61.1", port: int | None = None,
                 users: tuple[SnmpUser, ...] | None = None,
                 more_addresses: Sequence[str] = ()) -> None:
        self._address = address
        self._addresses = (address, *more_addresses)
        self._port = port
        self._auto_port = port is None
        self._users = default_users() if users is None else users
        self._community = "ro-" + secrets.token_hex(8)
        self._dir = Path(tempfile.mkdtemp(prefix="snmpd-peer-"))
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def __repr__(self) -> str:  # never the community or the keys
        more = f" and {len(self._addresses) - 1} more" if len(self._addresses) > 1 else ""
        return f"SnmpdPeer({self._address}:{self._port}{more}, pid={self.pid})"

    @property
    def address(self) -> str:
        return self._address

    @property
    def addresses(self) -> tuple[str, ...]:
        """Every address the agent answers on: `address` first."""
        return self._addresses

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("snmpd peer not started")
        return self._port

    @property
    def community(self) -> str:
        return self._community

    @property
    def users(self) -> tuple[SnmpUser, ...]:
        return self._users

    @property
    def workdir(self) -> Path:
        return self._dir

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def log_path(self) -> Path:
        return self._dir / "snmpd.log"

    def log_text(self) -> str:
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def client_env(self) -> dict[str, str]:
        return net_snmp_env(self._dir / "client-state")

    def client_args(self, user: SnmpUser | None = None) -> list[str]:
        """net-snmp client options for v2c (no user) or v3 authPriv as `user`."""
        if user is None:
            return ["-v2c", "-c", self._community, f"{self.address}:{self.port}"]
        return ["-v3", "-l", "authPriv", "-u", user.name, "-a", user.auth_protocol,
                "-A", user.auth_key, "-x", user.priv_protocol, "-X", user.priv_key,
                f"{self.address}:{self.port}"]

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> SnmpdPeer:
        if self._proc is not None:
            return self
        attempts = 3 if self._auto_port else 1
        for attempt in range(1, attempts + 1):
            try:
                self._start_once()
                return self
            except SnmpdStartError:
                self._stop_process()
                # Another process may have taken the port we picked: pick again.
                if attempt == attempts or "Error opening specified endpoint" not in (
                        self.log_text()):
                    raise
                self._port = None
        return self

    def stop(self) -> None:
        """Stop snmpd and remove the temp dir."""
        self._stop_process()
        shutil.rmtree(self._dir, ignore_errors=True)

    def pause(self) -> None:
        """SIGSTOP: the agent stays bound but answers nothing (a hung agent)."""
        if self._proc is not None:
            self._proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self._proc is not None:
            self._proc.send_signal(signal.SIGCONT)

    def __enter__(self) -> SnmpdPeer:
        try:
            return self.start()
        except BaseException:
            self.stop()  # __exit__ does not run when __enter__ fails
            raise

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _start_once(self) -> None:
        if self._port is None:
            self._port = free_udp_port(*self._addresses)
        config = self._write_config()
        state = self._dir / "state"
        state.mkdir(exist_ok=True)
        self._log = self.log_path.open("ab")
        self._proc = subprocess.Popen(
            [str(SNMPD), "-f", "-C", "-c", str(config), "-I", "-smux", "-Lf",
             str(self.log_path), "-p", str(self._dir / "snmpd.pid")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log,
            env=net_snmp_env(state),
        )
        self._wait_ready(time.monotonic() + _START_TIMEOUT)

    def _write_config(self) -> Path:
        config = self._dir / "snmpd.conf"
        users = "\n".join(
            f'createUser {u.name} {u.auth_protocol} "{u.auth_key}" {u.priv_protocol} '
            f'"{u.priv_key}"\nrouser {u.name} priv' for u in self._users)
        endpoints = ",".join(f"udp:{a}:{self._port}" for a in self._addresses)
        config.write_text(_CONFIG.format(endpoints=endpoints,
                                         community=self._community, users=users),
                          encoding="utf-8")
        config.chmod(0o600)  # it holds the community and the keys
        return config

    def _wait_ready(self, deadline: float) -> None:
        """Until a v2c GET of sysObjectID.0 answers, or snmpd exits."""
        assert self._proc is not None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._fail(f"snmpd exited with status {self._proc.returncode}")
            probe = subprocess.run(
                ["snmpget", "-r", "0", "-t", "0.3", "-On", *self.client_args(),
                 SYS_OBJECT_ID_0], capture_output=True, env=self.client_env(), check=False)
            if probe.returncode == 0 and self._proc.poll() is None:
                return
            time.sleep(0.05)
        self._fail(f"snmpd did not answer on {self._address}:{self._port} "
                   f"within {_START_TIMEOUT:.0f} s")

    def _fail(self, why: str) -> None:
        raise SnmpdStartError(f"{why}; snmpd log ({self.log_path}):\n{self.log_text()}")

    def _stop_process(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGCONT)  # a paused agent cannot handle SIGTERM
            proc.terminate()
            try:
                proc.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(_STOP_TIMEOUT)
        if self._log is not None:
            self._log.close()
            self._log = None
