"""SSH host key verification: known_hosts plus trust-on-first-use pinning (DESIGN §6).

A host is looked up by its OpenSSH name: `host` on port 22, `[host]:port` otherwise, in
plain, pattern (`*`, `?`, `!neg`) and hashed (`|1|salt|hash`) entries of the known_hosts
file and of the pin file (same format). The offered key must equal one of the host's
keys; a host known with other keys only is a CHANGED key and is never accepted, nor
re-pinned. An unknown host is pinned only with trust-on-first-use.

paramiko is told nothing about known keys (so it never decides by itself); every
connection ends up in `VerifyingPolicy.missing_host_key`, which calls `verify`.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hmac
import logging
import os
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from hashlib import sha1, sha256
from pathlib import Path

import paramiko

from discovery.errors import HostKeyError

log = logging.getLogger(__name__)

_HASH_MAGIC = "|1|"
_REVOKED = "@revoked"


def fingerprint(blob: bytes) -> str:
    """OpenSSH-style fingerprint of a public key blob: `SHA256:<base64, no padding>`."""
    return "SHA256:" + base64.b64encode(sha256(blob).digest()).decode("ascii").rstrip("=")


def host_id(host: str, port: int) -> str:
    """The name OpenSSH uses in known_hosts for this host and port."""
    return host if port == 22 else f"[{host}]:{port}"


@dataclass(frozen=True)
class KnownHostKey:
    """One known_hosts entry: where it is, which hosts it names, which key it holds."""

    source: Path
    line: int
    patterns: str
    key_type: str
    blob: bytes
    revoked: bool = False

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.blob)

    def where(self) -> str:
        return f"{self.source} line {self.line}"

    def names(self, name: str) -> bool:
        return _hashed_match(self.patterns, name) if self.patterns.startswith(
            _HASH_MAGIC) else _patterns_match(self.patterns, name)


@dataclass(frozen=True)
class _Offered:
    key_type: str
    blob: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.blob)


class HostKeyPolicy:
    """Decides whether an offered host key is accepted; safe to share between threads."""

    def __init__(self, *, known_hosts: Path | None = None, pin_file: Path | None = None,
                 trust_on_first_use: bool = False) -> None:
        if trust_on_first_use and pin_file is None:
            raise ValueError("trust_on_first_use needs a pin_file to remember keys in")
        self.known_hosts = known_hosts
        self.pin_file = pin_file
        self.trust_on_first_use = trust_on_first_use
        self._pin_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._cache: dict[Path, tuple[tuple[int, int, int], list[KnownHostKey]]] = {}

    def verify(self, host: str, port: int, key: paramiko.PKey, *,
               target: str | None = None) -> None:
        """Return if `key` is this host's key (pinning it if new and TOFU); else raise."""
        name = host_id(host, port)
        offered = _Offered(key.get_name(), key.asbytes())
        if self._check(name, offered, self._entries_for(name, target), target):
            return
        if not self.trust_on_first_use:
            raise HostKeyError(
                f"unknown host key for {name}: offered {offered.key_type} "
                f"{offered.fingerprint}, not found in {self._sources()}; "
                "use --trust-on-first-use or add it to known_hosts", target=target)
        self._pin(name, offered, target)

    def known_key_types(self, host: str, port: int) -> list[str]:
        """Key types already known for the host, so the client can ask for those first."""
        types: list[str] = []
        for entry in self._entries_for(host_id(host, port)):
            if not entry.revoked and entry.key_type not in types:
                types.append(entry.key_type)
        return types

    def paramiko_policy(self, host: str, port: int, *,
                        target: str | None = None) -> paramiko.MissingHostKeyPolicy:
        return VerifyingPolicy(self, host, port, target)

    # -- lookup -----------------------------------------------------------------------

    def _sources(self) -> str:
        files = [str(p) for p in (self.known_hosts, self.pin_file) if p is not None]
        return " or ".join(files) if files else "any known_hosts file (none configured)"

    def _entries_for(self, name: str, target: str | None = None) -> list[KnownHostKey]:
        found: list[KnownHostKey] = []
        for path in (self.known_hosts, self.pin_file):
            if path is not None:
                found.extend(e for e in self._load(path, target) if e.names(name))
        return found

    def _load(self, path: Path, target: str | None) -> list[KnownHostKey]:
        """Parsed entries of `path`, re-read only when the file changed."""
        try:
            st = path.stat()
            signature = (st.st_ino, st.st_size, st.st_mtime_ns)
            with self._cache_lock:
                cached = self._cache.get(path)
                if cached is not None and cached[0] == signature:
                    return cached[1]
            text = path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []  # as OpenSSH: a missing file knows no hosts
        except OSError as exc:
            raise HostKeyError(f"cannot read {path}: {exc.strerror or exc}",
                               target=target) from exc
        entries = parse_known_hosts(text, path)
        with self._cache_lock:
            self._cache[path] = (signature, entries)
        return entries

    @staticmethod
    def _check(name: str, offered: _Offered, known: list[KnownHostKey],
               target: str | None) -> bool:
        """True: known and matching. False: unknown. Raise: revoked or CHANGED."""
        for entry in known:
            if entry.revoked and entry.blob == offered.blob:
                raise HostKeyError(
                    f"host key for {name} ({offered.key_type} {offered.fingerprint}) is "
                    f"REVOKED in {entry.where()}", target=target)
        valid = [e for e in known if not e.revoked]
        if any(e.blob == offered.blob for e in valid):  # the blob names its type too
            return True
        if valid:
            raise HostKeyError(_changed_message(name, offered, valid), target=target)
        return False

    # -- pinning ----------------------------------------------------------------------

    def _pin(self, name: str, offered: _Offered, target: str | None) -> None:
        assert self.pin_file is not None
        try:
            self._append_pin(self.pin_file, name, offered, target)
        except OSError as exc:
            raise HostKeyError(f"cannot pin the host key of {name} in {self.pin_file}: "
                               f"{exc.strerror or exc}", target=target) from exc

    def _append_pin(self, path: Path, name: str, offered: _Offered,
                    target: str | None) -> None:
        """Append the key to the pin file, unless someone pinned this host meanwhile."""
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # The thread lock orders our threads, flock other processes sharing the file.
        with self._pin_lock:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "r+b") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                content = fh.read().decode("utf-8", errors="replace")
                current = [e for e in parse_known_hosts(content, path) if e.names(name)]
                if self._check(name, offered, current, target):
                    return
                sep = "" if not content or content.endswith("\n") else "\n"
                fh.write((sep + _pin_line(name, offered)).encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
        log.info("pinned new host key for %s: %s %s in %s", name, offered.key_type,
                 offered.fingerprint, path)


class VerifyingPolicy(paramiko.MissingHostKeyPolicy):
    """paramiko's hook, called for every host since we preload no keys into paramiko."""

    def __init__(self, policy: HostKeyPolicy, host: str, port: int,
                 target: str | None) -> None:
        self._policy = policy
        self._host = host
        self._port = port
        self._target = target

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str,
                         key: paramiko.PKey) -> None:
        self._policy.verify(self._host, self._port, key, target=self._target)


def parse_known_hosts(text: str, source: Path) -> list[KnownHostKey]:
    """Entries of an OpenSSH known_hosts text; comments and bad lines are skipped."""
    entries: list[KnownHostKey] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        entry = _parse_line(line, lineno, source)
        if entry is not None:
            entries.append(entry)
    return entries


def _parse_line(line: str, lineno: int, source: Path) -> KnownHostKey | None:
    fields = line.split()
    if not fields or fields[0].startswith("#"):
        return None
    marker = fields.pop(0) if fields[0].startswith("@") else None
    if marker not in (None, _REVOKED) or len(fields) < 3:
        # @cert-authority (host certificates) is not supported: such lines never match.
        log.debug("%s line %d: skipped (marker %s or too few fields)", source, lineno, marker)
        return None
    try:
        blob = base64.b64decode(fields[2], validate=True)
    except (binascii.Error, ValueError):
        log.warning("%s line %d: key is not valid base64, line skipped", source, lineno)
        return None
    return KnownHostKey(source, lineno, fields[0], fields[1], blob, marker == _REVOKED)


def _patterns_match(patterns: str, name: str) -> bool:
    """OpenSSH host pattern list: any positive match, and no negated (`!`) match."""
    matched = False
    for pattern in patterns.lower().split(","):
        negated = pattern.startswith("!")
        if _glob(pattern.removeprefix("!")).fullmatch(name.lower()):
            if negated:
                return False
            matched = True
    return matched


@lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    # Only * and ? are special; `[` in `[host]:port` is literal, unlike in fnmatch.
    return re.compile("".join(
        ".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern))


def _hashed_match(entry: str, name: str) -> bool:
    """`|1|base64(salt)|base64(HMAC-SHA1(salt, name))`, as written by `ssh-keygen -H`."""
    try:
        salt_b64, hash_b64 = entry[len(_HASH_MAGIC):].split("|", 1)
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(hash_b64)
    except (ValueError, binascii.Error):
        return False
    actual = hmac.new(salt, name.encode("utf-8"), sha1).digest()
    return hmac.compare_digest(actual, expected)


def _changed_message(name: str, offered: _Offered, known: list[KnownHostKey]) -> str:
    expected = "; ".join(f"{e.key_type} {e.fingerprint} ({e.where()})" for e in known)
    return (f"host key for {name} has CHANGED: offered {offered.key_type} "
            f"{offered.fingerprint}, expected {expected}. This may be a man-in-the-middle "
            "attack or a reinstalled host: verify the new key out of band, then replace "
            "that entry; the key is not accepted")


def _pin_line(name: str, offered: _Offered) -> str:
    blob = base64.b64encode(offered.blob).decode("ascii")
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{name} {offered.key_type} {blob} pinned-by-cmdb-auditor-{stamp}\n"
