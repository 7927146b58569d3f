"""SSH transport (paramiko): connect, verify the host key, authenticate, run commands.

Library exceptions stop here and become typed `DiscoveryError`s carrying the target name
(DESIGN §8). Secrets are resolved at connect time through the injected resolver and never
appear in a message, a log line or a repr.
"""

from __future__ import annotations

import contextlib
import getpass
import select
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import paramiko
from paramiko.common import cMSG_CHANNEL_REQUEST
from paramiko.pkey import UnknownKeyType

from discovery.errors import (
    AuthError,
    CommandError,
    ConnectError,
    DiscoveryError,
    DiscoveryTimeout,
    HostKeyError,
)
from discovery.transports.base import CommandOutput
from discovery.transports.hostkeys import HostKeyPolicy, host_id
from inventory.credentials import SecretError
from inventory.model import SecretRef, Target

SecretResolver = Callable[[SecretRef], str]

_CHUNK = 1 << 20
# paramiko names RSA host keys "ssh-rsa" but negotiates them as these signature algorithms.
_KEY_ALGORITHMS = {"ssh-rsa": ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa")}


@dataclass(frozen=True)
class _Login:
    """Resolved credentials for one connection; the password is kept out of repr."""

    username: str
    pkey: paramiko.PKey | None = None
    key_file: str | None = None
    password: str | None = field(default=None, repr=False)
    password_ref: SecretRef | None = None

    def method(self) -> str:
        parts = [f"key {self.key_file}" if self.key_file else "",
                 f"password from {self.password_ref}" if self.password_ref else ""]
        return " or ".join(p for p in parts if p)


class SshTransport:
    """Opens `SshSession`s. Holds only settings, so threads may share one instance."""

    def __init__(self, *, host_keys: HostKeyPolicy, resolve_secret: SecretResolver,
                 connect_timeout: float = 10.0) -> None:
        self._host_keys = host_keys
        self._resolve_secret = resolve_secret
        self._connect_timeout = connect_timeout

    def open(self, target: Target, timeout: float) -> SshSession:
        """Connect and authenticate within `timeout` s per step (TCP at most connect_timeout)."""
        login = self._login(target)
        port = target.port or 22
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(
            self._host_keys.paramiko_policy(target.address, port, target=target.name))
        try:
            self._connect(client, target, port, login, timeout)
        except BaseException:
            client.close()  # a half-open transport keeps a thread and a socket alive
            raise
        return SshSession(client, target.name)

    def _connect(self, client: paramiko.SSHClient, target: Target, port: int,
                 login: _Login, timeout: float) -> None:
        started = time.monotonic()
        try:
            preferred = self._host_keys.known_key_types(target.address, port)
            client.connect(
                target.address, port=port, username=login.username, pkey=login.pkey,
                password=login.password, timeout=min(timeout, self._connect_timeout),
                banner_timeout=timeout, auth_timeout=timeout, channel_timeout=timeout,
                # Explicit credentials only: an operator's agent or ~/.ssh keys must not be
                # offered to every scanned device, and results must not depend on who runs.
                allow_agent=False, look_for_keys=False,
                transport_factory=transport_factory(preferred),
            )
        except DiscoveryError as exc:  # the host key policy's verdict, already typed
            exc.target = exc.target or target.name
            raise
        except (paramiko.SSHException, OSError, EOFError) as exc:
            # paramiko's negotiation wait ends silently at its timeout, and the next step
            # then fails with "No existing session": judge by the time spent as well.
            slow = time.monotonic() - started >= 0.9 * timeout
            timed_out = is_timeout(exc) or (
                slow and not isinstance(exc, paramiko.AuthenticationException))
            raise _connect_error(exc, target, port, login,
                                 (timeout, self._connect_timeout), timed_out) from exc

    def _login(self, target: Target) -> _Login:
        creds = target.credentials
        if creds.key_file is None and creds.password is None:
            raise AuthError("no credentials configured (key_file or password)",
                            target=target.name)
        passphrase = self._secret(creds.key_passphrase, "key passphrase", target)
        return _Login(
            username=creds.username or local_user(target),
            pkey=load_key(creds.key_file, passphrase, target) if creds.key_file else None,
            key_file=creds.key_file,
            password=self._secret(creds.password, "password", target),
            password_ref=creds.password,
        )

    def _secret(self, ref: SecretRef | None, what: str, target: Target) -> str | None:
        if ref is None:
            return None
        try:
            return self._resolve_secret(ref)
        except SecretError as exc:
            # The inventory's resolver words its errors to never hold the secret.
            raise AuthError(f"cannot resolve {what}: {exc}", target=target.name) from exc
        except (ValueError, LookupError, OSError) as exc:
            # Another resolver's text could quote the secret: name the failure kind only.
            raise AuthError(f"cannot resolve {what} reference {ref} ({type(exc).__name__})",
                            target=target.name) from exc


class SshSession:
    """One authenticated connection; run commands one after another (not thread-safe)."""

    def __init__(self, client: paramiko.SSHClient, target: str) -> None:
        self._client = client
        self._target = target

    def run(self, command: str, timeout: float) -> CommandOutput:
        """Run `command` via exec (no shell session); DiscoveryTimeout past `timeout` s."""
        deadline = time.monotonic() + timeout
        chan = self._open_channel(command, timeout)
        try:
            out, err, status = _run_on(chan, command, deadline)
        except _Expired as exc:
            _kill_remote(chan)
            raise DiscoveryTimeout(
                f"command {command!r} did not finish within {timeout:g} s; its channel was "
                "closed", target=self._target) from exc
        except (paramiko.SSHException, OSError, EOFError) as exc:
            if _alive(chan):  # e.g. a device that refuses exec requests (shell only)
                raise CommandError(f"server refused to run {command!r}: {exc}",
                                   target=self._target) from exc
            raise ConnectError(f"connection lost while running {command!r}: {exc}",
                               target=self._target) from exc
        finally:
            chan.close()  # also frees the channel of a hung command on the server
        return CommandOutput(command, out.decode("utf-8", errors="replace"),
                             err.decode("utf-8", errors="replace"), status)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> SshSession:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _open_channel(self, command: str, timeout: float) -> paramiko.Channel:
        transport = self._client.get_transport()
        if transport is None or not transport.is_active():
            raise ConnectError(f"cannot run {command!r}: session closed or connection lost",
                               target=self._target)
        try:
            return transport.open_session(timeout=timeout)
        except paramiko.ChannelException as exc:
            # OpenSSH answers so at its MaxSessions limit (10), e.g. with hung commands it
            # could not kill still holding their sessions: a new SshSession is needed then.
            raise CommandError(f"server refused a channel for {command!r} ({exc}); it may be "
                               "at its session limit: open a new session",
                               target=self._target) from exc
        except (paramiko.SSHException, OSError, EOFError) as exc:
            if "Timeout" in str(exc):
                raise DiscoveryTimeout(f"opening a channel for {command!r} took over "
                                       f"{timeout:g} s", target=self._target) from exc
            raise ConnectError(f"cannot open a channel for {command!r}: {exc}",
                               target=self._target) from exc


# -- running one command -----------------------------------------------------------------


class _Expired(Exception):
    """The command's deadline passed."""


def _run_on(chan: paramiko.Channel, command: str, deadline: float) -> tuple[bytes, bytes, int]:
    with _Watchdog(chan, deadline - time.monotonic()) as watchdog:
        try:
            chan.exec_command(command)
        except paramiko.SSHException as exc:
            if watchdog.disarm():
                raise _Expired from exc
            raise
        if watchdog.disarm():
            raise _Expired
    chan.shutdown_write()  # stdin at EOF: a command reading it ends instead of hanging
    out, err = _collect(chan, deadline)
    if not chan.status_event.wait(max(0.0, deadline - time.monotonic())):
        raise _Expired
    # -1 when the server sent no exit status (e.g. the command died from a signal).
    return out, err, chan.exit_status


def _collect(chan: paramiko.Channel, deadline: float) -> tuple[bytes, bytes]:
    """Read stdout and stderr together until EOF, so neither can fill the window and stall."""
    out, err = bytearray(), bytearray()
    while True:
        _drain(chan, out, err)
        if chan.eof_received or chan.closed:
            _drain(chan, out, err)  # what arrived between the drain and the EOF
            if not chan.eof_received and not _alive(chan):
                raise EOFError("connection lost before the command finished")
            return bytes(out), bytes(err)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Expired
        _wait_readable(chan, remaining)


def _wait_readable(chan: paramiko.Channel, seconds: float) -> None:
    """Sleep until data, EOF or close. The channel's fileno is a pipe paramiko sets on
    those; poll, not select, since fds beyond 1024 are common with many sessions."""
    poller = select.poll()
    poller.register(chan.fileno(), select.POLLIN)
    poller.poll(max(1, int(seconds * 1000)))


def _kill_remote(chan: paramiko.Channel) -> None:
    """Ask the server to SIGKILL the command (RFC 4254 "signal" request), best effort.

    Closing the channel alone leaves a hung command running, and OpenSSH keeps its session
    slot until it exits: after MaxSessions (10) hung commands, no channel opens any more.
    OpenSSH (7.9+) kills the command's process group; servers without support ignore it.
    """
    if chan.transport is None or chan.closed:
        return
    msg = paramiko.Message()
    msg.add_byte(cMSG_CHANNEL_REQUEST)
    msg.add_int(chan.remote_chanid)
    msg.add_string("signal")
    msg.add_boolean(False)  # want_reply: no, we close the channel next anyway
    msg.add_string("KILL")
    # paramiko has no public call for this request; Channel sends its own requests so.
    with contextlib.suppress(paramiko.SSHException, OSError, EOFError):
        chan.transport._send_user_message(msg)  # type: ignore[attr-defined]


def _drain(chan: paramiko.Channel, out: bytearray, err: bytearray) -> None:
    while chan.recv_ready():
        out += chan.recv(_CHUNK)
    while chan.recv_stderr_ready():
        err += chan.recv_stderr(_CHUNK)


def _alive(chan: paramiko.Channel) -> bool:
    transport = chan.get_transport()
    return transport is not None and transport.is_active()


class _Watchdog:
    """Closes the channel at the deadline: paramiko's exec request waits without a timeout.

    Only armed around exec_command; afterwards `_collect` enforces the deadline itself, so
    the channel (and the pipe it selects on) is never closed under its feet by this thread.
    """

    def __init__(self, chan: paramiko.Channel, seconds: float) -> None:
        self._chan = chan
        self._lock = threading.Lock()
        self._fired = False
        self._armed = True
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.disarm()

    def disarm(self) -> bool:
        """Stop the timer; True if it had already fired (the channel is closed)."""
        with self._lock:
            self._armed = False
            self._timer.cancel()
            return self._fired

    def _fire(self) -> None:
        with self._lock:
            if not self._armed:
                return
            self._fired = True
        self._chan.close()


# -- connecting --------------------------------------------------------------------------


def transport_factory(preferred: list[str]) -> Callable[..., paramiko.Transport]:
    """Ask the server for the host key types we already know, like OpenSSH does.

    Without this, a host known by its ECDSA key could show its Ed25519 key first and be
    reported as CHANGED.
    """

    def factory(sock: socket.socket, *, gss_kex: bool = False, gss_deleg_creds: bool = True,
                disabled_algorithms: Mapping[str, Iterable[str]] | None = None,
                ) -> paramiko.Transport:
        transport = paramiko.Transport(sock, disabled_algorithms=disabled_algorithms)
        options = transport.get_security_options()
        available = list(options.key_types)
        first = [a for t in preferred for a in _KEY_ALGORITHMS.get(t, (t,)) if a in available]
        options.key_types = first + [a for a in available if a not in first]
        return transport

    return factory


def load_key(key_file: str, passphrase: str | None, target: Target) -> paramiko.PKey:
    path = Path(key_file).expanduser()
    # paramiko 5.1 hands the password straight to cryptography, which wants bytes
    # (a str fails with "password must be bytes"); the key classes accept bytes too.
    password = passphrase.encode("utf-8") if passphrase is not None else None
    try:
        return paramiko.PKey.from_path(path, password=password)  # type: ignore[arg-type]
    except OSError as exc:
        raise AuthError(f"cannot read key file {key_file}: {exc.strerror or exc}",
                        target=target.name) from exc
    except TypeError as exc:  # cryptography: encrypted key but no password given
        raise AuthError(f"key file {key_file} is encrypted and no key_passphrase is "
                        "configured", target=target.name) from exc
    except (ValueError, paramiko.SSHException, UnknownKeyType) as exc:
        raise AuthError(f"cannot load key file {key_file}: wrong passphrase or not a "
                        "supported private key", target=target.name) from exc


def local_user(target: Target) -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError) as exc:
        raise AuthError("no username configured and the local user name is unknown",
                        target=target.name) from exc


def _connect_error(exc: BaseException, target: Target, port: int, login: _Login,
                   timeouts: tuple[float, float], timed_out: bool) -> DiscoveryError:
    """The typed error for a failed connect; `timeouts` is (per step, TCP connect)."""
    timeout, connect_timeout = timeouts
    where, name = host_id(target.address, port), target.name
    if isinstance(exc, paramiko.BadHostKeyException):
        return HostKeyError(
            f"host key for {where} has CHANGED: offered {exc.key.get_name()} "
            f"{exc.key.fingerprint}, expected {exc.expected_key.fingerprint}", target=name)
    if isinstance(exc, TimeoutError):  # raised bare only by the TCP connect
        return DiscoveryTimeout(f"no TCP connection to {where} within "
                                f"{min(timeout, connect_timeout):g} s", target=name)
    if timed_out:
        return DiscoveryTimeout(f"{where} did not complete the SSH handshake and login "
                                f"within {timeout:g} s", target=name)
    if isinstance(exc, paramiko.AuthenticationException):
        return AuthError(f"authentication failed for user {login.username} with "
                         f"{login.method()}", target=name)
    if isinstance(exc, paramiko.ssh_exception.NoValidConnectionsError):
        return ConnectError(f"cannot connect to {where}: connection refused or host "
                            "unreachable", target=name)
    if isinstance(exc, socket.gaierror):
        return ConnectError(f"cannot resolve {target.address}: {exc.strerror}", target=name)
    if isinstance(exc, OSError):
        return ConnectError(f"cannot connect to {where}: {exc.strerror or exc}", target=name)
    return ConnectError(f"SSH handshake with {where} failed: {exc or type(exc).__name__}",
                        target=name)


def is_timeout(exc: BaseException | None) -> bool:
    """A timeout anywhere in the chain (paramiko wraps socket timeouts in SSHException)."""
    while exc is not None:
        text = str(exc).lower()
        if isinstance(exc, TimeoutError) or "timeout" in text or "timed out" in text:
            return True
        exc = exc.__cause__ or exc.__context__
    return False
