"""A device's configuration history as users read it: its versions, one version's text,
and the difference between two versions (pure functions over the GraphStore protocol).

A `ConfigSnapshot` holds the redacted text and a keyed fingerprint per secret place
(discovery/platforms/netconfig/redact.py). A *version* is each state of (text, secret
fingerprints) the history records, numbered 1..n in the order the runs recorded them: a
changed secret makes a new version even though the redacted text stays the same, and a
text that comes back after a change is a new version marked `same_as` the earlier one.

Diffs are unified diffs whose hunk headers name the enclosing section of the first
changed line, as `diff -p` does (the section path as the secret places write it, e.g.
`interface GigabitEthernet0/0` or `protocols { > ospf {`), plus the secret places whose
fingerprint changed, was added or removed (places only: fingerprint values are never
returned), plus, where hier_config knows the platform, lines added/removed per section.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hier_config import HConfig, get_hconfig

from cmdb.config_features import HIER_PLATFORMS, feature_of
from cmdb.store.base import GraphStore, HistoryEntry, NodeRecord
from cmdb.store.plan import CREATED
from cmdb.views import title

SNAPSHOT_LABEL = "ConfigSnapshot"
SNAPSHOT_REL = "HAS_CONFIG_SNAPSHOT"
FINGERPRINTS = "secret_fingerprints."  # mappings are stored flattened: `field.entry`
_VERSION_PROPERTIES = frozenset({"text", "sha256"})
SHORT_SHA = 12
CONTEXT_LINES = 3

# OperatingSystem families to our platform names.
OS_FAMILY_PLATFORMS: Mapping[str, str] = {
    "ios": "cisco_ios", "nxos": "cisco_nxos", "eos": "arista_eos", "junos": "juniper_junos",
    "vrp": "huawei_vrp", "comware": "hp_comware",
}
_COMMENTS = ("!", "#", "/*", "}")  # lines that never open a section (as redaction has it)
_END_LINES = frozenset({"end", "return"})
# A single top-level line is summarised under its leading words (`ntp server x` -> `ntp`).


class ConfigHistoryError(LookupError):
    """An unknown or ambiguous device, a missing snapshot kind or an unknown version;
    the message names what was asked and what exists."""


class SecretChangeKind(StrEnum):
    CHANGED = "changed"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True)
class SecretChange:
    """A secret place whose fingerprint differs; never the fingerprint itself."""

    place: str
    change: SecretChangeKind


@dataclass(frozen=True)
class SnapshotRef:
    device_uid: str
    device_name: str
    snapshot_uid: str
    kind: str
    platform: str | None  # ours (cisco_ios, ...), None when the device does not say


@dataclass(frozen=True)
class ConfigVersion:
    number: int
    run: int
    at: str
    sha256: str | None
    line_count: int | None
    text: str
    fingerprints: Mapping[str, str] = field(repr=False)  # place -> HMAC: never print
    secret_changes: tuple[SecretChange, ...] = ()  # versus the previous version
    same_as: int | None = None  # an earlier version with the same text and secrets

    @property
    def short_sha(self) -> str:
        return (self.sha256 or "")[:SHORT_SHA]


@dataclass(frozen=True)
class SectionChange:
    section: str
    added: int
    removed: int


@dataclass(frozen=True)
class ConfigDiff:
    ref: SnapshotRef
    old: ConfigVersion
    new: ConfigVersion
    lines: tuple[str, ...]  # the unified diff, without line ends
    secret_changes: tuple[SecretChange, ...]
    sections: tuple[SectionChange, ...] | None  # None: hier_config lacks the platform

    @property
    def differs(self) -> bool:
        return bool(self.lines or self.secret_changes)


# ---- finding the snapshot ---------------------------------------------------------------


def find_snapshot(store: GraphStore, device: str, kind: str = "running") -> SnapshotRef:
    """The `kind` ConfigSnapshot of `device` (uid, uid prefix, host name/FQDN, or the
    snapshot's own uid)."""
    record = _device(store, device)
    snapshots = [s for s in (store.get(e.dst) for e in store.neighbours(record.uid)
                             if e.type == SNAPSHOT_REL and e.direction == "out")
                 if s is not None]
    found = [s for s in snapshots if s.value("kind") == kind]
    name = title(record)
    if not found:
        kinds = sorted(str(s.value("kind")) for s in snapshots)
        stored = f"kinds stored: {', '.join(kinds)}" if kinds else "none stored"
        raise ConfigHistoryError(f"device {name!r} has no {kind!r} configuration snapshot "
                                 f"({stored})")
    return SnapshotRef(record.uid, name, found[0].uid, kind, platform_of(store, record))


def _device(store: GraphStore, ref: str) -> NodeRecord:
    devices: dict[str, NodeRecord] = {}
    for uid in store.resolve(ref):
        record = store.get(uid)
        if record is not None and record.label == SNAPSHOT_LABEL and record.device:
            record = store.get(record.device)
        if record is not None and record.label == "Device":
            devices[record.uid] = record
    if not devices:
        raise ConfigHistoryError(f"no device matches {ref!r} (give a device uid, a uid "
                                 "prefix or a host name; `cmdb ci list --label Device`)")
    if len(devices) > 1:
        candidates = ", ".join(f"{uid} ({title(r)})" for uid, r in sorted(devices.items()))
        raise ConfigHistoryError(f"{ref!r} matches {len(devices)} devices: {candidates}; "
                                 "give one uid")
    return next(iter(devices.values()))


def platform_of(store: GraphStore, device: NodeRecord) -> str | None:
    """The device's platform, else one derived from its OperatingSystem family."""
    platform = device.value("platform")
    if isinstance(platform, str) and platform in HIER_PLATFORMS:
        return platform
    for edge in store.neighbours(device.uid):
        if edge.type == "HAS_OS" and edge.direction == "out":
            os_node = store.get(edge.dst)
            family = str(os_node.value("family")) if os_node else ""
            if family in OS_FAMILY_PLATFORMS:
                return OS_FAMILY_PLATFORMS[family]
    return platform if isinstance(platform, str) else None


# ---- versions ---------------------------------------------------------------------------


def versions(store: GraphStore, ref: SnapshotRef) -> list[ConfigVersion]:
    """Every version of the snapshot, oldest first (see the module doc)."""
    found = _replay(sorted(store.history(ref.snapshot_uid, include_owned=False),
                           key=lambda e: e.seq))
    if not found:
        raise ConfigHistoryError(f"{ref.device_name} {ref.kind} configuration "
                                 f"({ref.snapshot_uid}) has no recorded history")
    return found


def _replay(entries: Iterable[HistoryEntry]) -> list[ConfigVersion]:
    """Versions from the snapshot's history: one per run that created the node or
    changed its text or a secret fingerprint."""
    state: dict[str, Any] = {}
    found: list[ConfigVersion] = []
    by_run: dict[int, list[HistoryEntry]] = {}
    for entry in entries:
        by_run.setdefault(entry.run, []).append(entry)
    for run, changes in by_run.items():
        touched = False
        for e in changes:
            if e.kind == "node" and e.name == CREATED:
                state, touched = dict(e.new or {}), True
            elif e.kind == "property":
                _set(state, e.name, e.new)
                touched = touched or _versioned(e.name)
        if touched:
            found.append(_version(len(found) + 1, run, changes[0].at, state, found))
    return found


def _set(state: dict[str, Any], name: str, value: Any) -> None:
    if value is None:
        state.pop(name, None)
    else:
        state[name] = value


def _versioned(name: str) -> bool:
    return name in _VERSION_PROPERTIES or name.startswith(FINGERPRINTS)


def _version(number: int, run: int, at: str, state: Mapping[str, Any],
             earlier: Sequence[ConfigVersion]) -> ConfigVersion:
    prints = {k[len(FINGERPRINTS):]: str(v) for k, v in state.items()
              if k.startswith(FINGERPRINTS)}
    text = str(state.get("text") or "")
    sha = state.get("sha256")
    same = next((v.number for v in earlier
                 if v.sha256 == sha and v.text == text and v.fingerprints == prints), None)
    changes = secret_changes(earlier[-1].fingerprints, prints) if earlier else ()
    line_count = state.get("line_count")
    return ConfigVersion(number, run, at, sha if isinstance(sha, str) else None,
                         line_count if isinstance(line_count, int) else None, text, prints,
                         changes, same)


def pick(found: Sequence[ConfigVersion], number: int | None, ref: SnapshotRef) -> ConfigVersion:
    """Version `number` (the latest when None); ConfigHistoryError names the range."""
    if number is None:
        return found[-1]
    if 1 <= number <= len(found):
        return found[number - 1]
    raise ConfigHistoryError(f"{ref.device_name} {ref.kind} configuration has versions "
                             f"1..{len(found)}; there is no version {number}")


def secret_changes(old: Mapping[str, str], new: Mapping[str, str]) -> tuple[SecretChange, ...]:
    """Places whose fingerprint changed, appeared or disappeared, sorted by place."""
    found = [SecretChange(p, SecretChangeKind.ADDED) for p in new.keys() - old.keys()]
    found += [SecretChange(p, SecretChangeKind.REMOVED) for p in old.keys() - new.keys()]
    found += [SecretChange(p, SecretChangeKind.CHANGED) for p in old.keys() & new.keys()
              if old[p] != new[p]]
    return tuple(sorted(found, key=lambda c: c.place))


# ---- diff -------------------------------------------------------------------------------


def diff(ref: SnapshotRef, old: ConfigVersion, new: ConfigVersion,
         context: int = CONTEXT_LINES) -> ConfigDiff:
    label = f"{ref.device_name} {ref.kind}"
    lines = unified_diff(old.text, new.text, f"{label} version {old.number} (run {old.run})",
                         f"{label} version {new.number} (run {new.run})", context)
    return ConfigDiff(ref, old, new, tuple(lines),
                      secret_changes(old.fingerprints, new.fingerprints),
                      section_summary(ref.platform, old.text, new.text))


def unified_diff(old: str, new: str, old_label: str, new_label: str,
                 context: int = CONTEXT_LINES) -> list[str]:
    """difflib's unified diff, each hunk header followed by the section it changes."""
    a, b = old.splitlines(), new.splitlines()
    a_sections, b_sections = section_paths(a), section_paths(b)
    out: list[str] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        if not out:
            out += [f"--- {old_label}", f"+++ {new_label}"]
        first, last = group[0], group[-1]
        change = next(op for op in group if op[0] != "equal")
        where = (a_sections[change[1]] if change[0] in ("replace", "delete")
                 else b_sections[change[3]])
        header = (f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@"
                  + (f" {where}" if where else ""))
        out.append(header)
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [f" {line}" for line in a[i1:i2]]
                continue
            out += [f"-{line}" for line in a[i1:i2]]
            out += [f"+{line}" for line in b[j1:j2]]
    return out


def _range(start: int, stop: int) -> str:
    """A unified diff range, as difflib writes it."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start if length == 0 else start + 1},{length}"


def section_paths(lines: Sequence[str]) -> list[str]:
    """Per line, the section that encloses it: its section headers by indentation joined
    by " > " (as the secret places write them); for a top-level line, the nearest
    preceding top-level line that opens a section (as `diff -p` does); else ""."""
    opens = [_opens_section(lines, i) for i in range(len(lines))]
    stack: list[tuple[int, str]] = []
    last_top = ""
    paths: list[str] = []
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        while stack and stack[-1][0] >= indent and line.strip():
            stack.pop()
        paths.append(" > ".join(h for _, h in stack) if stack else last_top)
        if opens[i]:
            stack.append((indent, line.strip()))
            if indent == 0:
                last_top = line.strip()
    return paths


def _opens_section(lines: Sequence[str], i: int) -> bool:
    """A line opens a section when the next non-blank line is indented deeper."""
    line = lines[i]
    if not line.strip() or line.lstrip().startswith(_COMMENTS):
        return False
    indent = len(line) - len(line.lstrip())
    following = next((n for n in lines[i + 1:] if n.strip()), None)
    return following is not None and len(following) - len(following.lstrip()) > indent


def section_summary(platform: str | None, old: str, new: str
                    ) -> tuple[SectionChange, ...] | None:
    """Lines added and removed per section, order-insensitive within a section, as
    hier_config parses the platform; None for a platform hier_config does not know."""
    driver = HIER_PLATFORMS.get(platform or "")
    if driver is None:
        return None
    a, b = get_hconfig(driver, old), get_hconfig(driver, new)
    branches = _branches(a) | _branches(b)
    a_paths, b_paths = _paths(a), _paths(b)
    added, removed = b_paths - a_paths, a_paths - b_paths
    counts: dict[str, list[int]] = {}
    for paths, slot in ((added, 0), (removed, 1)):
        for path, n in paths.items():
            counts.setdefault(_section_of(path, branches), [0, 0])[slot] += n
    order = {section: i for i, section in enumerate(
        dict.fromkeys(_section_of(p, branches) for p in [*b_paths, *a_paths]))}
    return tuple(SectionChange(s, add, rem)
                 for s, (add, rem) in sorted(counts.items(), key=lambda kv: order[kv[0]]))


def _paths(tree: HConfig) -> Counter[tuple[str, ...]]:
    return Counter(tuple(child.path()) for child in tree.all_children()
                   if not (child.depth() == 1 and child.text in _END_LINES))


def _branches(tree: HConfig) -> set[str]:
    return {child.text for child in tree.children if child.children}


def _section_of(path: tuple[str, ...], branches: set[str]) -> str:
    return path[0] if path[0] in branches else feature_of(path[0])
