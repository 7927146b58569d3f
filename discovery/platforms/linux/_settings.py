"""Settings parsers for the `configs` collector, one per file format, and redaction.

All formats: blank lines and comment lines are skipped, whitespace inside a value is
collapsed to one space. Directives that may repeat keep every occurrence under numbered
keys (`server.1`, `server.2`, in file order); other keys keep one value.

- sshd: keyword lower-cased; the FIRST value wins, as sshd does; keywords sshd
  accumulates (Port, ListenAddress, HostKey, AcceptEnv, Allow/Deny Users/Groups, Include)
  are joined with spaces; `Subsystem NAME CMD` becomes `subsystem.NAME`. Lines after
  `Match CRITERIA` are conditional and are kept under `match[CRITERIA].keyword` (criteria
  as written, whitespace collapsed) until the next Match. Includes are not followed: add
  the included files to `config_files` (files under sshd_config.d are parsed as sshd).
- chrony, ntp: `directive rest`; server/pool/peer/... numbered; otherwise the LAST
  occurrence wins (as chronyd/ntpd read them); a directive without arguments is `yes`.
- resolv: `nameserver.N`; options accumulate; search/domain/sortlist: last wins.
- keyvalue: `key value`, `key=value` or `key: value`; `[section]` headers prefix keys
  (`section.key`); `export ` is dropped; surrounding quotes removed; last wins.

Redaction (never store a secret, but notice when it changes): a value is replaced by
`<redacted:hmac-sha256:XXXXXXXXXXXX>` (first 12 hex digits of HMAC-SHA256 of the value
under the redaction key) when it LOOKS secret in any format (PEM private key, crypt hash,
credentials in a URL, chrony `HEX:`/`ASCII:` keys), or, in keyvalue files, when the key's
name ENDS in a secret word (password, secret, token, api_key, `_key`, psk, community, ...)
or is a bare number (key ids of chrony/ntp key files). `PASS_MAX_DAYS` or
`PasswordAuthentication` are not secrets and are kept.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath

_TIME_REPEATS = frozenset({
    "server", "pool", "peer", "refclock", "allow", "deny", "cmdallow", "cmddeny", "include",
    "confdir", "sourcedir", "restrict", "fudge", "filegen", "interface", "broadcast",
    "manycastclient", "bindaddress", "bindcmdaddress",
})
_SSHD_ACCUMULATES = frozenset({
    "port", "listenaddress", "hostkey", "hostcertificate", "acceptenv", "allowusers",
    "denyusers", "allowgroups", "denygroups", "include",
})
_SECRET_KEY = re.compile(
    r"(pass(word|wd|phrase)?|pwd|secret|token|credentials?|api[._-]?key|(^|[._-])key"
    r"|private[._-]?key|psk|community|^\d+)$",
    re.IGNORECASE,
)
_SECRET_VALUE = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY|^\$(1|2[abxy]?|5|6|7|y|gy|argon2\w*)\$"
    r"|://[^/\s:@]+:[^/\s@]+@|\b(HEX|ASCII):",
)
_ASSIGNMENT = re.compile(r"([^\s=:]+)\s*(?:=|:\s|\s)\s*(.*)")


def infer_format(path: str) -> str:
    pure = PurePosixPath(path)
    if pure.name == "sshd_config" or pure.parent.name == "sshd_config.d":
        return "sshd"
    known = {"chrony.conf": "chrony", "ntp.conf": "ntp", "resolv.conf": "resolv"}
    return known.get(pure.name, "keyvalue")


def parse_settings(fmt: str, text: str) -> dict[str, str]:
    parsers: dict[str, Callable[[str], dict[str, str]]] = {
        "sshd": sshd, "chrony": time_daemon, "ntp": time_daemon, "resolv": resolv,
        "keyvalue": keyvalue,
    }
    return parsers[fmt](text)


def _directives(text: str, comments: str) -> Iterator[tuple[str, str]]:
    """(keyword, rest) per directive line, whitespace collapsed."""
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line or line[0] in comments:
            continue
        keyword, _, rest = line.partition(" ")
        yield keyword, rest


def sshd(text: str) -> dict[str, str]:
    settings: dict[str, str] = {}
    prefix = ""
    for keyword, rest in _directives(text, "#"):
        name, value = _sshd_split(keyword, rest)
        if name == "match":
            prefix = f"match[{value}]."
            continue
        if name == "subsystem":
            sub, _, command = value.partition(" ")
            name, value = f"subsystem.{sub}", command
        key = prefix + name
        if name in _SSHD_ACCUMULATES and key in settings:
            settings[key] = f"{settings[key]} {value}"
        else:
            settings.setdefault(key, value)
    return settings


def _sshd_split(keyword: str, rest: str) -> tuple[str, str]:
    """sshd also accepts `Keyword=value` and `Keyword = value`."""
    if "=" in keyword:
        keyword, _, head = keyword.partition("=")
        rest = f"{head} {rest}".strip()
    return keyword.lower(), rest.removeprefix("= ").removeprefix("=")


def time_daemon(text: str) -> dict[str, str]:
    settings: dict[str, str] = {}
    counts: dict[str, int] = {}
    for keyword, rest in _directives(text, "#!;%"):
        name = keyword.lower()
        if name in _TIME_REPEATS:
            counts[name] = counts.get(name, 0) + 1
            settings[f"{name}.{counts[name]}"] = rest
        else:
            settings[name] = rest or "yes"
    return settings


def resolv(text: str) -> dict[str, str]:
    settings: dict[str, str] = {}
    servers = 0
    for keyword, rest in _directives(text, "#;"):
        if keyword == "nameserver":
            servers += 1
            settings[f"nameserver.{servers}"] = rest
        elif keyword == "options" and "options" in settings:
            settings["options"] = f"{settings['options']} {rest}"
        else:
            settings[keyword] = rest
    return settings


def keyvalue(text: str) -> dict[str, str]:
    settings: dict[str, str] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip() + "."
            continue
        match = _ASSIGNMENT.fullmatch(line.removeprefix("export "))
        if match is None:
            continue  # a bare word: nothing to compare
        settings[section + match.group(1)] = _unquote(" ".join(match.group(2).split()))
    return settings


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def fingerprint(value: str, key: bytes) -> str:
    digest = hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
    return f"<redacted:hmac-sha256:{digest[:12]}>"


_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_PEM_END = re.compile(r"-----END [A-Z ]*PRIVATE KEY-----")
REDACTED = "<redacted>"


def redact_text(fmt: str, text: str) -> str:
    """A config file's text with what `redact` would treat as secret replaced by
    `<redacted>`, line by line and keeping the layout, for `--record` (recordings must
    never hold a secret, and must still parse)."""
    out: list[str] = []
    in_key = False
    for line in text.splitlines(keepends=True):
        if in_key or _PEM_BEGIN.search(line):
            in_key = not _PEM_END.search(line)
            if not out or out[-1] != REDACTED + "\n":
                out.append(REDACTED + "\n")
            continue
        out.append(_redact_line(fmt, line))
    return "".join(out)


def _redact_line(fmt: str, line: str) -> str:
    stripped = line.strip()
    found = _ASSIGNMENT.match(stripped)
    if not stripped or stripped.startswith(("#", ";")) or found is None:
        return line
    name, value = found.group(1), found.group(2)
    leaf = name.rsplit(".", 1)[-1]
    if _SECRET_VALUE.search(value) or (fmt == "keyvalue" and _SECRET_KEY.search(leaf)):
        return line.replace(value, REDACTED) if value else line
    return line


def redact(fmt: str, settings: dict[str, str], key: bytes) -> dict[str, str]:
    def secret(name: str, value: str) -> bool:
        leaf = name.rsplit(".", 1)[-1] if fmt == "keyvalue" else ""
        return bool(_SECRET_VALUE.search(value)) or (
            fmt == "keyvalue" and bool(_SECRET_KEY.search(leaf)))

    return {name: fingerprint(value, key) if secret(name, value) else value
            for name, value in settings.items()}
