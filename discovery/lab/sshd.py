"""A throwaway OpenSSH server on loopback: the demo's peer, the tests' peer, the lab's.

`SshdPeer` runs `/usr/sbin/sshd -D -e -f CFG` with its own host key, client key and
authorized_keys in a temp dir, as the current user, listening on a loopback address only
and accepting key logins only, and stops it by PID.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO

SSHD = Path("/usr/sbin/sshd")
_PRIVSEP_DIR = Path("/run/sshd")  # sshd refuses to start as root without it
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 5.0

_CONFIG = """\
# Written by discovery/lab/sshd.py; Port and ListenAddress live here, not on the
# command line, because `-o` would add to them instead of replacing them.
ListenAddress {address}
Port {port}
{host_keys}
PidFile {pid_file}
AuthorizedKeysFile {authorized_keys}
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
StrictModes no
MaxStartups 200
UseDNS no
PrintMotd no
X11Forwarding no
AllowTcpForwarding no
LogLevel VERBOSE
"""


class SshdStartError(RuntimeError):
    """sshd did not come up; the message carries its log."""


def free_port(address: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((address, 0))
        port: int = sock.getsockname()[1]
        return port


def generate_key(path: Path, passphrase: str = "", comment: str = "cmdb-test",
                 key_type: str = "ed25519") -> Path:
    """A key pair at `path` and `path.pub` (ssh-keygen); returns the private key path."""
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".pub").unlink(missing_ok=True)
    subprocess.run(
        ["ssh-keygen", "-q", "-t", key_type, "-N", passphrase, "-C", comment, "-f", str(path)],
        check=True, capture_output=True,
    )
    return path


def public_key_line(private_key: Path) -> str:
    """The "ssh-ed25519 AAAA..." part of the key's .pub file (no comment)."""
    text = private_key.with_name(private_key.name + ".pub").read_text(encoding="utf-8")
    key_type, blob = text.split()[:2]
    return f"{key_type} {blob}"


class SshdPeer:
    """One sshd on `address` (any 127.x.y.z); `port=None` picks a free port.

    `host_key_types` are ssh-keygen types ("ed25519", "ecdsa", "rsa"); the first one is
    the key the `host_key_*` properties and `known_hosts_line()` describe.
    """

    def __init__(self, address: str = "127.0.0.1", port: int | None = None,
                 host_key_types: tuple[str, ...] = ("ed25519",)) -> None:
        self._address = address
        self._port = port
        self._auto_port = port is None
        self._key_types = host_key_types
        self._dir = Path(tempfile.mkdtemp(prefix="sshd-peer-"))
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._generate_host_keys("sshd-peer-host")
        self._client_key = self.make_client_key("client")

    # -- properties -----------------------------------------------------------------

    @property
    def address(self) -> str:
        return self._address

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("sshd peer not started")
        return self._port

    @property
    def user(self) -> str:
        return getpass.getuser()

    @property
    def workdir(self) -> Path:
        return self._dir

    @property
    def client_key_path(self) -> Path:
        return self._client_key

    @property
    def host_key_path(self) -> Path:
        return self.host_key_path_for(self._key_types[0])

    @property
    def host_key_pub(self) -> str:
        return public_key_line(self.host_key_path)

    def host_key_path_for(self, key_type: str) -> Path:
        return self._dir / f"ssh_host_{key_type}_key"

    @property
    def log_path(self) -> Path:
        return self._dir / "sshd.log"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def host_pattern(self) -> str:
        """How known_hosts names this server: `[addr]:port`, or `addr` on port 22."""
        return self.address if self.port == 22 else f"[{self.address}]:{self.port}"

    def known_hosts_line(self, key_type: str | None = None) -> str:
        """`[addr]:port <type> <key>` for the first host key, or the one of `key_type`."""
        path = self.host_key_path if key_type is None else self.host_key_path_for(key_type)
        return f"{self.host_pattern()} {public_key_line(path)}\n"

    def log_text(self) -> str:
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    # -- keys -------------------------------------------------------------------------

    def make_client_key(self, name: str, *, authorize: bool = True,
                        passphrase: str = "", forced_command: str | None = None) -> Path:
        """A new client key in the peer's dir; `authorize=False` makes one sshd refuses.

        `forced_command` (authorized_keys `command="..."`) makes sshd run that instead of
        whatever the client asks: a real server answering every command with garbage.
        """
        key = generate_key(self._dir / f"id_{name}", passphrase=passphrase, comment=name)
        if authorize:
            options = f'command="{forced_command}" ' if forced_command else ""
            with (self._dir / "authorized_keys").open("a", encoding="utf-8") as fh:
                fh.write(options + public_key_line(key) + "\n")
        return key

    def make_unauthorized_key(self) -> Path:
        return self.make_client_key("intruder", authorize=False)

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> SshdPeer:
        if self._proc is not None:
            return self
        if os.geteuid() == 0:
            _PRIVSEP_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)
        attempts = 3 if self._auto_port else 1
        for attempt in range(1, attempts + 1):
            try:
                self._start_once()
                break
            except SshdStartError:
                self._stop_process()
                # Another process may have taken the port we picked: pick again.
                if attempt == attempts or "Bind to port" not in self.log_text():
                    raise
                self._port = None
        return self

    def stop(self) -> None:
        """Stop sshd and remove the temp dir (keys, config, log)."""
        self._stop_process()
        shutil.rmtree(self._dir, ignore_errors=True)

    def rotate_host_key(self) -> None:
        """Restart on the same address and port with a NEW host key."""
        self._stop_process()
        self._generate_host_keys("sshd-peer-host-rotated")
        self.start()

    def _generate_host_keys(self, comment: str) -> None:
        for key_type in self._key_types:
            generate_key(self.host_key_path_for(key_type), comment=comment, key_type=key_type)

    def __enter__(self) -> SshdPeer:
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
            self._port = free_port(self._address)
        config = self._write_config()
        self._log = self.log_path.open("ab")
        self._proc = subprocess.Popen(
            [str(SSHD), "-D", "-e", "-f", str(config)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log,
        )
        self._wait_ready(time.monotonic() + _START_TIMEOUT)

    def _write_config(self) -> Path:
        config = self._dir / "sshd_config"
        (self._dir / "authorized_keys").touch()
        host_keys = "\n".join(f"HostKey {self.host_key_path_for(t)}" for t in self._key_types)
        config.write_text(_CONFIG.format(
            address=self._address, port=self._port, host_keys=host_keys,
            pid_file=self._dir / "sshd.pid", authorized_keys=self._dir / "authorized_keys",
        ), encoding="utf-8")
        return config

    def _wait_ready(self, deadline: float) -> None:
        """Until the port accepts TCP and sends an SSH banner, or sshd exits."""
        assert self._proc is not None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._fail(f"sshd exited with status {self._proc.returncode}")
            # Check we are still alive after the banner: it could come from another
            # server that got the port first.
            if _banner(self._address, self.port).startswith(b"SSH-") and (
                    self._proc.poll() is None):
                return
            time.sleep(0.05)
        self._fail(f"sshd did not answer on {self._address}:{self.port} "
                   f"within {_START_TIMEOUT:.0f} s")

    def _fail(self, why: str) -> None:
        raise SshdStartError(f"{why}; sshd log ({self.log_path}):\n{self.log_text()}")

    def _stop_process(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(_STOP_TIMEOUT)
        if self._log is not None:
            self._log.close()
            self._log = None


def _banner(address: str, port: int) -> bytes:
    """The server's first line, or b"" while nothing (or not sshd yet) answers."""
    try:
        with socket.create_connection((address, port), timeout=1.0) as sock:
            data = b""
            while b"\n" not in data and len(data) < 256:
                chunk = sock.recv(256)
                if not chunk:
                    break
                data += chunk
            return data
    except OSError:
        return b""
