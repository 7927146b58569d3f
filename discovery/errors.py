"""Typed discovery errors. Library exceptions are translated into these at the transport
boundary; a per-target failure becomes a result, never a crash (STYLE 2)."""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    CONNECT = "ConnectError"
    AUTH = "AuthError"
    HOST_KEY = "HostKeyError"
    COMMAND = "CommandError"
    PARSE = "ParseError"
    TIMEOUT = "Timeout"
    CONFIG = "ConfigError"


class DiscoveryError(Exception):
    """Base: carries the target, the collector and a short explanation (never a secret)."""

    kind: ErrorKind = ErrorKind.CONNECT

    def __init__(self, message: str, *, target: str | None = None,
                 collector: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.target = target
        self.collector = collector

    def __str__(self) -> str:
        where = ":".join(p for p in (self.target, self.collector) if p)
        return f"{self.kind.value}: {where + ': ' if where else ''}{self.message}"


class ConnectError(DiscoveryError):
    """TCP or SSH transport could not be established (refused, unreachable, reset)."""

    kind = ErrorKind.CONNECT


class AuthError(DiscoveryError):
    """The peer refused our credentials, or a credential reference could not be resolved."""

    kind = ErrorKind.AUTH


class HostKeyError(DiscoveryError):
    """The host key is unknown (without trust-on-first-use) or has CHANGED."""

    kind = ErrorKind.HOST_KEY


class CommandError(DiscoveryError):
    """A command failed, was refused by the allowlist, or the device said it failed."""

    kind = ErrorKind.COMMAND


class ParseError(DiscoveryError):
    """The output did not look like what the command prints."""

    kind = ErrorKind.PARSE


class DiscoveryTimeout(DiscoveryError):
    """Connect or command took longer than allowed."""

    kind = ErrorKind.TIMEOUT


class ConfigError(DiscoveryError):
    """The target's settings make discovery impossible (unknown platform, bad vars)."""

    kind = ErrorKind.CONFIG


ERRORS_BY_KIND: dict[ErrorKind, type[DiscoveryError]] = {
    cls.kind: cls
    for cls in (ConnectError, AuthError, HostKeyError, CommandError, ParseError,
                DiscoveryTimeout, ConfigError)
}
