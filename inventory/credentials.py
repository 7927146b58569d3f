"""Credential references (`env:NAME`, `file:/path`) and their resolution.

The inventory only ever holds references; `resolve_secret` is called at connect time and
its result must never reach a `Target`, a result, a log line or the graph (DESIGN §6).
No message raised here echoes a secret — nor anything the user typed into a secret field,
because a mistyped reference may well be the password itself.

`InventoryError` lives here, not in `loader.py`, because both modules raise it and this
one is the leaf: defining it in the loader would make the two import each other.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from pathlib import Path

from inventory.model import RefKind, SecretRef

__all__ = [
    "InventoryError",
    "SecretError",
    "parse_secret_ref",
    "resolve_secret",
    "secret_file_too_open",
]

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A secret is a password or passphrase; anything bigger is a wrong path (or /dev/zero).
_MAX_SECRET_BYTES = 64 * 1024
_LITERAL_HINT = (
    "literal secrets are not allowed in the inventory; use an env:NAME or "
    "file:/path reference (the value itself is never shown)"
)


class InventoryError(ValueError):
    """A malformed inventory: which file, where in it, and what is wrong.

    `location` combines the line and the key path, e.g. "line 12 (hosts.web01.port)".
    """

    def __init__(self, problem: str, *, file: str | None = None, line: int | None = None,
                 key: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.file = file
        self.line = line
        self.key = key

    @property
    def location(self) -> str | None:
        if self.line is not None and self.key:
            return f"line {self.line} ({self.key})"
        if self.line is not None:
            return f"line {self.line}"
        return self.key or None

    def __str__(self) -> str:
        return ": ".join(p for p in (self.file, self.location, self.problem) if p)


class SecretError(ValueError):
    """A reference could not be resolved. The message names the reference, never the value."""

    def __init__(self, message: str, *, ref: SecretRef | None = None) -> None:
        super().__init__(message)
        self.ref = ref


def parse_secret_ref(text: str, where: str) -> SecretRef:
    """Parse `env:NAME` or `file:/abs/path` (`~` expanded); `where` names the field."""
    kind, sep, name = text.partition(":")
    if not sep or kind not in (RefKind.ENV.value, RefKind.FILE.value):
        raise InventoryError(_LITERAL_HINT, key=where)
    if kind == RefKind.ENV.value:
        if not _ENV_NAME.fullmatch(name):
            raise InventoryError(
                "env: reference needs a variable name of letters, digits and '_' "
                "(not starting with a digit)", key=where)
        return SecretRef(RefKind.ENV, name)
    path = os.path.expanduser(name)
    if not os.path.isabs(path):
        raise InventoryError("file: reference needs an absolute path or ~/path", key=where)
    return SecretRef(RefKind.FILE, path)


def resolve_secret(ref: SecretRef) -> str:
    """Return the secret a reference points to; raise SecretError if it cannot."""
    if ref.kind is RefKind.ENV:
        return _from_env(ref)
    return _from_file(ref)


def secret_file_too_open(path: str | Path) -> bool:
    """True if group or other have any access to the file (as ssh judges key files).

    Worth a warning, not a failure; a file that cannot be stat'ed is not "too open" —
    resolving it reports the real problem.
    """
    try:
        mode = Path(path).expanduser().stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRWXG | stat.S_IRWXO))


def _from_env(ref: SecretRef) -> str:
    value = os.environ.get(ref.name)
    if value is None:
        raise SecretError(f"{ref} is not set", ref=ref)
    if not value:
        raise SecretError(f"{ref} is set but empty", ref=ref)
    return value


def _from_file(ref: SecretRef) -> str:
    try:
        with Path(ref.name).expanduser().open("rb") as fh:
            raw = fh.read(_MAX_SECRET_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SecretError(f"{ref}: not readable: {reason}", ref=ref) from exc
    if len(raw) > _MAX_SECRET_BYTES:
        raise SecretError(f"{ref}: larger than {_MAX_SECRET_BYTES} bytes", ref=ref)
    text = _decode(raw)
    if text is None:
        # Raised outside the except block: a UnicodeDecodeError holds the raw bytes and
        # must not ride along as __context__.
        raise SecretError(f"{ref}: not valid UTF-8 text", ref=ref)
    text = text.removesuffix("\r\n") if text.endswith("\r\n") else text.removesuffix("\n")
    if not text:
        raise SecretError(f"{ref}: file is empty", ref=ref)
    return text


def _decode(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def installation_key(path: str | Path) -> bytes:
    """This installation's secret key (e.g. for keyed fingerprints of redacted secrets),
    created with mode 0600 on first use. A public default key would let anyone guess a
    weak password back from its fingerprint; a per-installation key does not."""
    key_path = Path(path).expanduser()
    try:
        data = key_path.read_bytes()
    except FileNotFoundError:
        key_path.parent.mkdir(parents=True, exist_ok=True)
        data = secrets.token_bytes(32)
        try:
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return key_path.read_bytes()
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise SecretError(f"key file {key_path}: not readable: {exc.strerror}") from None
    if len(data) < 16:
        raise SecretError(f"key file {key_path}: too short (need at least 16 bytes)")
    return data
