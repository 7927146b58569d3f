"""The `configs` collector: selected config files with hash, size and parsed settings, and
a `sysctl` pseudo-file holding a fixed set of security-relevant kernel settings.

The file list is DEFAULT_FILES plus the target's `vars["config_files"]` (absolute paths,
checked strictly: they end up in a shell command line). The parser is the same for every
target: it reads each file's path back from the `cat -- PATH` command that produced the
output, so recordings replay without the inventory.

A file that does not exist (or is a directory) is not reported. A file that exists but
cannot be read (permission denied) is reported with its path and format only. `sha256`
comes from `sha256sum` on the host (exact bytes); without it, it is computed from the
text. `size` is the UTF-8 length of the text as received. Settings are redacted
(see `_settings`): the default redaction key is public, so a deployment that wants
fingerprints resistant to guessing passes its own key to LinuxPlatform.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import replace

from cmdb.schema import ConfigFile, Facts
from discovery.errors import ConfigError
from discovery.platforms.base import Collector, Command, Outputs, Parser
from discovery.platforms.common import DEFAULT_REDACTION_KEY, lines, parse_error
from discovery.platforms.linux._settings import (
    infer_format,
    parse_settings,
    redact,
    redact_text,
)
from discovery.transports.base import CommandOutput
from inventory.model import Target

NAME = "configs"
COMPLETE = frozenset({"ConfigFile"})
DEFAULT_FILES = (
    "/etc/ssh/sshd_config",
    "/etc/chrony/chrony.conf",
    "/etc/chrony.conf",
    "/etc/ntp.conf",
    "/etc/resolv.conf",
)
SYSCTL_KEYS = (
    "net.ipv4.ip_forward",
    "net.ipv6.conf.all.forwarding",
    "net.ipv4.conf.all.accept_redirects",
    "net.ipv4.conf.default.accept_redirects",
    "net.ipv6.conf.all.accept_redirects",
    "net.ipv4.conf.all.secure_redirects",
    "net.ipv4.conf.all.send_redirects",
    "net.ipv4.conf.all.accept_source_route",
    "net.ipv4.conf.all.rp_filter",
    "net.ipv4.conf.all.log_martians",
    "net.ipv4.icmp_echo_ignore_broadcasts",
    "net.ipv4.tcp_syncookies",
    "kernel.randomize_va_space",
    "kernel.kptr_restrict",
    "kernel.dmesg_restrict",
    "kernel.yama.ptrace_scope",
    "kernel.unprivileged_bpf_disabled",
    "fs.suid_dumpable",
    "fs.protected_hardlinks",
    "fs.protected_symlinks",
)
# -e: keys this kernel does not have are skipped silently (busybox knows -e too).
SYSCTL = "sysctl -e " + " ".join(SYSCTL_KEYS)
SYSCTL_PATH = "sysctl"

# Exactly the characters shlex.quote leaves alone: a valid path needs no quoting, so the
# allowlist can match it literally and no shell metacharacter can get through.
PATH_PATTERN = r"/[A-Za-z0-9_@%+=:,./-]*"
_PATH = re.compile(PATH_PATTERN)
_MAX_PATH = 1024
_SHA256_LINE = re.compile(r"\\?([0-9a-f]{64}) [ *](.+)")
_SYSCTL_LINE = re.compile(r"([A-Za-z0-9_.\-/]+)\s*=\s*(.*)")
_GONE = ("No such file or directory", "Not a directory", "Is a directory")


def configs_collector(target: Target, redaction_key: bytes = DEFAULT_REDACTION_KEY) -> Collector:
    """The collector for one target: default files plus its `config_files`."""
    paths = config_paths(target)
    quoted = [shlex.quote(path) for path in paths]
    commands = [
        Command("sha256sum", "sha256sum -- " + " ".join(quoted), required=False),
        Command("sysctl", SYSCTL, required=False),
    ]
    names: set[str] = set()
    for path, arg in zip(paths, quoted, strict=True):
        commands.append(Command(_command_name(path, names), f"cat -- {arg}", required=False))
    return Collector(name=NAME, commands=tuple(commands), parse=make_parser(redaction_key),
                     complete=COMPLETE, recordable=recordable)


def config_paths(target: Target) -> tuple[str, ...]:
    extra = target.vars.get("config_files", [])
    if isinstance(extra, str) or not isinstance(extra, Sequence):
        raise ConfigError("vars.config_files: expected a list of absolute paths",
                          target=target.name, collector=NAME)
    for path in extra:
        if not is_safe_path(path):
            raise ConfigError(
                f"vars.config_files: {path!r} is not a plain absolute path (allowed: "
                "letters, digits and _@%+=:,./- ; no '..', no trailing '/')",
                target=target.name, collector=NAME)
    return tuple(dict.fromkeys([*DEFAULT_FILES, *extra]))


def is_safe_path(path: object) -> bool:
    return (isinstance(path, str) and len(path) <= _MAX_PATH and bool(_PATH.fullmatch(path))
            and not path.endswith("/") and "//" not in path
            and ".." not in path.split("/") and "." not in path.split("/"))


def _command_name(path: str, taken: set[str]) -> str:
    """A file-name-safe output key per path (recordings store `<name>.txt`)."""
    base = "cat" + re.sub(r"[^A-Za-z0-9]+", "_", path).rstrip("_")
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    return name


def make_parser(redaction_key: bytes = DEFAULT_REDACTION_KEY) -> Parser:
    def parse_configs(outputs: Outputs) -> Facts:
        return parse(outputs, redaction_key)

    return parse_configs


def parse(outputs: Outputs, redaction_key: bytes = DEFAULT_REDACTION_KEY) -> Facts:
    hashes = _hashes(outputs.get("sha256sum"))
    files: dict[str, ConfigFile] = {}
    for output in outputs.values():
        path = _cat_path(output.command)
        if path is not None:
            found = _config_file(path, output, hashes, redaction_key)
            if found is not None:
                files[path] = found
    sysctl = _sysctl(outputs.get("sysctl"))
    if sysctl is not None:
        files[SYSCTL_PATH] = sysctl
    return Facts(nodes=tuple(files[p] for p in sorted(files)), complete=COMPLETE)


def recordable(outputs: Outputs) -> Outputs:
    """The outputs with the secrets of each file's text replaced (see `redact_text`)."""
    found = {}
    for name, output in outputs.items():
        path = _cat_path(output.command)
        if path is not None and output.ok:
            output = replace(output, stdout=redact_text(infer_format(path), output.stdout))
        found[name] = output
    return found


def _cat_path(command: str) -> str | None:
    words = command.split()
    if len(words) != 3 or words[:2] != ["cat", "--"]:
        return None
    # Valid paths need no quoting (see PATH_PATTERN), so the word is the path.
    return words[2] if is_safe_path(words[2]) else None


def _hashes(output: CommandOutput | None) -> dict[str, str]:
    """`HASH  PATH` lines; sha256sum exits 1 when a file is missing, yet lists the rest."""
    if output is None:
        return {}
    hashes: dict[str, str] = {}
    for line in lines(output.stdout):
        match = _SHA256_LINE.fullmatch(line)
        if match is None:
            raise parse_error(NAME, output.command.split()[0], "expected 'SHA256  PATH'", line)
        hashes[match.group(2)] = match.group(1)
    return hashes


def _config_file(path: str, output: CommandOutput, hashes: Mapping[str, str],
                 key: bytes) -> ConfigFile | None:
    fmt = infer_format(path)
    if not output.ok:
        if any(reason in output.stderr for reason in _GONE):
            return None
        return ConfigFile(path=path, format=fmt, sha256=hashes.get(path))
    data = output.stdout.encode()
    settings = redact(fmt, parse_settings(fmt, output.stdout), key)
    return ConfigFile(path=path, format=fmt, size=len(data), settings=settings,
                      sha256=hashes.get(path) or hashlib.sha256(data).hexdigest())


def _sysctl(output: CommandOutput | None) -> ConfigFile | None:
    """`key = value` lines; the pseudo-file's hash is that of the sorted, normalized text."""
    if output is None:
        return None
    values: dict[str, str] = {}
    for line in lines(output.stdout):
        match = _SYSCTL_LINE.fullmatch(line.strip())
        if match is None:
            raise parse_error(NAME, output.command.split()[0], "expected 'key = value'", line)
        values[match.group(1)] = " ".join(match.group(2).split())
    if not values:
        return None
    text = "".join(f"{k} = {values[k]}\n" for k in sorted(values)).encode()
    return ConfigFile(path=SYSCTL_PATH, format="sysctl", size=len(text), settings=values,
                      sha256=hashlib.sha256(text).hexdigest())
