"""Version ordering: rpm (rpmvercmp), dpkg (Debian policy 5.6.12) and a generic rule for
network firmware and other software versions.

Discovery uses the rpm/dpkg orderings to tell the newest of several installed versions
(rpm installs kernels side by side); audit rules use `compare_versions` for bounds.

`compare_versions(a, b, scheme)` returns -1, 0 or 1 and raises `VersionError` when a
string is not a version of that scheme or the two cannot be ordered; it never guesses.

- dpkg: `[epoch:]upstream[-revision]`, as `dpkg --compare-versions`. The upstream part
  must start with a digit; what dpkg only warns about (bad characters) is an error here.
- rpm: `[epoch:]version[-release]`, as rpm orders EVRs. A missing epoch is 0. The release
  is compared only when both sides have one, as rpm does for dependency ranges, so the
  bound `8.7p1` matches every release of 8.7p1.
- generic (firmware: Cisco `15.2(4)M7`, `17.3.4a`, NX-OS `9.3(7a)`, Huawei
  `V200R019C10SPC800`, Junos `21.4R3-S5.4`, EOS `4.28.9M`, semver `4.2.0-rc1`):
  1. A leading `v`/`V` before a digit is dropped (`v1.2` is `1.2`). Allowed characters
     are letters, digits and `. - _ + ~ ( )`; at least one digit is required.
  2. The string is split into runs of digits (numbers), runs of letters (words) and `~`;
     every other character only separates. `15.2(4)M7` is 15 2 4 M 7.
  3. Segments are compared in order: numbers as numbers (`04` = `4`, `10` > `9`), words
     case-insensitively in alphabetical order (`17.3.4a` < `17.3.4b`).
  4. Where one string has ended, the other is newer if its next segment is a number or a
     word (`17.3.4a` > `17.3.4`, `V200R019C10SPC800` > `V200R019C10`, `21.4R3-S5` >
     `21.4R3`), and older if it is a pre-release marker: `~` (Debian's convention) or one
     of the words dev < alpha < beta < pre = preview = rc (semver, PEP 440, Maven all read
     them so; no firmware train uses them for a later release): `4.2.0-rc1` < `4.2.0`.
     Pre-release markers also sort before numbers and words at the same place.
  5. A number against a word at the same place is an error, not a guess: vendors disagree
     (Junos `21.4R3-S5.4` is newer than `21.4R3.13`, EOS `4.28.9.1M` is newer than
     `4.28.9M`), so any fixed rule would silently misorder one of them.
  Not handled: semver numeric pre-releases (`1.0.0-1` sorts after `1.0.0`, as in rpm and
  dpkg) and build metadata (`+build5` counts as a later segment). Comparing two different
  trains (IOS `15.2(4)M7` against `15.2(4)E`) is deterministic but not meaningful.
"""

from __future__ import annotations

import enum
import re
import string
from collections.abc import Callable
from functools import cmp_to_key
from itertools import zip_longest

_ALNUM = frozenset(string.ascii_letters + string.digits)


class VersionScheme(enum.StrEnum):
    DPKG = "dpkg"
    RPM = "rpm"
    GENERIC = "generic"


class VersionError(ValueError):
    """A string is not a version of the scheme, or two versions cannot be ordered."""


def rpm_vercmp(a: str, b: str) -> int:
    """rpm's segment comparison: digits vs letters, `~` sorts first, `^` after the end."""
    i = j = 0
    while i < len(a) or j < len(b):
        while i < len(a) and a[i] not in _ALNUM and a[i] not in "~^":
            i += 1
        while j < len(b) and b[j] not in _ALNUM and b[j] not in "~^":
            j += 1
        ca, cb = a[i:i + 1], b[j:j + 1]
        if "~" in (ca, cb):
            if ca != cb:
                return -1 if ca == "~" else 1
            i, j = i + 1, j + 1
            continue
        if "^" in (ca, cb):
            if ca == cb:
                i, j = i + 1, j + 1
                continue
            if not ca:
                return -1
            if not cb:
                return 1
            return 1 if ca != "^" else -1
        if not (ca and cb):
            break
        kind = str.isdigit if ca.isdigit() else str.isalpha
        seg_a, i = _take(a, i, kind)
        seg_b, j = _take(b, j, kind)
        if not seg_b:
            return 1 if kind is str.isdigit else -1
        result = _cmp_segment(seg_a, seg_b, numeric=kind is str.isdigit)
        if result:
            return result
    if i >= len(a) and j >= len(b):
        return 0
    return -1 if i >= len(a) else 1


def _take(text: str, start: int, kind: Callable[[str], bool]) -> tuple[str, int]:
    end = start
    while end < len(text) and text[end] in _ALNUM and kind(text[end]):
        end += 1
    return text[start:end], end


def _cmp_segment(a: str, b: str, *, numeric: bool) -> int:
    if numeric:
        a, b = a.lstrip("0"), b.lstrip("0")
        if len(a) != len(b):
            return 1 if len(a) > len(b) else -1
    return (a > b) - (a < b)


def compare_rpm(a: tuple[int, str, str], b: tuple[int, str, str]) -> int:
    """(epoch, version, release) tuples, as rpm orders them."""
    if a[0] != b[0]:
        return 1 if a[0] > b[0] else -1
    return rpm_vercmp(a[1], b[1]) or rpm_vercmp(a[2], b[2])


def _dpkg_order(c: str) -> int:
    if not c or c.isdigit():
        return 0
    if c in string.ascii_letters:
        return ord(c)
    return -1 if c == "~" else ord(c) + 256


def _dpkg_verrevcmp(a: str, b: str) -> int:
    i = j = 0
    while i < len(a) or j < len(b):
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ac, bc = _dpkg_order(a[i:i + 1]), _dpkg_order(b[j:j + 1])
            if ac != bc:
                return ac - bc
            i, j = i + 1, j + 1
        seg_a, i = _take(a, i, str.isdigit)
        seg_b, j = _take(b, j, str.isdigit)
        result = _cmp_segment(seg_a or "0", seg_b or "0", numeric=True)
        if result:
            return result
    return 0


def _dpkg_split(version: str) -> tuple[int, str, str]:
    epoch, sep, rest = version.partition(":")
    if not sep or not epoch.isdigit():
        epoch, rest = "0", version
    upstream, sep, revision = rest.rpartition("-")
    if not sep:
        upstream, revision = rest, ""
    return int(epoch), upstream, revision


def compare_dpkg(a: str, b: str) -> int:
    """Two dpkg version strings `[epoch:]upstream[-revision]`, as dpkg orders them."""
    ea, ua, ra = _dpkg_split(a)
    eb, ub, rb = _dpkg_split(b)
    if ea != eb:
        return 1 if ea > eb else -1
    return _dpkg_verrevcmp(ua, ub) or _dpkg_verrevcmp(ra, rb)


def newest_first_dpkg(versions: list[str]) -> list[str]:
    return sorted(versions, key=cmp_to_key(compare_dpkg), reverse=True)


def newest_first_rpm(evrs: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    return sorted(evrs, key=cmp_to_key(compare_rpm), reverse=True)


# ---- validation, for versions that come from rules and CI documents ----------------------

_DPKG_UPSTREAM = re.compile(r"[0-9][A-Za-z0-9.+~:-]*")
_DPKG_REVISION = re.compile(r"[A-Za-z0-9.+~]+")
_RPM_PART = re.compile(r"[A-Za-z0-9._+~^]+")
_GENERIC = re.compile(r"[A-Za-z0-9._+~()-]*[0-9][A-Za-z0-9._+~()-]*")


def _check_dpkg(version: str) -> None:
    epoch, sep, rest = version.partition(":")
    if not sep:
        epoch, rest = "0", version
    if not epoch.isdigit():
        raise VersionError(f"dpkg version {version!r}: epoch {epoch!r} is not a number")
    upstream, sep, revision = rest.rpartition("-")
    if not sep:
        upstream, revision = rest, "0"
    if not _DPKG_UPSTREAM.fullmatch(upstream):
        raise VersionError(f"dpkg version {version!r}: upstream version {upstream!r} must "
                           "start with a digit and hold only letters, digits and .+~-:")
    if not _DPKG_REVISION.fullmatch(revision):
        raise VersionError(f"dpkg version {version!r}: revision {revision!r} must be "
                           "letters, digits and .+~")


def _split_rpm(version: str) -> tuple[int, str, str | None]:
    epoch, sep, rest = version.partition(":")
    if not sep:
        epoch, rest = "0", version
    if not epoch.isdigit():
        raise VersionError(f"rpm version {version!r}: epoch {epoch!r} is not a number")
    parts = rest.split("-")
    if len(parts) > 2 or not all(_RPM_PART.fullmatch(p) for p in parts):
        raise VersionError(f"rpm version {version!r}: expected [EPOCH:]VERSION[-RELEASE] "
                           "of letters, digits and ._+~^")
    return int(epoch), parts[0], parts[1] if len(parts) == 2 else None


def _compare_rpm_strings(a: str, b: str) -> int:
    ea, va, ra = _split_rpm(a)
    eb, vb, rb = _split_rpm(b)
    if ea != eb:
        return 1 if ea > eb else -1
    # rpm compares releases only when both sides name one (rpmds.c, rpmdsCompareEVR)
    if ra is None or rb is None:
        return rpm_vercmp(va, vb)
    return rpm_vercmp(va, vb) or rpm_vercmp(ra, rb)


# ---- generic ------------------------------------------------------------------------------

class _Kind(enum.IntEnum):
    """Segment kinds; the value orders kinds where comparing them across is allowed."""

    PRE = 0  # `~` or a pre-release word: before the end of the string
    END = 1  # the string has ended
    WORD = 2  # WORD against NUMBER cannot be ordered (see the module docstring)
    NUMBER = 3


_PRE_WORDS = {"dev": 1, "alpha": 2, "beta": 3, "pre": 4, "preview": 4, "rc": 4}
_SEGMENT = re.compile(r"[0-9]+|[A-Za-z]+|~")
_Segment = tuple[_Kind, int, str]  # (kind, number or pre-release rank, word)
_END: _Segment = (_Kind.END, 0, "")


def _segments(version: str) -> list[_Segment]:
    text = version[1:] if version[:1] in "vV" and version[1:2].isdigit() else version
    if not _GENERIC.fullmatch(text):
        raise VersionError(f"version {version!r}: expected letters, digits and .-_+~() "
                           "with at least one digit")
    found: list[_Segment] = []
    for seg in _SEGMENT.findall(text):
        if seg == "~":
            found.append((_Kind.PRE, 0, ""))
        elif seg.isdigit():
            found.append((_Kind.NUMBER, int(seg), ""))
        elif seg.lower() in _PRE_WORDS:
            found.append((_Kind.PRE, _PRE_WORDS[seg.lower()], ""))
        else:
            found.append((_Kind.WORD, 0, seg.casefold()))
    return found


def compare_generic(a: str, b: str) -> int:
    """Firmware and other versions by the generic rule of the module docstring."""
    for x, y in zip_longest(_segments(a), _segments(b), fillvalue=_END):
        if x == y:
            continue
        if x[0] == y[0]:
            return 1 if x > y else -1
        if {x[0], y[0]} == {_Kind.WORD, _Kind.NUMBER}:
            raise VersionError(f"versions {a!r} and {b!r} cannot be ordered: "
                               f"{_show(x)!r} against {_show(y)!r} at the same place "
                               "(a number against letters)")
        return 1 if x[0] > y[0] else -1
    return 0


def _show(segment: _Segment) -> str:
    return segment[2] or str(segment[1])


def check_version(version: str, scheme: VersionScheme) -> None:
    """Raise `VersionError` unless `version` is a well-formed version of `scheme`."""
    if scheme is VersionScheme.DPKG:
        _check_dpkg(version)
    elif scheme is VersionScheme.RPM:
        _split_rpm(version)
    else:
        _segments(version)


def compare_versions(a: str, b: str, scheme: VersionScheme) -> int:
    """-1, 0 or 1 as `a` is older than, equal to or newer than `b` under `scheme`."""
    if scheme is VersionScheme.DPKG:
        check_version(a, scheme)
        check_version(b, scheme)
        result = compare_dpkg(a, b)
    elif scheme is VersionScheme.RPM:
        result = _compare_rpm_strings(a, b)
    else:
        result = compare_generic(a, b)
    return (result > 0) - (result < 0)
