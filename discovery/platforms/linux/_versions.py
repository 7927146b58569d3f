"""Version ordering of rpm (rpmvercmp) and dpkg (Debian policy 5.6.12), to tell the newest
of several installed versions (rpm installs kernels side by side)."""

from __future__ import annotations

import string
from collections.abc import Callable
from functools import cmp_to_key

_ALNUM = frozenset(string.ascii_letters + string.digits)


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
