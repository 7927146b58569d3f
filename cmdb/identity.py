"""Device identity by typed evidence (DESIGN §4).

Evidence is normalised, junk values (firmware placeholders, all-zero ids) are dropped,
and a device is matched by its strongest evidence that points at exactly one known device,
narrowed by weaker evidence when the strongest is shared. Anything else is a conflict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cmdb.changeset import EVIDENCE_ORDER, EvidenceKind

# Values firmware and installers leave in place of a real identifier. Matching on any of
# these would merge unrelated machines. Compared after normalisation (see `normalise`).
JUNK_VALUES: frozenset[str] = frozenset(
    {
        "",
        "0",
        "none",
        "null",
        "n/a",
        "na",
        "not specified",
        "not applicable",
        "not available",
        "unknown",
        "default",
        "default string",
        "to be filled by o.e.m.",
        "to be filled by oem",
        "system serial number",
        "chassis serial number",
        "serial number",
        "base board serial number",
        "invalid",
        "oem",
        "0123456789",
        "123456789",
        "1234567890",
        "xxxxxxxxxx",
        # SMBIOS UUIDs seen on many unrelated boards.
        "03000200-0400-0500-0006-000700080009",
        "00020003-0004-0005-0006-000700080009",
        # systemd writes this on images meant to get an id at first boot.
        "uninitialized",
        # host names that say nothing about the host.
        "localhost",
        "localhost.localdomain",
        "(none)",
    }
)
_REPEATED = re.compile(r"^([0f\-:.\s])\1*$|^[0\-:.\s]+$|^[f\-:.\s]+$")


def normalise(kind: EvidenceKind, value: str) -> str:
    text = value.strip().lower()
    if kind is EvidenceKind.SERIAL:
        return text.upper()
    return text


def is_junk(kind: EvidenceKind, value: str) -> bool:
    text = value.strip().lower()
    if text in JUNK_VALUES or _REPEATED.match(text):
        return True
    # A serial of one repeated character ("XXXXXXX", "1111111") is a placeholder.
    return kind is EvidenceKind.SERIAL and len(set(text)) <= 1


def mac_set_value(macs: Iterable[str]) -> str | None:
    """The chassis MAC set: universally administered unicast MACs only, so bridges,
    containers and VPN links (locally administered) do not make devices look alike."""
    real = sorted({m.lower() for m in macs if _is_burned_in(m)})
    return ",".join(real) if real else None


def _is_burned_in(mac: str) -> bool:
    parts = mac.lower().split(":")
    if len(parts) != 6 or is_junk(EvidenceKind.MAC_SET, mac):
        return False
    first = int(parts[0], 16)
    return not first & 0b11  # neither multicast nor locally administered


def evidence_from(props: Mapping[str, object], macs: Iterable[str]) -> dict[EvidenceKind, str]:
    """Normalised, junk-free evidence from merged device properties and interface MACs."""
    found: dict[EvidenceKind, str] = {}
    for kind in EVIDENCE_ORDER:
        raw = mac_set_value(macs) if kind is EvidenceKind.MAC_SET else props.get(kind.value)
        if isinstance(raw, str) and not is_junk(kind, raw):
            found[kind] = normalise(kind, raw)
    return found


@dataclass(frozen=True)
class Match:
    uid: str | None  # None: no known device (mint a new one) or a conflict
    conflict: str | None = None  # "ambiguous" or "contradiction"
    evidence: EvidenceKind | None = None
    candidates: tuple[str, ...] = ()


class EvidenceIndex:
    """Known devices by evidence, with the evidence of each device."""

    def __init__(self, by_device: Mapping[str, Mapping[EvidenceKind, str]]) -> None:
        self._by_device: dict[str, dict[EvidenceKind, str]] = {
            uid: dict(ev) for uid, ev in by_device.items()
        }
        self._by_value: dict[tuple[EvidenceKind, str], set[str]] = {}
        for uid, ev in self._by_device.items():
            self._index(uid, ev)

    def _index(self, uid: str, evidence: Mapping[EvidenceKind, str]) -> None:
        for kind, value in evidence.items():
            self._by_value.setdefault((kind, value), set()).add(uid)

    def add(self, uid: str, evidence: Mapping[EvidenceKind, str]) -> None:
        self._by_device.setdefault(uid, {}).update(evidence)
        self._index(uid, evidence)

    def candidates(self, kind: EvidenceKind, value: str) -> set[str]:
        return set(self._by_value.get((kind, value), set()))

    def evidence_of(self, uid: str) -> Mapping[EvidenceKind, str]:
        return self._by_device.get(uid, {})

    def match(self, evidence: Mapping[EvidenceKind, str]) -> Match:
        """Strongest evidence first; weaker evidence only narrows a shared match."""
        for position, kind in enumerate(EVIDENCE_ORDER):
            if kind not in evidence:
                continue
            found = self._compatible(self.candidates(kind, evidence[kind]), evidence, kind)
            if not found:
                continue
            narrowed = self._narrow(found, evidence, EVIDENCE_ORDER[position + 1:])
            if len(narrowed) == 1:
                return Match(next(iter(narrowed)), evidence=kind)
            return Match(None, "ambiguous", kind, tuple(sorted(narrowed)))
        return Match(None)

    def _compatible(self, found: set[str], evidence: Mapping[EvidenceKind, str],
                    kind: EvidenceKind) -> set[str]:
        """Drop candidates whose *stronger* evidence says they are another machine
        (a reused host name on a box with a different serial is not the same box)."""
        stronger = EVIDENCE_ORDER[: EVIDENCE_ORDER.index(kind)]
        return {
            uid for uid in found
            if not any(
                k in evidence and k in self.evidence_of(uid)
                and self.evidence_of(uid)[k] != evidence[k]
                for k in stronger
            )
        }

    def _narrow(self, found: set[str], evidence: Mapping[EvidenceKind, str],
                weaker: Iterable[EvidenceKind]) -> set[str]:
        for kind in weaker:
            if len(found) == 1:
                break
            if kind in evidence:
                subset = found & self.candidates(kind, evidence[kind])
                if subset:
                    found = subset
        return found


def cloned_values(per_target: Mapping[str, Mapping[EvidenceKind, str]]
                  ) -> dict[tuple[EvidenceKind, str], tuple[str, ...]]:
    """Evidence values that two live targets share while disagreeing on other evidence.

    Two hosts seen in the same run with one system UUID but different machine-ids are
    clones (a VM template), not one machine reached twice: that value must not match.
    """
    holders: dict[tuple[EvidenceKind, str], list[str]] = {}
    for target, evidence in per_target.items():
        for kind, value in evidence.items():
            holders.setdefault((kind, value), []).append(target)
    cloned: dict[tuple[EvidenceKind, str], tuple[str, ...]] = {}
    for (kind, value), targets in holders.items():
        if len(targets) > 1 and _disagree(kind, [per_target[t] for t in targets]):
            cloned[(kind, value)] = tuple(sorted(targets))
    return cloned


def _disagree(shared: EvidenceKind, evidences: list[Mapping[EvidenceKind, str]]) -> bool:
    # Host names are often reused and MAC sets change with NICs; clones are told apart by
    # ids that an install or a board gives, so only those count as disagreement.
    telling = (EvidenceKind.SERIAL, EvidenceKind.SYSTEM_UUID, EvidenceKind.MACHINE_ID)
    for kind in telling:
        if kind is shared:
            continue
        values = {ev[kind] for ev in evidences if kind in ev}
        if len(values) > 1:
            return True
    return False
