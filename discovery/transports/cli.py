"""Network CLI transport (netmiko over SSH): log in, disable paging, run show commands.

netmiko knows each network OS's prompts, paging command and enable handling; this module
adds what discovery needs around it: the target's `CliProfile` picked by platform, host
keys verified by our own policy (known_hosts or trust-on-first-use pinning, exactly as
the SSH transport), the exact output text of each command, a device's error line turned
into a failed `CommandOutput`, a device that pages anyway turned into an error instead of
a truncated output, and every library exception translated into a typed error naming the
target. Secrets are resolved at open, handed to netmiko (whose log filter masks them) and
never put in a message; netmiko's session log stays off.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import TracebackType
from typing import Any, ClassVar, cast

import paramiko
from netmiko.base_connection import BaseConnection
from netmiko.exceptions import ReadException, ReadTimeout, WriteException
from netmiko.ssh_dispatcher import CLASS_MAPPER

from discovery.errors import (
    AuthError,
    CommandError,
    ConfigError,
    ConnectError,
    DiscoveryError,
    DiscoveryTimeout,
)
from discovery.transports.base import CommandOutput
from discovery.transports.cli_profile import CliProfile
from discovery.transports.hostkeys import HostKeyPolicy, host_id
from discovery.transports.ssh import (
    SecretResolver,
    is_timeout,
    load_key,
    local_user,
    transport_factory,
)
from inventory.credentials import InventoryError, SecretError, parse_secret_ref
from inventory.model import SecretRef, Target

# Pager prompts of the supported OSes: IOS/NX-OS/EOS " --More-- ", VRP and Comware
# "  ---- More ----", Junos "---(more)---" / "---(more 42%)---".
PAGER = re.compile(r"-{2,}\s*\(?more(?:\s+\d+%)?\)?\s*-{2,}", re.IGNORECASE)
# Drivers whose "enable" is configuration mode (Comware's system-view), never entered.
_ENABLE_IS_CONFIG_MODE = frozenset({"hp_comware", "h3c_comware"})
_LIBRARY_ERRORS = (paramiko.SSHException, ReadException, WriteException, OSError, EOFError,
                   ValueError)


class PagingError(CommandError):
    """The device paged its output although the paging command was sent: the output would
    be incomplete, and the session waits for a key, so it is closed."""


@dataclass(frozen=True)
class _Login:
    """Resolved credentials for one connection; secrets are kept out of repr."""

    username: str
    password: str | None = field(default=None, repr=False)
    password_ref: SecretRef | None = None
    pkey: paramiko.PKey | None = field(default=None, repr=False)
    key_file: str | None = None
    enable: bool = False
    enable_secret: str | None = field(default=None, repr=False)
    enable_ref: SecretRef | None = None

    def method(self) -> str:
        parts = [f"key {self.key_file}" if self.key_file else "",
                 f"password from {self.password_ref}" if self.password_ref else ""]
        return " or ".join(p for p in parts if p)

    def scrub(self, text: str) -> str:
        """`text` (from a library) with any of our secrets masked, just in case."""
        for secret in (self.password, self.enable_secret):
            if secret:
                text = text.replace(secret, "********")
        return text


def network_profiles(platforms: Mapping[str, object]) -> dict[str, CliProfile]:
    """The CliProfile of every platform that has one (the network CLI platforms)."""
    found = {name: getattr(p, "profile", None) for name, p in platforms.items()}
    return {name: profile for name, profile in found.items() if isinstance(profile, CliProfile)}


class CliTransport:
    """Opens `CliSession`s; holds only settings, so threads may share one instance."""

    name: ClassVar[str] = "cli"

    def __init__(self, profiles: Mapping[str, CliProfile], *, host_keys: HostKeyPolicy,
                 resolve_secret: SecretResolver, connect_timeout: float = 10.0) -> None:
        self._profiles = dict(profiles)
        self._host_keys = host_keys
        self._resolve_secret = resolve_secret
        self._connect_timeout = connect_timeout

    def open(self, target: Target, timeout: float) -> CliSession:
        """Connect, verify the host key, log in, enter enable mode if configured and let
        netmiko disable paging; each step waits at most `timeout` s."""
        profile = self._profile(target)
        login = self._login(target, profile)
        port = target.port or 22
        sock = _tcp_connect(target, port, min(timeout, self._connect_timeout))
        try:
            conn = self._netmiko(target, port, profile, login, sock, timeout)
        except DiscoveryError as exc:  # the host key policy's verdict, already typed
            sock.close()
            exc.target = exc.target or target.name
            raise
        except _LIBRARY_ERRORS as exc:
            sock.close()
            raise _open_error(exc, target, port, login, profile, timeout) from exc
        try:
            prompt = _prepare(conn, login, target)
        except BaseException:
            _drop(conn)
            raise
        return CliSession(conn, target.name, profile, prompt, login)

    def _profile(self, target: Target) -> CliProfile:
        profile = self._profiles.get(target.platform)
        if profile is None:
            known = ", ".join(sorted(self._profiles)) or "none"
            raise ConfigError(f"no CLI profile for platform {target.platform!r} (known: "
                              f"{known})", target=target.name)
        if profile.device_type not in CLASS_MAPPER or "_telnet" in profile.device_type:
            raise ConfigError(f"platform {target.platform!r}: netmiko has no SSH driver "
                              f"{profile.device_type!r}", target=target.name)
        return profile

    def _netmiko(self, target: Target, port: int, profile: CliProfile, login: _Login,
                 sock: socket.socket, timeout: float) -> BaseConnection:
        driver = _verified_driver(profile.device_type)
        return driver(
            verifier=self._host_keys.paramiko_policy(target.address, port,
                                                     target=target.name),
            preferred_key_types=self._host_keys.known_key_types(target.address, port),
            host=target.address, port=port, username=login.username,
            password=login.password, pkey=login.pkey, secret=login.enable_secret or "",
            # Explicit credentials only (no agent, no ~/.ssh keys, no ~/.ssh/config), as
            # the SSH transport; our own TCP socket, so refusals are told apart cleanly.
            use_keys=False, allow_agent=False, ssh_config_file=None, sock=sock,
            conn_timeout=timeout, banner_timeout=timeout, auth_timeout=timeout,
            # netmiko's per-step waits (prompt, paging command) default to 10-20 s.
            read_timeout_override=timeout, fast_cli=True, session_log=None,
        )

    def _login(self, target: Target, profile: CliProfile) -> _Login:
        creds = target.credentials
        if creds.key_file is None and creds.password is None:
            raise AuthError("no credentials configured (key_file or password)",
                            target=target.name)
        passphrase = self._secret(creds.key_passphrase, "key passphrase", target)
        enable, enable_ref = _enable_settings(target, profile)
        return _Login(
            username=creds.username or local_user(target),
            password=self._secret(creds.password, "password", target),
            password_ref=creds.password,
            pkey=load_key(creds.key_file, passphrase, target) if creds.key_file else None,
            key_file=creds.key_file,
            enable=enable,
            enable_secret=self._secret(enable_ref, "enable secret", target),
            enable_ref=enable_ref,
        )

    def _secret(self, ref: SecretRef | None, what: str, target: Target) -> str | None:
        if ref is None:
            return None
        try:
            return self._resolve_secret(ref)
        except SecretError as exc:
            raise AuthError(f"cannot resolve {what}: {exc}", target=target.name) from exc
        except (ValueError, LookupError, OSError) as exc:
            # Another resolver's text could quote the secret: name the failure kind only.
            raise AuthError(f"cannot resolve {what} reference {ref} ({type(exc).__name__})",
                            target=target.name) from exc


class CliSession:
    """One logged-in CLI session; commands run one after another (not thread-safe)."""

    def __init__(self, conn: BaseConnection, target: str, profile: CliProfile, prompt: str,
                 login: _Login) -> None:
        self._conn: BaseConnection | None = conn
        self._target = target
        self._profile = profile
        self._login = login
        self.prompt = prompt
        # The prompt alone on the last line, or a pager prompt last (the device waits).
        self._expect = (rf"(?:(?:\A|\n)[ \t]*{re.escape(prompt)}|(?i:{PAGER.pattern}))"
                        r"[ \t]*\Z")
        self._broken: str | None = None

    def run(self, command: str, timeout: float) -> CommandOutput:
        """Send `command`, read up to the prompt; DiscoveryTimeout past `timeout` s."""
        conn = self._live(command)
        conn.read_timeout_override = timeout  # also bounds netmiko's wait for the echo
        try:
            raw = conn.send_command(command, expect_string=self._expect, read_timeout=timeout,
                                    strip_prompt=False, strip_command=False)
        except ReadTimeout as exc:
            self._break("a command timed out")
            raise DiscoveryTimeout(f"`{command}` did not return to the prompt within "
                                   f"{timeout:g} s; session closed", target=self._target
                                   ) from exc
        except _LIBRARY_ERRORS as exc:
            self._break("the connection was lost")
            raise ConnectError(f"connection lost while running `{command}`: "
                               f"{self._login.scrub(_first_line(exc))}", target=self._target
                               ) from exc
        assert isinstance(raw, str)  # no structured parsing was asked for
        text = self._body(conn, command, raw)
        failed = self._profile.failure_line(text)
        return CommandOutput(command, text, failed or "", 1 if failed else 0)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            _drop(conn)

    def __enter__(self) -> CliSession:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _live(self, command: str) -> BaseConnection:
        if self._conn is None or self._broken is not None:
            why = f" after {self._broken}" if self._broken else ""
            raise ConnectError(f"cannot run `{command}`: session closed{why}",
                               target=self._target)
        return self._conn

    def _break(self, why: str) -> None:
        """The device is out of step with us (mid-output, at a pager): end the session."""
        self._broken = why
        if self._conn is not None:
            _drop(self._conn)
            self._conn = None

    def _body(self, conn: BaseConnection, command: str, raw: str) -> str:
        """The output between the command's echo line and the prompt, line ends as LF."""
        start = raw.find(command.strip())
        rest = raw[start:].partition("\n")[2] if start >= 0 else raw
        pager = PAGER.search(rest)  # last (still waiting) or left in the output
        if pager is not None:
            self._break("the device paged")
            paging = f"`{self._profile.paging_off}`" if self._profile.paging_off else \
                "netmiko's paging command"
            raise PagingError(f"`{command}`: the device paged its output ({pager.group()!r}) "
                              f"despite {paging}; the output would be incomplete, session "
                              "closed", target=self._target)
        body = conn.strip_prompt(rest)  # the driver's own: Junos drops {master:0} too
        return (body + "\n" if body else "").replace("\r\n", "\n")


# -- connecting --------------------------------------------------------------------------


class _VerifiedConnection(BaseConnection):
    """Put before a netmiko driver class: the host key is judged by our policy, not by
    netmiko's (which auto-adds unknown keys unless strict, and then only knows paramiko's
    known_hosts format), and key types we already know for the host are asked first."""

    def __init__(self, *, verifier: paramiko.MissingHostKeyPolicy,
                 preferred_key_types: list[str], **kwargs: Any) -> None:
        # Set before netmiko's __init__, which connects.
        self._verifier = verifier
        self._preferred_key_types = preferred_key_types
        super().__init__(**kwargs)

    def _build_ssh_client(self) -> paramiko.SSHClient:
        client = paramiko.SSHClient()  # no keys loaded: every key goes to our policy
        client.set_missing_host_key_policy(self._verifier)
        return client

    def _connect_params_dict(self) -> dict[str, Any]:
        params = super()._connect_params_dict()
        params["transport_factory"] = transport_factory(self._preferred_key_types)
        return params

    def establish_connection(self, width: int = 511, height: int = 1000) -> None:
        try:
            super().establish_connection(width, height)
        except BaseException:
            # netmiko cleans up after paramiko's errors only, not after our policy's.
            self.paramiko_cleanup()
            raise


@cache
def _verified_driver(device_type: str) -> type[_VerifiedConnection]:
    base = CLASS_MAPPER[device_type]
    return cast(type[_VerifiedConnection],
                type(f"Verified{base.__name__}", (_VerifiedConnection, base), {}))


def _tcp_connect(target: Target, port: int, timeout: float) -> socket.socket:
    where = host_id(target.address, port)
    try:
        return socket.create_connection((target.address, port), timeout=timeout)
    except TimeoutError as exc:
        raise DiscoveryTimeout(f"no TCP connection to {where} within {timeout:g} s",
                               target=target.name) from exc
    except socket.gaierror as exc:
        raise ConnectError(f"cannot resolve {target.address}: {exc.strerror}",
                           target=target.name) from exc
    except OSError as exc:
        raise ConnectError(f"cannot connect to {where}: {exc.strerror or exc}",
                           target=target.name) from exc


def _enable_settings(target: Target, profile: CliProfile) -> tuple[bool, SecretRef | None]:
    """`vars: {enable: true, enable_secret: env:NAME}`; the secret is a reference only."""
    enable = target.vars.get("enable", False)
    if not isinstance(enable, bool):
        raise ConfigError("vars.enable must be true or false", target=target.name)
    if enable and profile.device_type in _ENABLE_IS_CONFIG_MODE:
        raise ConfigError(f"vars.enable: netmiko's enable on {profile.device_type} enters "
                          "system-view (configuration mode), which discovery never does; "
                          "remove it (display commands need no privilege mode)",
                          target=target.name)
    text = target.vars.get("enable_secret")
    if text is None or not enable:
        return enable, None
    if not isinstance(text, str):
        raise ConfigError("vars.enable_secret must be an env:NAME or file:/path reference",
                          target=target.name)
    try:
        return enable, parse_secret_ref(text, "vars.enable_secret")
    except InventoryError as exc:  # its message never shows the value
        raise ConfigError(str(exc), target=target.name) from exc


def _prepare(conn: BaseConnection, login: _Login, target: Target) -> str:
    """Enter enable mode if configured; return the prompt commands will end with."""
    try:
        if login.enable:
            _enable(conn, login, target)
        return conn.find_prompt()
    except ReadTimeout as exc:
        raise DiscoveryTimeout("no prompt after login/enable within the timeout",
                               target=target.name) from exc
    except _LIBRARY_ERRORS as exc:
        raise ConnectError(f"connection lost after login: {login.scrub(_first_line(exc))}",
                           target=target.name) from exc


def _enable(conn: BaseConnection, login: _Login, target: Target) -> None:
    try:
        conn.enable()
    # netmiko says "Failed to enter enable mode" (ValueError), or for EOS waits in vain
    # for the `#` prompt (ReadTimeout): either way the device did not take the secret.
    except (ValueError, ReadTimeout) as exc:
        source = f"from {login.enable_ref}" if login.enable_ref else "(none configured)"
        raise AuthError(f"the device refused enable mode with the enable secret {source}",
                        target=target.name) from exc


def _open_error(exc: BaseException, target: Target, port: int, login: _Login,
                profile: CliProfile, timeout: float) -> DiscoveryError:
    where, name = host_id(target.address, port), target.name
    if isinstance(exc, paramiko.AuthenticationException):
        return AuthError(f"authentication failed for user {login.username} with "
                         f"{login.method()}", target=name)
    if isinstance(exc, ReadTimeout) or is_timeout(exc):
        return DiscoveryTimeout(f"{where} did not complete the SSH login and show a "
                                f"{profile.device_type} prompt within {timeout:g} s",
                                target=name)
    if isinstance(exc, ValueError):  # e.g. netmiko's "Router prompt not found"
        return ConnectError(f"{where} does not answer like {profile.device_type}: "
                            f"{login.scrub(_first_line(exc))}", target=name)
    return ConnectError(f"SSH session with {where} failed: {login.scrub(_first_line(exc))}",
                        target=name)


def _first_line(exc: BaseException) -> str:
    """The innermost library message's first line (netmiko wraps paramiko's in prose)."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        inner = exc.__cause__ or exc.__context__
        assert inner is not None
        exc = inner
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0][:200] if lines else type(exc).__name__


def _drop(conn: BaseConnection) -> None:
    """Close the SSH session, which ends the device's CLI session too, and release
    netmiko's log filter that masks our secrets.

    netmiko's own goodbye (`disconnect`) first checks for configuration mode by waiting
    2 s for silence on VRP and Comware; we never enter it, and a device that is not at
    its prompt (paging, hung) would not understand "exit" anyway.
    """
    conn.paramiko_cleanup()
    conn.disconnect()  # the goodbye fails at once on the closed channel and is skipped
