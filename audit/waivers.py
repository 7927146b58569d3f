"""Waivers: an approved, temporary, justified exception for a check on some CIs.

A waiver names a check (a rule id or a property path, exactly as in `Finding.check`), or
`*` for every check of one named baseline; optionally a baseline; a selector for the CIs
(stored as JSON; the caller matches it with audit.selectors); a reason; who asked; who
approved (someone else); and the last day it applies (inclusive, a UTC date). It is
never deleted: it expires, or it is revoked.

Rules marked unwaivable are refused when a waiver names them, and `covers` never lets a
`*` waiver reach them either: a rule can become unwaivable after a waiver was granted.
"""

from __future__ import annotations

import enum
import json
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from audit.auditdb import AuditDb, SelectorJson, selector_problem, stamp, unstamp
from audit.evidence import canonical

ANY_CHECK = "*"
MAX_DAYS = 366  # a waiver is temporary: at most about a year, then decided again


class WaiverStatus(enum.StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class WaiverError(ValueError):
    """A waiver refused or not found; the message names the waiver or its check."""


@dataclass(frozen=True)
class Waiver:
    id: str  # W-0001, sequential per audit database
    check: str  # rule id / property path, or "*" (every check of `baseline`)
    baseline: str | None  # None: the check in any baseline
    selector: SelectorJson
    reason: str
    requested_by: str
    approved_by: str
    created_at: datetime  # UTC
    expires: date  # last day it applies, UTC
    revoked_at: datetime | None = None
    revoked_by: str | None = None


_COLUMNS = ("id, check_id, baseline, selector, reason, requested_by, approved_by, "
            "created_at, expires, revoked_at, revoked_by")
_SELECT = f"SELECT {_COLUMNS} FROM waivers"  # noqa: S608 - fixed text, no input


# ---- writes ------------------------------------------------------------------------------

def add(db: AuditDb, check: str, selector: SelectorJson, reason: str, requested_by: str,
        approved_by: str, expires: date, now: datetime, baseline: str | None = None,
        unwaivable_checks: Collection[str] = ()) -> Waiver:
    """Record an approved waiver; its id is the next W-NNNN."""
    where = f"waiver for check {check!r}"
    request = Waiver(
        id="", check=_text(check, where, "check"),
        baseline=_text(baseline, where, "baseline") if baseline is not None else None,
        selector=_selector(selector, where), reason=_text(reason, where, "reason"),
        requested_by=_text(requested_by, where, "requester"),
        approved_by=_text(approved_by, where, "approver"),
        created_at=_utc(now, where), expires=expires)
    _check_request(request, where, unwaivable_checks)
    with db.transaction() as conn:
        (last,) = conn.execute(
            "SELECT max(CAST(substr(id, 3) AS INTEGER)) FROM waivers").fetchone()
        waiver = replace(request, id=f"W-{(last or 0) + 1:04d}")
        conn.execute(f"INSERT INTO waivers({_COLUMNS}) "
                     "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                     (waiver.id, waiver.check, waiver.baseline,
                      canonical(waiver.selector).decode("utf-8"), waiver.reason,
                      waiver.requested_by, waiver.approved_by, stamp(waiver.created_at),
                      waiver.expires.isoformat()))
    return waiver


def _check_request(request: Waiver, where: str, unwaivable_checks: Collection[str]) -> None:
    if request.approved_by.casefold() == request.requested_by.casefold():
        raise WaiverError(f"{where}: {request.approved_by} requested it and cannot also "
                          "approve it; a waiver needs an approver other than its requester")
    if request.check == ANY_CHECK and request.baseline is None:
        raise WaiverError(f"{where}: '*' waives every check of one baseline; name the "
                          "baseline")
    if request.check in unwaivable_checks:
        raise WaiverError(f"{where}: check {request.check} is marked unwaivable; the "
                          "finding must be fixed, not waived")
    _check_expiry(request.expires, request.created_at.date(), where)


def _check_expiry(expires: date, today: date, where: str) -> None:
    # datetime is a date subclass; a time of day would make "last day" ambiguous.
    if not isinstance(expires, date) or isinstance(expires, datetime):
        raise WaiverError(f"{where}: expires must be a date, got {expires!r}")
    if expires <= today:
        raise WaiverError(f"{where}: expires {expires} is not after today ({today}); "
                          "a waiver must expire in the future")
    latest = today + timedelta(days=MAX_DAYS)
    if expires > latest:
        raise WaiverError(f"{where}: expires {expires} is {(expires - today).days} days "
                          f"ahead; a waiver is temporary and may run at most {MAX_DAYS} "
                          f"days (until {latest}), then be decided again")


def revoke(db: AuditDb, waiver_id: str, by: str, now: datetime) -> Waiver:
    """End a waiver now; it stays on record. Revoking twice is refused."""
    where = f"waiver {waiver_id}"
    who = _text(by, where, "revoker")
    revoked_at = _utc(now, where)
    with db.transaction() as conn:
        waiver = _get(conn, waiver_id)
        if waiver.revoked_at is not None:
            raise WaiverError(f"{where} was already revoked at "
                              f"{waiver.revoked_at.isoformat()} by {waiver.revoked_by}")
        conn.execute("UPDATE waivers SET revoked_at = ?, revoked_by = ? WHERE id = ?",
                     (stamp(revoked_at), who, waiver_id))
    return replace(waiver, revoked_at=revoked_at, revoked_by=who)


# ---- reads -------------------------------------------------------------------------------

def get(db: AuditDb, waiver_id: str) -> Waiver:
    with db.reading() as conn:
        return _get(conn, waiver_id)


def all_waivers(db: AuditDb) -> list[Waiver]:
    """Every waiver ever recorded, in id order."""
    with db.reading() as conn:
        rows = conn.execute(f"{_SELECT} ORDER BY CAST(substr(id, 3) AS INTEGER)").fetchall()
    return [_from_row(row) for row in rows]


def active(db: AuditDb, at: datetime) -> list[Waiver]:
    """Waivers in force at `at`: recorded by then, not revoked by then, not expired."""
    at = _utc(at, "active waivers")
    return [w for w in all_waivers(db)
            if w.created_at <= at and status(w, at) is WaiverStatus.ACTIVE]


def status(waiver: Waiver, at: datetime) -> WaiverStatus:
    at = _utc(at, f"waiver {waiver.id}")
    if waiver.revoked_at is not None and waiver.revoked_at <= at:
        return WaiverStatus.REVOKED
    if at.date() > waiver.expires:
        return WaiverStatus.EXPIRED
    return WaiverStatus.ACTIVE


def covers(waiver: Waiver, baseline: str, check: str,
           unwaivable_checks: Collection[str] = ()) -> bool:
    """Does the waiver apply to this check of this baseline? Status and the selector are
    the caller's to test (see `active`, audit.selectors)."""
    if check in unwaivable_checks:
        return False
    if waiver.baseline is not None and waiver.baseline != baseline:
        return False
    if waiver.check == ANY_CHECK:
        return waiver.baseline is not None  # "*" is refused on add without a baseline
    return waiver.check == check


# ---- helpers -----------------------------------------------------------------------------

def _get(conn: sqlite3.Connection, waiver_id: str) -> Waiver:
    row = conn.execute(f"{_SELECT} WHERE id = ?", (waiver_id,)).fetchone()
    if row is None:
        raise WaiverError(f"waiver {waiver_id} does not exist")
    return _from_row(row)


def _from_row(row: tuple[Any, ...]) -> Waiver:
    wid, check, baseline, selector, reason, requested, approved, created, expires, \
        revoked_at, revoked_by = row
    return Waiver(wid, check, baseline, json.loads(selector), reason, requested, approved,
                  unstamp(created), date.fromisoformat(expires),
                  unstamp(revoked_at) if revoked_at is not None else None, revoked_by)


def _text(value: object, where: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise WaiverError(f"{where}: the {what} is empty")
    return value.strip()


def _selector(selector: SelectorJson, where: str) -> SelectorJson:
    problem = selector_problem(selector)
    if problem is not None:
        raise WaiverError(f"{where}: {problem}")
    # A JSON copy: the waiver returned is exactly the one stored.
    loaded: SelectorJson = json.loads(canonical(selector))
    return loaded


def _utc(at: datetime, where: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise WaiverError(f"{where}: {at.isoformat()} has no time zone; pass an aware "
                          "datetime")
    return at.astimezone(UTC)
